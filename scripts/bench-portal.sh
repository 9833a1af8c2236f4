#!/usr/bin/env bash
# The service core (issue 21) against its references, in one run; writes bench/RESULTS-portal.md.
#   scripts/bench-portal.sh BUILD_DIR     (called by scripts/bench.sh; needs wrk and nginx:
#                                          scripts/install-deps.sh installs them)
# 1. The signing page (GET of a valid link, as a nurse opens it) with wrk, 32 connections, 2
#    threads, 10 s, on a quiet `serve` with 1,000 and with 10,000 nurses; in the same run nginx
#    serving the same bytes statically, Poco's bare HTTPServer on the same bytes (http_ceiling,
#    the framework's ceiling) and the same with one SQLite point read per request. wrk sees only
#    the connections a server answers, so each run also counts those never answered (ss -i) and
#    times a GET on a new connection halfway through.
# 2. The same page while `send function-descriptions` opens 3,000 cases in another process on the
#    same data: p99, errors and time-outs, and the time of a signature POST (quiet and during).
# 3. Sending to 10,000 and to 1,000 nurses (cases, PDFs sealed, mail queued): wall time and peak
#    resident memory (/usr/bin/time -v).
# 4. The dashboard overview (GET /app as the network leader) with 10,000 nurses: median of 20.
# Every server it starts is stopped by the trap. About 4 minutes on a 2-core machine.
set -euo pipefail
build=${1:?usage: bench-portal.sh BUILD_DIR}
cd "$(dirname "$0")/.."
build=$(cd "$build" && pwd)
bin=$build/apps/cli/avtaleflyt
ceiling=$build/bench/http_ceiling
for tool in wrk nginx curl ss /usr/bin/time; do
  command -v "$tool" > /dev/null ||
    { echo "bench-portal: $tool is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
[ -x "$ceiling" ] || { echo "bench-portal: $ceiling is missing (build the bench targets)" >&2; exit 1; }

seconds=${BENCH_WRK_SECONDS:-10}
big=${BENCH_PORTAL_NURSES:-10000}
small=$(( big / 10 ))
concurrent=${BENCH_PORTAL_CONCURRENT:-3000}  # cases the send of part 2 opens
results=$PWD/${BENCH_PORTAL_RESULTS:-bench/RESULTS-portal.md}
export AVTALEFLYT_NOW=${AVTALEFLYT_NOW:-2026-11-02T09:00}  # one clock for every command and server

load_start=$(cut -d" " -f1-3 /proc/loadavg)
tmp=$(mktemp -d)
pids=()
stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  pids=()
}
trap 'stop_all; rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Copies of the programs: a build running meanwhile in BUILD_DIR cannot change them mid-run.
cp "$bin" "$tmp/avtaleflyt"
cp "$ceiling" "$tmp/http_ceiling"
bin=$tmp/avtaleflyt
ceiling=$tmp/http_ceiling
"$bin" --version > /dev/null
commit=$(git rev-parse --short HEAD 2> /dev/null || echo unknown)
changed=$(git status --porcelain -- domain storage documents workflows archive notify engine apps 2> /dev/null |
  awk '{ print $2 }' | paste -sd, - | sed 's/,/, /g')
