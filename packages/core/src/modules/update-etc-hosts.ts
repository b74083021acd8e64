// update_etc_hosts: manage_etc_hosts true (or "template") renders /etc/hosts from the
// distro's hosts template every boot; "localhost" only makes sure the host's own names
// resolve to the loopback address, keeping every other line.
import type { Module, ModuleContext } from './types.js';
import { distroFacts } from '../distro/facts.js';
import { isJinjaTemplate, renderJinjaPart } from '../userdata/jinja.js';
import { wantedName } from './lib/hostname.js';
import { hostnameProblem } from './lib/validators.js';

// cloud-init's hosts.debian.tmpl, hosts.redhat.tmpl and hosts.suse.tmpl, rendered (used when
// the image has no template of its own).
const BUILTIN: Record<'debian' | 'redhat' | 'suse', (fqdn: string, hostname: string) => string> = {
  debian: (fqdn, hostname) =>
    [
      "# Your system has configured 'manage_etc_hosts' as True.",
      '# As a result, if you wish for changes to this file to persist',
      '# then you will need to either',
      '# a.) make changes to the master file in /etc/cloud/templates/hosts.debian.tmpl',
      "# b.) change or remove the value of 'manage_etc_hosts' in",
      '#     /etc/cloud/cloud.cfg or cloud-config from user-data',
      '#',
      `127.0.1.1 ${fqdn} ${hostname}`,
      '127.0.0.1 localhost',
      '',
      '# The following lines are desirable for IPv6 capable hosts',
      '::1 localhost ip6-localhost ip6-loopback',
      'ff02::1 ip6-allnodes',
      'ff02::2 ip6-allrouters',
      '',
      '',
    ].join('\n'),
  redhat: (fqdn, hostname) =>
    [
      "# Your system has configured 'manage_etc_hosts' as True.",
      '# As a result, if you wish for changes to this file to persist',
      '# then you will need to either',
      '# a.) make changes to the master file in /etc/cloud/templates/hosts.redhat.tmpl',
      "# b.) change or remove the value of 'manage_etc_hosts' in",
      '#     /etc/cloud/cloud.cfg or cloud-config from user-data',
      '# ',
      '# The following lines are desirable for IPv4 capable hosts',
      `127.0.0.1 ${fqdn} ${hostname}`,
      '127.0.0.1 localhost.localdomain localhost',
      '127.0.0.1 localhost4.localdomain4 localhost4',
      '',
      '# The following lines are desirable for IPv6 capable hosts',
      `::1 ${fqdn} ${hostname}`,
      '::1 localhost.localdomain localhost',
      '::1 localhost6.localdomain6 localhost6',
      '',
      '',
    ].join('\n'),
  // The suse one puts the host's names on 127.0.1.1 (as Debian) and adds ipv6-localhost
  // and the IPv6 multicast names, as openSUSE's own /etc/hosts has them.
  suse: (fqdn, hostname) =>
    [
      "# Your system has configured 'manage_etc_hosts' as True.",
      '# As a result, if you wish for changes to this file to persist',
      '# then you will need to either',
      '# a.) make changes to the master file in /etc/cloud/templates/hosts.suse.tmpl',
      "# b.) change or remove the value of 'manage_etc_hosts' in",
      '#     /etc/cloud/cloud.cfg or cloud-config from user-data',
      '#',
      '# The following lines are desirable for IPv4 capable hosts',
      `127.0.1.1 ${fqdn} ${hostname}`,
      '127.0.0.1 localhost.localdomain localhost',
      '127.0.0.1 localhost4.localdomain4 localhost4',
      '',
      '# The following lines are desirable for IPv6 capable hosts',
      `::1 ${fqdn} ${hostname}`,
      '::1 localhost.localdomain localhost',
      '::1 localhost6.localdomain6 localhost6',
      '::1 localhost ipv6-localhost ipv6-loopback',
      '',
      '',
      'fe00::0 ipv6-localnet',
      'ff00::0 ipv6-mcastprefix',
      'ff02::1 ipv6-allnodes',
      'ff02::2 ipv6-allrouters',
      'ff02::3 ipv6-allhosts',
      '',
      '',
    ].join('\n'),
};

export function renderHostsTemplate(kind: 'debian' | 'redhat' | 'suse', fqdn: string, hostname: string): string {
  return BUILTIN[kind](fqdn, hostname);
}

/**
 * /etc/hosts with `ip` carrying `fqdn` and `hostname` (pure): names already on a line of
 * that address are kept, missing ones are added to its first line, or a new line is
 * appended. Returns null when nothing has to change.
 */
