// package_update_upgrade_install: refresh the package indexes, upgrade what is
// installed, install `packages:` with the distro's package manager (apt-get, dnf/yum,
// zypper, apk; snap for `snap:` lists), and reboot when an upgrade or install asks for
// it, once per instance. Every package word is checked before it reaches an argv: none
// can be read as an option.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { argProblem, type PackageSpec } from './lib/package-manager.js';
import { makeInstaller } from './lib/package-install.js';

const REBOOT_MARKERS = ['/var/run/reboot-required', '/run/reboot-needed'];
const REBOOT_WAIT_MS = 60_000;

export const packageSchema = (z: Z) => {
  const item = z.union([z.string(), z.tuple([z.string(), z.string()])]);
  return z.object({
    packages: z
      .array(z.union([z.object({ apt: z.array(item).optional(), snap: z.array(item).optional() }).strict(), item]))
      .min(1)
      .optional(),
    package_update: z.boolean().optional(),
    package_upgrade: z.boolean().optional(),
    package_reboot_if_required: z.boolean().optional(),
    apt_update: z.boolean().optional(),
    apt_upgrade: z.boolean().optional(),
    apt_reboot_if_required: z.boolean().optional(),
  });
};

type Path = (string | number)[];

export interface PackageRequest {
  generic: PackageSpec[];
  apt: PackageSpec[];
  snap: PackageSpec[];
}

/**
 * `packages:` read into specs (pure): names, `[name, version]` pairs, `{apt: [...],
 * snap: [...]}` maps. A bad entry is left out with its key path and why; duplicates
 * are kept once, as cloud-init's sets do.
 */