built="the checkout at commit $commit"
[ -z "$changed" ] || built="$built with uncommitted changes in $changed"
binary_at=$(date -u -r "$build/apps/cli/avtaleflyt" +%Y-%m-%dT%H:%MZ)
commit_at=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%MZ 2> /dev/null || echo "?")
built="$built (committed $commit_at; the avtaleflyt measured was built $binary_at)"
forget() {  # forget PID: a process of ours that has ended
  local keep=() p
  for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  pids=("${keep[@]}")
}
stop() {  # stop PID: one server of ours
  kill -TERM "$1" 2> /dev/null || true
  wait "$1" 2> /dev/null || true
  forget "$1"
}
wait_for() {  # wait_for FILE PATTERN: until a server's log says it listens (at most 10 s)
  for _ in $(seq 100); do grep -q "$2" "$1" 2> /dev/null && return 0; sleep 0.1; done
  echo "bench-portal: no \"$2\" in $1:" >&2; cat "$1" >&2; exit 1
}
free_port() {  # a port on 127.0.0.1 that nothing listens on
  local p
  for p in $(seq "${1:-18400}" 18999); do
    (exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null || { echo "$p"; return; }
  done
  echo "bench-portal: no free port" >&2; exit 1
}
field() { sed -n "s/^$2=//p" <<< "$1" | head -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# wrk's own numbers, machine-readable: requests/s, latency percentiles, every kind of error.
cat > "$tmp/report.lua" << 'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("requests=%d\nrps=%.0f\np50_ms=%.2f\np99_ms=%.2f\nmax_ms=%.1f\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("errors=%d\ntimeouts=%d\nnon2xx=%d\n",
    e.connect + e.read + e.write, e.timeout, e.status))
