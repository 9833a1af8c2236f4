-- The outbox's messages compressed with LZ4 on PostgreSQL (postgresql/0010_outbox_mime_lz4.sql).
-- SQLite stores a BLOB as it is: nothing to change here.
SELECT 1;
