#!/usr/bin/env bash
# Peak memory of importing the hostile name lists of issue 14 (items 2 and 3) beside a normal
# one; prints that section of bench/RESULTS.md (Markdown) on standard output.
#   scripts/bench-import.sh BUILD_DIR     (called by scripts/bench.sh; about a minute)
# The sample list of 250 nurses is the reference, as CSV and as .xlsx; bench/hostile_rosters
# makes the hostile workbooks from it. Last, a sample list of 27,000 nurses: about the most the
# table limit (kMaxTableBytes) lets through. Each list is imported with `avtaleflyt import roster`
# into a fresh installation that has the sample network, under /usr/bin/time -v: peak resident
# memory, wall time, and what the command said (its last line, or its error).
set -euo pipefail
build=${1:?usage: bench-import.sh BUILD_DIR}
cd "$(dirname "$0")/.."
build=$(cd "$build" && pwd)
bin=$build/apps/cli/avtaleflyt
[ -x "$build/bench/hostile_rosters" ] ||
  { echo "bench-import: $build/bench/hostile_rosters is missing (build the bench targets)" >&2; exit 1; }
export AVTALEFLYT_NOW=${AVTALEFLYT_NOW:-2026-11-02T09:00}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" --data "$tmp/lists" init > /dev/null
"$bin" --data "$tmp/lists" sample roster --nurses 250 --out "$tmp/navneliste.csv" > /dev/null 2>&1
"$bin" --data "$tmp/lists" sample roster --nurses 27000 --out "$tmp/navneliste-27000.csv" \
  > /dev/null 2>&1
"$build/bench/hostile_rosters" "$tmp/navneliste.csv" "$tmp"

# row NAME FILE BEFORE [again]: imports FILE into a fresh installation and prints its table row;
# with "again", the installation has imported FILE once before (what is measured is the second
# import: the stored roster and the list's, without changes).
row() {
  local name=$1 file=$2 before=$3 dir=$tmp/data-$(basename "$2")${4:+-$4} rc=0 said
  "$bin" --data "$dir" init > /dev/null
  "$bin" --data "$dir" sample roster --nurses 250 --add-network --out "$dir.csv" > /dev/null 2>&1
  if [ "${4:-}" = again ]; then "$bin" --data "$dir" import roster "$file" > /dev/null; fi
  /usr/bin/time -v -o "$dir.time" "$bin" --data "$dir" import roster "$file" \
    > "$dir.out" 2> "$dir.err" || rc=$?
  if [ "$rc" = 0 ]; then said=$(tail -n 1 "$dir.out"); else said=$(head -n 1 "$dir.err"); fi
  said=${said//"$tmp/"/}
  local kib rss wall
  kib=$(stat -c %s "$file" | awk '{ printf "%.0f KiB", $1 / 1024 }')
  rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$dir.time")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$dir.time")
  echo "$name: ${rss} MiB, ${wall} s, exit $rc" >&2
  printf '| %s | %s | %s | **%s MiB** | %s s | %s: %s |\n' "$name" "$kib" "$before" "$rss" "$wall" \
    "exit $rc" "$said"
}

cat <<MD
## Importing hostile name lists (issue 14): peak memory

Each list imported with \`avtaleflyt import roster\` into a fresh installation with the sample
network (/usr/bin/time -v). Target for hostile files: ≤ 100 MiB whatever they hold. "Before" is
what such a file took before the fix, as issue 14 reports it (main of 2 December 2026, limited
to 3 GB of address space, ran out of memory on each of these three files). The last two rows
are a real list about as large as the table limit lets through, first into a network that has
250 nurses, then again; "before" is before the table was freed row by row as the roster is
read (issue 14, Low). What they hold at their peak: the roster read from the list (about 42 MB)
and its changes with their audit details (about 55 MB; the second import has none, but holds
the stored roster instead).

| name list | file | before | peak memory | time | what the import said |
| --- | --- | --- | --- | --- | --- |
$(row "reference: the sample list, 250 nurses, CSV" "$tmp/navneliste.csv" "-")
$(row "reference: the same list as .xlsx" "$tmp/reference.xlsx" "-")
$(row "entity expansion: a 50 KB entity used 50,000 times (DTD in the shared strings)" "$tmp/entity.xlsx" "17 GB")
$(row "zip bomb: a sheet that unpacks to 2 GiB" "$tmp/inflate.xlsx" "4.2 GB")
$(row "10,000 cells at column XFD (the list's rows and more)" "$tmp/xfd.xlsx" "5.2 GB")
$(row "the most the limits let through: copies of a 100 KB shared string (16 MiB of cells)" "$tmp/budget.xlsx" "-")
$(row "a real list near the limits: 27,000 nurses, CSV, into a network of 250" "$tmp/navneliste-27000.csv" "50,000 nurses (the limit was twice as high): 178.4 MiB")
$(row "the same list of 27,000 nurses imported again: no changes (the stored roster and the list's)" "$tmp/navneliste-27000.csv" "50,000 nurses: 183.6 MiB" again)
MD