end
LUA
# load URL [SECONDS]: wrk, 32 connections, 2 threads; prints key=value. wrk counts neither a
# connection the server never answers nor its wait, so halfway through the run this also counts
# the connections the server has not answered once (waiting=) and times a GET on a new
# connection, as a nurse opening her link then (fresh_ms=).
load() {
  local port=${1#http://127.0.0.1:} waiting fresh
  port=${port%%/*}
  wrk -t2 -c32 -d"${2:-$seconds}s" --timeout 2s -s "$tmp/report.lua" "$1" > "$tmp/wrk.out" &
  local wrk_pid=$!
  sleep "$(awk -v s="${2:-$seconds}" 'BEGIN { print s / 2 }')"
  # ss -i: one line a socket and one of its figures; bytes_sent only once the server answered.
  waiting=$(ss -tniH state established "sport = :$port" 2> /dev/null | paste - - |
    awk '!/bytes_sent:/ { n++ } END { print n + 0 }')
  fresh=$(curl -s -o /dev/null --max-time 30 -w '%{time_total}' "$1" | awk '{ printf "%.1f", $1 * 1000 }')
  wait "$wrk_pid"
  sed -n '/^requests=/,$p' "$tmp/wrk.out"
  echo "waiting=$waiting"
  echo "fresh_ms=$fresh"
}
warm() { wrk -t2 -c32 -d1s "$1" > /dev/null; }
row() {  # row WRK-OUTPUT [SEPARATOR]: requests/s, p50, p99, errors (time-outs, not 2xx),
         # connections left waiting, a new connection's GET
  local sep=${2:- | } errs
  errs=$(( $(field "$1" errors) + $(field "$1" timeouts) + $(field "$1" non2xx) ))
  printf '%s%s%s ms%s%s ms%s%s (%s, %s)%s%s of 32%s%s ms' "$(field "$1" rps)" "$sep" \
    "$(field "$1" p50_ms)" "$sep" "$(field "$1" p99_ms)" "$sep" "$errs" "$(field "$1" timeouts)" \
    "$(field "$1" non2xx)" "$sep" "$(field "$1" waiting)" "$sep" "$(field "$1" fresh_ms)"
}

# An installation with N sample nurses whose mail is delivered into its maildir.
#   install DIR N [SEND-ARGS...]: the send runs under /usr/bin/time -v into DIR.time
install() {
  local dir=$1 n=$2
  shift 2
  "$bin" --data "$dir" init > /dev/null
  # wrk's 32 connections all come from 127.0.0.1, as many nurses' would through a proxy: the
  # per-address limit (16 by default) would answer half of them 503.
  echo "portal.max-connections-per-address = 64" >> "$dir/avtaleflyt.properties"
  "$bin" --data "$dir" sample roster --nurses "$n" --add-network --out "$dir/navneliste.csv" \
    > "$dir.sample" 2>&1
  "$bin" --data "$dir" import roster "$dir/navneliste.csv" > /dev/null
  /usr/bin/time -v -o "$dir.time" "$bin" --data "$dir" send function-descriptions "$@" > "$dir.send"
  local start sent=1
  start=$(date +%s%N)
  while [ "$sent" -gt 0 ]; do  # outbox send delivers at most 1,000 messages a run
    sent=$("$bin" --data "$dir" outbox send | tee -a "$dir.outbox" | sed -n "s/^\([0-9]*\) sent, .*/\1/p")
  done
  echo $(( ($(date +%s%N) - start) / 1000000 )) > "$dir.outbox-ms"
}
wall_s() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.1f", s }' "$1"; }
rss_mib() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }
sent_count() { sed -n "s/^\([0-9]*\) function descriptions sent.*/\1/p" "$1"; }
token_of() {  # the signing link's token in a mail (quoted-printable soft breaks undone)
  sed -e ':a' -e '/=\r$/{N;s/=\r\n//;ba' -e '}' "$1" | grep -o '/s/[A-Za-z0-9_-]\{43\}' | head -n 1 | cut -c4-
}
nurse_mail() {  # nurse_mail DIR K: the K-th case's signing mail to its nurse
  local ref email
  ref=$(printf 'FB-2026-%04d' "$2")
  email=$("$bin" --data "$1" case show "$ref" --format json | sed -n 's/^ *"subject_email": "\(.*\)",$/\1/p')
  grep -l "<$email>" "$1"/mail/new/"$ref".sign.*.eml | head -n 1  # (the To: header may be folded)
}
serve() {  # serve DIR: starts a quiet serve (no sweep during the run); sets port and pid
  "$bin" --data "$1" serve --port 0 --dispatch-every 3600 > "$1.serve.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_for "$1.serve.log" "Listening on http://127.0.0.1:[0-9]\+/"  # the whole line, port and all
  port=$(sed -n 's/^Listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$1.serve.log")
  [ -n "$port" ] || { echo "bench-portal: no port in $1.serve.log:" >&2; cat -A "$1.serve.log" >&2; exit 1; }
}
sign_ms() {  # sign_ms URL: a nurse opens her link and signs as the browser does (each on a new
             # connection); prints "POST-MS HTTP-STATUS GET-MS"
  local get_s csrf
  get_s=$(curl -s -o "$tmp/sign-page.html" -w '%{time_total}' "$1")
  csrf=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$tmp/sign-page.html" | head -n 1 | cut -d'"' -f4)
  curl -s -o /dev/null -w '%{time_total} %{http_code}\n' -d "csrf=$csrf" -d confirm=yes "$1/sign" |
    awk -v g="$get_s" '{ printf "%.1f %s %.1f", $1 * 1000, $2, g * 1000 }'
}

echo "bench-portal: installations of $small and $big nurses (sending, delivering the mail)"
install "$tmp/small" "$small"
install "$tmp/big" "$big"

# 1. The signing page, quiet, against its references in the same run.
# signing_page DIR PAGE NURSES: serves DIR (left running: $pid), keeps its signing page in PAGE
# and loads it; wrk's figures in $wrk_out.
signing_page() {
  serve "$1"
  local url
  url="http://127.0.0.1:$port/s/$(token_of "$(nurse_mail "$1" 1)")"
  curl -sf -o "$2" "$url"
  warm "$url"
  echo "bench-portal: signing page, $3 nurses"
  wrk_out=$(load "$url")
  echo "$wrk_out"
}
signing_page "$tmp/small" "$tmp/page-small.html" "$small"
wrk_small=$wrk_out
stop "$pid"
signing_page "$tmp/big" "$tmp/page.html" "$big"
wrk_big=$wrk_out

# 4. The dashboard overview with 10,000 nurses, on the same server (a new sign-in).
echo "bench-leder-passord" | "$bin" --data "$tmp/big" user add benchleder --name "Bench Leder" \
  --role network_leader > /dev/null
# The sign-in form first, as a browser gets it: its cookie and its CSRF token go with the POST.
curl -s -c "$tmp/signin.cookies" -o "$tmp/signin.html" "http://127.0.0.1:$port/app/login"
csrf=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$tmp/signin.html" | sed 's/.*value="//; s/"$//')
cookie=$(curl -s -i -b "$tmp/signin.cookies" \
  -d "username=benchleder&password=bench-leder-passord&csrf=$csrf" \
  "http://127.0.0.1:$port/app/login" | grep -o 'avtaleflyt_session=[0-9a-f]*' | head -n 1)
[ -n "$cookie" ] || { echo "bench-portal: the sign-in to the dashboard failed" >&2; exit 1; }
app_status=$(curl -s -o "$tmp/app.html" -w '%{http_code}' -b "$cookie" "http://127.0.0.1:$port/app")
app_get() { curl -s -o /dev/null -w '%{time_total}\n' -b "$cookie" "http://127.0.0.1:$port/app"; }
ms_of() { median | awk '{ printf "%.1f", $1 * 1000 }'; }
slowest_ms() { sort -n | tail -n 1 | awk '{ printf "%.1f", $1 * 1000 }'; }
# Warm: 20 in a row, nothing changing (the tally is counted once and kept).
app_warm=$(for _ in $(seq 20); do app_get; done)
# Cold: 10 times a nurse signs (cases 2 to 11), then the overview, which counts again.
app_cold=$(for k in $(seq 2 11); do
  sign_ms "http://127.0.0.1:$port/s/$(token_of "$(nurse_mail "$tmp/big" "$k")")" > /dev/null; app_get; done)
# The server's own times for the same requests (its request log: "GET /app 200 12.3 ms").
server_app=$(grep ' GET /app 200 ' "$tmp/big.serve.log" | awk '{ print $(NF - 1) / 1000 }')
warm_ms=$(ms_of <<< "$app_warm") warm_max=$(slowest_ms <<< "$app_warm")
cold_ms=$(ms_of <<< "$app_cold") cold_max=$(slowest_ms <<< "$app_cold")
warm_server_ms=$(sed -n '2,21p' <<< "$server_app" | ms_of)
cold_server_ms=$(tail -n 10 <<< "$server_app" | ms_of)
cold_server_max=$(tail -n 10 <<< "$server_app" | slowest_ms)
echo "bench-portal: dashboard overview (HTTP $app_status): after a signature median ${cold_ms} ms (${cold_server_ms} ms in the server), unchanged ${warm_ms} ms (${warm_server_ms} ms)"
stop "$pid"

# The references: nginx (an unprivileged process with its own configuration, on the same
# bytes), Poco's bare HTTPServer from memory, and with one SQLite point read per request.
mkdir -p "$tmp/nginx/www"
cp "$tmp/page.html" "$tmp/nginx/www/page.html"
nginx_port=$(free_port 18400)
cat > "$tmp/nginx/nginx.conf" << CONF
daemon off;
worker_processes auto;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    root $tmp/nginx/www;
    location / { default_type "text/html; charset=utf-8"; try_files /page.html =404; }
  }
}
CONF
as_user=()
if [ "$(id -u)" -eq 0 ]; then
  chmod 755 "$tmp"
  chown -R nobody:nogroup "$tmp/nginx"
  as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
