#!/bin/sh
# ctest cuts a discovered Catch2 test's name at a ';' and then runs nothing, which it counts as
# passed. Fails, naming them, if any test case of the given test executables has one.
status=0
for t in "$@"; do
  # Catch2 2.x exits with the number of tests it lists: judge by the output.
  names=$("$t" --list-test-names-only)
  [ -n "$names" ] || { echo "$t: lists no tests"; exit 2; }
  bad=$(printf '%s\n' "$names" | grep ';')
  if [ -n "$bad" ]; then
    echo "$(basename "$t"): test names with ';' (ctest runs none of them):"
    printf '%s\n' "$bad"
    status=1
  fi
done
exit $status
