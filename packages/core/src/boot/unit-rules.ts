// The ordering every nimbus unit must have (DESIGN.md, "Boot order"), as data: the
// doctor checks installed units against it, and a test checks units/ against it.
import type { BootStage } from './stages.js';
import { listSetting, parseUnitBool, scalarSetting, type UnitFile } from './unit-file.js';

export const NETWORK_SERVICES: readonly string[] = ['NetworkManager.service', 'systemd-networkd.service', 'networking.service', 'network.service'];

export interface ListRule {
  key: 'Before' | 'After' | 'Wants';
  values: readonly string[];
  why: string;
}

export interface UnitRules {
  lists: ListRule[];
  /** DefaultDependencies=no: the local stage runs before sysinit.target's network services. */
  noDefaultDependencies: boolean;
}

export const UNIT_RULES: Record<BootStage, UnitRules> = {
  local: {
    noDefaultDependencies: true,
    lists: [
      { key: 'Wants', values: ['network-pre.target'], why: 'network-pre.target is only a synchronisation point if someone pulls it in' },
      { key: 'Before', values: ['network-pre.target', ...NETWORK_SERVICES], why: 'the local stage writes the network configuration each network manager reads when it starts' },
    ],
  },
  init: {
    noDefaultDependencies: false,
    lists: [
      { key: 'After', values: ['nimbus-local.service', ...NETWORK_SERVICES], why: 'the init stage needs what the local stage found and the network up' },
      { key: 'Before', values: ['network-online.target', 'sshd.service'], why: 'host and user keys must be written before sshd accepts logins' },
    ],
  },
  config: {
    noDefaultDependencies: false,
    lists: [{ key: 'After', values: ['network-online.target', 'nimbus-init.service'], why: 'config modules run once the network is online, after the init stage' }],
  },
  final: {
    noDefaultDependencies: false,
    lists: [{ key: 'After', values: ['multi-user.target', 'nimbus-config.service'], why: 'user scripts run last, after the config stage and the rest of the boot' }],
  },
};

export interface MissingLine {
  key: string;
  values: string[];
  why: string;
}

/** The [Unit] lines a stage's unit (with its drop-ins) lacks. */
export function missingUnitLines(stage: BootStage, files: readonly UnitFile[]): MissingLine[] {
  const rules = UNIT_RULES[stage];
  const out: MissingLine[] = [];
  if (rules.noDefaultDependencies && parseUnitBool(scalarSetting(files, 'Unit', 'DefaultDependencies')) !== false) {
    out.push({ key: 'DefaultDependencies', values: ['no'], why: 'with default dependencies the unit waits for sysinit.target, after the network services have started' });
  }
  for (const r of rules.lists) {
    const have = listSetting(files, 'Unit', r.key);
    const missing = r.values.filter((v) => !have.includes(v));
    if (missing.length > 0) out.push({ key: r.key, values: missing, why: r.why });
  }
  return out;
}

/** A drop-in that adds the missing lines (placed last so an earlier reset cannot undo it). */
export function renderDropIn(missing: readonly MissingLine[]): string {
  return `# Written by \`nimbus doctor --fix\`: ordering lines the unit lacked.\n[Unit]\n${missing.map((m) => `${m.key}=${m.values.join(' ')}`).join('\n')}\n`;
}
