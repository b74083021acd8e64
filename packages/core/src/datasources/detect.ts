// The local probe that runs before any wait, as cloud-init's ds-identify does: gather a
// few cheap facts (facts.ts: DMI, filesystem labels, seed directories, the kernel
// command line) and ask each datasource of the list whether it can possibly be here
// (its record's pure detect). A machine with none skips every network wait and
// finishes the local stage at once.
import type { Host } from '../host/host.js';
import type { Detection } from './types.js';
import { cmdlineArgs, nonEmpty, type DetectFacts } from './facts.js';
import { datasourceByName, notSupported } from './registry.js';

export type CheckVerdict = Detection['verdict'] | 'not-supported';

export interface DsCheck {
  name: string;
  verdict: CheckVerdict;
  reason: string;
}

export interface DetectVerdict {
  /** The datasources to try, in datasource_list order; [] or ["None"] means no wait at all. */
  datasources: string[];
  checks: DsCheck[];
  /** A datasource named on the kernel command line (ci.ds= / ci.datasource=), trusted as is. */
  forced: string | null;
  /** One line for the log and status. */
  summary: string;
}

function checkOne(name: string, f: DetectFacts): DsCheck {
  const ds = datasourceByName(name);
  if (ds === undefined) return { name, verdict: 'not-supported', reason: notSupported(name) };
  const { verdict, reason } = ds.detect(f);
  return { name, verdict, reason };
}

/**
 * Decides which datasources to try, as ds-identify does: a datasource named on the
 * kernel command line is trusted; a list with one entry (besides None) is used as is;
 * otherwise every "found" source in list order, or when none is found, the "maybe"
 * ones (only on machines without DMI that are not x86: on x86 no DMI means a container
 * or an offline root, where no metadata service is worth a wait). None stays last
 * when the list has it.
 */
export function decideDatasources(f: DetectFacts, datasourceList: readonly string[]): DetectVerdict {
  const args = cmdlineArgs(f.cmdline);
  const forced = nonEmpty(args.get('ci.ds') ?? args.get('ci.datasource') ?? null);
  const withNone = (names: string[]) => (datasourceList.includes('None') && !names.includes('None') ? [...names, 'None'] : names);
  if (forced) {
    return { datasources: withNone([forced]), checks: [], forced, summary: `datasource ${forced} named on the kernel command line` };
  }
  const real = datasourceList.filter((n) => n !== 'None');
  if (real.length === 1) {
    const only = real[0] as string;
    return { datasources: withNone([only]), checks: [], forced: null, summary: `single entry in datasource_list: ${only}` };
  }
  const checks = real.map((n) => checkOne(n, f));
  const found = checks.filter((c) => c.verdict === 'found').map((c) => c.name);
  const maybe = checks.filter((c) => c.verdict === 'maybe').map((c) => c.name);
  const chosen = found.length > 0 ? found : maybe;
  const summary =
    chosen.length > 0 ? `${found.length > 0 ? 'found' : 'maybe'}: ${chosen.join(', ')}` : `no datasource found (${checks.map((c) => `${c.name}: ${c.reason}`).join('; ') || 'empty datasource_list'})`;
  return { datasources: withNone(chosen), checks, forced: null, summary };
}

/** Where the verdict is kept for `nimbus status` and for people debugging a boot. */
export const DETECT_RECORD = '/run/cloud-init/ds-identify.json';

/** Writes the verdict and the facts behind it to /run/cloud-init/ds-identify.json. */
export function recordVerdict(host: Host, facts: DetectFacts, verdict: DetectVerdict): void {
  host.fs.write(DETECT_RECORD, JSON.stringify({ verdict, facts }, null, 2) + '\n', { mode: 0o644 });
}

/** The verdict as ds-identify writes it to /run/cloud-init/cloud.cfg, for tools that read that file. */
export function verdictCloudCfg(verdict: DetectVerdict): string {
  return `# written by nimbus detect: ${verdict.summary.replace(/\n/g, ' ')}\ndatasource_list: [ ${verdict.datasources.join(', ')} ]\n`;
}