export function hostsWithLocalNames(text: string, ip: string, fqdn: string, hostname: string): string | null {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const want = fqdn === hostname ? [fqdn] : [fqdn, hostname];
  const idx: number[] = [];
  const have = new Set<string>();
  lines.forEach((l, i) => {
    const words = l.replace(/#.*/, '').trim().split(/\s+/);
    if (words[0] === ip) {
      idx.push(i);
      for (const w of words.slice(1)) have.add(w);
    }
  });
  const missing = want.filter((n) => !have.has(n));
  if (missing.length === 0) return null;
  if (idx.length === 0) lines.push(`${ip} ${want.join(' ')}`);
  else {
    const i = idx[0] as number;
    const line = lines[i] as string;
    const hash = line.indexOf('#');
    lines[i] = hash < 0 ? `${line.trimEnd()} ${missing.join(' ')}` : `${line.slice(0, hash).trimEnd()} ${missing.join(' ')} ${line.slice(hash)}`;
  }
  return lines.join('\n') + '\n';
}

/**
 * The names of a host the configuration and metadata do not name, as cloud-init's
 * datasource finds them (pure): the current host name, its FQDN from a hosts line that
 * carries it, else `NAME.localdomain`.
 */
export function currentNames(current: string, hostsText: string): { hostname: string; fqdn: string } | null {
  const name = current.trim().split(/\s+/)[0] ?? '';
  if (name === '' || hostnameProblem(name) !== null) return null;
  if (name.includes('.')) return { hostname: name.split('.')[0] as string, fqdn: name };
  for (const l of hostsText.split('\n')) {
    const words = l.replace(/#.*/, '').trim().split(/\s+/);
    if (words.length > 2 && words.slice(1).includes(name) && (words[1] as string).includes('.')) return { hostname: name, fqdn: words[1] as string };
  }
  return { hostname: name, fqdn: `${name}.localdomain` };
}

/** The host's current name: the running kernel's for "/", else the tree's /etc/hostname. */
function currentHostname(ctx: ModuleContext): string {
  const fromKernel = ctx.host.root === '/' ? ctx.host.fs.readText('/proc/sys/kernel/hostname') : null;
  return (fromKernel ?? ctx.host.fs.readText('/etc/hostname') ?? '').trim();
}

function run(ctx: ModuleContext): void {
  const mode = ctx.cfg.manage_etc_hosts;
  if (mode === false || mode === undefined || mode === null) {
    ctx.log.debug('manage_etc_hosts is not set: /etc/hosts is left as it is');
    return;
  }
  if (mode !== true && mode !== 'template' && mode !== 'localhost') {
    ctx.log.error(`${ctx.source.where(['manage_etc_hosts'])}manage_etc_hosts ${JSON.stringify(mode)} is not one of true, false, 'template' or 'localhost'; /etc/hosts was left as it is`);
    return;
  }
  if (mode === 'template') ctx.log.deprecated(`${ctx.source.where(['manage_etc_hosts'])}manage_etc_hosts: 'template' is deprecated; use true`);
  let w = wantedName(ctx);
  if (w === null) {
    // As cloud-init: with no name from the configuration or the metadata, the host's current one.
    const cur = currentNames(currentHostname(ctx), ctx.host.fs.readText('/etc/hosts') ?? '');
    if (cur === null) {
      ctx.log.warn('manage_etc_hosts is set but neither the configuration, the metadata nor the current host name names this host: /etc/hosts was left as it is');
      return;
    }
    ctx.log.info(`no host name in the configuration or the metadata: /etc/hosts uses the current one, ${cur.hostname} (${cur.fqdn})`);
    w = { ...cur, name: cur.hostname };
  }
  if ('error' in w) {
    ctx.log.error(w.error.replace('the host name was not changed', '/etc/hosts was left as it is'));
    return;
  }
  const facts = distroFacts(ctx.distro);
  if (mode === 'localhost') {
    // cloud-init's Debian and openSUSE distros use 127.0.1.1 for the host's own names, rhel 127.0.0.1.
    const ip = facts.hostsTemplate === 'redhat' ? '127.0.0.1' : '127.0.1.1';
    const next = hostsWithLocalNames(ctx.host.fs.readText('/etc/hosts') ?? '', ip, w.fqdn, w.hostname);
    if (next === null) {
      ctx.log.debug(`/etc/hosts already maps ${ip} to ${w.fqdn}`);
      return;
    }
    ctx.host.fs.write('/etc/hosts', next, { mode: 0o644 });
    ctx.log.info(`/etc/hosts: ${ip} ${w.fqdn} ${w.hostname}`);
    return;
  }
  const tplPath = `/etc/cloud/templates/hosts.${facts.hostsTemplate}.tmpl`;
  const tpl = ctx.host.fs.readText(tplPath);
  let body: string;
  if (tpl !== null && isJinjaTemplate(tpl)) {
    try {
      body = renderJinjaPart(tpl, { hostname: w.hostname, fqdn: w.fqdn }, tplPath);
    } catch (e) {
      ctx.log.error(`${(e as Error).message}; /etc/hosts was left as it is`);
      return;
    }
  } else {
    if (tpl !== null) ctx.log.warn(`${tplPath} is not a '## template: jinja' template; the built-in hosts template was used`);
    body = renderHostsTemplate(facts.hostsTemplate, w.fqdn, w.hostname);
  }
  ctx.host.fs.write('/etc/hosts', body, { mode: 0o644 });
  ctx.log.info(`rendered /etc/hosts for ${w.fqdn} (${tpl !== null ? tplPath : `built-in ${facts.hostsTemplate} template`})`);
}

export const updateEtcHosts: Module = {
  name: 'update_etc_hosts',
  frequency: 'always',
  keys: ['manage_etc_hosts'],
  schema: (z) => z.object({ manage_etc_hosts: z.union([z.boolean(), z.enum(['template', 'localhost'])]).optional() }),
  examples: [
    `#cloud-config
# /etc/hosts rendered from the distro's template on every boot.
manage_etc_hosts: true
fqdn: web-1.example.org
`,
    `#cloud-config
# Only the host's own names on the loopback line; every other line kept.
manage_etc_hosts: localhost
`,
  ],
  run,
};
