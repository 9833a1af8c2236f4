#!/usr/bin/env bash
# Writes docs/workflows/NAME.md for every shipped workflow: its state diagram, drawn by
# `avtaleflyt workflow diagram` from the definition, so the docs cannot drift (a test checks).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/dev/apps/cli/avtaleflyt}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" --data "$tmp/data" init >/dev/null
mkdir -p docs/workflows
for xml in workflows/*.xml; do
  name=$(basename "$xml" .xml)
  title=$(sed -n 's/.* title="\([^"]*\)".*/\1/p' "$xml" | head -n 1)
  {
    echo "# Workflow \`$name\`: $title"
    echo
    echo "Generated from [\`workflows/$name.xml\`](../../workflows/$name.xml) by \`scripts/workflow-docs.sh\`;"
    echo "edit the definition, not this file. Arrows are labelled with the trigger and who may fire it."
    echo
    echo '```mermaid'
    "$bin" --data "$tmp/data" workflow diagram "$name"
    echo '```'
  } > "docs/workflows/$name.md"
done
echo "docs/workflows: $(ls workflows/*.xml | wc -l) diagrams written"
