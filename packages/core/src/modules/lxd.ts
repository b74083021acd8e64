// lxd: LXD set up from `lxd` (init, bridge, preseed), once per instance, on Ubuntu, as
// cloud-init 25.x does it: wait for snapd seeding, install lxd from the snap store when
// the image lacks it, install the tools the storage backend needs (zfsutils-linux,
// lvm2, btrfs-progs), `lxd waitready`, then either `lxd init --preseed` with the preseed
// on stdin, or `lxd init --auto` with the init options followed by the bridge: through
// debconf on images with the old lxd-bridge package, else with `lxc network` commands.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { loadYaml } from '../yaml/load.js';
import { failure } from './lib/tree-exec.js';
import { agentReachesTree } from './lib/agent-target.js';
import { waitForSnapSeeded } from './lib/snap-seeded.js';
import { makeInstaller } from './lib/package-install.js';

export const LXD_DISTROS = ['ubuntu'] as const;
const DEFAULT_BRIDGE = 'lxdbr0';
const INIT_KEYS = ['network_address', 'network_port', 'storage_backend', 'storage_create_device', 'storage_create_loop', 'storage_pool', 'trust_password'] as const;
const BRIDGE_KEYS = [
  'mode',
  'name',
  'mtu',
  'ipv4_address',
  'ipv4_netmask',
  'ipv4_dhcp_first',
  'ipv4_dhcp_last',
  'ipv4_dhcp_leases',
  'ipv4_nat',
  'ipv6_address',
  'ipv6_netmask',
  'ipv6_nat',
  'domain',
] as const;

const lxdSchema = (z: Z) =>
  z.object({
    lxd: z
      .object({
        init: z
          .object({
            network_address: z.string().optional(),
            network_port: z.number().int().optional(),
            storage_backend: z.enum(['zfs', 'dir', 'lvm', 'btrfs']).optional(),
            storage_create_device: z.string().optional(),
            storage_create_loop: z.number().int().optional(),
            storage_pool: z.string().optional(),
            trust_password: z.string().optional(),
          })
          .strict()
          .optional(),
        bridge: z
          .object({
            mode: z.enum(['none', 'existing', 'new']),
            name: z.string().optional(),
            mtu: z.number().int().min(-1).optional(),
            ipv4_address: z.string().optional(),
            ipv4_netmask: z.number().int().optional(),
            ipv4_dhcp_first: z.string().optional(),
            ipv4_dhcp_last: z.string().optional(),
            ipv4_dhcp_leases: z.number().int().optional(),
            ipv4_nat: z.boolean().optional(),
            ipv6_address: z.string().optional(),
            ipv6_netmask: z.number().int().optional(),
            ipv6_nat: z.boolean().optional(),
            domain: z.string().optional(),
          })
          .strict()
          .optional(),
        preseed: z.string().optional(),
      })
      .strict()
      .optional(),
  });

type Dict = Record<string, unknown>;

/** Python's truthiness for a configuration value. */
function truthy(v: unknown): boolean {
  return !(v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (isDict(v) && Object.keys(v).length === 0));
}

/** `lxd init --auto` with each set init option as `--name=value` (pure). */
export function lxdInitArgv(init: Dict): string[] {
  const argv = ['lxd', 'init', '--auto'];
  for (const k of INIT_KEYS) if (truthy(init[k])) argv.push(`--${k.replace(/_/g, '-')}=${String(init[k])}`);
  return argv;
}

// cloud-init compares the NAT switches with the text "true"; a YAML boolean is what
// its schema asks for, so both spellings count here (docs/compat.md).
function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}

/** The `lxc` words that create and attach the bridge, null when there is nothing to do (pure). */
export function bridgeCommands(b: Dict): { create: string[] | null; attach: string[] | null } {
  if (b.mode === 'none') return { create: null, attach: null };
  const name = typeof b.name === 'string' ? b.name : DEFAULT_BRIDGE;
  const attach = ['network', 'attach-profile', name, 'default', 'eth0'];
  if (b.mode === 'existing') return { create: null, attach };
  if (b.mode !== 'new') throw new Error(`invalid bridge mode ${JSON.stringify(b.mode)} (none, existing or new)`);
  const create = ['network', 'create', name];
  if (truthy(b.ipv4_address) && truthy(b.ipv4_netmask)) {
    create.push(`ipv4.address=${String(b.ipv4_address)}/${String(b.ipv4_netmask)}`);
    // Unset, cloud-init NATs the IPv4 network (as LXD does for a new bridge).
    if (b.ipv4_nat === undefined || isTrue(b.ipv4_nat)) create.push('ipv4.nat=true');
    if (truthy(b.ipv4_dhcp_first) && truthy(b.ipv4_dhcp_last)) create.push(`ipv4.dhcp.ranges=${String(b.ipv4_dhcp_first)}-${String(b.ipv4_dhcp_last)}`);
  } else create.push('ipv4.address=none');
  if (truthy(b.ipv6_address) && truthy(b.ipv6_netmask)) {
    create.push(`ipv6.address=${String(b.ipv6_address)}/${String(b.ipv6_netmask)}`);
    if (isTrue(b.ipv6_nat)) create.push('ipv6.nat=true');
  } else create.push('ipv6.address=none');
  if (truthy(b.domain)) create.push(`dns.domain=${String(b.domain)}`);
  const mtu = b.mtu ?? -1;
  if (mtu !== -1) create.push(`bridge.mtu=${String(mtu)}`);
  return { create, attach };
}

