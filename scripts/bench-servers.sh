#!/usr/bin/env bash
# Outbox dispatch on several servers (issue 15): ~10,000 queued mails delivered into the maildir
# by one dispatcher and by three at once (three `outbox send` processes: what three servers'
# dispatchers do) on one PostgreSQL database, and by one on SQLite as the reference. Each run on
# an installation of its own, made the same way (the sample network, every function description
# sent). Prints a Markdown section for bench/RESULTS.md (scripts/bench.sh).
#   scripts/bench-servers.sh [BUILD_DIR]     (default build/release)
set -euo pipefail
build=${1:-build/release}
cd "$(dirname "$0")/.."
bin="$build/apps/cli/avtaleflyt"
nurses=${BENCH_OUTBOX_NURSES:-5400}
tmp=$(mktemp -d /tmp/avtaleflyt-bench-servers.XXXXXX)
chmod 755 "$tmp"  # the PostgreSQL server (run as postgres) keeps its folder in it
pg="$tmp/pg"
cleanup() { scripts/postgres.sh stop "$pg" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
server=$(scripts/postgres.sh start "$pg")

"$bin" sample roster --nurses "$nurses" --out "$tmp/roster.csv" --now 2026-11-02 >/dev/null

# prepare NAME [DATABASE_URL]: an installation with every function description sent.
prepare() {
  local data="$tmp/$1"
  if [ -n "${2:-}" ]; then
    "$bin" --data "$data" init --database "$2" --now 2026-11-02 >/dev/null
  else
    "$bin" --data "$data" init --now 2026-11-02 >/dev/null
  fi
  "$bin" --data "$data" sample roster --nurses "$nurses" --out "$tmp/$1.csv" --add-network \
    --now 2026-11-02 >/dev/null 2>&1
  "$bin" --data "$data" import roster "$tmp/$1.csv" --now 2026-11-02T08:00 >/dev/null
  "$bin" --data "$data" send function-descriptions --now 2026-11-03T09:00 >/dev/null
}

# dispatch NAME PROCESSES: milliseconds until PROCESSES `outbox send` at once have sent it all.
dispatch() {
  local data="$tmp/$1" start pids=()
  start=$(date +%s%N)
  for _ in $(seq "$2"); do
    "$bin" --data "$data" outbox send --now 2026-11-03T09:05 >/dev/null &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  echo $(( ($(date +%s%N) - start) / 1000000 ))
}

# files NAME: the mails in the maildir, and how many Message-IDs came more than once.
files() { find "$tmp/$1/mail/new" -type f | wc -l; }

url() { echo "postgresql://avtaleflyt@/$1?host=$pg"; }
for db in one three; do
  "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql" -q "$server" -c "CREATE DATABASE $db"
done
prepare sqlite
prepare one "$(url one)"
prepare three "$(url three)"
mails=$(sqlite3 "$tmp/sqlite/avtaleflyt.db" "SELECT count(*) FROM outbox")

sqlite_ms=$(dispatch sqlite 1)
one_ms=$(dispatch one 1)
three_ms=$(dispatch three 3)
for name in sqlite one three; do
  if [ "$(files "$name")" != "$mails" ]; then
    echo "bench-servers: $name delivered $(files "$name") files for $mails mails" >&2
    exit 1
  fi
done
dup=$("$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql" -Atq "$(url three)" -c \
  "SELECT count(*) FROM (SELECT 1 FROM audit_event WHERE kind = 'mail.sent' GROUP BY payload::json->>'message_id' HAVING count(*) > 1) AS twice")
rate() { awk -v n="$mails" -v ms="$1" 'BEGIN { printf "%.0f", n * 1000 / ms }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

cat <<MD
## Several servers on one PostgreSQL database (issue 15)

Outbox dispatch of $mails queued mails into the maildir (each file written and synced), every
figure from its own installation made the same way ($nurses nurses, every function description
sent), PostgreSQL $(psql --version | awk '{print $3}') on a throwaway server (Unix socket, fsync off) on this machine.

| dispatch | time | mails/s | ratio |
| --- | --- | --- | --- |
| SQLite, one dispatcher (the reference) | $sqlite_ms ms | $(rate "$sqlite_ms") | 1 |
| PostgreSQL, one dispatcher | $one_ms ms | $(rate "$one_ms") | $(ratio "$sqlite_ms" "$one_ms")× SQLite |
| PostgreSQL, three dispatchers at once (three servers) | $three_ms ms | $(rate "$three_ms") | $(ratio "$one_ms" "$three_ms")× one dispatcher |

Every mail was delivered once: $mails files in each maildir, and $dup Message-IDs recorded as
sent twice by the three dispatchers. Three dispatchers share $(nproc) cores with the database
server and each other; each mail is one claim (\`FOR UPDATE SKIP LOCKED\`) and one write
transaction (queued on the writers' advisory lock) around a synced file.

MD
