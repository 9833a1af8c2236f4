#pragma once
// Copying an installation's database into PostgreSQL (avtaleflyt migrate-to).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "avtaleflyt/storage/Database.h"

namespace avtaleflyt::storage {

struct CopyReport {
    std::string target;  // the PostgreSQL database, for messages
    std::vector<std::pair<std::string, std::int64_t>> rows;  // table -> rows, in both
    std::int64_t headSeq = 0;  // the audit log's newest event, the same in both
    std::string headHash;
};

// Copies every row of `from` (an SQLite database at the newest schema) into the PostgreSQL
// database `to`, which must be empty (no tables, or avtaleflyt's schema without rows); its schema is made by the migrations, and
// ids are kept. Writers of `from` wait while it runs; the copy is one transaction, so a failure
// leaves `to` with the schema but no rows, which a second try accepts as empty. Then proves it: the same number of rows in every
// table, the audit chain verifies, and its head is the same. Throws StorageError naming the
// table or check that failed, or that `to` is not empty.
CopyReport copyToPostgresql(Database& from, const std::string& to);

}  // namespace avtaleflyt::storage
