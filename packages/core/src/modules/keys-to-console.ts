// keys_to_console: once per instance, with no configuration needed, the console shows the
// machine's SSH host key fingerprints and public keys between the markers cloud-init's
// write-ssh-key-fingerprints prints, so a tool reading the console log (a cloud's
// "get console output") can check a host key before the first login. nimbus computes
// what that script gets from `ssh-keygen -l` itself, from the host keys in /etc/ssh.
import type { Module, ModuleContext, Z } from './types.js';
import { writeToConsole } from './lib/console-out.js';
import { crypto } from '../util/builtin.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The strings of an SSH public key blob (RFC 4251: each a 32-bit length, then the bytes); null when it is cut short. */
function blobStrings(blob: Buffer): Buffer[] | null {
  const out: Buffer[] = [];
  let off = 0;
  while (off < blob.length) {
    if (off + 4 > blob.length) return null;
    const n = blob.readUInt32BE(off);
    if (off + 4 + n > blob.length) return null;
    out.push(blob.subarray(off + 4, off + 4 + n));
    off += 4 + n;
  }
  return out;
}

/** The bit length of an unsigned big-endian integer (an mpint's magnitude). */
function bitLength(b: Buffer): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i] as number));
}

/** The size and ssh-keygen's name of a key type, from its blob (pure); null for a blob ssh-keygen would refuse. */
export function keySize(type: string, blob: Buffer): { bits: number; label: string } | null {
  const s = blobStrings(blob);
  if (s === null || s[0]?.toString('latin1') !== type) return null;
  if (type === 'ssh-rsa' && s.length === 3) return { bits: bitLength(s[2] as Buffer), label: 'RSA' };
  if (type === 'ssh-dss' && s.length === 5) return { bits: bitLength(s[1] as Buffer), label: 'DSA' };
  const ec = /^ecdsa-sha2-nistp(256|384|521)$/.exec(type);
  if (ec !== null && s.length === 3) return { bits: Number(ec[1]), label: 'ECDSA' };
  if (type === 'ssh-ed25519' && s.length === 2 && s[1]?.length === 32) return { bits: 256, label: 'ED25519' };
  if (type === 'sk-ecdsa-sha2-nistp256@openssh.com' && s.length === 4) return { bits: 256, label: 'ECDSA-SK' };
  if (type === 'sk-ssh-ed25519@openssh.com' && s.length === 3) return { bits: 256, label: 'ED25519-SK' };
  return null;
}

/** What `ssh-keygen -l -f FILE` prints for a public key file's first key (pure but for the hash); null when it is no public key. */
export function hostKeyFingerprint(pubText: string): string | null {
  const line = pubText.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (line === undefined) return null;
  const m = /^\s*(\S+)\s+([A-Za-z0-9+/]+={0,2})(?:\s+(.*?))?\s*$/.exec(line);
  if (m === null) return null;
  const blob = Buffer.from(m[2] as string, 'base64');
  const size = keySize(m[1] as string, blob);
  if (size === null) return null;
  const fp = crypto().createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
  const comment = m[3] === undefined || m[3] === '' ? 'no comment' : m[3];
  return `${size.bits} SHA256:${fp} ${comment} (${size.label})`;
}

/** The tag logger -s puts before a line: priority user.info, the time, the tag cloud-init. */
export function syslogPrefix(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `<14>${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} cloud-init: `;
}

export interface HostKeyFile {
  path: string;
  text: string;
}

/**
 * The console text of write-ssh-key-fingerprints (pure but for the hash): the
 * fingerprints between their markers, each line tagged as logger tags it, then the keys
 * between theirs; a key whose type (its file's first word) is on a blacklist is left out
 * of that part. Empty when nothing is left to show.
 */
