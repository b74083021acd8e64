// salt_minion: once per instance, the salt minion package is installed, its `minion`
// configuration and `grains` written under config_dir as cloud-init writes YAML, the
// minion's key pair put into its pki directory (the private key 0600), and the service
// enabled and restarted; a masterless minion (`file_client: local`) instead has its
// service disabled and stopped and applies its states once with `salt-call --local`.
// Keys and defaults are cloud-init 25.x's.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { argProblem } from './lib/package-manager.js';
import { makeInstaller } from './lib/package-install.js';
import { failure } from './lib/tree-exec.js';
import { commandsReachTree, serviceAction, type ServiceAction } from './lib/run-as.js';
import { pyyamlDump } from './lib/pyyaml-dump.js';

const saltSchema = (z: Z) =>
  z.object({
    salt_minion: z
      .object({
        pkg_name: z.string().optional(),
        service_name: z.string().optional(),
        config_dir: z.string().optional(),
        conf: z.record(z.string(), z.unknown()).optional(),
        grains: z.record(z.string(), z.unknown()).optional(),
        public_key: z.string().optional(),
        private_key: z.string().optional(),
        pki_dir: z.string().optional(),
      })
      .strict()
      .optional(),
  });

type Path = (string | number)[];

export interface SaltSettings {
  pkgName: string;
  serviceName: string;
  configDir: string;
  conf: Record<string, unknown> | null;
  grains: Record<string, unknown> | null;
  keys: { public: string; private: string } | null;
  pkiDir: string | null;
}

/** `salt_minion:` read and checked (pure): the settings with cloud-init's defaults, or every problem with its key path. */
export function readSalt(v: unknown): { settings: SaltSettings | null; problems: { path: Path; message: string }[] } {
  const problems: { path: Path; message: string }[] = [];
  if (!isDict(v)) return { settings: null, problems: [{ path: ['salt_minion'], message: 'salt_minion must be a mapping' }] };
  const text = (k: string, dflt: string | null, check: (s: string) => string | null): string | null => {
    const x = v[k];
    if (x === undefined || x === null) return dflt;
    if (typeof x !== 'string' && typeof x !== 'number') {
      problems.push({ path: ['salt_minion', k], message: `salt_minion.${k} must be a string` });
      return dflt;
    }
    const why = check(String(x));
    if (why !== null) problems.push({ path: ['salt_minion', k], message: `salt_minion.${k} ${JSON.stringify(x)}: ${why}` });
    return String(x);
  };
  const absolute = (s: string) => (s.startsWith('/') && !s.split('/').includes('..') ? null : 'expected an absolute path');
  const service = (s: string) => (/^[A-Za-z0-9_.@:-]+$/.test(s) && !s.startsWith('-') ? null : 'expected a service name');
  const pkgName = text('pkg_name', 'salt-minion', argProblem) as string;
  const serviceName = text('service_name', 'salt-minion', service) as string;
  const configDir = text('config_dir', '/etc/salt', absolute) as string;
  const pkiDir = text('pki_dir', null, absolute);
  const map = (k: 'conf' | 'grains'): Record<string, unknown> | null => {
    const x = v[k];
    if (x === undefined || x === null) return null;
    if (isDict(x)) return x;
    problems.push({ path: ['salt_minion', k], message: `salt_minion.${k} must be a mapping` });
    return null;
  };
  const conf = map('conf');
  const grains = map('grains');
  let keys: SaltSettings['keys'] = null;
  // Both or nothing, as cloud-init: one key alone is not written.
  if (v.public_key !== undefined && v.private_key !== undefined) {
    if (typeof v.public_key === 'string' && typeof v.private_key === 'string') keys = { public: v.public_key, private: v.private_key };
    // Never the value in the message: it is a private key.
    else problems.push({ path: ['salt_minion', typeof v.public_key !== 'string' ? 'public_key' : 'private_key'], message: 'salt_minion.public_key and private_key must be strings (the keys in PEM)' });
  }
  if (problems.length > 0) return { settings: null, problems };
  return { settings: { pkgName, serviceName, configDir, conf, grains, keys, pkiDir }, problems };
}

