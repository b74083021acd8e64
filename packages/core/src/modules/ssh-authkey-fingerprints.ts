// ssh_authkey_fingerprints: once per instance, with no configuration needed, the console
// shows a table of each user's authorized keys (type, fingerprint, options, comment), so
// the person launching a machine can check which keys may log in. The fingerprint is
// cloud-init's: the hex digest of the decoded key, in colon-separated pairs, sha256
// unless authkey_hash names another hash. `no_ssh_fingerprints: true` turns it off.
import type { Module, ModuleContext, Z } from './types.js';
import { Accounts } from './lib/accounts.js';
import { authorizedKeysFile } from './lib/authorized-keys.js';
import { writeToConsole } from './lib/console-out.js';
import { normalizeUsers } from './lib/normalize-users.js';
import { crypto } from '../util/builtin.js';

/** The key types whose lines cloud-init 25.x recognises in authorized_keys (ssh-dss is no longer one). */
export const VALID_KEY_TYPES: ReadonlySet<string> = new Set([
  'rsa',
  'ecdsa',
  'ed25519',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521',
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'sk-ssh-ed25519-cert-v01@openssh.com',
  'sk-ssh-ed25519@openssh.com',
  'ssh-ed25519-cert-v01@openssh.com',
  'ssh-ed25519',
  'ssh-rsa-cert-v01@openssh.com',
  'ssh-rsa',
  'ssh-xmss-cert-v01@openssh.com',
  'ssh-xmss@openssh.com',
]);

export interface AuthKeyEntry {
  keytype: string;
  base64: string;
  comment: string;
  options: string;
}

/** Splits on runs of whitespace at most `max` times, the rest kept whole (Python's str.split(None, max)). */
function splitWords(s: string, max: number): string[] {
  const out: string[] = [];
  let rest = s.replace(/^\s+/, '');
  while (rest !== '' && out.length < max) {
    const m = /\s+/.exec(rest);
    if (m === null) break;
    out.push(rest.slice(0, m.index));
    rest = rest.slice(m.index + m[0].length);
  }
  if (rest !== '') out.push(rest);
  return out;
}

function keyFields(ent: string): [string, string, string] | null {
  const t = splitWords(ent, 2);
  if (t.length < 2 || !VALID_KEY_TYPES.has(t[0] as string)) return null;
  return [t[0] as string, t[1] as string, t[2] ?? ''];
}

/** The options before the key type: up to the first blank outside double quotes. */
function splitOptions(ent: string): [string, string] {
  let quoted = false;
  let i = 0;
  while (i < ent.length && (quoted || (ent[i] !== ' ' && ent[i] !== '\t'))) {
    if (ent[i] === '\\' && ent[i + 1] === '"') i++;
    else if (ent[i] === '"') quoted = !quoted;
    i++;
  }
  return [ent.slice(0, i), ent.slice(i).replace(/^\s+/, '')];
}

/** One authorized_keys line as cloud-init reads it (pure); null for a comment, a blank or a line it cannot read. */
export function parseAuthKeyLine(line: string): AuthKeyEntry | null {
  const l = line.replace(/[\r\n]+$/, '');
  if (l.startsWith('#') || l.trim() === '') return null;
  const ent = l.trim();
  const plain = keyFields(ent);
  if (plain !== null) return { keytype: plain[0], base64: plain[1], comment: plain[2], options: '' };
  const [options, rest] = splitOptions(ent);
  const f = keyFields(rest);
  return f === null ? null : { keytype: f[0], base64: f[1], comment: f[2], options };
}

/** Node's name for a hash that Python's hashlib.new knows by `name`. */
function nodeHashName(name: string): string {
  const l = name.toLowerCase();
  if (l === 'blake2b') return 'blake2b512';
  if (l === 'blake2s') return 'blake2s256';
  return l.replace(/^sha3_/, 'sha3-');
}

/** Whether this machine's Node can compute the hash `name`. */
export function knownHash(name: string): boolean {
  return crypto().getHashes().includes(nodeHashName(name));
}

/**
 * cloud-init's fingerprint (pure but for the hash): the hex digest of the base64-decoded
 * key in colon-separated pairs; "" for no key, "?" for text that is not base64 or a hash
 * that is not known, as cloud-init shows them.
 */
export function authKeyFingerprint(b64: string, hash = 'sha256'): string {
  if (b64 === '') return '';
  // Python's decoder drops characters outside the alphabet, then insists on whole quads.
  const clean = b64.replace(/[^A-Za-z0-9+/=]/g, '');
  if (clean.length % 4 !== 0 || /=[^=]/.test(clean) || !knownHash(hash)) return '?';
  const hex = crypto().createHash(nodeHashName(hash)).update(Buffer.from(clean, 'base64')).digest('hex');
  return (hex.match(/.{1,2}/g) ?? []).join(':');
}

/** Python's str.center: the odd space goes left when the width is odd. */
function pyCenter(s: string, width: number): string {
  const marg = width - s.length;
  if (marg <= 0) return s;
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return ' '.repeat(left) + s + ' '.repeat(marg - left);
}

