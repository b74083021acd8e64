// The four boot stages as the init systems see them: unit, SysV script, bundle, and the
// cloud-init name each one stands in for.

import { BOOT_STAGES, type BootStage } from '../stages/stage-names.js';

export { BOOT_STAGES, type BootStage } from '../stages/stage-names.js';

export interface StageUnitFacts {
  stage: BootStage;
  /** SysV script name and systemd unit base name. */
  name: string;
  unit: string;
  /** The cloud-init unit this one aliases, so `systemctl status cloud-init` works. */
  cloudInitUnit: string;
  /** The daemon bundle under /usr/lib/nimbus. */
  bundle: string;
  summary: string;
}

function facts(stage: BootStage, cloudInitUnit: string, summary: string): StageUnitFacts {
  return { stage, name: `nimbus-${stage}`, unit: `nimbus-${stage}.service`, cloudInitUnit, bundle: `/usr/lib/nimbus/nimbus-${stage}.js`, summary };
}

export const STAGE_UNITS: Record<BootStage, StageUnitFacts> = {
  local: facts('local', 'cloud-init-local.service', 'local stage (cloud-init init --local): datasource on local devices, network configuration'),
  init: facts('init', 'cloud-init.service', 'init stage (cloud-init init): network datasources, init modules'),
  config: facts('config', 'cloud-config.service', 'config stage (cloud-init modules --mode config)'),
  final: facts('final', 'cloud-final.service', 'final stage (cloud-init modules --mode final): user scripts, final message'),
};

export const TARGET_UNIT = 'nimbus.target';
export const CLOUD_INIT_TARGET = 'cloud-init.target';

/** SysV service names of the network managers the local stage must precede. */
export const SYSV_NETWORK_MANAGERS: readonly string[] = ['network', 'NetworkManager', 'networking', 'wicked'];
/** SysV names of sshd: the init stage writes host and user keys before it starts. */
export const SYSV_SSH: readonly string[] = ['sshd', 'ssh'];
/**
 * Debian rcS scripts that mount file systems and settle devices: the local stage
 * writes under /etc and /var and reads /sys/class/net, so it starts after them.
 * (On rhel-style hosts rc.sysinit does all this before any rc?.d script.)
 */
export const SYSV_LOCAL_FS: readonly string[] = ['mountkernfs.sh', 'mountdevsubfs.sh', 'udev', 'checkroot.sh', 'checkroot-bootclean.sh', 'checkfs.sh', 'mountall.sh', 'mountall-bootclean.sh'];

export function stageOfName(name: string): BootStage | null {
  for (const s of BOOT_STAGES) if (STAGE_UNITS[s].name === name) return s;
  return null;
}