"${as_user[@]}" nginx -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" &
pid=$!
pids+=("$pid")
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/" && break; sleep 0.1; done
cmp -s <(curl -s "http://127.0.0.1:$nginx_port/") "$tmp/page.html" ||
  { echo "bench-portal: nginx does not serve the page" >&2; cat "$tmp/nginx/error.log" >&2; exit 1; }
warm "http://127.0.0.1:$nginx_port/"
echo "bench-portal: nginx, the same bytes"
wrk_nginx=$(load "http://127.0.0.1:$nginx_port/")
echo "$wrk_nginx"
stop "$pid"

ceiling_run() {  # ceiling_run OUT [DB]: Poco's HTTPServer on the page's bytes; wrk's numbers into OUT
  local out=$1
  shift
  "$ceiling" 0 "$tmp/page.html" "$@" > "$tmp/ceiling.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_for "$tmp/ceiling.log" Listening
  local url
  url="http://127.0.0.1:$(sed -n 's/^Listening on \([0-9]*\).*/\1/p' "$tmp/ceiling.log")/s/x"
  cmp -s <(curl -s "$url") "$tmp/page.html" || { echo "bench-portal: http_ceiling's page differs" >&2; exit 1; }
  warm "$url"
  load "$url" > "$out"
  stop "$pid"
}
echo "bench-portal: Poco HTTPServer, the same bytes from memory"
ceiling_run "$tmp/wrk-poco"
wrk_poco=$(cat "$tmp/wrk-poco")
echo "$wrk_poco"
echo "bench-portal: Poco HTTPServer, one SQLite point read per request (SessionPool, WAL)"
ceiling_run "$tmp/wrk-sqlite" "$tmp/ceiling.db"
wrk_sqlite=$(cat "$tmp/wrk-sqlite")
echo "$wrk_sqlite"

