#!/usr/bin/env bash
# `npm run demo`: installs what it needs, builds, and shows what the example config drive
# (examples/config-drive) would do to a machine: `nimbus try` boots a throwaway Debian
# tree with it twice (a first boot, then a reboot of the same instance), every command
# recorded and none run, and prints the plan. It is the same code path as `nimbus try`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
node scripts/build.mjs
echo '$ nimbus try examples/config-drive --second-boot' "$@"
exec node dist/nimbus.js try examples/config-drive --second-boot "$@"
