// Where a secret from user-data must never show up after a boot: a log, the journal
// (the stages' stdout and stderr), any file others can read (status.json and
// instance-data.json among them), or the tarball of `collect-logs` without -u. The seed
// is the input and is left out.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { cli } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';

function walk(dir: string, out: string[] = []): string[] {
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = fs.lstatSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile()) out.push(p);
  }
  return out;
}

/** Every place the marker leaked to: logs, world- or group-readable files, the stages' output. */
export function secretLeaks(root: string, marker: string, runs: { stdout: string; stderr: string }[]): string[] {
  const leaks: string[] = [];
  runs.forEach((r, i) => {
    if (r.stdout.includes(marker) || r.stderr.includes(marker)) leaks.push(`stage ${i + 1}'s output (the journal)`);
  });
  for (const f of walk(root)) {
    const rel = path.relative(root, f);
    if (rel.startsWith('var/lib/cloud/seed/')) continue;
    if (!fs.readFileSync(f, 'latin1').includes(marker)) continue;
    const mode = fs.statSync(f).mode & 0o777;
    if (rel.startsWith('var/log/')) leaks.push(`${rel} (a log)`);
    else if ((mode & 0o044) !== 0) leaks.push(`${rel} (mode 0${mode.toString(8)})`);
  }
  const tar = path.join(tempDir('nimbus-logs-'), 'logs.tar.gz');
  const c = cli(root, 'collect-logs', '--tarfile', tar);
  if (c.code !== 0 || !fs.existsSync(tar)) leaks.push(`collect-logs did not run: ${c.stderr}`);
  else if (gunzipSync(fs.readFileSync(tar)).toString('latin1').includes(marker)) leaks.push('the collect-logs tarball');
  return leaks;
}
