// authorized_keys files: where sshd looks for a user's keys (AuthorizedKeysFile), and
// merging new keys into what is there (a key already present is replaced, with the
// new options; other lines are kept). Files 0600 and ~/.ssh 0700, owned by the user.
import type { ModuleContext } from '../types.js';
import type { PasswdEntry } from './accounts.js';
import type { Owner } from '../../host/rootfs.js';

const KEY_TYPES =
  /^(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com|ssh-(rsa|dss|ed25519)-cert-v01@openssh\.com|ecdsa-sha2-nistp(256|384|521)-cert-v01@openssh\.com)$/;

/** The base64 blob that identifies a key line, skipping any options before the type. */
export function keyBlob(line: string): string | null {
  const words = line.trim().split(/\s+/);
  for (let i = 0; i < words.length - 1; i++) if (KEY_TYPES.test(words[i] as string)) return words[i + 1] as string;
  return null;
}

/** Keys as lines: trimmed, empty ones dropped; a key holding a line break is refused. */
export function cleanKeys(keys: readonly unknown[]): { keys: string[]; bad: number[] } {
  const out: string[] = [];
  const bad: number[] = [];
  keys.forEach((k, i) => {
    if (typeof k !== 'string' || /[\0\n\r]/.test(k.trim())) {
      bad.push(i);
      return;
    }
    const t = k.trim();
    if (t !== '' && !out.includes(t)) out.push(t);
  });
  return { keys: out, bad };
}

/** The new authorized_keys text (pure): existing lines kept, a key already present replaced by the new line. */
export function mergeAuthorizedKeys(existing: string, keys: readonly string[], options = ''): string {
  const lines = keys.map((k) => (options !== '' ? `${options} ${k}` : k));
  const byBlob = new Map<string, string>();
  for (const l of lines) {
    const b = keyBlob(l);
    if (b !== null) byBlob.set(b, l);
  }
  const used = new Set<string>();
  const out: string[] = [];
  for (const line of existing.split('\n')) {
    if (line.trim() === '') continue;
    const b = keyBlob(line);
    if (b !== null && byBlob.has(b)) {
      if (!used.has(b)) out.push(byBlob.get(b) as string);
      used.add(b);
    } else out.push(line);
  }
  for (const l of lines) {
    const b = keyBlob(l);
    if (b === null ? !out.includes(l) : !used.has(b)) out.push(l);
    if (b !== null) used.add(b);
  }
  return out.length === 0 ? '' : out.join('\n') + '\n';
}

/** The first AuthorizedKeysFile of sshd_config for a user, %h %u %% expanded (pure). */
export function authorizedKeysFile(sshdConfig: string | null, user: string, home: string): string {
  let spec = '.ssh/authorized_keys';
  for (const raw of (sshdConfig ?? '').split('\n')) {
    const line = raw.trim();
    if (/^match\s/i.test(line)) break;
    const m = /^AuthorizedKeysFile\s+(\S+)/i.exec(line);
    if (m) {
      spec = m[1] as string;
      break;
    }
  }
  const path = spec.replace(/%(.)/g, (_w, c: string) => (c === 'h' ? home : c === 'u' ? user : c === '%' ? '%' : `%${c}`));
  return path.startsWith('/') ? path : `${home.replace(/\/$/, '')}/${path}`;
}

/**
 * Adds keys to a user's authorized_keys. `entry` is the user's passwd entry, or null
 * when useradd was only recorded (then `home` is where it would be and files stay root's).
 */
export function installKeys(ctx: ModuleContext, user: string, entry: PasswdEntry | null, home: string, keys: readonly string[], options = ''): void {
  if (keys.length === 0) return;
  const file = authorizedKeysFile(ctx.host.fs.readText('/etc/ssh/sshd_config'), user, entry?.home ?? home);
  const dir = file.slice(0, file.lastIndexOf('/'));
  const owner: Owner | undefined = entry === null ? undefined : { uid: entry.uid, gid: entry.gid };
  // Never follow a link the user could have planted to have root write elsewhere.
  for (const p of [dir, file]) {
    if (ctx.host.fs.stat(p, false)?.isSymlink === true) throw new Error(`${p} is a symbolic link; keys for ${user} were not written`);
  }
  if (!ctx.host.fs.exists(dir)) {
    ctx.host.fs.mkdir(dir, 0o700);
    if (owner !== undefined) ctx.host.fs.chown(dir, owner);
  }
  const text = mergeAuthorizedKeys(ctx.host.fs.readText(file) ?? '', keys, options);
  ctx.host.fs.write(file, text, { mode: 0o600, ...(owner !== undefined ? { owner } : {}) });
  ctx.log.info(`${keys.length} key(s) in ${file}${owner === undefined ? ` (left owned by root: ${user} is not in this tree's /etc/passwd, its useradd was recorded, not run)` : ''}`);
}