/** The debconf answers of the old lxd-bridge package for a bridge (pure); unset values are left out. */
export function bridgeDebconf(b: Dict): [string, string][] {
  const out: [string, string][] = [];
  const set = (k: string, v: unknown) => {
    if (v !== undefined && v !== null) out.push([k, String(v)]);
  };
  if (b.mode === 'none') {
    set('lxd/setup-bridge', 'false');
    set('lxd/bridge-name', '');
  } else if (b.mode === 'existing') {
    set('lxd/setup-bridge', 'false');
    set('lxd/use-existing-bridge', 'true');
    set('lxd/bridge-name', b.name);
  } else if (b.mode === 'new') {
    set('lxd/setup-bridge', 'true');
    if (truthy(b.name)) set('lxd/bridge-name', b.name);
    if (truthy(b.ipv4_address)) {
      set('lxd/bridge-ipv4', 'true');
      set('lxd/bridge-ipv4-address', b.ipv4_address);
      set('lxd/bridge-ipv4-netmask', b.ipv4_netmask);
      set('lxd/bridge-ipv4-dhcp-first', b.ipv4_dhcp_first);
      set('lxd/bridge-ipv4-dhcp-last', b.ipv4_dhcp_last);
      set('lxd/bridge-ipv4-dhcp-leases', b.ipv4_dhcp_leases);
      set('lxd/bridge-ipv4-nat', b.ipv4_nat ?? 'true');
    }
    if (truthy(b.ipv6_address)) {
      set('lxd/bridge-ipv6', 'true');
      set('lxd/bridge-ipv6-address', b.ipv6_address);
      set('lxd/bridge-ipv6-netmask', b.ipv6_netmask);
      set('lxd/bridge-ipv6-nat', b.ipv6_nat ?? 'false');
    }
    if (truthy(b.domain)) set('lxd/bridge-domain', b.domain);
  } else throw new Error(`invalid bridge mode ${JSON.stringify(b.mode)} (none, existing or new)`);
  return out;
}

/** The storage drivers the configuration asks for (init's backend, the preseed's pools). */
function storageDrivers(ctx: ModuleContext, init: Dict, preseed: string): string[] {
  const drivers: string[] = [];
  if (typeof init.storage_backend === 'string') drivers.push(init.storage_backend);
  if (preseed !== '' && preseed.includes('storage_pools')) {
    let doc: unknown = null;
    try {
      doc = loadYaml(preseed, 'lxd.preseed').value;
    } catch {
      ctx.log.warn('lxd.preseed is not YAML: the storage driver packages its storage_pools need cannot be told');
    }
    const pools = isDict(doc) && Array.isArray(doc.storage_pools) ? doc.storage_pools : [];
    for (const p of pools) if (isDict(p) && typeof p.driver === 'string' && p.driver !== '') drivers.push(p.driver);
  }
  return drivers;
}

function lxc(ctx: ModuleContext, words: string[]): ReturnType<ModuleContext['host']['exec']['run']> {
  // As cloud-init under systemd: C messages, root's home and name.
  return ctx.host.exec.run(['lxc', ...words, '--force-local'], { env: { LC_ALL: 'C', HOME: '/root', USER: 'root' }, output: 'log' });
}

function runOrFail(ctx: ModuleContext, argv: string[], opts: { stdin?: string } = {}): void {
  const why = failure(ctx.host.exec.run(argv, { output: 'log', ...opts }));
  if (why !== null) throw new Error(`lxd: ${argv[0] === 'lxd' && argv.some((a) => a.startsWith('--trust-password=')) ? 'lxd init --auto' : argv.join(' ')} failed: ${why}`);
}

function lxcOrFail(ctx: ModuleContext, words: string[]): void {
  const why = failure(lxc(ctx, words));
  if (why !== null) throw new Error(`lxd: lxc ${words.join(' ')} failed: ${why}`);
}

