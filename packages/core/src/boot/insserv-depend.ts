// insserv's dependency files, /etc/init.d/.depend.boot and .depend.start: Debian's
// /lib/init/rc (CONCURRENCY=makefile, its default once insserv made them) hands them to
// `startpar -M`, which starts only the scripts they list, each once every script it
// depends on has finished. So on such a host the S-numbers of the links decide nothing:
// these files are the boot order, and a script missing from them does not run.
// Pure functions on the files' text.
import { SYSV_NETWORK_MANAGERS, SYSV_SSH } from './stages.js';

export const DEPEND_BOOT = '/etc/init.d/.depend.boot';
export const DEPEND_START = '/etc/init.d/.depend.start';

export interface DependGraph {
  /** The scripts startpar starts (`TARGETS = ...`). */
  targets: string[];
  /** Each script's direct dependencies (`name: dep dep ...`). */
  deps: Map<string, string[]>;
}

/** Parses one .depend file (make syntax as insserv writes it: no continuation lines). */
export function parseDependFile(text: string): DependGraph {
  const g: DependGraph = { targets: [], deps: new Map() };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const assign = /^([A-Z_]+)\s*=\s*(.*)$/.exec(line);
    if (assign !== null) {
      if (assign[1] === 'TARGETS') g.targets = assign[2]!.split(/\s+/).filter(Boolean);
      continue;
    }
    const rule = /^([^:\s]+)\s*:\s*(.*)$/.exec(line);
    if (rule !== null) g.deps.set(rule[1]!, rule[2]!.split(/\s+/).filter(Boolean));
  }
  return g;
}

/** Whether `from` waits, directly or through other scripts, for `on` in one graph. */
export function dependsOn(g: DependGraph, from: string, on: string): boolean {
  const seen = new Set<string>();
  const todo = [...(g.deps.get(from) ?? [])];
  while (todo.length > 0) {
    const d = todo.pop()!;
    if (d === on) return true;
    if (seen.has(d)) continue;
    seen.add(d);
    todo.push(...(g.deps.get(d) ?? []));
  }
  return false;
}

type Phase = 'boot' | 'start';

function phaseOf(boot: DependGraph, start: DependGraph, name: string): Phase | null {
  if (boot.targets.includes(name)) return 'boot';
  if (start.targets.includes(name)) return 'start';
  return null;
}

const FILE: Record<Phase, string> = { boot: DEPEND_BOOT, start: DEPEND_START };

/**
 * What is wrong with the order startpar would start nimbus's scripts in; empty when it
 * is right. `boot` is .depend.boot (rcS.d, all of it before any runlevel script),
 * `start` is .depend.start (the runlevel's scripts).
 */
export function checkDependOrder(boot: DependGraph, start: DependGraph): string[] {
  const problems: string[] = [];
  const listed = (name: string): Phase | null => phaseOf(boot, start, name);
  for (const name of ['nimbus-local', 'nimbus-init', 'nimbus-config', 'nimbus-final']) {
    if (listed(name) === null) problems.push(`${name} is in neither ${DEPEND_BOOT} nor ${DEPEND_START}: startpar (CONCURRENCY=makefile) does not start it at all`);
  }
  // `first` must have finished before `then` starts.
  const before = (first: string, then: string, why: string): void => {
    const a = listed(first);
    const b = listed(then);
    if (a === null || b === null) return;
    if (a === 'boot' && b === 'start') return;
    if (a === 'start' && b === 'boot') {
      problems.push(`${then} starts from ${DEPEND_BOOT}, before ${first} (${DEPEND_START}) runs; ${why}`);
      return;
    }
    const g = a === 'boot' ? boot : start;
    if (!dependsOn(g, then, first)) problems.push(`${FILE[a]}: ${then} does not wait for ${first}, so startpar may start them together; ${why}`);
  };
  const present = (names: readonly string[]): string[] => names.filter((n) => listed(n) !== null);
  for (const nm of present(SYSV_NETWORK_MANAGERS)) {
    before('nimbus-local', nm, 'the local stage writes the network configuration the network manager reads when it starts');
    before(nm, 'nimbus-init', 'the init stage needs the network up');
  }
  before('nimbus-local', 'nimbus-init', 'the init stage uses what the local stage found');
  for (const ssh of present(SYSV_SSH)) before('nimbus-init', ssh, 'the init stage writes host keys and authorized keys before sshd starts');
  before('nimbus-init', 'nimbus-config', 'config modules run after the init stage');
  before('nimbus-config', 'nimbus-final', 'the final stage runs after the config stage');
  return problems;
}
