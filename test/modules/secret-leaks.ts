// Where a secret given in user-data must never show after a boot: the logs, status and
// result, instance-data (the public copy) and the journal stream (the stages' stdout
// and stderr). The command record of `--exec record` is the test's own stand-in for
// the commands run, not a log, and the user-data copies are the input (0600).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Booted } from './boot-example.js';

function walk(dir: string, out: string[] = []): string[] {
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = fs.lstatSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile()) out.push(p);
  }
  return out;
}

/** The places (relative paths, or "stdout"/"stderr") a marker was found in. */
export function leaksOf(b: Booted, marker: string): string[] {
  const leaks = b.runs.flatMap((r) => [...(r.stdout.includes(marker) ? ['stdout'] : []), ...(r.stderr.includes(marker) ? ['stderr'] : [])]);
  for (const f of walk(b.root)) {
    const rel = path.relative(b.root, f);
    if (rel === 'var/log/nimbus-commands.log' || rel.endsWith('instance-data-sensitive.json')) continue;
    if (!/^(var\/log\/|run\/cloud-init\/)|status\.json$|result\.json$|instance-data\.json$/.test(rel)) continue;
    if (fs.readFileSync(f, 'utf8').includes(marker)) leaks.push(rel);
  }
  return leaks;
}
