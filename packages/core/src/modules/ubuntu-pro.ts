// ubuntu_pro: attach the machine to Ubuntu Pro from `ubuntu_pro` (token, enable,
// enable_beta, features, config; the old `ubuntu_advantage` key still works, with a
// deprecation warning), once per instance, on Ubuntu, as cloud-init 25.x does it:
// install ubuntu-advantage-tools when `pro` is missing, set or unset each `pro config`
// value, then auto-attach on an Ubuntu Pro cloud image (unless
// features.disable_auto_attach) or attach with the token and enable the listed
// services. The token never reaches an argv, a log or a command record: `pro attach`
// reads it from a private attach-config file that is removed right after.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { failure } from './lib/tree-exec.js';
import { agentReachesTree } from './lib/agent-target.js';
import { makeInstaller } from './lib/package-install.js';

export const UBUNTU_PRO_DISTROS = ['ubuntu'] as const;
const OLD_KEYS = ['ubuntu_advantage', 'ubuntu-advantage'] as const;
const SECTION_KEYS = ['enable', 'enable_beta', 'token', 'features', 'config'] as const;
/** The `pro config` settings cloud-init checks to be http(s) URLs; others are passed on with a warning. */
export const KNOWN_PRO_CONFIG = ['http_proxy', 'https_proxy', 'global_apt_http_proxy', 'global_apt_https_proxy', 'ua_apt_http_proxy', 'ua_apt_https_proxy'] as const;

const section = (z: Z) =>
  z
    .object({
      enable: z.array(z.string()).optional(),
      enable_beta: z.array(z.string()).optional(),
      token: z.string().optional(),
      features: z.object({ disable_auto_attach: z.boolean().optional() }).strict().optional(),
      config: z
        .object(Object.fromEntries(KNOWN_PRO_CONFIG.map((k) => [k, z.string().url().nullable().optional()])))
        .catchall(z.unknown())
        .optional(),
    })
    .strict();

const ubuntuProSchema = (z: Z) => z.object({ ubuntu_pro: section(z).optional(), ubuntu_advantage: section(z).optional(), 'ubuntu-advantage': section(z).optional() });

type Dict = Record<string, unknown>;

