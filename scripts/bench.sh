#!/usr/bin/env bash
# `npm run bench`: builds, then measures nimbus against Debian's cloud-init 22.4 (built
# once in a chroot by scripts/reference/cloud-init-ref.sh; REF_SUITE=trixie for 25.1)
# and prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
node scripts/build.mjs
command -v python3 >/dev/null || { apt-get update -q && apt-get install -y -q python3; }
exec node bench/run.mjs "$@"
