// wireguard: WireGuard interfaces from `wireguard.interfaces`, once per instance, as
// cloud-init does: wireguard-tools installed when `wg` is missing (and the DKMS module
// on kernels before 5.6), the kernel module loaded, each interface's configuration
// written 0600 to its config_path, wg-quick@NAME enabled and restarted, then the
// `readinessprobe` commands run (shell lines, as runcmd's strings). Names and paths are
// checked first, so a bad entry writes nothing.
import * as posix from 'node:path/posix';
import type { Module, ModuleContext, Z } from './types.js';
import { failure, treeIsRunning } from './lib/tree-exec.js';
import { makeInstaller } from './lib/package-install.js';
import { distroFacts } from '../distro/facts.js';
import { isDict } from '../config/merge.js';

export interface WgInterface {
  name: string;
  config_path: string;
  content: string;
}

// A unit instance name and a Linux interface name: at most 15 bytes, no slash or blank.
const IFNAME = /^[A-Za-z0-9_.=+-]{1,15}$/;

/** The interfaces, checked (pure): each with its problems and key path. */
export function checkWireguard(wg: unknown): { interfaces: WgInterface[]; probes: string[]; problems: { path: (string | number)[]; message: string }[] } {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const interfaces: WgInterface[] = [];
  const probes: string[] = [];
  if (!isDict(wg)) return { interfaces, probes, problems: [{ path: ['wireguard'], message: 'wireguard must be a mapping with interfaces' }] };
  if (!Array.isArray(wg.interfaces) || wg.interfaces.length === 0) problems.push({ path: ['wireguard', 'interfaces'], message: 'wireguard.interfaces must be a non-empty list' });
  else
    wg.interfaces.forEach((it: unknown, i: number) => {
      const at = ['wireguard', 'interfaces', i];
      if (!isDict(it)) {
        problems.push({ path: at, message: 'an interface must be a mapping with name, config_path and content' });
        return;
      }
      const missing = ['name', 'config_path', 'content'].filter((k) => it[k] === undefined);
      if (missing.length > 0) problems.push({ path: at, message: `missing required wireguard interface keys: ${missing.join(', ')}` });
      for (const k of ['name', 'config_path', 'content']) if (it[k] !== undefined && typeof it[k] !== 'string') problems.push({ path: [...at, k], message: `${k} must be a string` });
      for (const k of Object.keys(it)) if (!['name', 'config_path', 'content'].includes(k)) problems.push({ path: [...at, k], message: `unknown wireguard interface key ${k}` });
      if (typeof it.name === 'string' && !IFNAME.test(it.name))
        problems.push({ path: [...at, 'name'], message: `${JSON.stringify(it.name)} is not an interface name (up to 15 letters, digits, _ . = + -)` });
      if (typeof it.config_path === 'string' && (!posix.isAbsolute(it.config_path) || it.config_path.endsWith('/')))
        problems.push({ path: [...at, 'config_path'], message: `${JSON.stringify(it.config_path)} is not an absolute file path` });
      if (typeof it.name === 'string' && typeof it.config_path === 'string' && typeof it.content === 'string') interfaces.push({ name: it.name, config_path: it.config_path, content: it.content });
    });
  const rp = wg.readinessprobe;
  if (rp !== undefined && rp !== null) {
    if (!Array.isArray(rp)) problems.push({ path: ['wireguard', 'readinessprobe'], message: 'readinessprobe must be a list of commands' });
    else
      rp.forEach((c: unknown, i: number) => {
        if (typeof c === 'string') probes.push(c);
        else problems.push({ path: ['wireguard', 'readinessprobe', i], message: `a readinessprobe must be a string, found ${JSON.stringify(c)}` });
      });
  }
  for (const k of Object.keys(wg)) if (k !== 'interfaces' && k !== 'readinessprobe') problems.push({ path: ['wireguard', k], message: `unknown wireguard key ${k}` });
  return { interfaces, probes, problems };
}

/** Whether a kernel release (`uname -r`) is older than 5.6, which has WireGuard built in. */
export function needsDkms(release: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (m === null) return false;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj < 5 || (maj === 5 && min < 6);
}

