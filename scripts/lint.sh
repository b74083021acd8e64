#!/usr/bin/env bash
# `npm run lint`: Biome (format and lint) on the TypeScript and the scripts, shellcheck
# on every shell script, including the generated SysV scripts (as POSIX sh). `npm test`
# runs it first. `--fix` lets Biome rewrite what it can (formatting, safe fixes).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
if ! command -v shellcheck >/dev/null; then
  echo "nimbus: installing shellcheck (Debian's package)" >&2
  flock /var/lock/nimbus-test-apt.lock sh -c 'apt-get install -y -q shellcheck >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q shellcheck >/dev/null; }'
fi
rc=0
if [[ ${1:-} == --fix ]]; then
  node_modules/.bin/biome check --write . || rc=1
else
  node_modules/.bin/biome check . || rc=1
fi
mapfile -t bash_scripts < <(git ls-files -- 'scripts/*.sh' 'scripts/**/*.sh' 'test/**/*.sh' .ci/run)
shellcheck -S warning "${bash_scripts[@]}" || rc=1
# The SysV scripts are POSIX sh: their hosts may have no bash.
shellcheck -S warning -s sh sysvinit/*/nimbus-* || rc=1
[[ $rc == 0 ]] && echo "lint: clean" >&2
exit $rc
