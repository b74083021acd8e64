// ssh: host keys and the default user's and root's authorized keys, once per instance.
// - ssh_deletekeys (default true) removes the image's host keys, so clones never share them;
// - ssh_keys installs given host keys, else ssh_genkeytypes are generated with ssh-keygen;
// - metadata public keys (unless allow_public_ssh_keys is false) and ssh_authorized_keys
//   go to the default user; root gets them behind cloud-init's refusal prefix when
//   disable_root is true (the default).
import type { Module, ModuleContext, Z } from './types.js';
import { distroFacts } from '../distro/facts.js';
import { Accounts } from './lib/accounts.js';
import { failure } from './lib/tree-exec.js';
import { cleanKeys, installKeys } from './lib/authorized-keys.js';
import { normalizeUsers } from './lib/normalize-users.js';
import { DISABLE_USER_OPTS, setSshdOption } from './lib/sshd-config.js';
import { gidOf } from '../host/passwd.js';
import { publishHostKeys } from './lib/publish-hostkeys.js';

export const KEY_TYPES = ['rsa', 'dsa', 'ecdsa', 'ed25519'] as const;
type KeyType = (typeof KEY_TYPES)[number];
const DEFAULT_GENKEYTYPES: KeyType[] = ['rsa', 'ecdsa', 'ed25519'];

export const sshSchema = (z: Z) =>
  z.object({
    // Every key of ssh_keys is optional: <type>_<private|public|certificate>.
    ssh_keys: z.object(Object.fromEntries(KEY_TYPES.flatMap((t) => ['private', 'public', 'certificate'].map((k) => [`${t}_${k}`, z.string().optional()])))).optional(),
    ssh_authorized_keys: z.array(z.string()).optional(),
    ssh_deletekeys: z.boolean().optional(),
    ssh_genkeytypes: z.array(z.enum(KEY_TYPES)).optional(),
    disable_root: z.boolean().optional(),
    disable_root_opts: z.string().optional(),
    allow_public_ssh_keys: z.boolean().optional(),
    ssh_quiet_keygen: z.boolean().optional(),
    ssh_publish_hostkeys: z.object({ enabled: z.boolean().optional(), blacklist: z.array(z.string()).optional() }).optional(),
  });

export const hostKeyPath = (t: string) => `/etc/ssh/ssh_host_${t}_key`;

/** The root authorized_keys prefix: cloud-init's refusal, naming the user to log in as (pure). */
export function rootKeyOptions(disableRoot: boolean, opts: string, user: string | null): string {
  if (!disableRoot) return '';
  return opts.replace(/\$USER/g, user ?? 'NONE').replace(/\$DISABLE_USER/g, 'root');
}

function deleteHostKeys(ctx: ModuleContext): void {
  const gone = ctx.host.fs.list('/etc/ssh').filter((n) => /^ssh_host_.*key/.test(n));
  for (const n of gone) ctx.host.fs.remove(`/etc/ssh/${n}`);
  if (gone.length > 0) ctx.log.info(`removed the image's host keys: ${gone.join(', ')}`);
}

function installGivenKeys(ctx: ModuleContext, given: Record<string, unknown>): void {
  const certs: string[] = [];
  for (const [name, value] of Object.entries(given)) {
    const m = /^(rsa|dsa|ecdsa|ed25519)_(private|public|certificate)$/.exec(name);
    if (m === null) {
      ctx.log.warn(`${ctx.source.where(['ssh_keys', name])}ssh_keys: unknown key ${JSON.stringify(name)} (expected <rsa|dsa|ecdsa|ed25519>_<private|public|certificate>); skipped`);
      continue;
    }
    if (typeof value !== 'string' || value.includes('\0')) {
      ctx.log.error(`${ctx.source.where(['ssh_keys', name])}ssh_keys.${name} must be the key text; skipped`);
      continue;
    }
    const [, type, kind] = m as unknown as [string, KeyType, 'private' | 'public' | 'certificate'];
    const base = hostKeyPath(type);
    const path = kind === 'private' ? base : kind === 'public' ? `${base}.pub` : `${base}-cert.pub`;
    ctx.host.fs.write(path, value.endsWith('\n') ? value : `${value}\n`, { mode: kind === 'private' ? 0o600 : 0o644 });
    if (kind === 'certificate') certs.push(path);
  }
  // A private key without its public half: derive it, as sshd needs both.
  for (const t of KEY_TYPES) {
    const priv = hostKeyPath(t);
    if (given[`${t}_private`] === undefined || given[`${t}_public`] !== undefined) continue;
    const r = ctx.host.exec.run(['ssh-keygen', '-y', '-f', ctx.host.exec.pathFor(priv)]);
    const why = failure(r);
    if (why !== null) ctx.log.error(`deriving ${priv}.pub failed: ${why}`);
    else if (!r.recorded) ctx.host.fs.write(`${priv}.pub`, `${r.stdout.trim()} root@localhost\n`, { mode: 0o644 });
  }
  for (const c of certs) {
    const changed = setSshdOption(ctx, 'HostCertificate', c);
    if (changed !== null) ctx.log.info(`HostCertificate ${c} in ${changed}`);
  }
  ctx.log.info(`installed the host keys given in ssh_keys: ${Object.keys(given).join(', ')}`);
}

