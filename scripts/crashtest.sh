#!/usr/bin/env bash
# The crash tests at full length: every scenario of tests/crash/Crash_test.cpp (kill -9 at random
# moments of send, outbox send to a maildir and to SMTP, archive, serve), CRASH_TRIALS trials each
# (default 200), then the table of what was found. `make test` runs the same with 3 trials.
#   scripts/crashtest.sh [BUILD_DIR]       (default build/dev)
#   CRASH_TRIALS=N   trials per scenario   CRASH_SEED=N  the random seed (default: a new one)
#   CRASH_RESULTS=FILE  also write the table, with machine, date and commit, to FILE
# Exit code 1 if any trial found something to fail on (a lost or duplicated case, a lost mail, a
# half-written package, a log or audit failure, a run again that did not finish the job).
set -uo pipefail
build=${1:-build/dev}
cd "$(dirname "$0")/.."
trials=${CRASH_TRIALS:-200}
seed=${CRASH_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
table=$(mktemp)
log=$(mktemp)
trap 'rm -f "$table" "$log"' EXIT

start=$(date +%s)
AVTALEFLYT_CRASH_TRIALS=$trials AVTALEFLYT_CRASH_SEED=$seed AVTALEFLYT_CRASH_TABLE=$table \
  "$build/tests/crash_tests" "[crash]" >"$log" 2>&1
status=$?
took=$(( $(date +%s) - start ))

render() {
  echo "| scenario | trials | killed mid-way | lost | duplicated cases | duplicated mails (at-least-once) | half-written packages | log/audit failures | hidden .tmp left | unrecorded packages | run again failed | seconds |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  cat "$table"
}
render
echo
echo "$trials trials per scenario, seed $seed, $took s."
if [ "$status" -ne 0 ]; then
  echo "FAILED: what the trials found (rerun with CRASH_SEED=$seed):"
  grep -B2 -A12 'FAILED' "$log" | head -200
fi

if [ -n "${CRASH_RESULTS:-}" ]; then
  {
    echo "# Crash tests"
    echo
    echo "\`make crashtest\` (scripts/crashtest.sh): each command killed with SIGKILL at a random"
    echo "moment (every other trial in the last third of its run, where it commits), then checked"
    echo "and run again. See docs/developer-guide.md, \"Crash and concurrency tests\"."
    echo
    echo "- machine: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "- build: $build; $trials trials per scenario; seed $seed; $took s in all"
    echo "- result: $([ "$status" -eq 0 ] && echo 'every trial passed' || echo 'FAILED (see the table)')"
    echo
    render
  } >"$CRASH_RESULTS"
  echo "Wrote $CRASH_RESULTS."
fi
exit "$status"
