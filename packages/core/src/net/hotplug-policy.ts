// Network hotplug, the pure half: whether a NIC that comes or goes after boot gets the
// datasource's network configuration re-read and applied, and the files that carry a
// udev event to `nimbus devel hotplug-hook handle`. The chain, as cloud-init 25.x has it:
//   udev rule (HOTPLUG_RULE, written by install_hotplug or `hotplug-hook enable`)
//   -> RUN the hook (HOTPLUG_HOOK) with SUBSYSTEM, DEVPATH and ACTION in its environment
//   -> the hook writes `--subsystem=net handle --devpath=... --udevaction=...` into the
//      FIFO (HOTPLUG_FIFO) that nimbus-hotplugd.socket listens on
//   -> nimbus-hotplugd.service reads that line and runs `nimbus devel hotplug-hook LINE`.
// The hook does not run the handler itself because udev kills what its rules RUN after a
// short time and runs them sandboxed, where a metadata service cannot be reached.
import { isDict, type Dict } from '../config/merge.js';
import { datasourceByName } from '../datasources/registry.js';

export const HOTPLUG_RULE = '/etc/udev/rules.d/90-cloud-init-hook-hotplug.rules';
/** Installed by scripts/install.sh (packaging/hotplug/hook-hotplug). */
export const HOTPLUG_HOOK = '/usr/lib/nimbus/hook-hotplug';
/** The FIFO of units/nimbus-hotplugd.socket (cloud-init's path, so one socket serves either). */
export const HOTPLUG_FIFO = '/run/cloud-init/share/hook-hotplug-cmd';
/** `hotplug-hook enable` records its scopes here, as cloud-init 25.x does: {"scopes": ["network"]}. */
export const HOTPLUG_ENABLED_FILE = '/var/lib/cloud/hotplug.enabled';

export const UPDATE_EVENTS = ['boot-new-instance', 'boot-legacy', 'boot', 'hotplug'] as const;

// cloud-init's datasources whose default network update events include hotplug.
const HOTPLUG_BY_DEFAULT = new Set(['Ec2']);

// Ec2 only hooks its own NIC drivers (not docker's veths and the like), as cloud-init's
// Ec2 datasource adds to the rule.
const EXTRA_RULES: Readonly<Record<string, string>> = {
  Ec2: 'ENV{ID_NET_DRIVER}=="vif|ena|ixgbevf", GOTO="cloudinit_hook"\nGOTO="cloudinit_end"\n',
};

/**
 * Whether a datasource can refresh its network configuration for a hotplugged NIC: it
 * has to bring a network configuration of its own, to be read again. (In cloud-init
 * 25.x every datasource claims to; one without network config would fail the event on
 * every retry, so nimbus says "not supported" up front: docs/compat.md.)
 */
export function hotplugSupported(dsname: string): { supported: true } | { supported: false; why: string } {
  const ds = datasourceByName(dsname);
  if (ds === undefined) return { supported: false, why: `datasource ${dsname} is not one nimbus has` };
  if (ds.network.formats.length === 0) return { supported: false, why: `the ${ds.name} datasource brings no network configuration to re-read` };
  return { supported: true };
}

export interface HotplugPolicy {
  enabled: boolean;
  /** Asked for by the user's `updates.network.when`. */
  byUser: boolean;
  /** In words, for messages: why it is on or off. */
  because: string;
  /** A malformed `updates` (the key path and what was wrong). */
  problem?: string;
}

/**
 * Whether hotplug is enabled for the network (pure): the user's `updates.network.when`
 * when given (it replaces the datasource's defaults for the network), else the
 * datasource's defaults; and in either case when `hotplug-hook enable` recorded the
 * network scope in /var/lib/cloud/hotplug.enabled.
 */
export function hotplugPolicy(cfg: Dict, dsname: string, enabledScopes: readonly string[]): HotplugPolicy {
  const byFile: HotplugPolicy = { enabled: true, byUser: false, because: `${HOTPLUG_ENABLED_FILE} lists the network scope (hotplug-hook enable)` };
  const fromDefault = (): HotplugPolicy =>
    enabledScopes.includes('network')
      ? byFile
      : HOTPLUG_BY_DEFAULT.has(dsname)
        ? { enabled: true, byUser: false, because: `the ${dsname} datasource enables it by default` }
        : { enabled: false, byUser: false, because: 'updates.network.when does not list hotplug' };
  const updates = cfg.updates;
  if (updates === undefined || updates === null) return fromDefault();
  if (!isDict(updates)) return { enabled: false, byUser: false, because: 'updates is malformed', problem: 'updates must be a mapping' };
  const net = updates.network;
  if (net === undefined || net === null) return fromDefault();
  if (!isDict(net) || !Array.isArray(net.when)) return { enabled: false, byUser: false, because: 'updates is malformed', problem: 'updates.network must be a mapping with a when list' };
  const bad = net.when.filter((w: unknown) => typeof w !== 'string' || !(UPDATE_EVENTS as readonly string[]).includes(w));
  if (bad.length > 0)
    return { enabled: false, byUser: false, because: 'updates is malformed', problem: `updates.network.when: ${bad.map((b) => JSON.stringify(b)).join(', ')} not one of ${UPDATE_EVENTS.join(', ')}` };
  if (net.when.includes('hotplug')) return { enabled: true, byUser: true, because: 'updates.network.when lists hotplug' };
  return enabledScopes.includes('network') ? byFile : { enabled: false, byUser: false, because: 'updates.network.when does not list hotplug' };
}

/** The scopes of hotplug.enabled's text (pure); [] for none, null for text that is not that JSON. */
export function parseHotplugEnabled(text: string | null): string[] | null {
  if (text === null) return [];
  try {
    const doc: unknown = JSON.parse(text);
    if (!isDict(doc)) return null;
    if (doc.scopes === undefined) return [];
    return Array.isArray(doc.scopes) ? doc.scopes.filter((s): s is string => typeof s === 'string') : null;
  } catch {
    return null;
  }
}

/** The udev rule for a datasource (pure): net add/remove events run the hook. */
export function hotplugRule(dsname: string): string {
  const extra = EXTRA_RULES[dsname] ?? '';
  return (
    '# Installed by nimbus (install_hotplug / devel hotplug-hook enable) for network hotplug\n' +
    'ACTION!="add|remove", GOTO="cloudinit_end"\n' +
    extra +
    'LABEL="cloudinit_hook"\n' +
    `SUBSYSTEM=="net", RUN+="${HOTPLUG_HOOK}"\n` +
    'LABEL="cloudinit_end"\n'
  );
}