export function readPackages(v: unknown): { request: PackageRequest; problems: { path: Path; message: string }[] } {
  const request: PackageRequest = { generic: [], apt: [], snap: [] };
  const problems: { path: Path; message: string }[] = [];
  if (v === undefined || v === null) return { request, problems };
  if (!Array.isArray(v))
    return { request, problems: [{ path: ['packages'], message: 'packages must be a list of package names, [name, version] pairs or {apt: [...], snap: [...]} maps; nothing was installed' }] };
  const spec = (x: unknown, path: Path, snap: boolean): PackageSpec | null => {
    const bad = (why: string) => {
      problems.push({ path, message: `${path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')} ${JSON.stringify(x)}: ${why}; left out` });
      return null;
    };
    let name: unknown;
    let version: unknown;
    if (typeof x === 'string') name = x;
    else if (Array.isArray(x) && x.length === 2) [name, version] = x;
    else return bad('expected a package name or a [name, version] pair');
    if (typeof name !== 'string') return bad('the package name must be a string');
    const np = argProblem(name);
    if (np !== null) return bad(`the package name: ${np}`);
    if (version === undefined || version === null || version === '') return { name };
    if (typeof version !== 'string' && typeof version !== 'number') return bad('the version must be a string');
    const vs = String(version);
    // For snap the second word is an option of `snap install` (--edge, --channel=5.15/stable).
    const vp = snap ? (/^--[a-z][a-z-]*(=\S+)?$/.test(vs) || argProblem(vs) === null ? null : 'expected a snap install option such as --edge or --channel=NAME') : argProblem(vs);
    if (vp !== null) return bad(`the version: ${vp}`);
    return { name, version: vs };
  };
  const seen = new Set<string>();
  const add = (list: PackageSpec[], s: PackageSpec | null, tag: string) => {
    if (s === null) return;
    const key = `${tag}\0${s.name}\0${s.version ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    list.push(s);
  };
  v.forEach((x: unknown, i: number) => {
    if (isDict(x)) {
      for (const [mgr, list] of Object.entries(x)) {
        if (mgr !== 'apt' && mgr !== 'snap') {
          problems.push({ path: ['packages', i, mgr], message: `packages[${i}].${mgr}: not a package manager cloud-init installs with (apt, snap); left out` });
          continue;
        }
        if (!Array.isArray(list)) {
          problems.push({ path: ['packages', i, mgr], message: `packages[${i}].${mgr} must be a list of packages; left out` });
          continue;
        }
        list.forEach((y: unknown, j: number) => add(request[mgr], spec(y, ['packages', i, mgr, j], mgr === 'snap'), mgr));
      }
    } else add(request.generic, spec(x, ['packages', i], false), 'generic');
  });
  return { request, problems };
}

/** A boolean option, also under its deprecated name (which is reported). */
function flag(ctx: ModuleContext, key: string, old: string): boolean {
  let on = false;
  for (const k of [old, key]) {
    const v = ctx.cfg[k];
    if (v === undefined || v === null) continue;
    if (k === old) ctx.log.deprecated(`${ctx.source.where([k])}${k} is deprecated since cloud-init 22.2; use ${key}`);
    if (typeof v !== 'boolean') {
      ctx.log.error(`${ctx.source.where([k])}${k} must be true or false, got ${JSON.stringify(v)}; taken as false`);
      continue;
    }
    on = on || v;
  }
  return on;
}

async function run(ctx: ModuleContext): Promise<void> {
  const update = flag(ctx, 'package_update', 'apt_update');
  const upgrade = flag(ctx, 'package_upgrade', 'apt_upgrade');
  const rebootIfRequired = flag(ctx, 'package_reboot_if_required', 'apt_reboot_if_required');
  const { request, problems } = readPackages(ctx.cfg.packages);
  for (const p of problems) ctx.log.error(`${ctx.source.where(p.path)}${p.message}`);
  const total = request.generic.length + request.apt.length + request.snap.length;
  if (!update && !upgrade && total === 0) {
    ctx.log.debug('nothing to update, upgrade or install');
    return;
  }
  const { installer, problems: why } = makeInstaller(ctx);
  for (const p of why) ctx.log.warn(p);
  if (installer === null) {
    const wanted = [update ? 'update' : '', upgrade ? 'upgrade' : '', total > 0 ? `install ${total} package(s)` : ''].filter(Boolean).join(', ');
    throw new Error(`${ctx.source.where([total > 0 ? 'packages' : update ? 'package_update' : 'package_upgrade'])}cannot ${wanted}: ${why.join('; ')}`);
  }
  const errors: string[] = [];
  if (update || upgrade) {
    const e = await installer.update();
    if (e !== null) errors.push(`package update failed: ${e}`);
  }
  if (upgrade) {
    const e = await installer.upgrade();
    if (e !== null) errors.push(`package upgrade failed: ${e}`);
  }
  if (total > 0) {
    const { failed, problems: ip } = await installer.install(request.generic, request);
    for (const p of ip) ctx.log.warn(p);
    if (failed.length > 0) errors.push(`${ctx.source.where(['packages'])}failed to install ${failed.join(', ')} (see /var/log/cloud-init-output.log and the package manager's logs)`);
    else ctx.log.info(`installed ${total} package(s) with ${installer.manager.tool}`);
  }
  const marker = REBOOT_MARKERS.find((f) => ctx.host.fs.stat(f)?.isFile === true);
  if ((upgrade || total > 0) && rebootIfRequired && marker !== undefined) {
    ctx.log.warn(`rebooting after the upgrade or install, as ${marker} asks (package_reboot_if_required)`);
    const r = ctx.host.exec.run(['/sbin/reboot']);
    if (!r.recorded) {
      // The reboot stops this process; later modules must not run meanwhile.
      await new Promise((res) => setTimeout(res, REBOOT_WAIT_MS));
      errors.push(`the reboot asked by ${marker} did not happen within ${REBOOT_WAIT_MS / 1000} s`);
    }
  } else if (marker !== undefined && (upgrade || total > 0)) ctx.log.info(`${marker} asks for a reboot; package_reboot_if_required is not set`);
  for (const e of errors.slice(0, -1)) ctx.log.error(e);
  if (errors.length > 0) throw new Error(errors[errors.length - 1]);
}

export const packageUpdateUpgradeInstall: Module = {
  name: 'package_update_upgrade_install',
  frequency: 'once-per-instance',
  keys: ['packages', 'package_update', 'package_upgrade', 'package_reboot_if_required', 'apt_update', 'apt_upgrade', 'apt_reboot_if_required'],
  schema: packageSchema,
  examples: [
    `#cloud-config
packages:
  - pwgen
  - pastebinit
  - [libpython3.8, 3.8.10-0ubuntu1~20.04.2]
  - snap:
      - certbot
      - [juju, --edge]
      - [lxd, --channel=5.15/stable]
  - apt:
      - mg
package_update: true
package_upgrade: true
package_reboot_if_required: true
`,
    `#cloud-config
package_update: true
packages: [nginx, [curl, '7.88.1-10+deb12u5']]
`,
  ],
  run,
};
