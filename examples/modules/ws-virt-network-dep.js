// ws_virt_network_dep: an example of an in-house nimbus module (a model for what used
// to be a cc_*.py dropped into cloud-init). It gives hosts extra virtual IPs, per host
// and per port, each with its own gateway through source-based routing:
//
//   ws_virt_network_dep:
//     web-1:                      # this instance's host name (short or FQDN), or "*"
//       eth0:
//         - {ip: 192.0.2.10, netmask: 255.255.255.0, gateway: 192.0.2.1}
//         - {ip: 192.0.2.11, netmask: 255.255.255.0}
//
// Install: copy to /etc/cloud/modules.d/ws-virt-network-dep.js (owned by root, mode
// 0644), and list ws_virt_network_dep in a module list of cloud.cfg, e.g. in
// /etc/cloud/cloud.cfg.d/90-ws.cfg. Addresses do not survive a reboot, so the module
// runs on every boot ('always'). Every value is checked before it reaches `ip`, and
// `ip` is run with an argv through ctx.host.exec, so --exec record shows what it does.
'use strict';
const net = require('node:net');

const NAME = 'ws_virt_network_dep';
const PORT_NAME = /^[A-Za-z0-9_.-]{1,15}$/;

/** 255.255.255.0 -> 24; null when not a contiguous IPv4 netmask. */
function prefixOf(mask) {
  if (!net.isIPv4(mask)) return null;
  const n = mask.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const bits = n.toString(2).padStart(32, '0');
  return /^1*0*$/.test(bits) ? bits.indexOf('0') === -1 ? 32 : bits.indexOf('0') : null;
}

function toInt(ip) {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function sameSubnet(a, b, prefix) {
  const size = 2 ** (32 - prefix);
  return Math.floor(toInt(a) / size) === Math.floor(toInt(b) / size);
}

/** The plan for this host (pure): [{port, ip, prefix, gateway, table, label}] and problems with their key path. */
function plan(cfg, hostNames) {
  const out = [];
  const problems = [];
  if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) return { vips: out, problems: [{ path: [NAME], message: `${NAME} must map host names to ports` }] };
  const hostKey = hostNames.find((h) => Object.prototype.hasOwnProperty.call(cfg, h)) ?? (Object.prototype.hasOwnProperty.call(cfg, '*') ? '*' : null);
  if (hostKey === null) return { vips: out, problems, hostKey };
  const ports = cfg[hostKey];
  if (ports === null || typeof ports !== 'object' || Array.isArray(ports)) return { vips: out, problems: [{ path: [NAME, hostKey], message: 'expected a mapping of ports to virtual IP lists' }], hostKey };
  let table = 100;
  for (const [port, list] of Object.entries(ports)) {
    if (!PORT_NAME.test(port)) {
      problems.push({ path: [NAME, hostKey, port], message: `${JSON.stringify(port)} is not an interface name` });
      continue;
    }
    if (!Array.isArray(list)) {
      problems.push({ path: [NAME, hostKey, port], message: 'expected a list of {ip, netmask, gateway}' });
      continue;
    }
    list.forEach((v, i) => {
      const path = [NAME, hostKey, port, i];
      if (v === null || typeof v !== 'object') return problems.push({ path, message: 'expected {ip, netmask, gateway}' });
      if (!net.isIPv4(String(v.ip))) return problems.push({ path, message: `ip ${JSON.stringify(v.ip)} is not an IPv4 address` });
      const prefix = v.netmask === undefined ? 32 : prefixOf(String(v.netmask));
      if (prefix === null) return problems.push({ path, message: `netmask ${JSON.stringify(v.netmask)} is not an IPv4 netmask` });
      if (v.gateway !== undefined && v.gateway !== null) {
        if (!net.isIPv4(String(v.gateway))) return problems.push({ path, message: `gateway ${JSON.stringify(v.gateway)} is not an IPv4 address` });
        if (!sameSubnet(v.ip, v.gateway, prefix)) return problems.push({ path, message: `gateway ${v.gateway} is not in ${v.ip}/${prefix}` });
      }
      out.push({ port, ip: v.ip, prefix, gateway: v.gateway ?? null, table: v.gateway ? table++ : null, label: `${port}:v${i}`.slice(0, 15) });
    });
  }
  return { vips: out, problems, hostKey };
}

module.exports = ({ z }) => ({
  name: NAME,
  frequency: 'always',
  keys: [NAME],
  schema: z.object({
    [NAME]: z
      .record(
        z.string(),
        z.record(z.string(), z.array(z.object({ ip: z.string(), netmask: z.string().optional(), gateway: z.string().optional() }))),
      )
      .optional(),
  }),
  plan,
  run(ctx) {
    const cfgHost = typeof ctx.cfg.hostname === 'string' ? ctx.cfg.hostname : undefined;
    const fqdn = typeof ctx.cfg.fqdn === 'string' ? ctx.cfg.fqdn : ctx.ds.localHostname;
    const names = [cfgHost, fqdn, fqdn && fqdn.split('.')[0]].filter((n) => typeof n === 'string' && n !== '');
    const { vips, problems, hostKey } = plan(ctx.cfg[NAME], names);
    for (const p of problems) ctx.log.error(`${ctx.source.where(p.path)}${p.path.join('.')}: ${p.message}; skipped`);
    if (hostKey === null || hostKey === undefined) {
      ctx.log.info(`no virtual IPs for ${names.join(' / ') || 'this host'}`);
      return;
    }
    const present = new Set(ctx.host.sysfs.netNames());
    for (const v of vips) {
      if (!present.has(v.port)) {
        ctx.log.warn(`${ctx.source.where([NAME, hostKey, v.port])}port ${v.port} does not exist on this host; ${v.ip} was not added`);
        continue;
      }
      const cmds = [['ip', 'addr', 'replace', `${v.ip}/${v.prefix}`, 'dev', v.port, 'label', v.label]];
      if (v.table !== null) {
        cmds.push(['ip', 'route', 'replace', 'default', 'via', v.gateway, 'dev', v.port, 'table', String(v.table)]);
        cmds.push(['ip', 'rule', 'del', 'from', `${v.ip}/32`, 'table', String(v.table)]);
        cmds.push(['ip', 'rule', 'add', 'from', `${v.ip}/32`, 'table', String(v.table), 'priority', String(1000 + v.table)]);
      }
      for (const [i, argv] of cmds.entries()) {
        const r = ctx.host.exec.run(argv);
        // Deleting a rule that is not there yet is expected to fail on the first boot.
        if (!r.recorded && (r.error !== undefined || r.code !== 0) && !(argv[2] === 'del' && i === 2)) {
          ctx.log.error(`${argv.join(' ')} failed: ${r.error ?? r.stderr.trim() ?? `exit ${r.code}`}`);
        }
      }
      ctx.log.info(`${v.ip}/${v.prefix} on ${v.port}${v.gateway ? ` via ${v.gateway} (table ${v.table})` : ''}`);
    }
  },
});
