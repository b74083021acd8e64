// The kernel's views that nimbus reads: /sys/class/net, /sys/class/dmi/id and
// /proc/cmdline, always under the root so a test tree can hold a fake machine.
import { os } from '../util/builtin.js';
import type { RootFs } from './rootfs.js';

export class Sysfs {
  constructor(private readonly fs: RootFs) {}

  /** Interface names under /sys/class/net, sorted. */
  netNames(): string[] {
    return this.fs.list('/sys/class/net');
  }

  /** One attribute of an interface (address, operstate, carrier, type, ...), trimmed; null when absent or unreadable. */
  netAttr(name: string, attr: string): string | null {
    try {
      return this.fs.readText(`/sys/class/net/${name}/${attr}`)?.trim() ?? null;
    } catch {
      // Reading `carrier` of a down interface fails with EINVAL: that means "no carrier known".
      return null;
    }
  }

  /** Whether /sys/class/net/<name>/<entry> exists (bonding/, bridge/, device, ...). */
  netHas(name: string, entry: string): boolean {
    return this.fs.stat(`/sys/class/net/${name}/${entry}`, false) !== null;
  }

  /** Target of a link under /sys/class/net/<name> (device/driver, master, ...). */
  netLink(name: string, entry: string): string | null {
    return this.fs.readlink(`/sys/class/net/${name}/${entry}`);
  }

  cmdline(): string {
    return this.fs.readText('/proc/cmdline')?.trim() ?? '';
  }

  dmi(key: string): string | null {
    try {
      return this.fs.readText(`/sys/class/dmi/id/${key}`)?.trim() ?? null;
    } catch {
      return null;
    }
  }

  /** Seconds since boot: <root>/proc/uptime when the tree has one, else this machine's. */
  uptime(): number {
    const text = this.fs.readText('/proc/uptime');
    const n = text === null ? Number.NaN : Number.parseFloat(text);
    return Number.isFinite(n) ? n : os().uptime();
  }

  /** The running kernel (a tree under --root runs on this kernel too). */
  uname(): { system: string; release: string; machine: string; version: string } {
    return { system: os().type(), release: os().release(), machine: os().machine(), version: os().version() };
  }
}
