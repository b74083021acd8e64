// A Debian 12 SysV rc tree for tests: the init scripts, insserv and its configuration
// from Debian's own packages (fetched once with `apt-get download` into a cache under
// /var/tmp and unpacked with dpkg-deb, never installed on this machine: insserv's
// postinst would reorder this machine's /etc/rc?.d), copied into a temp root with the
// insserv binary and the C library it needs, so insserv runs in a chroot of that root.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './temp-root.js';

const CACHE = process.env.NIMBUS_DEB_CACHE ?? '/var/tmp/nimbus-test-debs/sysv-bookworm';
/** insserv and its configuration; sysv-rc's rc and rcS; the scripts of a sysvinit boot. */
const PACKAGES = ['insserv', 'sysv-rc', 'initscripts', 'udev', 'ifupdown', 'openssh-server', 'dbus'];

/** The unpacked packages (CACHE/tree), fetched on first use; null with the reason on stderr. */
export function debianSysvPackages(): string | null {
  const tree = path.join(CACHE, 'tree');
  if (fs.existsSync(path.join(tree, '.complete'))) return tree;
  fs.mkdirSync(CACHE, { recursive: true });
  const script = `set -e
cd "$1"; shift
[ -e tree/.complete ] && exit 0
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then apt-get update -q >/dev/null; fi
rm -rf debs tree; mkdir -p debs tree
cd debs && apt-get download -q "$@" >/dev/null 2>&1 && cd ..
for d in debs/*.deb; do dpkg-deb -x "$d" tree; done
touch tree/.complete`;
  const r = spawnSync('flock', ['/var/lock/nimbus-test-apt.lock', 'sh', '-c', script, 'sh', CACHE, ...PACKAGES], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
  if (r.status !== 0 || !fs.existsSync(path.join(tree, '.complete'))) {
    process.stderr.write(`could not fetch Debian's ${PACKAGES.join(', ')} (exit ${r.status})\n`);
    return null;
  }
  return tree;
}

function copyLib(root: string, lib: string): void {
  const dest = path.join(root, lib);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(fs.realpathSync(lib), dest);
}

/**
 * A temp root laid out as a Debian 12 host booted by sysvinit: /etc/init.d with Debian's
 * scripts (plus `extraScripts`, name -> text), insserv's configuration, and the links
 * insserv makes for them, as the host has before nimbus is installed. Null when the
 * packages cannot be fetched or chroot is not possible (not root).
 */
export function debianSysvRoot(extraScripts: Record<string, string> = {}): string | null {
  if (process.getuid?.() !== 0) {
    process.stderr.write('debianSysvRoot: chroot needs root\n');
    return null;
  }
  const pkgs = debianSysvPackages();
  if (pkgs === null) return null;
  const root = tempDir('nimbus-debian-sysv-');
  fs.cpSync(path.join(pkgs, 'etc'), path.join(root, 'etc'), { recursive: true, verbatimSymlinks: true });
  fs.mkdirSync(path.join(root, 'sbin'), { recursive: true });
  fs.copyFileSync(path.join(pkgs, 'sbin/insserv'), path.join(root, 'sbin/insserv'));
  fs.chmodSync(path.join(root, 'sbin/insserv'), 0o755);
  // insserv is linked against libc only (ldd: libc.so.6 and the loader).
  for (const lib of ['/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2']) copyLib(root, lib);
  for (const [name, text] of Object.entries(extraScripts)) {
    fs.writeFileSync(path.join(root, 'etc/init.d', name), text, { mode: 0o755 });
  }
  // Each package's postinst enables its scripts (update-rc.d <name> defaults).
  const scripts = fs.readdirSync(path.join(root, 'etc/init.d')).filter((f) => !['README', 'rc', 'rcS', 'skeleton'].includes(f) && !f.startsWith('.'));
  const r = spawnSync('chroot', [root, '/sbin/insserv', ...scripts], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`insserv in the test tree failed (exit ${r.status}): ${r.stderr}`);
  return root;
}

/** Runs insserv inside a root made by debianSysvRoot (as another package's update-rc.d would). */
export function insservIn(root: string, ...args: string[]): { code: number; stderr: string } {
  const r = spawnSync('chroot', [root, '/sbin/insserv', ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stderr: r.stderr };
}
