#!/usr/bin/env bash
# Runs every compiled test file with Node's test runner. Node 20 does not expand globs
# after --test, so the shell lists the files. Files run one at a time (--test-concurrency=1)
# because many tests start real servers on fixed loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find dist/test -name '*.test.js' | sort)
if [ "${#files[@]}" -eq 0 ]; then echo "no test files found" >&2; exit 1; fi
exec node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
