// ntp: an NTP client configured from `ntp`, once per instance, as cloud-init does: the
// client (ntp_client, or with `auto` the first of chrony, systemd-timesyncd, ntp,
// ntpdate the image has, else chrony), its config file written from pools, servers,
// peers and allow (the old file kept as <file>.dist), its package installed when the
// image lacks it, and its service reloaded or restarted. Every host and address is
// checked to be one word of a host name or an address, so nothing from user-data can
// add a directive of its own to the file.
import { isIP } from '../net/ip-syntax.js';
import type { Module, ModuleContext, Z } from './types.js';
import { distroFacts, packageInstallCommand } from '../distro/facts.js';
import { isDict } from '../config/merge.js';
import { isJinjaTemplate, renderJinjaPart } from '../userdata/jinja.js';
import { clientsFor, defaultPools, NTP_CLIENTS, PREFERRED, renderNtpConfig, type NtpClient, type NtpClientName, type NtpLists } from './lib/ntp-clients.js';
import { failure } from './lib/tree-exec.js';
import { hostnameProblem, pathProblem } from './lib/validators.js';

type Path = (string | number)[];

export const ntpSchema = (z: Z) => {
  const hosts = z.array(z.string());
  return z.object({
    ntp: z
      .object({
        pools: hosts.optional(),
        servers: hosts.optional(),
        peers: hosts.optional(),
        allow: hosts.optional(),
        ntp_client: z.string().optional(),
        enabled: z.boolean().optional(),
        config: z
          .object({
            confpath: z.string().optional(),
            check_exe: z.string().optional(),
            packages: z.array(z.string()).optional(),
            service_name: z.string().optional(),
            template: z.string().optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .nullable()
      .optional(),
  });
};

/** Why `v` cannot be an NTP server, pool or peer (a host name or an IP address), or null (pure). */
export function ntpHostProblem(v: unknown): string | null {
  if (typeof v === 'string' && isIP(v) !== 0) return null;
  const why = hostnameProblem(v);
  return why === null ? null : `not a host name or an IP address: ${why}`;
}

/** Why `v` cannot be a chrony `allow` value (an address, a subnet, or `all`), or null (pure). */
export function ntpAllowProblem(v: unknown): string | null {
  if (typeof v !== 'string') return 'expected a string';
  if (v === 'all') return null;
  const [addr, bits, ...rest] = v.split('/');
  const okBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(addr ?? '') === 6 ? 128 : 32));
  if (rest.length === 0 && isIP(addr ?? '') !== 0 && okBits) return null;
  return 'not an address, a subnet (address/bits) or all';
}

const WORD = /^[A-Za-z0-9_@+][A-Za-z0-9_.@+:-]*$/;

interface Checked {
  lists: NtpLists;
  problems: { path: Path; message: string }[];
}

/** The four lists checked item by item (pure). */
export function checkNtpLists(ntp: Record<string, unknown>): Checked {
  const problems: Checked['problems'] = [];
  const list = (key: keyof NtpLists, why: (v: unknown) => string | null): string[] => {
    const v = ntp[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      problems.push({ path: ['ntp', key], message: `ntp.${key} must be a list` });
      return [];
    }
    const out: string[] = [];
    v.forEach((item: unknown, i: number) => {
      const w = why(item);
      if (w !== null) problems.push({ path: ['ntp', key, i], message: `ntp.${key}[${i}] ${JSON.stringify(item)}: ${w}` });
      else if (!out.includes(item as string)) out.push(item as string);
    });
    return out;
  };
  return { lists: { servers: list('servers', ntpHostProblem), pools: list('pools', ntpHostProblem), peers: list('peers', ntpHostProblem), allow: list('allow', ntpAllowProblem) }, problems };
}

/** Whether an executable is in the image: a path as given, a name in the usual bin dirs. */
function installed(ctx: ModuleContext, exe: string): boolean {
  if (!exe.startsWith('/')) return ctx.host.exec.has(exe);
  const s = ctx.host.fs.stat(exe);
  return s?.isFile === true && (s.mode & 0o111) !== 0;
}

/** The client ntp_client (or the distro's system_info ntp_client) names, or auto's choice. */
function selectClient(ctx: ModuleContext, asked: unknown): { name: string; client: Partial<NtpClient> } {
  const table = clientsFor(ctx.distro);
  const sys = ctx.cfg.system_info;
  const fromSystem = isDict(sys) && typeof sys.ntp_client === 'string' ? sys.ntp_client : 'auto';
  const name = typeof asked === 'string' && asked !== 'auto' ? asked : fromSystem;
  if (name !== 'auto') return { name, client: (table as Record<string, NtpClient>)[name] ?? {} };
  for (const c of PREFERRED) if (installed(ctx, table[c].checkExe)) return { name: c, client: table[c] };
  return { name: PREFERRED[0] as NtpClientName, client: table[PREFERRED[0] as NtpClientName] };
}

function run(ctx: ModuleContext): void {
  const raw = ctx.cfg.ntp;
  if (!isDict(raw)) throw new Error(`${ctx.source.where(['ntp'])}ntp must be a mapping`);
  if (raw.enabled === false) {
    ctx.log.debug('ntp.enabled is false: no NTP client is configured');
    return;
  }
  const problems: { path: Path; message: string }[] = [];
  if (raw.enabled !== undefined && raw.enabled !== true) problems.push({ path: ['ntp', 'enabled'], message: `ntp.enabled must be true or false, got ${JSON.stringify(raw.enabled)}` });
  const checked = checkNtpLists(raw);
  problems.push(...checked.problems);
  const { name, client: base } = selectClient(ctx, raw.ntp_client);
  if (raw.ntp_client !== undefined && (typeof raw.ntp_client !== 'string' || !WORD.test(raw.ntp_client)))
    problems.push({ path: ['ntp', 'ntp_client'], message: `ntp.ntp_client ${JSON.stringify(raw.ntp_client)} is not a client name (${NTP_CLIENTS.join(', ')}, auto, or one ntp.config describes)` });
  const over = raw.config === undefined || raw.config === null ? {} : raw.config;
  if (!isDict(over)) problems.push({ path: ['ntp', 'config'], message: 'ntp.config must be a mapping' });
  const o = isDict(over) ? over : {};
  const str = (key: string, why: (v: string) => string | null): string | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    const w = typeof v === 'string' ? why(v) : 'expected a string';
    if (w !== null) {
      problems.push({ path: ['ntp', 'config', key], message: `ntp.config.${key} ${JSON.stringify(v)}: ${w}` });
      return undefined;
    }
    return v as string;
  };
  const confpath = str('confpath', pathProblem) ?? base.confpath;
  const checkExe = str('check_exe', (v) => (WORD.test(v) || pathProblem(v) === null ? null : 'not a command name or an absolute path')) ?? base.checkExe;
  const serviceName = str('service_name', (v) => (WORD.test(v) ? null : 'not a service name')) ?? base.serviceName;
  const template = str('template', (v) => (isJinjaTemplate(v) ? null : 'not supported: a template that does not start with "## template: jinja"'));
  let packages = base.packages;
  if (o.packages !== undefined) {
    if (Array.isArray(o.packages) && o.packages.every((p) => typeof p === 'string' && /^[A-Za-z0-9][A-Za-z0-9+.:~_-]*$/.test(p))) packages = o.packages as string[];
    else problems.push({ path: ['ntp', 'config', 'packages'], message: 'ntp.config.packages must be a list of package names' });
  }
  const missing = [
    confpath === undefined ? 'confpath' : '',
    checkExe === undefined ? 'check_exe' : '',
    serviceName === undefined ? 'service_name' : '',
    packages === undefined ? 'packages' : '',
  ].filter(Boolean);
  if (missing.length > 0 && problems.length === 0)
    problems.push({
      path: ['ntp', 'ntp_client'],
      message: `ntp client ${JSON.stringify(name)} is not one nimbus knows (${NTP_CLIENTS.join(', ')}); ntp.config must then give ${missing.join(', ')} and template`,
    });
  if (base.templateName === undefined && template === undefined && missing.length === 0 && problems.length === 0)
    problems.push({ path: ['ntp', 'config'], message: `ntp client ${JSON.stringify(name)} is not one nimbus knows: ntp.config.template must give its configuration` });
  if (problems.length > 0) {
    for (const p of problems) ctx.log.error(`${ctx.source.where(p.path)}${p.message}`);
    throw new Error(`ntp: ${problems.length} problem(s) in the ntp configuration; no NTP client was configured`);
  }
  const lists = { ...checked.lists };
  if (lists.servers.length === 0 && lists.pools.length === 0) lists.pools = defaultPools(ctx.distro.id);
  const file = confpath as string;
  const text = renderFor(ctx, name, base, template, lists);
  const fs = ctx.host.fs;
  // The image's own file is kept as <file>.dist, as cloud-init does; a re-run after a
  // crash finds nimbus's file there already and keeps the original .dist.
  const old = fs.readText(file);
  if (old !== null && old !== text) fs.rename(file, `${file}.dist`);
  fs.write(file, text, { mode: 0o644 });
  ctx.log.info(`ntp: ${name} configured in ${file} (${[...lists.pools, ...lists.servers].join(', ')})`);
  const runOrFail = (argv: string[]) => {
    const why = failure(ctx.host.exec.run(argv, { output: 'log' }));
    if (why !== null) throw new Error(`ntp: ${argv.join(' ')} failed: ${why}`);
  };
  if (!installed(ctx, checkExe as string) && (packages as string[]).length > 0) runOrFail(packageInstallCommand(distroFacts(ctx.distro), packages as string[]));
  const facts = distroFacts(ctx.distro);
  runOrFail(facts.initSystem === 'systemd' ? ['systemctl', 'reload-or-restart', serviceName as string] : ['service', serviceName as string, 'restart']);
}

/** The file text: an inline template, else the image's cloud-init template, else nimbus's rendering of it. */
function renderFor(ctx: ModuleContext, name: string, base: Partial<NtpClient>, inline: string | undefined, lists: NtpLists): string {
  const vars = { servers: lists.servers, pools: lists.pools, peers: lists.peers, allow: lists.allow };
  if (inline !== undefined) return renderJinjaPart(inline, vars, `${ctx.source.where(['ntp', 'config', 'template'])}ntp.config.template`);
  const tplPath = `/etc/cloud/templates/${(base.templateName as string).replace('{distro}', ctx.distro.id)}.tmpl`;
  const tpl = ctx.host.fs.readText(tplPath);
  if (tpl !== null && isJinjaTemplate(tpl)) return renderJinjaPart(tpl, vars, tplPath);
  const flavour = ctx.distro.family === 'debian' ? 'debian' : ctx.distro.id === 'fedora' ? 'fedora' : 'rhel';
  return renderNtpConfig(name as NtpClientName, flavour, lists);
}

export const ntp: Module = {
  name: 'ntp',
  frequency: 'once-per-instance',
  keys: ['ntp'],
  schema: ntpSchema,
  examples: [
    `#cloud-config
# Override the ntp client's default config with a custom template.
ntp:
  enabled: true
  ntp_client: myntpclient
  config:
    confpath: /etc/myntpclient/myntpclient.conf
    check_exe: myntpclientd
    packages:
      - myntpclient
    service_name: myntpclient
    template: |
      ## template:jinja
      # My NTP Client config
      {% if pools -%}# pools{% endif %}
      {% for pool in pools -%}
      pool {{pool}} iburst
      {% endfor %}
      {%- if servers %}# servers
      {% endif %}
      {% for server in servers -%}
      server {{server}} iburst
      {% endfor %}
      {% if peers -%}# peers{% endif %}
      {% for peer in peers -%}
      peer {{peer}}
      {% endfor %}
      {% if allow -%}# allow{% endif %}
      {% for cidr in allow -%}
      allow {{cidr}}
      {% endfor %}
  pools: [0.int.pool.ntp.org, 1.int.pool.ntp.org, ntp.myorg.org]
  servers:
    - ntp.server.local
    - ntp.ubuntu.com
    - 192.168.23.2
  allow:
    - 192.168.23.0/32
  peers:
    - km001
    - km002
`,
    `#cloud-config
# Override ntp with chrony configuration (the distro's chrony file and service, its default pools).
ntp:
  enabled: true
  ntp_client: chrony
`,
    `#cloud-config
# The distro's preferred client with the pools, servers, peers and subnets given.
ntp:
  pools: [0.int.pool.ntp.org, 1.int.pool.ntp.org]
  servers: [ntp.example.org, 192.0.2.123]
  peers: [km001]
  allow: [192.0.2.0/24]
`,
  ],
  run,
};
