#!/usr/bin/env bash
# `npm test`: installs what the tests need, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
node scripts/build.mjs
exec node scripts/run-tests.mjs "$@"