/** A table as cloud-init's SimpleTable draws it (pure). */
export function simpleTable(fields: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = fields.map((f, i) => Math.max(f.length, ...rows.map((r) => (r[i] ?? '').length)));
  const hdiv = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const row = (r: readonly string[]) => `|${r.map((c, i) => pyCenter(c, (widths[i] as number) + 2)).join('|')}|`;
  return [hdiv, row(fields), hdiv, ...rows.map(row), hdiv];
}

/** The console text for one user's authorized keys, as cloud-init prints it (pure but for the hash). */
export function fingerprintReport(user: string, keyFile: string, lines: readonly string[], hash = 'sha256', prefix = 'ci-info: '): string {
  if (lines.length === 0) return `${prefix}no authorized SSH keys fingerprints found for user ${user}.\n`;
  const rows = lines
    .map(parseAuthKeyLine)
    .filter((e): e is AuthKeyEntry => e !== null)
    .map((e) => [e.keytype || '-', authKeyFingerprint(e.base64, hash) || '-', e.options || '-', e.comment || '-']);
  const table = simpleTable(['Keytype', `Fingerprint (${hash})`, 'Options', 'Comment'], rows);
  const width = Math.max(...table.map((l) => l.length));
  // The title is centred in '+' with the odd one on the right (Python's format '^').
  const title = `Authorized keys from ${keyFile} for user ${user}`;
  const pad = Math.max(0, width - title.length);
  const head = '+'.repeat(Math.floor(pad / 2)) + title + '+'.repeat(pad - Math.floor(pad / 2));
  return [head, ...table].map((l) => `${prefix}${l}\n`).join('');
}

/** A yes/no setting read as cloud-init's util.is_true does; null when it is neither. */
function truth(v: unknown): boolean | null {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const l = v.trim().toLowerCase();
    if (['true', '1', 'on', 'yes'].includes(l)) return true;
    if (['false', '0', 'off', 'no', ''].includes(l)) return false;
  }
  return null;
}

/** A user option that is set, as Python's truthiness reads it. */
function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false && v !== 0 && v !== '';
}

function run(ctx: ModuleContext): void {
  const off = truth(ctx.cfg.no_ssh_fingerprints);
  if (off === null) throw new Error(`${ctx.source.where(['no_ssh_fingerprints'])}no_ssh_fingerprints ${JSON.stringify(ctx.cfg.no_ssh_fingerprints)} is not true or false`);
  if (off) {
    ctx.log.debug('showing the fingerprints of authorized keys is turned off (no_ssh_fingerprints: true)');
    return;
  }
  const rawHash = ctx.cfg.authkey_hash ?? 'sha256';
  if (typeof rawHash !== 'string' || rawHash === '') throw new Error(`${ctx.source.where(['authkey_hash'])}authkey_hash must be the name of a hash such as sha256`);
  if (!knownHash(rawHash))
    ctx.log.warn(`${ctx.source.where(['authkey_hash'])}authkey_hash ${JSON.stringify(rawHash)} is not a hash this machine knows; the fingerprints show "?", as cloud-init shows them`);
  const acc = new Accounts(ctx);
  const sshd = ctx.host.fs.readText('/etc/ssh/sshd_config');
  for (const u of normalizeUsers(ctx.cfg).users) {
    if (isSet(u.no_create_home) || isSet(u.system)) {
      ctx.log.debug(`no fingerprints for user ${u.name}: it has no home directory made for it`);
      continue;
    }
    const entry = acc.user(u.name);
    if (entry === null) {
      // users_groups reports a user it failed to make; under --exec record useradd only ran on paper.
      ctx.log.info(`no fingerprints for user ${u.name}: it is not in /etc/passwd`);
      continue;
    }
    const file = authorizedKeysFile(sshd, u.name, entry.home);
    const text = ctx.host.fs.stat(file)?.isFile === true ? (ctx.host.fs.readText(file) ?? '') : '';
    const lines = text === '' ? [] : text.replace(/\n$/, '').split(/\r?\n/);
    const where = writeToConsole(ctx, fingerprintReport(u.name, file, lines, rawHash));
    const n = lines.filter((l) => parseAuthKeyLine(l) !== null).length;
    ctx.log.info(`fingerprints of ${n} authorized key(s) of user ${u.name} (${file}) written to ${where === 'console' ? '/dev/console' : 'standard output'}`);
  }
}

export const sshAuthkeyFingerprints: Module = {
  name: 'ssh_authkey_fingerprints',
  frequency: 'once-per-instance',
  keys: ['no_ssh_fingerprints', 'authkey_hash'],
  alwaysRun: true,
  schema: (z: Z) => z.object({ no_ssh_fingerprints: z.boolean().optional(), authkey_hash: z.string().optional() }),
  examples: ['#cloud-config\nno_ssh_fingerprints: true\n', '#cloud-config\nauthkey_hash: sha512\n'],
  run,
};
