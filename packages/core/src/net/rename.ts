// Renaming NICs to the names the config gives their MACs. Renames go in two phases:
// every NIC that moves first gets a temporary name, then every temporary name gets its
// final one, so a swap (eth0 <-> eth1) or a longer chain always finishes. If a step
// fails, NICs left on a temporary name are put back on their old names: nothing is
// ever left named nimbus-tmp* (cloud-init's cirename* leftovers).
import type { Host } from '../host/host.js';
import type { Logger } from '../log/logger.js';
import type { NetworkState } from './model.js';
import { ownsMac, type Nic } from './sysfs.js';

export const TMP_PREFIX = 'nimbustmp';

export interface RenameMove {
  mac: string;
  from: string;
  to: string;
  tmp: string;
}

export interface RenamePlan {
  moves: RenameMove[];
  /** Wanted renames that cannot be done, with the reason. */
  refused: string[];
}

/** Pure: which NICs move where, given the wanted MAC → name and the NICs present. */
export function planRenames(wanted: ReadonlyArray<{ mac: string; name: string }>, nics: readonly Nic[]): RenamePlan {
  const moves: RenameMove[] = [];
  const refused: string[] = [];
  const byMac = new Map(nics.filter(ownsMac).map((n) => [n.mac as string, n]));
  const targets = new Map<string, string>();
  for (const w of wanted) {
    const nic = byMac.get(w.mac);
    if (!nic) continue; // not on this machine (yet): nothing to rename
    const other = targets.get(w.name);
    if (other !== undefined && other !== w.mac) {
      refused.push(`${w.name}: wanted for both ${other} and ${w.mac}`);
      continue;
    }
    targets.set(w.name, w.mac);
    if (nic.name !== w.name) moves.push({ mac: w.mac, from: nic.name, to: w.name, tmp: '' });
  }
  // A target name held by a NIC that is not moving away blocks that rename.
  const leaving = new Set(moves.map((m) => m.from));
  const ok = moves.filter((m) => {
    const holder = nics.find((n) => n.name === m.to);
    if (holder && !leaving.has(holder.name)) {
      refused.push(`${m.from} (${m.mac}) -> ${m.to}: the name is taken by ${holder.name}${holder.mac ? ` (${holder.mac})` : ''}, which the config does not rename`);
      return false;
    }
    return true;
  });
  ok.forEach((m, k) => (m.tmp = `${TMP_PREFIX}${k}`));
  return { moves: ok, refused };
}

function ip(host: Host, args: string[], log: Logger): boolean {
  const r = host.exec.run(['ip', ...args]);
  if (r.code !== 0 || r.error) {
    log.warn(`ip ${args.join(' ')} failed: ${(r.error ?? r.stderr).trim()}`);
    return false;
  }
  return true;
}

/** Carries out a plan with `ip link`; returns the renames that were done. */
export function applyRenames(host: Host, plan: RenamePlan, nics: readonly Nic[], log: Logger): RenameMove[] {
  for (const r of plan.refused) log.warn(`not renaming ${r}`);
  if (plan.moves.length === 0) return [];
  const wasUp = new Set(nics.filter((n) => n.operstate === 'up' || n.operstate === 'unknown').map((n) => n.name));
  // A NIC can only be renamed while down.
  for (const m of plan.moves) ip(host, ['link', 'set', 'dev', m.from, 'down'], log);
  const atTmp: RenameMove[] = [];
  for (const m of plan.moves) if (ip(host, ['link', 'set', 'dev', m.from, 'name', m.tmp], log)) atTmp.push(m);
  const done: RenameMove[] = [];
  for (const m of atTmp) {
    if (ip(host, ['link', 'set', 'dev', m.tmp, 'name', m.to], log)) done.push(m);
    else if (!ip(host, ['link', 'set', 'dev', m.tmp, 'name', m.from], log)) log.error(`${m.mac} is left named ${m.tmp}: renaming to ${m.to} and back to ${m.from} both failed`);
  }
  for (const m of done) {
    log.info(`renamed ${m.from} (${m.mac}) to ${m.to}`);
    if (wasUp.has(m.from)) ip(host, ['link', 'set', 'dev', m.to, 'up'], log);
  }
  return done;
}

/** The MAC → name pairs a state asks for: physical NICs with a MAC. */
export function wantedNames(state: NetworkState): { mac: string; name: string }[] {
  return state.interfaces.filter((i) => i.type === 'physical' && i.mac !== undefined).map((i) => ({ mac: i.mac as string, name: i.name }));
}
