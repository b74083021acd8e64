// resolv_conf: with manage_resolv_conf true, /etc/resolv.conf is written from
// resolv_conf (nameservers, searchdomains, domain, sortlist, options), laid out byte
// for byte as cloud-init's resolv.conf template renders it. Every value is checked to
// be one word, so nothing can add a line of its own to the file.
import { isIP } from '../net/ip-syntax.js';
import type { Module, ModuleContext, Z } from './types.js';
import { hostnameProblem, isPlainWord } from './lib/validators.js';
import { isDict } from '../config/merge.js';

export const resolvConfSchema = (z: Z) => {
  const scalar = z.union([z.string(), z.number(), z.boolean()]);
  return z.object({
    manage_resolv_conf: z.boolean().optional(),
    'manage-resolv-conf': z.boolean().optional(),
    resolv_conf: z
      .object({
        nameservers: z.array(z.string()).optional(),
        searchdomains: z.array(z.string()).optional(),
        domain: z.string().optional(),
        sortlist: z.array(z.string()).optional(),
        options: z.record(z.string(), scalar).optional(),
      })
      .optional(),
  });
};

export interface ResolvConf {
  nameservers?: string[];
  searchdomains?: string[];
  domain?: string;
  sortlist?: string[];
  options?: Record<string, string | number | boolean>;
}

const HEADER = [
  "# Your system has been configured with 'manage-resolv-conf' set to true.",
  '# As a result, cloud-init has written this file with configuration data',
  '# that it has been provided. Cloud-init, by default, will write this file',
  '# a single time (PER_ONCE).',
  '#',
  '',
].join('\n');

/** Python's str() of an option value, as the template prints it. */
function pyStr(v: string | number | boolean): string {
  return typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
}

/** The file text (pure). Options set to true are flags, set to false are left out, others are key:value sorted by key. */
export function renderResolvConf(c: ResolvConf): string {
  let out = HEADER;
  if (c.nameservers !== undefined) out += c.nameservers.map((n) => `nameserver ${n}\n`).join('') + '\n';
  if (c.searchdomains !== undefined) out += `search ${c.searchdomains.map((s) => `${s} `).join('')}\n`;
  if (c.domain !== undefined) out += `domain ${c.domain}\n`;
  out += '\n';
  if (c.sortlist !== undefined) out += `sortlist ${c.sortlist.map((s) => `${s} `).join('')}\n`;
  const opts = c.options ?? {};
  const flags = Object.keys(opts).filter((k) => opts[k] === true);
  const kv = Object.keys(opts)
    .filter((k) => typeof opts[k] !== 'boolean')
    .sort();
  if (flags.length + kv.length > 0) out += `options${flags.map((f) => ` ${f}`).join('')}${kv.map((k) => ` ${k}:${pyStr(opts[k] as string | number)}`).join('')}\n`;
  return out;
}

