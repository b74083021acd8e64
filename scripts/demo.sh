#!/usr/bin/env bash
# `npm run demo`: installs what it needs, builds, and boots the example config drive
# through the four stages on a scratch root, twice, showing what each stage did.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
node scripts/build.mjs
exec node scripts/demo.mjs "$@"