async function run(ctx: ModuleContext): Promise<void> {
  if (!agentReachesTree(ctx, 'lxd')) return;
  const cfg = ctx.cfg.lxd;
  if (!truthy(cfg)) {
    ctx.log.debug('lxd is empty: nothing to set up');
    return;
  }
  if (!isDict(cfg)) throw new Error(`${ctx.source.where(['lxd'])}lxd must be a mapping (init, bridge, preseed)`);
  const problems: string[] = [];
  const unknown = Object.keys(cfg).filter((k) => !['init', 'bridge', 'preseed'].includes(k));
  for (const k of unknown) problems.push(`${ctx.source.where(['lxd', k])}lxd.${k} is not an lxd key (init, bridge, preseed)`);
  const init = cfg.init ?? {};
  const bridge = cfg.bridge ?? {};
  const preseed = cfg.preseed ?? '';
  if (!isDict(init)) problems.push(`${ctx.source.where(['lxd', 'init'])}lxd.init must be a mapping`);
  if (!isDict(bridge)) problems.push(`${ctx.source.where(['lxd', 'bridge'])}lxd.bridge must be a mapping`);
  if (typeof preseed !== 'string') problems.push(`${ctx.source.where(['lxd', 'preseed'])}lxd.preseed must be a string (the YAML given to lxd init --preseed)`);
  if (isDict(init))
    for (const k of Object.keys(init).filter((x) => !(INIT_KEYS as readonly string[]).includes(x)))
      problems.push(`${ctx.source.where(['lxd', 'init', k])}lxd.init.${k} is not an lxd init key (${INIT_KEYS.join(', ')})`);
  if (isDict(bridge)) {
    for (const k of Object.keys(bridge).filter((x) => !(BRIDGE_KEYS as readonly string[]).includes(x)))
      problems.push(`${ctx.source.where(['lxd', 'bridge', k])}lxd.bridge.${k} is not an lxd bridge key`);
    if (truthy(bridge) && !['none', 'existing', 'new'].includes(bridge.mode as string))
      problems.push(`${ctx.source.where(['lxd', 'bridge', ...(bridge.mode === undefined ? [] : ['mode'])])}lxd.bridge.mode must be none, existing or new`);
    for (const k of ['name', 'ipv4_address', 'ipv4_dhcp_first', 'ipv4_dhcp_last', 'ipv6_address', 'domain']) {
      const v = bridge[k];
      if (v !== undefined && (typeof v !== 'string' || /[\s\0]/.test(v) || v.startsWith('-'))) problems.push(`${ctx.source.where(['lxd', 'bridge', k])}lxd.bridge.${k} must be one word`);
    }
  }
  if (typeof preseed === 'string' && preseed !== '' && (truthy(init) || truthy(bridge))) {
    problems.push(`${ctx.source.where(['lxd', 'preseed'])}lxd.preseed cannot be given with ${[truthy(init) ? 'lxd.init' : '', truthy(bridge) ? 'lxd.bridge' : ''].filter(Boolean).join(', ')}`);
  }
  if (problems.length > 0) {
    for (const p of problems) ctx.log.error(p);
    throw new Error('lxd was not set up');
  }
  const initCfg = init as Dict;
  const bridgeCfg = bridge as Dict;
  const preseedText = preseed as string;
  waitForSnapSeeded(ctx);
  if (!ctx.host.exec.has('lxd')) {
    const why = failure(ctx.host.exec.run(['snap', 'install', 'lxd'], { output: 'log' }));
    if (why !== null) throw new Error(`lxd: installing lxd from the snap store failed: ${why}`);
  }
  const tools: Record<string, [string, string]> = { zfs: ['zfs', 'zfsutils-linux'], lvm: ['lvcreate', 'lvm2'], btrfs: ['mkfs.btrfs', 'btrfs-progs'] };
  const drivers = storageDrivers(ctx, initCfg, preseedText);
  const packages = Object.entries(tools)
    .filter(([d, [tool]]) => drivers.includes(d) && !ctx.host.exec.has(tool))
    .map(([, [, pkg]]) => pkg);
  if (packages.length > 0) {
    const { installer, problems: none } = makeInstaller(ctx);
    const r =
      installer === null
        ? { failed: packages, problems: none }
        : await installer.install(
            packages.map((name) => ({ name })),
            { apt: [], snap: [] },
          );
    if (r.failed.length > 0) {
      ctx.log.warn(`lxd: failed to install packages ${packages.join(', ')} (${r.problems.join('; ')}); lxd was not set up`);
      return;
    }
  }
  runOrFail(ctx, ['lxd', 'waitready', '--timeout=300']);
  if (preseedText !== '') {
    runOrFail(ctx, ['lxd', 'init', '--preseed'], { stdin: preseedText });
    return;
  }
  if (truthy(initCfg)) {
    const argv = lxdInitArgv(initCfg);
    const r = ctx.host.exec.run(argv, { output: 'log' });
    const why = failure(r);
    if (why !== null) {
      if (initCfg.storage_backend !== 'lvm') throw new Error(`lxd: lxd init --auto failed: ${why}`);
      // Minimal Ubuntu kernels lack thin provisioning (LP #1982780): a plain LVM pool, then init without the backend.
      ctx.log.info('lxd init with the lvm backend failed; creating the default pool without thin provisioning and trying again');
      runOrFail(ctx, ['lxc', 'storage', 'create', 'default', 'lvm', 'lvm.use_thinpool=false']);
      runOrFail(
        ctx,
        argv.filter((a) => !a.startsWith('--storage-backend')),
      );
    }
  }
  if (!truthy(bridgeCfg)) return;
  const name = typeof bridgeCfg.name === 'string' ? bridgeCfg.name : DEFAULT_BRIDGE;
  if (ctx.host.fs.exists('/etc/default/lxd-bridge') && ctx.host.exec.has('debconf-communicate')) {
    const answers = bridgeDebconf(bridgeCfg);
    const r = ctx.host.exec.run(['debconf-communicate'], { stdin: answers.map(([k, v]) => `set ${k} ${v}`).join('\n') + '\n' });
    const why = failure(r);
    if (why !== null) ctx.log.warn(`lxd: debconf-communicate failed: ${why}`);
    ctx.host.fs.remove('/etc/default/lxd-bridge');
    runOrFail(ctx, ['dpkg-reconfigure', 'lxd', '--frontend=noninteractive']);
    return;
  }
  const { create, attach } = bridgeCommands(bridgeCfg);
  // `lxd init --auto` makes an lxdbr0 of its own in newer LXD: take it away before
  // creating or attaching ours under that name.
  if (name === DEFAULT_BRIDGE && truthy(initCfg)) {
    if (create !== null) {
      const r = lxc(ctx, ['network', 'detach-profile', name, 'default']);
      const why = failure(r);
      if (why === null) lxcOrFail(ctx, ['network', 'delete', name]);
      else if (r.code !== 1) throw new Error(`lxd: lxc network detach-profile ${name} default failed: ${why}`);
    }
    if (attach !== null) {
      const r = lxc(ctx, ['profile', 'device', 'remove', 'default', 'eth0']);
      const why = failure(r);
      if (why !== null && r.code !== 1) throw new Error(`lxd: lxc profile device remove default eth0 failed: ${why}`);
    }
  }
  if (create !== null) lxcOrFail(ctx, create);
  if (attach !== null) lxcOrFail(ctx, attach);
}

