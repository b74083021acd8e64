// rh_subscription: register a Red Hat system with subscription-manager from
// `rh_subscription`, once per instance, on rhel, fedora and openeuler, as cloud-init
// 25.x does it: unless `subscription-manager identity` says it is registered, register
// with an activation key and org (or a username and password), with the rhsm base URL
// and server given; then auto-attach (with a service level), attach the pools that are
// available and not consumed, and enable or disable the repositories that need it.
// A failing step is a warning and stops the rest, as in cloud-init. Under
// `--exec record` the listings are only recorded, so every pool is taken as available
// and every repository as needing the change.
import type { ExecResult } from '../host/exec.js';
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { failure } from './lib/tree-exec.js';
import { agentReachesTree } from './lib/agent-target.js';

export const RH_SUBSCRIPTION_DISTROS = ['fedora', 'rhel', 'openeuler'] as const;
const VALID_KEYS = ['org', 'activation-key', 'username', 'password', 'disable-repo', 'enable-repo', 'add-pool', 'rhsm-baseurl', 'server-hostname', 'auto-attach', 'service-level'] as const;

const rhSubscriptionSchema = (z: Z) =>
  z.object({
    rh_subscription: z
      .object({
        username: z.string().optional(),
        password: z.string().optional(),
        'activation-key': z.string().optional(),
        org: z.union([z.string(), z.number().int()]).optional(),
        'auto-attach': z.boolean().optional(),
        'service-level': z.string().optional(),
        'add-pool': z.array(z.string()).optional(),
        'enable-repo': z.array(z.string()).optional(),
        'disable-repo': z.array(z.string()).optional(),
        'rhsm-baseurl': z.string().optional(),
        'server-hostname': z.string().optional(),
      })
      .strict()
      .optional(),
  });

type Dict = Record<string, unknown>;

class StepFailed extends Error {}

/** cloud-init's is_true / is_false on a value (bools, and the usual words). */
function boolOf(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  const s = String(v).toLowerCase().trim();
  if (['true', '1', 'on', 'yes'].includes(s)) return true;
  if (['false', '0', 'off', 'no'].includes(s)) return false;
  return null;
}

/** Why the configuration cannot be used, or null (pure). `keyPath` names the key at fault. */
export function verifyRhConfig(c: Dict): { why: string; key: string | null } | null {
  for (const k of Object.keys(c)) if (!(VALID_KEYS as readonly string[]).includes(k)) return { why: `${k} is not a valid key for rh_subscription. Valid keys are: ${VALID_KEYS.join(', ')}`, key: k };
  const aa = c['auto-attach'];
  if (aa !== undefined && aa !== null && boolOf(aa) === null) return { why: 'the key auto-attach must be a boolean value (true/false)', key: 'auto-attach' };
  if (c['service-level'] !== undefined && c['service-level'] !== null && (aa === undefined || aa === null || boolOf(aa) !== true))
    return { why: 'the service-level key must be used in conjunction with the auto-attach key; re-run with auto-attach: true', key: 'service-level' };
  return null;
}

/** The `subscription-manager register` words, or null without enough to register (pure). */
export function registerWords(c: Dict): string[] | null {
  const str = (v: unknown) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));
  let words: string[];
  if (c['activation-key'] !== undefined && c['activation-key'] !== null && c.org !== undefined && c.org !== null)
    words = ['register', `--activationkey=${str(c['activation-key'])}`, `--org=${str(c.org)}`];
  else if (c.username !== undefined && c.username !== null && c.password !== undefined && c.password !== null) words = ['register', `--username=${str(c.username)}`, `--password=${str(c.password)}`];
  else return null;
  if (c['rhsm-baseurl'] !== undefined && c['rhsm-baseurl'] !== null) words.push(`--baseurl=${str(c['rhsm-baseurl'])}`);
  if (c['server-hostname'] !== undefined && c['server-hostname'] !== null) words.push(`--serverurl=${str(c['server-hostname'])}`);
  return words;
}

/** The "Repo ID:" values of a `subscription-manager repos --list-*` output (pure). */
export function repoIds(out: string): string[] {
  return out
    .split('\n')
    .filter((l) => l.includes('Repo ID:'))
    .map((l) => (l.split(':')[1] ?? '').trim());
}

