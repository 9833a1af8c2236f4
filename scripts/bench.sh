#!/usr/bin/env bash
# Runs the benchmarks in bench/ (none yet) and records their figures in bench/RESULTS.md.
set -euo pipefail
echo "bench: no benchmarks yet; the first arrives with the reminder sweep (issue 6)."