export function hostKeysReport(files: readonly HostKeyFile[], fpBlacklist: readonly string[], keyBlacklist: readonly string[], prefix: string): string {
  const typeOf = (f: HostKeyFile) => (f.text.split('\n')[0] ?? '').trim().split(/\s+/)[0] ?? '';
  // The script matches ",TYPE," in the joined list, so an entry "a,b" names both.
  const listed = (list: readonly string[], t: string) => list.flatMap((x) => x.split(',')).includes(t);
  const out: string[] = [];
  const fps = files.filter((f) => !listed(fpBlacklist, typeOf(f)));
  if (fps.length > 0) {
    const tag = (l: string) => `${prefix}${l}`;
    out.push(tag('#############################################################'), tag('-----BEGIN SSH HOST KEY FINGERPRINTS-----'));
    for (const f of fps) {
      const fp = hostKeyFingerprint(f.text);
      // ssh-keygen's own complaint, which the script lets through to the console.
      out.push(fp === null ? `${f.path} is not a public key file.` : tag(fp));
    }
    out.push(tag('-----END SSH HOST KEY FINGERPRINTS-----'), tag('#############################################################'));
  }
  const keys = files.filter((f) => !listed(keyBlacklist, typeOf(f)));
  if (keys.length > 0) {
    out.push('-----BEGIN SSH HOST KEY KEYS-----');
    for (const f of keys) out.push(f.text.replace(/\n$/, ''));
    out.push('-----END SSH HOST KEY KEYS-----');
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

/** A list setting as cloud-init's get_cfg_option_list reads it: null for a value it would not take. */
function optionList(v: unknown): string[] | null {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string') ? (v as string[]) : null;
  return typeof v === 'string' ? [v] : null;
}

/** The host keys' public halves, as the script's glob /etc/ssh/ssh_host_*key.pub finds them. */
function hostKeyFiles(ctx: ModuleContext): HostKeyFile[] {
  return ctx.host.fs
    .list('/etc/ssh')
    .filter((n) => /^ssh_host_.*key\.pub$/.test(n))
    .sort()
    .map((n) => `/etc/ssh/${n}`)
    .filter((p) => ctx.host.fs.stat(p)?.isFile === true)
    .map((p) => ({ path: p, text: ctx.host.fs.readText(p) ?? '' }));
}

function run(ctx: ModuleContext): void {
  const sshCfg = ctx.cfg.ssh;
  if (sshCfg !== undefined && sshCfg !== null && (typeof sshCfg !== 'object' || Array.isArray(sshCfg)))
    throw new Error(`${ctx.source.where(['ssh'])}ssh must be a mapping such as {emit_keys_to_console: false}`);
  const emit = (sshCfg as Record<string, unknown> | null | undefined)?.emit_keys_to_console;
  if (emit === false || (typeof emit === 'string' && ['false', '0', 'off', 'no'].includes(emit.trim().toLowerCase()))) {
    ctx.log.debug('showing the host keys on the console is turned off (ssh.emit_keys_to_console: false)');
    return;
  }
  if (emit !== undefined && emit !== null && typeof emit !== 'boolean' && typeof emit !== 'string')
    throw new Error(`${ctx.source.where(['ssh', 'emit_keys_to_console'])}ssh.emit_keys_to_console must be true or false`);
  const lists: string[][] = [];
  for (const key of ['ssh_fp_console_blacklist', 'ssh_key_console_blacklist']) {
    const l = optionList(ctx.cfg[key]);
    if (l === null) throw new Error(`${ctx.source.where([key])}${key} must be a list of key types such as ssh-dss`);
    lists.push(l);
  }
  const files = hostKeyFiles(ctx);
  const text = hostKeysReport(files, lists[0] as string[], lists[1] as string[], syslogPrefix(new Date(ctx.host.clock.now() * 1000)));
  if (text === '') {
    ctx.log.info(files.length === 0 ? 'no host keys in /etc/ssh to show on the console' : 'every host key type is on the console blacklists: nothing shown');
    return;
  }
  for (const l of text.split('\n')) if (l.includes(' SHA256:')) ctx.log.debug(l.replace(/^<14>.*? cloud-init: /, 'host key '));
  const where = writeToConsole(ctx, text);
  ctx.log.info(`host key fingerprints and keys (${files.length} key file(s)) written to ${where === 'console' ? '/dev/console' : 'standard output'}`);
}

export const keysToConsole: Module = {
  name: 'keys_to_console',
  frequency: 'once-per-instance',
  keys: ['ssh', 'ssh_fp_console_blacklist', 'ssh_key_console_blacklist'],
  alwaysRun: true,
  schema: (z: Z) =>
    z.object({
      ssh: z.object({ emit_keys_to_console: z.boolean().optional() }).optional(),
      ssh_fp_console_blacklist: z.array(z.string()).optional(),
      ssh_key_console_blacklist: z.array(z.string()).optional(),
    }),
  examples: ['#cloud-config\nssh:\n  emit_keys_to_console: false\n', '#cloud-config\nssh_fp_console_blacklist: [ssh-dss, ecdsa-sha2-nistp256]\nssh_key_console_blacklist: [ssh-dss]\n'],
  run,
};
