// Tests install what they need from Debian's packages (CI runs on a clean machine with
// no standard input). Installs are serialised with flock because test files run in
// parallel and dpkg allows one at a time.
import { spawnSync } from 'node:child_process';

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes sure `cmd` exists, installing Debian package `pkg` when it does not. Returns
 * false (with the reason on stderr) when it could not be installed.
 */
export function ensureCommand(cmd: string, pkg: string): boolean {
  if (hasCommand(cmd)) return true;
  return ensurePackage(pkg) && hasCommand(cmd);
}

export function ensurePackage(pkg: string): boolean {
  if (spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout?.includes('install ok installed')) return true;
  const script = `set -e
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then apt-get update -q >/dev/null; fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${pkg} >/dev/null`;
  const r = spawnSync('flock', ['/var/lock/nimbus-test-apt.lock', 'sh', '-c', script], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
  if (r.status !== 0) process.stderr.write(`could not install ${pkg} (apt-get exit ${r.status})\n`);
  return r.status === 0;
}
