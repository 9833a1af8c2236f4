#!/usr/bin/env bash
# Runs the benchmarks and writes bench/RESULTS.md with the machine they ran on.
#   render + seal: median per sealed two-page function description over 200 documents, pages
#   per second; the reference in the same run is LibreOffice converting the same text as .docx,
#   a batch of 20 in one process, to PDF (what the network does today), if soffice is installed (apt-get install
#   libreoffice-writer-nogui); the ratio is what matters, since machines are noisy.
#   Also the archive audit, the reminder sweep, the sample network, hostile name lists
#   (scripts/bench-import.sh), several servers on PostgreSQL (scripts/bench-servers.sh) and the
#   service core (scripts/bench-portal.sh).
set -euo pipefail
build=${1:-build/dev}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
chmod 755 "$tmp"  # the PostgreSQL server of the sweep (run as postgres) keeps its folder in it
trap 'scripts/postgres.sh stop "$tmp/pg" > /dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
n=${BENCH_DOCUMENTS:-200}

out=$("$build/bench/render_bench" "$n" "$tmp" "$tmp/fd.html")
echo "$out"
value() { echo "$out" | sed -n "s/^$1=//p"; }
sealed=$(value sealed_median_ms)

ref="not run (soffice is not installed: apt-get install libreoffice-writer-nogui)"
ratio="-"
if command -v soffice >/dev/null; then
  profile="-env:UserInstallation=file://$tmp/lo"
  soffice "$profile" --headless --convert-to docx:"MS Word 2007 XML" --outdir "$tmp" "$tmp/fd.html" >/dev/null 2>&1
  soffice "$profile" --headless --convert-to pdf --outdir "$tmp/warm" "$tmp/fd.docx" >/dev/null 2>&1  # warm-up
  # A batch in one process, as a user converting the month's documents would run it: 20 copies
  # of the document, one soffice, the time divided by 20 (median of 3 batches).
  batch=20
  mkdir -p "$tmp/batch"
  for i in $(seq "$batch"); do cp "$tmp/fd.docx" "$tmp/batch/fd$i.docx"; done
  times=()
  for i in 1 2 3; do
    start=$(date +%s%N)
    soffice "$profile" --headless --convert-to pdf --outdir "$tmp/pdf$i" "$tmp"/batch/*.docx >/dev/null 2>&1
    times+=($(( ($(date +%s%N) - start) / 1000 / batch )))
  done
  median_us=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  ref=$(awk -v us="$median_us" -v n="$batch" 'BEGIN { printf "%.1f ms a document (soffice --headless --convert-to pdf converting %d documents in one process, median of 3 batches)", us / 1000, n }')
  ratio=$(awk -v us="$median_us" -v ms="$sealed" 'BEGIN { printf "%.0f×", us / 1000 / ms }')
fi

# The archive audit of many documents against sha256sum over the same files (page cache warm).
audit_n=${BENCH_AUDIT_DOCUMENTS:-100000}
"$build/bench/audit_bench" make "$audit_n" "$tmp" > "$tmp/package"
package=$(cat "$tmp/package")
find "$package" -type f -exec cat {} + > /dev/null  # into the page cache
start=$(date +%s%N)
(cd "$package" && sha256sum -c --quiet manifest.sha256)
sha_ms=$(( ($(date +%s%N) - start) / 1000000 ))
audit_out=$("$build/bench/audit_bench" audit "$package")
echo "$audit_out"
audit_s=$(echo "$audit_out" | sed -n 's/^audit_seconds=//p')
audit_mib=$(echo "$audit_out" | sed -n 's/^peak_rss_mib=//p')
# Memory against the number of documents: the same audit of a package a fifth the size.
small_n=$(( audit_n / 5 ))
mkdir -p "$tmp/small"
"$build/bench/audit_bench" make "$small_n" "$tmp/small" > "$tmp/small-package"
small_mib=$("$build/bench/audit_bench" audit "$(cat "$tmp/small-package")" | sed -n 's/^peak_rss_mib=//p')
per_doc=$(awk -v a="$audit_mib" -v b="$small_mib" -v n="$audit_n" -v m="$small_n" \
  'BEGIN { printf "%.2f", (a - b) * 1024 / (n - m) }')
audit_ratio=$(awk -v s="$audit_s" -v ms="$sha_ms" 'BEGIN { printf "%.2f", ms / 1000 / s }')
gib=$(du -sm "$package" | awk '{ printf "%.1f", $1 / 1024 }')

# The reminder sweep: 100,000 open signature requests, 1% due; and 10,000 in the same run.
sweep() { mkdir -p "$tmp/sweep$1"; "$build/bench/sweep_bench" "$1" "$tmp/sweep$1"; }
sweep_big=$(sweep "${BENCH_SWEEP_REQUESTS:-100000}")
sweep_small=$(sweep $(( ${BENCH_SWEEP_REQUESTS:-100000} / 10 )))
echo "$sweep_big"
field() { echo "$1" | sed -n "s/^$2=//p"; }
sweep_ratio=$(awk -v a="$(field "$sweep_big" sweep_seconds)" -v b="$(field "$sweep_small" sweep_seconds)" \
  'BEGIN { printf "%.1f", a / b }')
sweep_mem() { awk -v a="$(field "$1" rss_after_mib)" -v b="$(field "$1" rss_before_mib)" 'BEGIN { printf "%.1f", a - b }'; }
# The same on PostgreSQL (a throwaway server, scripts/postgres.sh: Unix socket, fsync off),
# 1,000,000 open requests, 1% due.
pg_server=$(scripts/postgres.sh start "$tmp/pg")
"$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql" -q "$pg_server" -c "CREATE DATABASE sweep"
mkdir -p "$tmp/sweep-pg"
sweep_pg=$("$build/bench/sweep_bench" "${BENCH_SWEEP_PG_REQUESTS:-1000000}" "$tmp/sweep-pg" \
  "${pg_server/dbname=postgres/dbname=sweep}")
scripts/postgres.sh stop "$tmp/pg" > /dev/null
echo "$sweep_pg"
per_case_ms() { awk -v s="$(field "$1" sweep_seconds)" -v n="$(field "$1" fired)" 'BEGIN { printf "%.2f", s * 1000 / n }'; }

# The sample network for scale tests: 100,000 nurses as a name list, against coreutils' sort of
# the same rows by the same keys (area, municipality, unit, name), one part of the same work.
sample_n=${BENCH_SAMPLE_NURSES:-100000}
ms_of() { local start; start=$(date +%s%N); "$@" > /dev/null; echo $(( ($(date +%s%N) - start) / 1000000 )); }
sample_ms=$(ms_of "$build/apps/cli/avtaleflyt" sample roster --nurses "$sample_n" --out "$tmp/sample.csv")
sort_ms=$(ms_of env LC_ALL=C.UTF-8 sort -t';' -k4,4 -k5,5 -k6,6 -k1,1 -o "$tmp/sorted.csv" "$tmp/sample.csv")
sample_ratio=$(awk -v a="$sample_ms" -v b="$sort_ms" 'BEGIN { printf "%.1f", a / b }')
echo "sample_ms=$sample_ms sort_ms=$sort_ms"

# Importing hostile name lists (issue 14): peak memory beside the sample list's import.
import_section=$(scripts/bench-import.sh "$build")
# Outbox dispatch by one and three servers on PostgreSQL, beside SQLite (issue 15).
servers_section=$(scripts/bench-servers.sh "$build")

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
cat > bench/RESULTS.md <<MD
# Benchmark results

Written by \`make bench\` (scripts/bench.sh). Machine: ${cpu:-unknown CPU}, $(nproc) cores,
$(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%Y-%m-%d).

## Render and seal a function description (two pages: text and signature page)

| measure | value |
| --- | --- |
| documents | $(value documents) |
| sealed document, median | $(value sealed_median_ms) ms (target ≤ 5 ms) |
| render only (no seal), median | $(value render_only_median_ms) ms |
| pages per second (sealed) | $(value pages_per_second) |
| mean size | $(value mean_kib) KiB |
| reference: LibreOffice, same text as .docx → PDF | $ref |
| avtaleflyt faster by | $ratio |

## Audit of an archive package ($audit_n sealed documents, $gib GiB, files in the page cache)

| measure | value |
| --- | --- |
| \`sha256sum -c manifest.sha256\` (the reference) | $sha_ms ms |
| \`audit\`: manifest, checksums, sizes, references, systemIDs, ADDML, every seal, both XML files against the shipped schemas (all cores) | ${audit_s} s |
| audit speed relative to sha256sum | ${audit_ratio}× (target ≥ 2×) |
| audit peak memory | ${audit_mib} MiB ($small_n documents: ${small_mib} MiB; ${per_doc} KiB more per document) |

## Reminder sweep ($(field "$sweep_big" requests) open signature requests, 1% due)

| measure | value |
| --- | --- |
| sweep: timers fired, reminders written to the outbox | $(field "$sweep_big" fired) cases, $(field "$sweep_big" mails) mails |
| sweep time | $(field "$sweep_big" sweep_seconds) s (target ≤ 1 s) |
| memory the sweep added | $(sweep_mem "$sweep_big") MiB |
| reference: $(field "$sweep_small" requests) requests, 1% due, same run | $(field "$sweep_small" sweep_seconds) s, $(sweep_mem "$sweep_small") MiB added |
| time ratio (10× the requests, 10× the reminders due) | ${sweep_ratio}× (linear in what is due; the requests that are not due cost an index lookup) |
| on PostgreSQL: $(field "$sweep_pg" requests) open requests, 1% due ($(field "$sweep_pg" fired) cases, $(field "$sweep_pg" mails) mails; a throwaway server, fsync off) | $(field "$sweep_pg" sweep_seconds) s (target ≤ 2 s); $(per_case_ms "$sweep_pg") ms a case due, against $(per_case_ms "$sweep_big") ms on SQLite above |

## Sample network ($sample_n nurses, \`sample roster --nurses $sample_n\`)

| measure | value |
| --- | --- |
| name list made and written (every name and address unique) | $sample_ms ms (target < 1 s) |
| reference: \`sort\` of the same rows by area, municipality, unit and name | $sort_ms ms |
| ratio | ${sample_ratio}× the sort alone |

$import_section
$servers_section
## [The service core: signing page, sending, dashboard (issue 21)](RESULTS-portal.md)
MD
echo "bench/RESULTS.md written"
scripts/bench-portal.sh "$build"
