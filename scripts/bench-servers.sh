#!/usr/bin/env bash
# Outbox dispatch on several servers (issue 15): ~10,000 queued mails delivered into the maildir
# by one dispatcher and by three at once (three `outbox send` processes: what three servers'
# dispatchers do) on one PostgreSQL database, and by one on SQLite as the reference. Each run on
# an installation of its own, made the same way (the sample network, every function description
# sent). Then the signing page through nginx balancing two servers vs one. Prints a Markdown
# section for bench/RESULTS.md (scripts/bench.sh). Needs wrk and nginx (install-deps.sh --bench).
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
# The signing page through nginx balancing two servers, against nginx in front of one: both
# serve the PostgreSQL installation "one" (its mail delivered), wrk 32 connections, 10 s each.
serve_on() {  # serve_on LOG: a quiet serve of installation "one" on a free port; sets port
  "$bin" --data "$tmp/one" serve --port 0 --dispatch-every 3600 > "$1" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q Listening "$1" && break; sleep 0.1; done
  port=$(sed -n 's/^Listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$1")
}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; cleanup' EXIT
printf 'portal.trusted-proxy = 127.0.0.1\n' >> "$tmp/one/avtaleflyt.properties"
serve_on "$tmp/serve1.log"
first=$port
serve_on "$tmp/serve2.log"
second=$port
mail=$(find "$tmp/one/mail/new" -name '*.sign.*.eml' -print -quit)
token=$(sed -e ':a' -e '/=\r$/{N;s/=\r\n//;ba' -e '}' "$mail" | grep -o '/s/[A-Za-z0-9_-]\{43\}' | head -n 1 | cut -c4-)
mkdir -p "$tmp/nginx"
balanced() {  # balanced PORT UPSTREAMS...: an nginx on PORT in front of the upstream ports
  local port=$1 conf="$tmp/nginx/$1.conf" up=""
  shift
  for u in "$@"; do up="$up server 127.0.0.1:$u;"; done
  cat > "$conf" <<CONF
daemon off;
worker_processes 1;
pid $tmp/nginx/$port.pid;
error_log $tmp/nginx/$port.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body; proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi; uwsgi_temp_path $tmp/nginx/uwsgi; scgi_temp_path $tmp/nginx/scgi;
  upstream avtaleflyt { $up keepalive 64; }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://avtaleflyt; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$remote_addr;
    }
  }
}
CONF
  local as_user=()
  if [ "$(id -u)" -eq 0 ]; then
    chown -R nobody:nogroup "$tmp/nginx"
    as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  fi
  "${as_user[@]}" nginx -p "$tmp/nginx" -e "$tmp/nginx/$port.log" -c "$conf" &
  pids+=($!)
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/s/$token" && break; sleep 0.1; done
}
rps() {  # rps URL: requests/s over 10 s, 32 connections (after a second's warm-up)
  wrk -t2 -c32 -d1s "$1" > /dev/null
  wrk -t2 -c32 -d10s "$1" | awk '/Requests\/sec/ { printf "%.0f", $2 }'
}
balanced 18511 "$first"
balanced 18512 "$first" "$second"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:18512/s/$token")" = 200 ] ||
  { echo "bench-servers: the signing page does not answer through nginx" >&2; exit 1; }
one_rps=$(rps "http://127.0.0.1:18511/s/$token")
two_rps=$(rps "http://127.0.0.1:18512/s/$token")

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

The signing page (a valid link, as a nurse opens it) through nginx, wrk 32 connections, 10 s:

| servers behind nginx | requests/s | ratio |
| --- | --- | --- |
| one | $one_rps | 1 |
| two | $two_rps | $(ratio "$two_rps" "$one_rps")× |

(wrk, nginx, both servers and PostgreSQL all share this machine's $(nproc) cores: the second
server adds request threads but no cores, so the ratio shows the cost of balancing, not the
2× that two machines would give.)

Every mail was delivered once: $mails files in each maildir, and $dup Message-IDs recorded as
sent twice by the three dispatchers. Three dispatchers share $(nproc) cores with the database
server and each other; each mail is one claim (\`FOR UPDATE SKIP LOCKED\`) and one write
transaction (queued on the writers' advisory lock) around a synced file.

MD
