// landscape: register with Landscape from `landscape.client`, once per instance, on
// Ubuntu, as cloud-init 25.x does it: install landscape-client, merge its built-in
// client settings, the image's /etc/landscape/client.conf and the user's (later wins),
// and, unless `landscape-config --is-registered` says the machine already is, run
// `landscape-config --silent` with every setting as `--key value`, sorted by key.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { failure } from './lib/tree-exec.js';
import { agentReachesTree } from './lib/agent-target.js';
import { makeInstaller } from './lib/package-install.js';

export const LANDSCAPE_DISTROS = ['ubuntu'] as const;
export const CLIENT_CONF = '/etc/landscape/client.conf';

/**
 * cloud-init's built-in client settings. Its docs give https for ping_url; the value it
 * uses is http, and that is what is passed here too.
 */
export const LANDSCAPE_DEFAULTS: Readonly<Record<string, string>> = {
  log_level: 'info',
  url: 'https://landscape.canonical.com/message-system',
  ping_url: 'http://landscape.canonical.com/ping',
  data_path: '/var/lib/landscape/client',
};

const landscapeSchema = (z: Z) =>
  z.object({
    landscape: z
      .object({
        client: z
          .object({
            url: z.string().optional(),
            ping_url: z.string().optional(),
            data_path: z.string().optional(),
            log_level: z.enum(['debug', 'info', 'warning', 'error', 'critical']).optional(),
            computer_title: z.string(),
            account_name: z.string(),
            registration_key: z.string().optional(),
            tags: z
              .string()
              .regex(/^[-_0-9a-zA-Z]+(,[-_0-9a-zA-Z]+)*$/)
              .optional(),
            http_proxy: z.string().optional(),
            https_proxy: z.string().optional(),
          })
          .catchall(z.unknown()),
      })
      .strict()
      .optional(),
  });

/** The [client] section of a client.conf (ConfigObj's INI: `key = value`, # comments, quotes) (pure). */
export function parseClientConf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const sec = /^\[+\s*([^\]]*?)\s*\]+$/.exec(line);
    if (sec !== null) {
      section = sec[1] as string;
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (kv === null || section !== 'client') continue;
    let v = (kv[2] as string).trim();
    const q = /^(["'])(.*)\1\s*(#.*)?$/.exec(v);
    if (q !== null) v = q[2] as string;
    else v = v.replace(/\s+#.*$/, '');
    out[kv[1] as string] = v;
  }
  return out;
}

/** `landscape-config --silent` with the merged settings, sorted by key (pure). */
export function landscapeArgv(settings: Record<string, unknown>): string[] {
  const argv = ['landscape-config', '--silent'];
  for (const k of Object.keys(settings).sort()) argv.push(`--${k.replace(/_/g, '-')}`, scalarText(settings[k]));
  return argv;
}

// As Python's str() of what YAML gave.
function scalarText(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null) return 'None';
  return String(v);
}

async function run(ctx: ModuleContext): Promise<void> {
  if (!agentReachesTree(ctx, 'landscape')) return;
  const cfg = ctx.cfg.landscape;
  if (!isDict(cfg)) throw new Error(`${ctx.source.where(['landscape'])}landscape must be a mapping with a client section`);
  if (Object.keys(cfg).length === 0) return;
  const extra = Object.keys(cfg).filter((k) => k !== 'client');
  if (extra.length > 0) throw new Error(`${ctx.source.where(['landscape', extra[0] as string])}landscape.${extra[0]} is not a landscape key (client); nothing was done`);
  const client = cfg.client;
  if (!isDict(client))
    throw new Error(`${ctx.source.where(['landscape', ...(client === undefined ? [] : ['client'])])}landscape.client must be a mapping with account_name and computer_title; nothing was done`);
  for (const k of Object.keys(client)) {
    const v = client[k];
    if (!/^[A-Za-z0-9_-]+$/.test(k)) throw new Error(`${ctx.source.where(['landscape', 'client', k])}landscape.client.${k} is not a setting name; nothing was done`);
    if (isDict(v) || Array.isArray(v)) throw new Error(`${ctx.source.where(['landscape', 'client', k])}landscape.client.${k} must be a single value; nothing was done`);
  }
  const { installer, problems } = makeInstaller(ctx);
  if (installer === null) throw new Error(`landscape: landscape-client cannot be installed: ${problems.join('; ')}`);
  const inst = await installer.install([{ name: 'landscape-client' }], { apt: [], snap: [] });
  if (inst.failed.length > 0) throw new Error(`landscape: failed to install landscape-client: ${inst.problems.join('; ')}`);
  const fromFile = parseClientConf(ctx.host.fs.readText(CLIENT_CONF) ?? '');
  const settings: Record<string, unknown> = { ...LANDSCAPE_DEFAULTS, ...fromFile, ...client };
  const check = ctx.host.exec.run(['landscape-config', '--silent', '--is-registered']);
  if (!check.recorded && check.error === undefined && check.code === 0) {
    ctx.log.warn('client already registered to Landscape');
    return;
  }
  if (!check.recorded && (check.error !== undefined || check.code !== 5))
    throw new Error(`landscape: failure registering client: landscape-config --silent --is-registered: ${failure(check) ?? `exit ${check.code}`}`);
  const argv = landscapeArgv(settings);
  const r = ctx.host.exec.run(argv, { output: 'log' });
  const why = failure(r);
  if (why !== null) {
    const key = typeof settings.registration_key === 'string' ? settings.registration_key : null;
    throw new Error(`landscape: failure registering client: ${key === null || key === '' ? why : why.split(key).join('REDACTED')}`);
  }
  ctx.log.info(`registered with Landscape at ${scalarText(settings.url)}`);
}

export const landscape: Module = {
  name: 'landscape',
  frequency: 'once-per-instance',
  distros: LANDSCAPE_DISTROS,
  keys: ['landscape'],
  schema: landscapeSchema,
  examples: [
    '#cloud-config\nlandscape:\n  client:\n    url: https://landscape.canonical.com/message-system\n    ping_url: http://landscape.canonical.com/ping\n    data_path: /var/lib/landscape/client\n    http_proxy: http://my.proxy.com/foobar\n    https_proxy: https://my.proxy.com/foobar\n    tags: server,cloud\n    computer_title: footitle\n    registration_key: fookey\n    account_name: fooaccount\n',
    '#cloud-config\nlandscape:\n  client:\n    url: https://landscape.canonical.com/message-system\n    ping_url: http://landscape.canonical.com/ping\n    data_path: /var/lib/landscape/client\n    computer_title: footitle\n    account_name: fooaccount\n    log_level: debug\n',
    '#cloud-config\nlandscape:\n  client:\n    account_name: myaccount\n    computer_title: myhost\n',
  ],
  run,
};
