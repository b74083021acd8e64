// The udev rule of network hotplug, written and removed through the host (the text is
// net/hotplug-policy.ts's): used by install_hotplug and by `devel hotplug-hook enable`.
import type { Host } from '../host/host.js';
import type { Logger } from '../log/logger.js';
import { HOTPLUG_RULE, hotplugRule } from './hotplug-policy.js';

/** Writes the udev rule for `dsname` and makes udev read it; false (with why, logged) when the image has no udevadm. */
export function installHotplugRule(host: Host, dsname: string, log: Logger): boolean {
  if (!host.exec.has('udevadm')) {
    log.warn(`network hotplug: udevadm is not in this image, so no udev rule is written (${HOTPLUG_RULE})`);
    return false;
  }
  log.info(`network hotplug: installing ${HOTPLUG_RULE}`);
  host.fs.write(HOTPLUG_RULE, hotplugRule(dsname), { mode: 0o644 });
  reloadRules(host, log);
  return true;
}

/** Removes the rule (nimbus's or one cloud-init left) when hotplug is off; true when there was one. */
export function removeHotplugRule(host: Host, log: Logger, why: string): boolean {
  if (!host.fs.exists(HOTPLUG_RULE)) return false;
  host.fs.remove(HOTPLUG_RULE);
  log.info(`network hotplug: removed ${HOTPLUG_RULE}: ${why}`);
  if (host.exec.has('udevadm')) reloadRules(host, log);
  return true;
}

function reloadRules(host: Host, log: Logger): void {
  const r = host.exec.run(['udevadm', 'control', '--reload-rules']);
  if (r.code !== 0 || r.error !== undefined) log.warn(`udevadm control --reload-rules failed: ${(r.error ?? r.stderr).trim()}`);
}
