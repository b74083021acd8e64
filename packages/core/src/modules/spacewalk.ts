// spacewalk: register with a Spacewalk (or Red Hat Satellite 5) server from
// `spacewalk` (server, proxy, activation_key), once per instance, on the RHEL family
// (rhel, fedora, openeuler), as cloud-init 25.x does it: rhn-setup installed, then,
// unless `rhn-profile-sync` says the machine is already registered, `rhnreg_ks` with
// the server's XMLRPC URL, the instance's FQDN as profile name and Spacewalk's CA.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { failure } from './lib/tree-exec.js';
import { agentReachesTree } from './lib/agent-target.js';
import { makeInstaller } from './lib/package-install.js';
import { hostnameProblem } from './lib/validators.js';

export const SPACEWALK_DISTROS = ['rhel', 'fedora', 'openeuler'] as const;
export const SPACEWALK_CA_CERT = '/usr/share/rhn/RHN-ORG-TRUSTED-SSL-CERT';
const KEYS = ['server', 'proxy', 'activation_key'] as const;

const spacewalkSchema = (z: Z) => z.object({ spacewalk: z.object({ server: z.string().optional(), proxy: z.string().optional(), activation_key: z.string().optional() }).strict().optional() });

/** The rhnreg_ks argv (pure). */
export function rhnregArgv(server: string, profile: string, proxy: string | null, activationKey: string | null): string[] {
  const argv = ['rhnreg_ks', '--serverUrl', `https://${server}/XMLRPC`, '--profilename', profile];
  if (proxy !== null && proxy !== '') argv.push('--proxy', proxy);
  argv.push('--sslCACert', SPACEWALK_CA_CERT);
  if (activationKey !== null && activationKey !== '') argv.push('--activationkey', activationKey);
  return argv;
}

async function run(ctx: ModuleContext): Promise<void> {
  if (!agentReachesTree(ctx, 'spacewalk')) return;
  const cfg = ctx.cfg.spacewalk;
  if (!isDict(cfg)) throw new Error(`${ctx.source.where(['spacewalk'])}spacewalk must be a mapping (server, proxy, activation_key)`);
  const extra = Object.keys(cfg).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (extra.length > 0) throw new Error(`${ctx.source.where(['spacewalk', extra[0] as string])}spacewalk.${extra[0]} is not a spacewalk key (${KEYS.join(', ')}); nothing was done`);
  const server = cfg.server;
  if (server === undefined || server === null || server === '') {
    ctx.log.debug('spacewalk: no spacewalk.server: nothing to register with');
    return;
  }
  for (const k of KEYS) {
    const v = cfg[k];
    // Never repeated in the message: the activation key is a secret.
    if (v !== undefined && v !== null && (typeof v !== 'string' || /[\0\r\n]/.test(v)))
      throw new Error(`${ctx.source.where(['spacewalk', k])}spacewalk.${k} must be a one-line string; nothing was done`);
  }
  const profile = ctx.ds.localHostname ?? '';
  const bad = hostnameProblem(profile);
  if (bad !== null) throw new Error(`spacewalk: the instance has no usable host name for the profile (${bad}); not registered`);
  const { installer, problems } = makeInstaller(ctx);
  const inst = installer === null ? { failed: ['rhn-setup'], problems } : await installer.install([{ name: 'rhn-setup' }], { apt: [], snap: [] });
  if (inst.failed.length > 0) throw new Error(`spacewalk: failed to install rhn-setup: ${inst.problems.join('; ')}`);
  // Exit 0: the profile synced, so the machine is registered; 1: it is not.
  const sync = ctx.host.exec.run(['rhn-profile-sync', '--verbose'], { output: 'log' });
  if (!sync.recorded && sync.error === undefined && sync.code === 0) {
    ctx.log.info('spacewalk: already registered');
    return;
  }
  if (!sync.recorded && (sync.error !== undefined || sync.code !== 1)) throw new Error(`spacewalk: rhn-profile-sync --verbose failed: ${failure(sync)}`);
  ctx.log.info(`registering using rhnreg_ks profile ${profile} into server ${server as string}`);
  const key = typeof cfg.activation_key === 'string' ? cfg.activation_key : null;
  const r = ctx.host.exec.run(rhnregArgv(server as string, profile, typeof cfg.proxy === 'string' ? cfg.proxy : null, key), { output: 'log' });
  const why = failure(r);
  if (why !== null) throw new Error(`spacewalk: rhnreg_ks failed: ${key === null ? why : why.split(key).join('REDACTED')}`);
}

export const spacewalk: Module = {
  name: 'spacewalk',
  frequency: 'once-per-instance',
  distros: SPACEWALK_DISTROS,
  keys: ['spacewalk'],
  schema: spacewalkSchema,
  examples: [
    '#cloud-config\nspacewalk:\n  server: <url>\n  proxy: <proxy host>\n  activation_key: <key>\n',
    '#cloud-config\nspacewalk:\n  server: spacewalk.example.com\n  proxy: proxy.example.com:3128\n  activation_key: 1-myorg-key\n',
  ],
  run,
};