function runSteps(ctx: ModuleContext, c: Dict): void {
  const secrets = [c.password, c['activation-key']].filter((s): s is string => typeof s === 'string' && s !== '');
  const hide = (t: string) => secrets.reduce((acc, s) => acc.split(s).join('REDACTED'), t);
  const sm = (words: string[]): ExecResult => ctx.host.exec.run(['subscription-manager', ...words]);
  const bad = verifyRhConfig(c);
  if (bad !== null) throw new StepFailed(`${ctx.source.where(['rh_subscription', ...(bad.key === null ? [] : [bad.key])])}${bad.why}`);
  const reg = registerWords(c);
  if (reg === null) throw new StepFailed('unable to register the system due to incomplete information: use either activation-key and org *or* username and password');
  const r = sm(reg);
  if (failure(r) !== null) {
    if (r.stdout === '') ctx.log.warn(`registration failed due to: ${hide(r.stderr.trim() || (failure(r) ?? ''))}`);
    throw new StepFailed('registration failed or did not run completely');
  }
  if (!r.recorded) {
    const id = r.stdout.split('ID: ')[1];
    if (id === undefined) throw new StepFailed('registration failed or did not run completely: subscription-manager gave no system ID');
    ctx.log.debug(`registered successfully with ID ${id.trimEnd()}`);
  }
  const auto = c['auto-attach'] === undefined || c['auto-attach'] === null ? false : boolOf(c['auto-attach']) === true;
  if (auto) {
    const level = c['service-level'];
    const a = sm(level === undefined || level === null ? ['attach', '--auto'] : ['attach', '--auto', `--servicelevel=${String(level)}`]);
    if (failure(a) !== null) {
      const lines =
        a.stdout.trim() !== ''
          ? a.stdout.split('\n').filter(Boolean)
          : [`${level === undefined || level === null ? 'auto-attach' : 'setting the service level'} failed with: ${(a.stderr.trim() || failure(a)) ?? ''}`];
      for (const l of lines) ctx.log.warn(l);
      throw new StepFailed(level === undefined || level === null ? 'setting auto-attach failed' : 'setting of service-level failed');
    }
  }
  const pools = c['add-pool'];
  if (pools !== undefined && pools !== null) {
    if (!Array.isArray(pools)) throw new StepFailed('pools must be in the format of a list');
    if (pools.length > 0) {
      const avail = sm(['list', '--available', '--pool-only']);
      const used = sm(['list', '--consumed', '--pool-only']);
      if (failure(avail) !== null || failure(used) !== null) throw new StepFailed(`unable to list pools: ${failure(avail) ?? failure(used)}`);
      const available = avail.stdout.trimEnd().split('\n');
      const consumed = used.stdout.trimEnd().split('\n');
      const attach: string[] = [];
      for (const p of pools.map(String)) {
        if (avail.recorded || (!consumed.includes(p) && available.includes(p))) attach.push(`--pool=${p}`);
        else ctx.log.warn(`pool ${p} is not available`);
      }
      if (attach.length > 0) {
        const why = failure(sm(['attach', ...attach]));
        if (why !== null) {
          ctx.log.warn(`unable to attach pools: ${why}`);
          throw new StepFailed(`unable to attach pools ${pools.join(', ')}`);
        }
      }
    }
  }
  updateRepos(ctx, c, sm);
}

function updateRepos(ctx: ModuleContext, c: Dict, sm: (w: string[]) => ExecResult): void {
  const e = c['enable-repo'] ?? [];
  const d = c['disable-repo'] ?? [];
  if (!Array.isArray(e) || !Array.isArray(d)) {
    ctx.log.warn('repo IDs must be in the format of a list');
    throw new StepFailed('unable to add or remove repos');
  }
  if (e.length === 0 && d.length === 0) return;
  const on = sm(['repos', '--list-enabled']);
  const off = sm(['repos', '--list-disabled']);
  if (failure(on) !== null || failure(off) !== null) throw new StepFailed(`unable to list repos: ${failure(on) ?? failure(off)}`);
  const recorded = on.recorded || off.recorded;
  const active = repoIds(on.stdout);
  const inactive = repoIds(off.stdout);
  const enable: string[] = [];
  const disable: string[] = [];
  for (const id of e.map(String)) {
    if (recorded || inactive.includes(id)) enable.push(`--enable=${id}`);
    else if (active.includes(id)) ctx.log.debug(`repo ${id} is already enabled`);
    else ctx.log.warn(`repo ${id} does not appear to exist`);
  }
  for (const id of d.map(String)) {
    if (recorded || active.includes(id)) disable.push(`--disable=${id}`);
    else ctx.log.debug(`repo ${id} not disabled because it is not enabled`);
  }
  const why = failure(sm(['repos', ...disable, ...enable]));
  if (why !== null) {
    ctx.log.warn(`unable to alter repos due to ${why}`);
    throw new StepFailed('unable to add or remove repos');
  }
}

function run(ctx: ModuleContext): void {
  if (!agentReachesTree(ctx, 'rh_subscription')) return;
  const c = ctx.cfg.rh_subscription;
  if (!isDict(c)) throw new Error(`${ctx.source.where(['rh_subscription'])}rh_subscription must be a mapping`);
  const has = (k: string) => c[k] !== undefined && c[k] !== null && c[k] !== '' && c[k] !== false;
  if (!((has('username') && has('password')) || has('activation-key'))) {
    ctx.log.debug('rh_subscription: neither username and password nor an activation key: not configured');
    return;
  }
  const identity = ctx.host.exec.run(['subscription-manager', 'identity']);
  if (!identity.recorded && failure(identity) === null) {
    ctx.log.info('system is already registered');
    return;
  }
  try {
    runSteps(ctx, c);
    ctx.log.info('rh_subscription completed successfully');
  } catch (e) {
    if (!(e instanceof StepFailed)) throw e;
    ctx.log.warn(e.message);
    ctx.log.warn('rh_subscription did not complete successfully');
  }
}

export const rhSubscription: Module = {
  name: 'rh_subscription',
  frequency: 'once-per-instance',
  distros: RH_SUBSCRIPTION_DISTROS,
  keys: ['rh_subscription'],
  schema: rhSubscriptionSchema,
  examples: [
    "#cloud-config\nrh_subscription:\n  username: joe@foo.bar\n  ## Quote your password if it has symbols to be safe\n  password: '1234abcd'\n",
    '#cloud-config\nrh_subscription:\n  activation-key: foobar\n  org: "ABC"\n',
    "#cloud-config\nrh_subscription:\n  activation-key: foobar\n  org: 'ABC'\n  auto-attach: true\n  service-level: self-support\n  add-pool:\n    - 1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a\n    - 2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b\n  enable-repo:\n    - repo-id-to-enable\n    - other-repo-id-to-enable\n  disable-repo:\n    - repo-id-to-disable\n    - other-repo-id-to-disable\n  # Alter the baseurl in /etc/rhsm/rhsm.conf\n  rhsm-baseurl: http://url\n  # Alter the server hostname in /etc/rhsm/rhsm.conf\n  server-hostname: foo.bar.com\n",
  ],
  run,
};
