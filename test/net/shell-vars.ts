// What a shell makes of an ifcfg file: the property tests source each rendered file in
// bash and compare the variables it set with the assignments the file spells out.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The variables sourcing `file` sets (set -a is not used: the shell's variables before and after are compared), and whether it ran code (a PWNED file in `cwd`). */
export function bashVars(file: string, cwd: string): { vars: Record<string, string>; pwned: boolean } {
  const script = `set -f; before=$(compgen -v | sort); . "$1" >/dev/null 2>&1; for v in $(comm -13 <(echo "$before") <(compgen -v | sort)); do [ "$v" = before ] && continue; printf '%s=%s\\0' "$v" "\${!v}"; done`;
  const r = spawnSync('bash', ['-c', script, 'bash', file], { cwd, encoding: 'utf8' });
  const vars: Record<string, string> = {};
  for (const kv of r.stdout.split('\0').filter((x) => x !== '')) {
    const eq = kv.indexOf('=');
    vars[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return { vars, pwned: fs.existsSync(path.join(cwd, 'PWNED')) };
}

/** The NAME=value assignments the file spells out, with one pair of double quotes taken off. */
export function assignments(content: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of content.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(l);
    if (m) out[m[1] as string] = (m[2] as string).replace(/^"(.*)"$/, '$1');
  }
  return out;
}
