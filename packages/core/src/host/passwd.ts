// Resolves "user:group" owners against the root's own /etc/passwd and /etc/group, so an
// offline image tree gets the uids of its own accounts, not this machine's.
import type { Owner, RootFs } from './rootfs.js';

function lookup(fs: RootFs, file: string, name: string, field: number): number | null {
  if (/^\d+$/.test(name)) return Number(name);
  const text = fs.readText(file);
  if (text === null) return name === 'root' ? 0 : null;
  for (const line of text.split('\n')) {
    const cols = line.split(':');
    if (cols[0] === name && cols.length > field) {
      const n = Number(cols[field]);
      return Number.isInteger(n) ? n : null;
    }
  }
  return null;
}

export function uidOf(fs: RootFs, user: string): number | null {
  return lookup(fs, '/etc/passwd', user, 2);
}

export function gidOf(fs: RootFs, group: string): number | null {
  return lookup(fs, '/etc/group', group, 2);
}

/** The primary group of a user, from /etc/passwd. */
export function primaryGidOf(fs: RootFs, user: string): number | null {
  return lookup(fs, '/etc/passwd', user, 3);
}

/**
 * Parses "user", "user:group" or "user.group"-less forms into ids. Throws with the
 * name that does not exist in the root.
 */
export function resolveOwner(fs: RootFs, spec: string): Owner {
  const [user, group] = spec.split(':', 2) as [string, string | undefined];
  const uid = uidOf(fs, user);
  if (uid === null) throw new Error(`unknown user '${user}' (not in /etc/passwd)`);
  const gid = group !== undefined && group !== '' ? gidOf(fs, group) : (primaryGidOf(fs, user) ?? 0);
  if (gid === null) throw new Error(`unknown group '${group}' (not in /etc/group)`);
  return { uid, gid };
}