/** The resolv_conf values checked one by one; problems carry their key path (pure). */
export function checkResolvConf(v: unknown): { conf: ResolvConf; problems: { path: (string | number)[]; message: string }[] } {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const conf: ResolvConf = {};
  if (!isDict(v)) return { conf, problems: [{ path: ['resolv_conf'], message: 'resolv_conf must be a mapping' }] };
  const list = (key: 'nameservers' | 'searchdomains' | 'sortlist', ok: (s: string) => string | null) => {
    const x = v[key];
    if (x === undefined || x === null) return;
    if (!Array.isArray(x)) {
      problems.push({ path: ['resolv_conf', key], message: `resolv_conf.${key} must be a list` });
      return;
    }
    const good: string[] = [];
    x.forEach((item: unknown, i: number) => {
      const why = typeof item === 'string' ? ok(item) : 'expected a string';
      if (why === null) good.push(item as string);
      else problems.push({ path: ['resolv_conf', key, i], message: `resolv_conf.${key}[${i}] ${JSON.stringify(item)}: ${why}; left out` });
    });
    conf[key] = good;
  };
  list('nameservers', (s) => (isIP(s) !== 0 ? null : 'not an IP address'));
  list('searchdomains', (s) => hostnameProblem(s));
  list('sortlist', (s) => {
    const [addr, mask, ...rest] = s.split('/');
    return rest.length === 0 && isIP(addr ?? '') === 4 && (mask === undefined || isIP(mask) === 4 || /^\d{1,2}$/.test(mask)) ? null : 'not an address[/netmask] pair';
  });
  if (v.domain !== undefined && v.domain !== null) {
    const why = hostnameProblem(v.domain);
    if (why === null) conf.domain = v.domain as string;
    else problems.push({ path: ['resolv_conf', 'domain'], message: `resolv_conf.domain: ${why}; left out` });
  }
  if (v.options !== undefined && v.options !== null) {
    if (!isDict(v.options)) problems.push({ path: ['resolv_conf', 'options'], message: 'resolv_conf.options must be a mapping' });
    else {
      conf.options = {};
      for (const [k, val] of Object.entries(v.options)) {
        if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(k) || !(typeof val === 'boolean' || typeof val === 'number' || isPlainWord(val))) {
          problems.push({ path: ['resolv_conf', 'options', k], message: `resolv_conf.options.${k}: expected a word option with a true/false, number or one-word value; left out` });
        } else conf.options[k] = val as string | number | boolean;
      }
    }
  }
  return { conf, problems };
}

function run(ctx: ModuleContext): void {
  let manage = ctx.cfg.manage_resolv_conf;
  if (manage === undefined && ctx.cfg['manage-resolv-conf'] !== undefined) {
    ctx.log.deprecated(`${ctx.source.where(['manage-resolv-conf'])}manage-resolv-conf is deprecated; use manage_resolv_conf`);
    manage = ctx.cfg['manage-resolv-conf'];
  }
  if (manage !== true) {
    if (manage !== undefined && manage !== false && manage !== null)
      ctx.log.error(`${ctx.source.where(['manage_resolv_conf'])}manage_resolv_conf must be true or false; /etc/resolv.conf was left as it is`);
    else ctx.log.debug('manage_resolv_conf is not true: /etc/resolv.conf is left as it is');
    return;
  }
  if (ctx.cfg.resolv_conf === undefined || ctx.cfg.resolv_conf === null) {
    ctx.log.warn('manage_resolv_conf is true but resolv_conf gives nothing to write; /etc/resolv.conf was left as it is');
    return;
  }
  const { conf, problems } = checkResolvConf(ctx.cfg.resolv_conf);
  for (const p of problems) ctx.log.error(`${ctx.source.where(p.path)}${p.message}`);
  const link = ctx.host.fs.readlink('/etc/resolv.conf');
  if (link !== null) {
    // Writing through the link would land in a file its owner (systemd-resolved, NetworkManager) rewrites.
    ctx.log.warn(`/etc/resolv.conf was a link to ${link}; it is replaced by the file resolv_conf asks for (the service that managed the link may want configuring instead)`);
    ctx.host.fs.remove('/etc/resolv.conf');
  }
  ctx.host.fs.write('/etc/resolv.conf', renderResolvConf(conf), { mode: 0o644 });
  ctx.log.info(`wrote /etc/resolv.conf (${conf.nameservers?.length ?? 0} nameserver(s))`);
}

export const resolvConf: Module = {
  name: 'resolv_conf',
  frequency: 'once-per-instance',
  rerunAfterInterruption: true,
  keys: ['manage_resolv_conf', 'manage-resolv-conf', 'resolv_conf'],
  schema: resolvConfSchema,
  examples: [
    `#cloud-config
manage_resolv_conf: true
resolv_conf:
  nameservers:
    - 192.0.2.53
    - '2001:db8::53'
  searchdomains: [example.org]
  domain: example.org
  options:
    rotate: true
    timeout: 2
`,
  ],
  run,
};