# 2. A send of 3,000 function descriptions in another process while nurses open their links and
#    sign. The installation has 3,000 active nurses more than the area that was sent to first.
echo "bench-portal: signing page while another process sends $concurrent function descriptions"
mid=$(( concurrent * 6 / 5 ))  # Kongsvinger holds about 12 % of the sample, and about 5 % are not active
install "$tmp/mid" "$mid" --area Kongsvinger
first=$(sent_count "$tmp/mid.send")
serve "$tmp/mid"
link() { echo "http://127.0.0.1:$port/s/$(token_of "$(nurse_mail "$tmp/mid" "$1")")"; }
url_get=$(link 1)
signs=20  # signatures quiet (cases 2-21) and during the send (cases 22-41)
quiet_links=() busy_links=()
for k in $(seq 2 $(( signs + 1 ))); do quiet_links+=("$(link "$k")"); done
for k in $(seq $(( signs + 2 )) $(( 2 * signs + 1 ))); do busy_links+=("$(link "$k")"); done
warm "$url_get"
wrk_quiet=$(load "$url_get" 5)
quiet_signs=$(for u in "${quiet_links[@]}"; do sign_ms "$u"; echo; done)
start=$(date +%s%N)
"$bin" --data "$tmp/mid" send function-descriptions > "$tmp/mid.send2" 2>&1 &
send_pid=$!
pids+=("$send_pid")
sleep 1
load "$url_get" > "$tmp/wrk-busy" &
wrk_pid=$!
busy_signs=$(for u in "${busy_links[@]}"; do
  sleep "$(awk -v s="$seconds" -v n="$signs" 'BEGIN { printf "%.2f", s / (n + 1) }')"
  sign_ms "$u"; echo; done)
