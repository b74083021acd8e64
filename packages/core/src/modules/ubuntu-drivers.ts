// ubuntu_drivers: NVIDIA drivers from `drivers.nvidia`, once per instance, on Ubuntu,
// as cloud-init 25.x installs them: only when license-accepted is true (or yes/on/1),
// ubuntu-drivers-common installed when ubuntu-drivers is missing, the
// linux/nvidia/latelink debconf template loaded (so linux-restricted-modules accepts
// the EULA and links the modules), then `ubuntu-drivers install --gpgpu nvidia[:version]`.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { failure } from './lib/tree-exec.js';
import { agentReachesTree } from './lib/agent-target.js';
import { makeInstaller } from './lib/package-install.js';

export const UBUNTU_DRIVERS_DISTROS = ['ubuntu'] as const;

export const NVIDIA_DEBCONF_TEMPLATE = [
  'Template: linux/nvidia/latelink',
  'Type: boolean',
  'Default: true',
  'Description: Late-link NVIDIA kernel modules?',
  ' Enable this to link the NVIDIA kernel modules in cloud-init and',
  ' make them available for use.',
  '',
].join('\n');

const driversSchema = (z: Z) =>
  z.object({
    drivers: z
      .object({ nvidia: z.object({ 'license-accepted': z.boolean(), version: z.string().optional() }).strict().optional() })
      .strict()
      .optional(),
  });

/** cloud-init's translate_bool: true, or 1/on/yes/true in any case (pure). */
export function accepted(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0) return false;
  if (v === true) return true;
  return ['1', 'on', 'yes', 'true'].includes(String(v).toLowerCase().trim());
}

async function run(ctx: ModuleContext): Promise<void> {
  if (!agentReachesTree(ctx, 'ubuntu_drivers')) return;
  const cfg = ctx.cfg.drivers;
  if (!isDict(cfg)) throw new Error(`${ctx.source.where(['drivers'])}drivers must be a mapping (nvidia)`);
  const extra = Object.keys(cfg).filter((k) => k !== 'nvidia');
  if (extra.length > 0) throw new Error(`${ctx.source.where(['drivers', extra[0] as string])}drivers.${extra[0]} is not a drivers key (nvidia); nothing was done`);
  const nv = cfg.nvidia;
  if (nv !== undefined && nv !== null && !isDict(nv)) throw new Error(`${ctx.source.where(['drivers', 'nvidia'])}drivers.nvidia must be a mapping (license-accepted, version)`);
  if (!isDict(nv) || !accepted(nv['license-accepted'])) {
    ctx.log.debug(`not installing NVIDIA drivers: drivers.nvidia.license-accepted is ${JSON.stringify(isDict(nv) ? (nv['license-accepted'] ?? null) : null)}`);
    return;
  }
  const version = nv.version;
  if (version !== undefined && version !== null && !(typeof version === 'string' || typeof version === 'number'))
    throw new Error(`${ctx.source.where(['drivers', 'nvidia', 'version'])}drivers.nvidia.version must be a version such as "535"`);
  if ((typeof version === 'string' || typeof version === 'number') && !/^[A-Za-z0-9._-]*$/.test(String(version)))
    throw new Error(`${ctx.source.where(['drivers', 'nvidia', 'version'])}drivers.nvidia.version ${JSON.stringify(version)} is not a driver version; nothing was done`);
  // cloud-init needs python3-debconf to talk to debconf; nimbus needs debconf-communicate.
  if (!ctx.host.exec.has('debconf-communicate')) {
    ctx.log.warn('ubuntu_drivers: this image has no debconf-communicate (package debconf); the NVIDIA drivers were not installed');
    return;
  }
  if (!ctx.host.exec.has('ubuntu-drivers')) {
    ctx.log.debug('no ubuntu-drivers command: installing ubuntu-drivers-common');
    const { installer, problems } = makeInstaller(ctx);
    const r = installer === null ? { failed: ['ubuntu-drivers-common'], problems } : await installer.install([{ name: 'ubuntu-drivers-common' }], { apt: [], snap: [] });
    if (r.failed.length > 0) throw new Error(`ubuntu_drivers: failed to install ubuntu-drivers-common: ${r.problems.join('; ')}`);
  }
  const driver = version === undefined || version === null || version === '' ? 'nvidia' : `nvidia:${String(version)}`;
  ctx.log.debug(`installing and activating NVIDIA drivers (version ${driver === 'nvidia' ? 'latest' : String(version)})`);
  const dir = `/var/tmp/cloud-init/nimbus-nvidia-${process.pid}`;
  const template = `${dir}/nvidia.template`;
  try {
    ctx.host.fs.mkdir(dir, 0o700);
    ctx.host.fs.write(template, NVIDIA_DEBCONF_TEMPLATE, { mode: 0o644 });
    const r = ctx.host.exec.run(['debconf-communicate', '-fnoninteractive', 'cloud-init'], { stdin: `X_LOADTEMPLATEFILE ${ctx.host.exec.pathFor(template)}\n` });
    const why = failure(r) ?? (r.recorded || r.stdout.startsWith('0') || r.stdout === '' ? null : r.stdout.trim());
    if (why !== null) throw new Error(`ubuntu_drivers: failed to register the NVIDIA debconf template: ${why}`);
  } finally {
    ctx.host.fs.remove(template);
    ctx.host.fs.remove(dir);
  }
  const r = ctx.host.exec.run(['ubuntu-drivers', 'install', '--gpgpu', driver]);
  const why = failure(r);
  if (why === null) return;
  if (r.stderr.includes("ubuntu-drivers: error: argument <command>: invalid choice: 'install'"))
    ctx.log.warn('the available version of ubuntu-drivers is too old to perform requested driver installation');
  else if (r.stdout.includes('No drivers found for installation.')) ctx.log.warn('ubuntu-drivers found no drivers for installation');
  throw new Error(`ubuntu_drivers: ubuntu-drivers install --gpgpu ${driver} failed: ${why}`);
}

export const ubuntuDrivers: Module = {
  name: 'ubuntu_drivers',
  frequency: 'once-per-instance',
  distros: UBUNTU_DRIVERS_DISTROS,
  keys: ['drivers'],
  schema: driversSchema,
  examples: ['#cloud-config\ndrivers:\n  nvidia:\n    license-accepted: true\n', "#cloud-config\ndrivers:\n  nvidia:\n    license-accepted: true\n    version: '535'\n"],
  run,
};