function generateKeys(ctx: ModuleContext): void {
  const raw = ctx.cfg.ssh_genkeytypes;
  let types: string[] = DEFAULT_GENKEYTYPES;
  if (raw !== undefined && raw !== null) {
    if (!Array.isArray(raw)) {
      ctx.log.error(`${ctx.source.where(['ssh_genkeytypes'])}ssh_genkeytypes must be a list of key types; the defaults were used`);
    } else types = raw.map(String);
  }
  const group = distroFacts(ctx.distro).hostKeyGroup;
  const gid = group === null ? null : gidOf(ctx.host.fs, group);
  for (const [i, t] of types.entries()) {
    if (!(KEY_TYPES as readonly string[]).includes(t)) {
      ctx.log.warn(`${ctx.source.where(['ssh_genkeytypes', i])}ssh_genkeytypes: unknown key type ${JSON.stringify(t)} (expected one of ${KEY_TYPES.join(', ')}); skipped`);
      continue;
    }
    const path = hostKeyPath(t);
    if (ctx.host.fs.exists(path)) continue;
    const argv = ['ssh-keygen', '-t', t, '-N', '', '-f', ctx.host.exec.pathFor(path)];
    if (ctx.cfg.ssh_quiet_keygen === true) argv.splice(1, 0, '-q');
    const r = ctx.host.exec.run(argv, { output: 'log' });
    if (r.error?.startsWith('command not found')) {
      // An image without OpenSSH: nothing to generate keys for. cloud-init warns too.
      ctx.log.warn(`ssh-keygen is not installed in this image: no host keys were generated`);
      break;
    }
    const why = failure(r);
    if (why !== null) {
      ctx.log.error(`generating the ${t} host key failed: ${why}`);
      continue;
    }
    // RHEL before 9 ships host private keys 0640 root:ssh_keys, which its sshd-keygen expects.
    if (gid !== null && ctx.host.fs.exists(path)) {
      ctx.host.fs.chown(path, { uid: 0, gid });
      ctx.host.fs.chmod(path, 0o640);
    }
  }
}

async function run(ctx: ModuleContext): Promise<void> {
  if (ctx.cfg.ssh_deletekeys !== false) deleteHostKeys(ctx);
  const given = ctx.cfg.ssh_keys;
  if (given !== null && typeof given === 'object' && !Array.isArray(given) && Object.keys(given).length > 0) installGivenKeys(ctx, given as Record<string, unknown>);
  else generateKeys(ctx);
  await publishHostKeys(ctx);

  // Authorized keys: metadata's and ssh_authorized_keys, to the default user and (refused or not) root.
  const fromMeta = ctx.cfg.allow_public_ssh_keys === false ? [] : ctx.ds.publicKeys;
  const fromCfg = Array.isArray(ctx.cfg.ssh_authorized_keys) ? ctx.cfg.ssh_authorized_keys : typeof ctx.cfg.ssh_authorized_keys === 'string' ? [ctx.cfg.ssh_authorized_keys] : [];
  const { keys, bad } = cleanKeys([...fromMeta, ...fromCfg]);
  for (const i of bad) {
    const where =
      i < fromMeta.length ? `metadata of ${ctx.ds.dsname}: public key ${i}` : `${ctx.source.where(['ssh_authorized_keys', i - fromMeta.length])}ssh_authorized_keys[${i - fromMeta.length}]`;
    ctx.log.error(`${where} is not a one-line key; left out`);
  }
  if (keys.length === 0) {
    ctx.log.debug('no public keys in the metadata or ssh_authorized_keys');
    return;
  }
  const acc = new Accounts(ctx);
  const def = normalizeUsers(ctx.cfg).defaultUser;
  if (def !== null) {
    const entry = acc.user(def.name);
    try {
      installKeys(ctx, def.name, entry, entry?.home ?? (typeof def.homedir === 'string' ? def.homedir : `/home/${def.name}`), keys);
    } catch (e) {
      ctx.log.error((e as Error).message);
    }
  }
  const disableRoot = ctx.cfg.disable_root !== false;
  const opts = typeof ctx.cfg.disable_root_opts === 'string' ? ctx.cfg.disable_root_opts : DISABLE_USER_OPTS;
  if (/[\n\r\0]/.test(opts)) {
    ctx.log.error(`${ctx.source.where(['disable_root_opts'])}disable_root_opts must be one line; root's keys were not written`);
    return;
  }
  const root = acc.user('root');
  installKeys(ctx, 'root', root ?? { name: 'root', uid: 0, gid: 0, home: '/root' }, root?.home ?? '/root', keys, rootKeyOptions(disableRoot, opts, def?.name ?? null));
}

export const ssh: Module = {
  name: 'ssh',
  frequency: 'once-per-instance',
  rerunAfterInterruption: true,
  keys: ['ssh_keys', 'ssh_authorized_keys', 'ssh_deletekeys', 'ssh_genkeytypes', 'disable_root', 'disable_root_opts', 'allow_public_ssh_keys', 'ssh_publish_hostkeys'],
  alwaysRun: true,
  schema: sshSchema,
  examples: [
    `#cloud-config
ssh_deletekeys: true
ssh_genkeytypes: [ed25519, ecdsa]
disable_root: true
ssh_authorized_keys:
  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExampleExample ops@bastion
`,
    '#cloud-config\nssh_publish_hostkeys:\n  enabled: true\n  blacklist: [rsa]\n',
  ],
  run,
};
