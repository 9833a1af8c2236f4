#!/usr/bin/env bash
# Formats every C++ source and header of the project with the repository's .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files '*.cpp' '*.h' | xargs clang-format -i
