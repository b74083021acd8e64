// ubuntu_autoinstall: `autoinstall` is for Subiquity, Ubuntu's installer, not for
// cloud-init: on Ubuntu, once, as cloud-init 25.x, this only checks that the live
// installer's snap (subiquity or ubuntu-desktop-installer) is there to read it, after
// snapd has seeded, and warns when it is not. The key itself is checked by the schema
// (a mapping with an integer `version`); nothing is changed on the machine.
import type { Module, ModuleContext, Z } from './types.js';
import { failure } from './lib/tree-exec.js';
import { agentReachesTree } from './lib/agent-target.js';
import { waitForSnapSeeded } from './lib/snap-seeded.js';

export const UBUNTU_AUTOINSTALL_DISTROS = ['ubuntu'] as const;
export const LIVE_INSTALLER_SNAPS = ['subiquity', 'ubuntu-desktop-installer'] as const;

const autoinstallSchema = (z: Z) => z.object({ autoinstall: z.object({ version: z.number().int() }).passthrough().optional() });

/** The installer snap `snap list` output names (the last one listed wins, as in cloud-init), or null (pure). */
export function installerIn(snapList: string): string | null {
  let found: string | null = null;
  for (const s of LIVE_INSTALLER_SNAPS) if (snapList.includes(s)) found = s;
  return found;
}

function run(ctx: ModuleContext): void {
  if (!agentReachesTree(ctx, 'ubuntu_autoinstall')) return;
  waitForSnapSeeded(ctx);
  const r = ctx.host.exec.run(['snap', 'list']);
  if (r.recorded) {
    ctx.log.info('autoinstall: `snap list` was only recorded, so whether an installer snap is present is not known');
    return;
  }
  const why = failure(r);
  if (why !== null) throw new Error(`ubuntu_autoinstall: snap list failed: ${why}`);
  const installer = installerIn(r.stdout);
  if (installer === null) {
    ctx.log.warn(`skipping autoinstall: expected one of the Ubuntu installer snap packages to be present: ${LIVE_INSTALLER_SNAPS.join(', ')}`);
    return;
  }
  ctx.log.debug(`valid autoinstall schema; the configuration will be processed by ${installer}`);
}

export const ubuntuAutoinstall: Module = {
  name: 'ubuntu_autoinstall',
  frequency: 'once',
  distros: UBUNTU_AUTOINSTALL_DISTROS,
  keys: ['autoinstall'],
  schema: autoinstallSchema,
  examples: ['#cloud-config\nautoinstall:\n  version: 1\n'],
  run,
};