export const lxd: Module = {
  name: 'lxd',
  frequency: 'once-per-instance',
  distros: LXD_DISTROS,
  keys: ['lxd'],
  schema: lxdSchema,
  examples: [
    '#cloud-config\nlxd:\n  init:\n    network_address: 0.0.0.0\n    network_port: 8443\n    storage_backend: zfs\n    storage_pool: datapool\n    storage_create_loop: 10\n  bridge:\n    mode: new\n    mtu: 1500\n    name: lxdbr0\n    ipv4_address: 10.0.8.1\n    ipv4_netmask: 24\n    ipv4_dhcp_first: 10.0.8.2\n    ipv4_dhcp_last: 10.0.8.3\n    ipv4_dhcp_leases: 250\n    ipv4_nat: true\n    ipv6_address: fd98:9e0:3744::1\n    ipv6_netmask: 64\n    ipv6_nat: true\n    domain: lxd\n',
    '#cloud-config\nlxd:\n  init:\n    storage_backend: btrfs\n',
    '#cloud-config\nlxd:\n  preseed: |\n    config:\n      core.https_address: 192.168.1.1:9999\n    networks:\n      - config:\n          ipv4.address: 10.42.42.1/24\n          ipv4.nat: true\n          ipv6.address: fd42:4242:4242:4242::1/64\n          ipv6.nat: true\n        description: ""\n        name: lxdbr0\n        type: bridge\n        project: default\n    storage_pools:\n      - config:\n          size: 5GiB\n          source: /var/snap/lxd/common/lxd/disks/default.img\n        description: ""\n        name: default\n        driver: zfs\n    profiles:\n      - config: {}\n        description: Default LXD profile\n        devices:\n          eth0:\n            name: eth0\n            network: lxdbr0\n            type: nic\n          root:\n            path: /\n            pool: default\n            type: disk\n        name: default\n      - config: {}\n        security.nesting: true\n        devices:\n          eth0:\n            name: eth0\n            network: lxdbr0\n            type: nic\n          root:\n            path: /\n            pool: default\n            type: disk\n        name: nested\n    projects:\n      - config:\n          features.images: true\n          features.networks: true\n          features.profiles: true\n          features.storage.volumes: true\n        description: Default LXD project\n        name: default\n      - config:\n          features.images: false\n          features.networks: true\n          features.profiles: false\n          features.storage.volumes: false\n        description: Limited Access LXD project\n        name: limited\n',
  ],
  run,
};
