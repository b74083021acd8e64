#!/usr/bin/env bash
# `npm test`: installs what the tests need, lints (scripts/lint.sh), builds, and runs
# every test (the drift test among them); with CI=true
# also the VM boot test (`npm run test:vm`, scripts/vm-test.sh), which needs root and
# a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
rc=0
# A lint finding fails the run but does not hide the test results.
bash scripts/lint.sh || rc=1
node scripts/build.mjs
node scripts/run-tests.mjs "$@" || rc=$?
if [[ ${CI:-} == true ]]; then
  # dist/ was just built: package it as it is.
  bash scripts/vm-test.sh --no-build || rc=1
fi
exit $rc
