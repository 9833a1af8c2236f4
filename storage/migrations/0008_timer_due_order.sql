-- The timers in the order the overview lists the next ones (due, then case, then name), so that
-- the first few are read from the index even when thousands fall due at the same second (a
-- send opens every case at once); the sweep reads the same index by due_at alone.
DROP INDEX case_timer_due;
CREATE INDEX case_timer_due ON case_timer (due_at, case_id, name);