wait "$wrk_pid"
wrk_ms=$(( ($(date +%s%N) - start) / 1000000 ))
wrk_busy=$(cat "$tmp/wrk-busy")
echo "$wrk_busy"
send_rc=0
wait "$send_pid" || send_rc=$?
send_ms=$(( ($(date +%s%N) - start) / 1000000 ))
forget "$send_pid"
sent_during=$(sent_count "$tmp/mid.send2")
overlap="the send was still running when wrk ended"
[ "$send_ms" -gt "$wrk_ms" ] || overlap="the send ended $(( (wrk_ms - send_ms) / 1000 )) s before wrk did"
signs_cell() {  # "POST-MS STATUS GET-MS" lines: the POSTs' median and slowest, their statuses,
                # and the page's GET before each
  printf '%s ms median, %s ms slowest (HTTP %s); the page before it: %s ms median, %s ms slowest' \
    "$(cut -d' ' -f1 <<< "$1" | median | awk '{ printf "%.1f", $1 }')" "$(cut -d' ' -f1 <<< "$1" | sort -n | tail -n 1)" \
    "$(cut -d' ' -f2 <<< "$1" | sort | uniq -c | awk '{ s = s (NR > 1 ? ", " : "") $1 "×" $2 } END { print s }')" \
    "$(cut -d' ' -f3 <<< "$1" | median | awk '{ printf "%.1f", $1 }')" "$(cut -d' ' -f3 <<< "$1" | sort -n | tail -n 1)"
}
echo "bench-portal: the send opened $sent_during cases in $send_ms ms (exit $send_rc); signing POSTs quiet: $(signs_cell "$quiet_signs"); during: $(signs_cell "$busy_signs")"
stop "$pid"
recorded=0  # the signatures the database holds afterwards (the nurse's of cases 2-11)
for k in $(seq 2 $(( 2 * signs + 1 ))); do
  "$bin" --data "$tmp/mid" case show "$(printf 'FB-2026-%04d' "$k")" --format json |
    grep -q '"status": "signed"' && recorded=$(( recorded + 1 ))
done
echo "bench-portal: $recorded of $(( 2 * signs )) signatures recorded"

# 3. Sending: 10,000 and 1,000 nurses (made above, under /usr/bin/time -v).
big_s=$(wall_s "$tmp/big.time")
small_s=$(wall_s "$tmp/small.time")
big_rss=$(rss_mib "$tmp/big.time")
small_rss=$(rss_mib "$tmp/small.time")
big_cases=$(sent_count "$tmp/big.send")
small_cases=$(sent_count "$tmp/small.send")
per_case() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.1f", s * 1000 / n }'; }
mails_of() { find "$1/mail/new" -name '*.eml' | wc -l; }

cpu=$(lscpu 2> /dev/null | sed -n 's/^Model name: *//p' | head -n 1)
vs_nginx() { ratio "$(field "$1" rps)" "$(field "$wrk_nginx" rps)"; }
cat > "$results" << MD
# The service core: signing page, sending, dashboard (issue 21)

