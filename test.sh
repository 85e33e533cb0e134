#!/usr/bin/env bash
# Second command of the README (and what CI runs): install what is missing,
# build with warnings as errors, run the whole test suite, then build again
# with AddressSanitizer + UndefinedBehaviorSanitizer and run it once more.
set -euo pipefail
cd "$(dirname "$0")"
tests/setup-deps.sh

run_suite() { # build-dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -DSENSOR_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j2
  ctest --test-dir "$dir" --output-on-failure -j2
}

echo "== test suite"
run_suite build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== test suite under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DSENSOR_SANITIZE=ON
echo "all tests passed"
