#!/usr/bin/env bash
# Runs the dashboard's browser test and keeps its screenshots in docs/screenshots (shown by
# docs/dashboard.md). Usage: scripts/screenshots.sh [build/dev]
set -euo pipefail
build=${1:-build/dev}
cd "$(dirname "$0")/.."
AVTALEFLYT_SCREENSHOTS=docs/screenshots node tests/browser/dashboard.test.mjs "$build/apps/cli/avtaleflyt"
echo "Screenshots in docs/screenshots/."