async function run(ctx: ModuleContext): Promise<void> {
  const wg = ctx.cfg.wireguard;
  if (wg === null) {
    ctx.log.debug('wireguard is empty: nothing to do');
    return;
  }
  const c = checkWireguard(wg);
  if (c.problems.length > 0) {
    for (const p of c.problems) ctx.log.error(`${ctx.source.where(p.path)}${p.message}`);
    throw new Error(`wireguard: ${c.problems.length} problem(s) in the configuration; no interface was configured`);
  }
  // wg-quick's units are systemd's; cloud-init's service commands elsewhere name a unit that does not exist.
  if (distroFacts(ctx.distro).initSystem !== 'systemd') throw new Error('wireguard: not supported: wg-quick@ interfaces without systemd; nothing was written');
  const running = treeIsRunning(ctx);
  if (!ctx.host.exec.has('wg')) {
    const pkgs = ['wireguard-tools'];
    // The running kernel is the tree's only when the tree is the running system.
    if (running && needsDkms(ctx.host.sysfs.uname().release)) pkgs.push('wireguard');
    const { installer, problems } = makeInstaller(ctx);
    for (const p of problems) ctx.log.warn(p);
    if (installer === null) throw new Error(`wireguard: wg is not installed and there is no package manager to install ${pkgs.join(', ')}`);
    const r = await installer.install(
      pkgs.map((name) => ({ name })),
      { apt: [], snap: [] },
    );
    if (r.failed.length > 0) throw new Error(`wireguard: could not install ${r.failed.join(', ')}: ${r.problems.join('; ')}`);
  }
  if (running) {
    const mods = ctx.host.exec.run(['lsmod']);
    if (mods.recorded || !/wireguard/.test(mods.stdout)) {
      const why = failure(ctx.host.exec.run(['modprobe', 'wireguard']));
      if (why !== null) throw new Error(`wireguard: modprobe wireguard failed: ${why}`);
    }
  }
  for (const it of c.interfaces) {
    ctx.host.fs.write(it.config_path, it.content, { mode: 0o600 });
    ctx.log.info(`wireguard: wrote ${it.config_path} for ${it.name}`);
    const unit = `wg-quick@${it.name}`;
    const steps = [
      ['systemctl', 'enable', unit],
      ['systemctl', 'restart', unit],
    ];
    for (const argv of steps) {
      const why = failure(ctx.host.exec.run(argv, { output: 'log' }));
      if (why !== null) throw new Error(`wireguard: enabling ${unit} failed: ${argv.join(' ')}: ${why}`);
    }
  }
  const failed: string[] = [];
  for (const probe of c.probes) {
    const why = failure(ctx.host.exec.run(['sh', '-c', probe], { output: 'log' }));
    if (why !== null) failed.push(`${JSON.stringify(probe)}: ${why}`);
  }
  if (failed.length > 0) throw new Error(`wireguard: readinessprobe failed: ${failed.join('; ')}`);
}

export const wireguard: Module = {
  name: 'wireguard',
  frequency: 'once-per-instance',
  keys: ['wireguard'],
  rerunAfterInterruption: true,
  schema: (z: Z) =>
    z.object({
      wireguard: z
        .object({
          interfaces: z.array(z.object({ name: z.string().optional(), config_path: z.string().optional(), content: z.string().optional() }).strict()).min(1),
          readinessprobe: z.array(z.string()).optional(),
        })
        .strict()
        .nullable()
        .optional(),
    }),
  examples: [
    `#cloud-config
wireguard:
  interfaces:
    - name: wg0
      config_path: /etc/wireguard/wg0.conf
      content: |
        [Interface]
        PrivateKey = <private_key>
        Address = 192.168.254.1/32
        [Peer]
        PublicKey = <public_key>
        Endpoint = 192.0.2.10:51820
        AllowedIPs = 192.168.254.2/32
  readinessprobe:
    - 'systemctl restart service'
    - 'curl https://webhook.endpoint/example'
    - 'nc -zv some-service-fqdn 443'
`,
  ],
  run,
};