async function run(ctx: ModuleContext): Promise<void> {
  const { settings: s, problems } = readSalt(ctx.cfg.salt_minion);
  if (s === null) {
    for (const e of problems.slice(0, -1)) ctx.log.error(`${ctx.source.where(e.path)}${e.message}`);
    const last = problems[problems.length - 1] as { path: Path; message: string };
    throw new Error(`${ctx.source.where(last.path)}${last.message}; the salt minion was not configured`);
  }
  const reach = commandsReachTree(ctx);
  if (reach) {
    const { installer, problems: why } = makeInstaller(ctx);
    for (const p of why) ctx.log.warn(p);
    if (installer === null) throw new Error(`${ctx.source.where(['salt_minion'])}salt_minion: cannot install ${s.pkgName}: ${why.join('; ')}`);
    const { failed, problems: ip } = await installer.install([{ name: s.pkgName }], { apt: [], snap: [] });
    for (const p of ip) ctx.log.warn(p);
    if (failed.length > 0) throw new Error(`${ctx.source.where(['salt_minion'])}salt_minion: failed to install ${failed.join(', ')} (see /var/log/cloud-init-output.log)`);
  } else ctx.log.warn(`the tree under ${ctx.host.root} is not this machine and commands run here (--exec host): ${s.pkgName} is not installed`);

  const fs = ctx.host.fs;
  fs.mkdir(s.configDir);
  if (s.conf !== null) fs.write(`${s.configDir}/minion`, pyyamlDump(s.conf, { indent: 4, explicit: true }), { mode: 0o644 });
  if (s.grains !== null) fs.write(`${s.configDir}/grains`, pyyamlDump(s.grains, { indent: 4, explicit: true }), { mode: 0o644 });
  if (s.keys !== null) {
    const dflt = fs.isDir(`${s.configDir}/pki/minion`) ? `${s.configDir}/pki/minion` : `${s.configDir}/pki`;
    const pki = s.pkiDir ?? dflt;
    fs.mkdir(pki, 0o700);
    fs.write(`${pki}/minion.pub`, s.keys.public, { mode: 0o644 });
    // The private key: root only (cloud-init writes it 0644 inside a 0700 directory).
    fs.write(`${pki}/minion.pem`, s.keys.private, { mode: 0o600 });
    ctx.log.info(`salt_minion: the minion's key pair written to ${pki}`);
  }

  const masterless = s.conf !== null && s.conf.file_client === 'local';
  const service = (action: ServiceAction) => {
    const r = serviceAction(ctx, action, s.serviceName);
    const why = r === null ? null : failure(r);
    if (why !== null) throw new Error(`salt_minion: could not ${action} ${s.serviceName}: ${why}`);
  };
  service(masterless ? 'disable' : 'enable');
  service(masterless ? 'stop' : 'restart');
  if (masterless) {
    if (!reach) {
      ctx.log.warn(`the tree under ${ctx.host.root} is not this machine and commands run here (--exec host): salt-call is not run`);
      return;
    }
    // A masterless minion does not run as a daemon: its states are applied once, now.
    const why = failure(ctx.host.exec.run(['salt-call', '--local', 'state.apply'], { output: 'log' }));
    if (why !== null) throw new Error(`salt_minion: salt-call --local state.apply failed: ${why} (see /var/log/cloud-init-output.log)`);
    ctx.log.info('salt_minion: masterless minion: states applied with salt-call --local');
  }
}

export const saltMinion: Module = {
  name: 'salt_minion',
  frequency: 'once-per-instance',
  keys: ['salt_minion'],
  schema: saltSchema,
  examples: [
    `#cloud-config
# A masterless minion with states from git, a role grain and its key pair.
salt_minion:
  pkg_name: salt-minion
  service_name: salt-minion
  config_dir: /etc/salt
  conf:
    file_client: local
    fileserver_backend:
      - gitfs
    gitfs_remotes:
      - https://github.com/_user_/_repo_.git
    master: salt.example.com
  grains:
    role:
      - web
  public_key: |
    ------BEGIN PUBLIC KEY-------
    <key data>
    ------END PUBLIC KEY-------
  private_key: |
    ------BEGIN PRIVATE KEY------
    <key data>
    ------END PRIVATE KEY-------
  pki_dir: /etc/salt/pki/minion
`,
    `#cloud-config
# A minion of the master salt.example.com, run as a service.
salt_minion:
  conf:
    master: salt.example.com
`,
  ],
  run,
};
