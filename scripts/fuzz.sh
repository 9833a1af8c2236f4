#!/usr/bin/env bash
# Runs libFuzzer harnesses of a fuzz build (tests/fuzz) and prints a table: target, executions,
# crashes, leaks, timeouts, out-of-memory, exec/s. Exits 1 if any harness found anything.
# Usage: fuzz.sh BUILD_DIR [TARGET...]   (default: every harness)
#   FUZZ_SECONDS  seconds of fuzzing per harness after its corpus (default 600)
#   FUZZ_RUNS     a number of inputs per harness: alone instead of a time, or with FUZZ_SECONDS
#                 whichever comes first
#   FUZZ_JOBS     harnesses run at once (default 1)
# Each harness starts from its seeds (tests/fuzz/corpus/TARGET, and BUILD_DIR/seeds/TARGET made at
# build time) and what earlier runs found
# (BUILD_DIR/fuzz/corpus/TARGET); what it finds goes to BUILD_DIR/fuzz/findings/TARGET (a crash-,
# leak-, timeout- or oom- file: rerun it with `BUILD_DIR/tests/fuzz/fuzz_TARGET FILE`), and its
# log to BUILD_DIR/fuzz/logs/TARGET.log.
# Bounds per input, whatever the product bounds are below them: 10 s, 1 GiB (ASan included).
set -uo pipefail
build=${1:?usage: fuzz.sh BUILD_DIR [TARGET...]}
shift
source_dir=$(cd "$(dirname "$0")/.." && pwd)
seeds=$source_dir/tests/fuzz/corpus
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(csv xlsx workflow template form multipart seal package_reader archive)
fi
runs=${FUZZ_RUNS:-}
jobs=${FUZZ_JOBS:-1}
limit=()
[ -n "$runs" ] && limit+=(-runs="$runs")
if [ -n "${FUZZ_SECONDS:-}" ] || [ -z "$runs" ]; then limit+=(-max_total_time="${FUZZ_SECONDS:-600}"); fi

run_one() {
  local target=$1 bin=$build/tests/fuzz/fuzz_$1
  local corpus=$build/fuzz/corpus/$target findings=$build/fuzz/findings/$target
  local log=$build/fuzz/logs/$target.log
  mkdir -p "$corpus" "$findings" "$(dirname "$log")"
  rm -f "$findings"/*
  local dirs=() dir
  for dir in "$seeds/$target" "$build/seeds/$target"; do [ -d "$dir" ] && dirs+=("$dir"); done
  if [ ! -x "$bin" ]; then
    echo "fuzz: $bin is missing (cmake --build --preset fuzz)" >"$log"
    echo "$target 0 1 0 0 0 0" >"$build/fuzz/logs/$target.row"
    return
  fi
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" "${limit[@]}" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix="$findings/" "$corpus" "${dirs[@]}" >"$log" 2>&1
  local rc=$?
  local execs rate crashes leaks timeouts ooms
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  crashes=$(find "$findings" -name 'crash-*' | wc -l)
  leaks=$(find "$findings" -name 'leak-*' | wc -l)
  timeouts=$(find "$findings" -name 'timeout-*' | wc -l)
  ooms=$(find "$findings" -name 'oom-*' | wc -l)
  # A harness that died without leaving an input (at start, say) counts as a crash.
  if [ "$rc" -ne 0 ] && [ $((crashes + leaks + timeouts + ooms)) -eq 0 ]; then crashes=1; fi
  echo "$target ${execs:-0} $crashes $leaks $timeouts $ooms ${rate:-0}" >"$build/fuzz/logs/$target.row"
}

for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  run_one "$target" &
done
wait

status=0
printf '%-10s %14s %8s %6s %9s %4s %8s\n' target executions crashes leaks timeouts oom exec/s
for target in "${targets[@]}"; do
  read -r name execs crashes leaks timeouts ooms rate <"$build/fuzz/logs/$target.row"
  printf '%-10s %14s %8s %6s %9s %4s %8s\n' "$name" "$execs" "$crashes" "$leaks" "$timeouts" "$ooms" "$rate"
  if [ $((crashes + leaks + timeouts + ooms)) -ne 0 ]; then
    status=1
    echo "  finding(s) in $build/fuzz/findings/$target; log: $build/fuzz/logs/$target.log" >&2
    grep -m 3 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|broken promise|uncaught|SUMMARY' \
      "$build/fuzz/logs/$target.log" | sed 's/^/    /' >&2
  fi
done
exit $status