Written by \`scripts/bench-portal.sh\` (run by \`make bench\` after bench/RESULTS.md) from $built. Machine:
${cpu:-unknown CPU}, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%Y-%m-%d).
Load average at the start $load_start, at the end $(cut -d' ' -f1-3 /proc/loadavg) (the
benchmark's own). wrk and the server share the cores. The clock of every command and server:
\`AVTALEFLYT_NOW=$AVTALEFLYT_NOW\`. Every figure stands beside its reference from the same run.

## The signing page: GET of a valid link, a quiet \`serve\`, wrk -t2 -c32 -d${seconds}s

| server | requests/s | p50 | p99 | errors (time-outs, not 2xx) | connections not answered once (halfway) | GET on a new connection meanwhile | share of nginx (requests/s) |
| --- | --- | --- | --- | --- | --- | --- | --- |
| \`avtaleflyt serve\`, $small nurses | $(row "$wrk_small") | $(vs_nginx "$wrk_small") (floor 0.25) |
| \`avtaleflyt serve\`, $big nurses | $(row "$wrk_big") | $(vs_nginx "$wrk_big") (floor 0.25) |
| reference: nginx, the same $(wc -c < "$tmp/page.html") bytes as a static file | $(row "$wrk_nginx") | 1 |
| reference: Poco's HTTPServer (16 threads, keep-alive), the bytes from memory: the ceiling | $(row "$wrk_poco") | $(vs_nginx "$wrk_poco") |
| reference: the same with one SQLite point read per request (SessionPool, WAL) | $(row "$wrk_sqlite") | $(vs_nginx "$wrk_sqlite") |

$small against $big nurses: $(ratio "$(field "$wrk_small" rps)" "$(field "$wrk_big" rps)")× the requests per second (floor: within 1.5×).
\`serve\` with $big nurses reaches $(ratio "$(field "$wrk_big" rps)" "$(field "$wrk_poco" rps)") of Poco's ceiling and $(ratio "$(field "$wrk_big" rps)" "$(field "$wrk_sqlite" rps)") of the SQLite-read variant.

wrk's latencies and errors cover only the connections a server answers. Poco's HTTPServer gives
a keep-alive connection a thread for as long as it stays open (\`serve\`: 64 threads, idle
connections released after 5 s; http_ceiling: 16); beyond that the other connections wait in its
queue with their request unread, and wrk counts them neither as errors nor as time-outs. Hence the two columns taken halfway through
each run: the server's connections it has not sent a byte on (\`ss -i\`: no bytes_sent), and the
time of a GET on a new connection, as a nurse opening her link then.

## The signing page while another process sends function descriptions

$mid nurses; the area Kongsvinger was sent to first ($first cases), then \`send
function-descriptions\` in a second process opened $sent_during cases in $(awk -v ms="$send_ms" 'BEGIN { printf "%.1f", ms / 1000 }') s (exit $send_rc);
wrk ran for ${seconds} s from 1 s after the send started ($overlap).

| measure | during the send | reference: the same server, quiet, just before |
| --- | --- | --- |
| signing page: requests/s · p50 · p99 · errors (time-outs, not 2xx) · connections not answered once · a new connection's GET | $(row "$wrk_busy" " · ") | $(row "$wrk_quiet" " · ") (5 s) |
| signing page p99 (floor ≤ 50 ms, no errors or time-outs) | $(field "$wrk_busy" p99_ms) ms, slowest $(field "$wrk_busy" max_ms) ms | $(field "$wrk_quiet" p99_ms) ms, slowest $(field "$wrk_quiet" max_ms) ms |
| $signs nurses open their link and sign, each on new connections (POST /s/TOKEN/sign: csrf from the page, confirm=yes; floor ≤ 100 ms), during the send: the first $(awk -v s="$seconds" -v n="$signs" 'BEGIN { printf "%.1f", s / (n + 1) }') s into wrk's run, each next one as long after the one before; $recorded of $(( 2 * signs )) signatures recorded | $(signs_cell "$busy_signs") | $(signs_cell "$quiet_signs") |

## Sending function descriptions: cases opened, PDFs rendered and sealed, mail queued

| nurses | cases | \`send function-descriptions\` | per case | peak memory (max RSS) | then \`outbox send\` into the maildir |
| --- | --- | --- | --- | --- | --- |
| $big | $big_cases | ${big_s} s (floor ≤ 20 s) | $(per_case "$big_s" "$big_cases") ms | $big_rss MiB | $(cat "$tmp/big.outbox-ms") ms, $(mails_of "$tmp/big") mails |
| reference: $small | $small_cases | ${small_s} s | $(per_case "$small_s" "$small_cases") ms | $small_rss MiB | $(cat "$tmp/small.outbox-ms") ms, $(mails_of "$tmp/small") mails |

10× the nurses: $(ratio "$big_s" "$small_s")× the time, $(ratio "$big_rss" "$small_rss")× the peak memory (flat: 1×).

## The dashboard overview: GET /app as the network leader, $big nurses

| measure | value |
| --- | --- |
| after a nurse signed (10 times: a signature, then GET /app; counted afresh), floor ≤ 50 ms | ${cold_ms} ms median, ${cold_max} ms slowest (curl time_total); in the server (its request log) ${cold_server_ms} ms median, ${cold_server_max} ms slowest |
| nothing changed (20 in a row: counted once, then kept until the audit log grows or a case turns overdue) | ${warm_ms} ms median, ${warm_max} ms slowest; in the server ${warm_server_ms} ms |

HTTP $app_status. Each overview reads the audit log's head first; the tally is counted again
only when it has moved (any change appends an event) or the clock has passed the moment the
first outstanding case turns overdue.
MD
echo "$results written"
