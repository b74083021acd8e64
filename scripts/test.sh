#!/usr/bin/env bash
# `npm test`: installs what the tests need, builds, and runs every test; with CI=true
# also the VM boot test (`npm run test:vm`, scripts/vm-test.sh), which needs root and
# a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
node scripts/build.mjs
rc=0
node scripts/run-tests.mjs "$@" || rc=$?
if [[ ${CI:-} == true ]]; then
  # dist/ was just built: package it as it is.
  bash scripts/vm-test.sh --no-build || rc=1
fi
exit $rc