/** The `pro config` commands for `config` (sorted by key, null unsets), or the problems with its values (pure). */
export function proConfigCommands(config: Dict): { argvs: string[][]; problems: { key: string; why: string }[]; unknown: string[] } {
  const argvs: string[][] = [];
  const problems: { key: string; why: string }[] = [];
  const unknown: string[] = [];
  for (const key of Object.keys(config).sort()) {
    const v = config[key];
    if (!(KNOWN_PRO_CONFIG as readonly string[]).includes(key)) unknown.push(key);
    else if (v !== null && !(typeof v === 'string' && /^https?:\/\//i.test(v))) {
      // The value is never repeated: a proxy URL may carry credentials.
      problems.push({ key, why: `expected an http or https URL (or null to unset) for ubuntu_pro.config.${key}` });
      continue;
    }
    if (v === null) argvs.push(['pro', 'config', 'unset', key]);
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      // cloud-init escapes blanks the way Python's re.escape does.
      const s = String(v);
      argvs.push(['pro', 'config', 'set', `${key}=${/\s/.test(s) ? s.replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`) : s}`]);
    } else problems.push({ key, why: `expected a string or null for ubuntu_pro.config.${key}` });
  }
  return { argvs, problems, unknown };
}

function sectionOf(ctx: ModuleContext): { sec: unknown; key: string } | null {
  const old = OLD_KEYS.filter((k) => ctx.cfg[k] !== undefined);
  if (old.length > 1) throw new Error(`${ctx.source.where([old[1] as string])}ubuntu_pro: more than one deprecated key given (${old.join(', ')}); nothing was done`);
  if (ctx.cfg.ubuntu_pro !== undefined) {
    if (old.length > 0) ctx.log.warn(`${ctx.source.where([old[0] as string])}ignoring the deprecated key ${old[0]}: ubuntu_pro is given too`);
    return { sec: ctx.cfg.ubuntu_pro, key: 'ubuntu_pro' };
  }
  if (old.length === 1) {
    ctx.log.warn(`${ctx.source.where([old[0] as string])}deprecated configuration key ${old[0]}: use ubuntu_pro (it is applied as ubuntu_pro)`);
    return { sec: ctx.cfg[old[0] as string], key: old[0] as string };
  }
  return null;
}

function listOf(ctx: ModuleContext, key: string, name: 'enable' | 'enable_beta', v: unknown): string[] | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') {
    ctx.log.warn(`${ctx.source.where([key, name])}${key}.${name} should be a list, not a string; treating it as one service`);
    return [v];
  }
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  ctx.log.warn(`${ctx.source.where([key, name])}${key}.${name} should be a list of service names; no service is enabled from it`);
  return [];
}

function checkService(ctx: ModuleContext, key: string, name: string, list: string[]): void {
  for (const s of list) if (!/^[a-z0-9][a-z0-9._-]*$/.test(s)) throw new Error(`${ctx.source.where([key, name])}${key}.${name}: ${JSON.stringify(s)} is not a Pro service name; nothing was done`);
}

async function run(ctx: ModuleContext): Promise<void> {
  if (!agentReachesTree(ctx, 'ubuntu_pro')) return;
  const found = sectionOf(ctx);
  if (found === null || found.sec === null) return;
  const { sec, key } = found;
  if (!isDict(sec)) throw new Error(`${ctx.source.where([key])}${key} should be a mapping (token, enable, enable_beta, features, config)`);
  if ('commands' in sec) throw new Error(`${ctx.source.where([key, 'commands'])}deprecated configuration "${key}: commands": give the token as ${key}.token; nothing was done`);
  const unknown = Object.keys(sec).filter((k) => !(SECTION_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new Error(`${ctx.source.where([key, unknown[0] as string])}${key}.${unknown[0]} is not an ubuntu_pro key (${SECTION_KEYS.join(', ')}); nothing was done`);
  const enable = listOf(ctx, key, 'enable', sec.enable);
  const enableBeta = listOf(ctx, key, 'enable_beta', sec.enable_beta);
  checkService(ctx, key, 'enable', enable ?? []);
  checkService(ctx, key, 'enable_beta', enableBeta ?? []);
  const token = sec.token;
  if (token !== undefined && token !== null && (typeof token !== 'string' || /[\s\0]/.test(token)))
    throw new Error(`${ctx.source.where([key, 'token'])}${key}.token must be one word (the contract token); nothing was done`);

  if (!ctx.host.exec.has('pro')) {
    const { installer, problems } = makeInstaller(ctx);
    if (installer === null) throw new Error(`ubuntu_pro: ubuntu-advantage-tools cannot be installed: ${problems.join('; ')}`);
    const u = await installer.update();
    if (u !== null) throw new Error(`ubuntu_pro: package update failed: ${u}`);
    const r = await installer.install([{ name: 'ubuntu-advantage-tools' }], { apt: [], snap: [] });
    if (r.failed.length > 0) throw new Error(`ubuntu_pro: failed to install ubuntu-advantage-tools: ${r.problems.join('; ')}`);
  }

  const config = sec.config;
  if (config !== undefined && config !== null) {
    if (!isDict(config)) throw new Error(`${ctx.source.where([key, 'config'])}${key}.config should be a mapping; no Pro config was set`);
    const planned = proConfigCommands(config);
    for (const u of planned.unknown) ctx.log.warn(`${ctx.source.where([key, 'config', u])}not validating unknown ubuntu_pro.config.${u} property`);
    if (planned.problems.length > 0) {
      for (const p of planned.problems) ctx.log.error(`${ctx.source.where([key, 'config', p.key])}${p.why}`);
      throw new Error('ubuntu_pro: invalid ubuntu_pro configuration; nothing was done');
    }
    const failed: string[] = [];
    for (const argv of planned.argvs) {
      const k = (argv[3] as string).split('=')[0] as string;
      const why = failure(ctx.host.exec.run(argv));
      if (why !== null) {
        const v = config[k];
        ctx.log.warn(`failure enabling/disabling "${k}": ${typeof v === 'string' ? why.split(v).join('REDACTED') : why}`);
        failed.push(`"${k}"`);
      } else ctx.log.debug(argv[2] === 'set' ? `Pro config ${k}=REDACTED set` : `Pro config ${k} unset`);
    }
    if (failed.length > 0) throw new Error(`ubuntu_pro: failure enabling/disabling Ubuntu Pro config(s): ${failed.join(', ')}`);
  }

  const features = sec.features;
  if (features !== undefined && !isDict(features)) throw new Error(`${ctx.source.where([key, 'features'])}${key}.features should be a mapping`);
  const disableAuto = isDict(features) ? features.disable_auto_attach : undefined;
  if (disableAuto !== undefined && typeof disableAuto !== 'boolean')
    throw new Error(`${ctx.source.where([key, 'features', 'disable_auto_attach'])}${key}.features.disable_auto_attach should be true or false`);

  if (disableAuto !== true && shouldAutoAttach(ctx)) {
    autoAttach(ctx, enable, enableBeta);
    return;
  }
  if (Object.keys(sec).every((k) => k === 'features')) return;
  if (typeof token !== 'string' || token === '') throw new Error(`${ctx.source.where([key])}${key}.token is required on an Ubuntu instance that is not Ubuntu Pro`);
  if (enableBeta !== null && enableBeta.length > 0) ctx.log.debug(`ignoring ${key}.enable_beta services when attaching with a token: ${enableBeta.join(', ')}`);
  attach(ctx, token, enable ?? []);
}

/** What `pro api ... should_auto_attach` says; false (with a warning) when it cannot tell. */
function shouldAutoAttach(ctx: ModuleContext): boolean {
  const r = ctx.host.exec.run(['pro', 'api', 'u.pro.attach.auto.should_auto_attach.v1']);
  if (r.recorded) return false;
  try {
    const out = JSON.parse(r.stdout) as { result?: string; data?: { attributes?: { should_auto_attach?: unknown } } };
    if (out.result === 'success' && typeof out.data?.attributes?.should_auto_attach === 'boolean') return out.data.attributes.should_auto_attach;
  } catch {
    // below
  }
  ctx.log.debug(`pro api u.pro.attach.auto.should_auto_attach.v1: ${failure(r) ?? r.stdout.slice(0, 200)}`);
  ctx.log.warn('unable to determine if this is an Ubuntu Pro instance; falling back to a normal Pro attach');
  return false;
}

function autoAttach(ctx: ModuleContext, enable: string[] | null, enableBeta: string[] | null): void {
  const data: Record<string, string[]> = {};
  if (enable !== null) data.enable = enable;
  if (enableBeta !== null) data.enable_beta = enableBeta;
  const r = ctx.host.exec.run(['pro', 'api', 'u.pro.attach.auto.full_auto_attach.v1', '--data', JSON.stringify(data)]);
  if (r.recorded) return;
  let out: { result?: string; errors?: { code?: string; title?: string }[] } = {};
  try {
    out = JSON.parse(r.stdout) as typeof out;
  } catch {
    throw new Error(`ubuntu_pro: error during full_auto_attach: ${failure(r) ?? 'the answer was not JSON'}`);
  }
  if (out.result === 'success') return;
  const errors = out.errors ?? [];
  if (errors.some((e) => e.code === 'already-attached')) {
    if (enable !== null || enableBeta !== null) ctx.log.warn('the instance is already attached to Pro; leaving enabled services untouched and ignoring ubuntu_pro enable and enable_beta');
    return;
  }
  throw new Error(`ubuntu_pro: error during full_auto_attach: ${errors.map((e) => e.title ?? e.code).join('; ') || 'failed'}`);
}

function attach(ctx: ModuleContext, token: string, enable: string[]): void {
  // An attach-config file instead of the token on the command line, so that the token
  // is in no argv (visible to every user in /proc), log or command record.
  const file = `${ctx.paths.runDir}/nimbus-pro-attach.yaml`;
  ctx.host.fs.write(file, `token: ${JSON.stringify(token)}\n`, { mode: 0o600 });
  const argv = ['pro', 'attach', ...(enable.length > 0 ? ['--no-auto-enable'] : []), '--attach-config', ctx.host.exec.pathFor(file)];
  let r: ReturnType<ModuleContext['host']['exec']['run']>;
  try {
    ctx.log.debug(`attaching to Ubuntu Pro: ${argv.join(' ')}`);
    r = ctx.host.exec.run(argv, { output: 'log' });
  } finally {
    ctx.host.fs.remove(file);
  }
  // Exit 2: already attached, which cloud-init accepts.
  if (!r.recorded && r.code !== 0 && r.code !== 2) throw new Error(`ubuntu_pro: failure attaching Ubuntu Pro: ${(failure(r) ?? '').split(token).join('REDACTED')}`);
  if (enable.length === 0) return;
  const e = ctx.host.exec.run(['pro', 'enable', '--assume-yes', '--format', 'json', ...enable]);
  if (e.recorded) return;
  if (e.error !== undefined || (e.code !== 0 && e.code !== 1)) throw new Error(`ubuntu_pro: error while enabling service(s): ${enable.join(', ')}: ${failure(e)}`);
  let resp: { errors?: { message?: string; message_code?: string; service?: string | null; type?: string }[] };
  try {
    resp = JSON.parse(e.stdout) as typeof resp;
  } catch {
    throw new Error(`ubuntu_pro: pro's answer was not JSON: ${e.stdout.slice(0, 200)}`);
  }
  const errors = (resp.errors ?? []).filter((x) => x.message_code !== 'service-already-enabled');
  if (errors.length === 0) return;
  for (const x of errors) ctx.log.error(x.service ? `failure enabling \`${x.service}\`: ${x.message}` : `failure of type \`${x.type}\`: ${x.message}`);
  throw new Error(`ubuntu_pro: failure enabling Ubuntu Pro service(s): ${errors.flatMap((x) => (x.service ? [x.service] : [])).join(', ')}`);
}

export const ubuntuPro: Module = {
  name: 'ubuntu_pro',
  frequency: 'once-per-instance',
  distros: UBUNTU_PRO_DISTROS,
  keys: ['ubuntu_pro', ...OLD_KEYS],
  schema: ubuntuProSchema,
  examples: [
    '#cloud-config\nubuntu_pro:\n  token: <ubuntu_pro_token>\n',
    '#cloud-config\nubuntu_pro:\n  token: <ubuntu_pro_token>\n  enable:\n  - fips\n',
    '#cloud-config\nubuntu_pro:\n  token: <ubuntu_pro_token>\n  enable:\n  - fips\n  - esm-apps\n  enable_beta:\n  - realtime-kernel\n  config:\n    http_proxy: http://some-proxy:8088\n    https_proxy: https://some-proxy:8088\n    global_apt_https_proxy: https://some-global-apt-proxy:8088/\n    global_apt_http_proxy: http://some-global-apt-proxy:8088/\n    ua_apt_http_proxy: http://10.0.10.10:3128\n    ua_apt_https_proxy: https://10.0.10.10:3128\n',
    '#cloud-config\nubuntu_pro:\n  features:\n    disable_auto_attach: true\n',
    '#cloud-config\nubuntu_pro:\n  enable:\n  - fips\n  - esm-apps\n',
  ],
  run,
};
