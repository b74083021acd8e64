// The cloud-init reference the differential tests compare with: Debian's own cloud-init
// in a chroot, built by scripts/reference/cloud-init-ref.sh (REF_SUITE=bookworm, the
// default: cloud-init 22.4; REF_SUITE=trixie: 25.1). The script alone knows where each
// chroot is, so the tests ask it rather than repeat its defaults.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The harness, kept in this repository (tests run from build/test/helpers). */
export const REF_SCRIPT = fileURLToPath(new URL('../../../scripts/reference/cloud-init-ref.sh', import.meta.url));

export type RefSuite = 'bookworm' | 'trixie';

/** The chroot of a suite (default: the chosen one, REF_SUITE and REF_ROOT), built or not. */
export function referenceRoot(suite?: RefSuite): string {
  const env = suite === undefined ? process.env : { ...process.env, REF_SUITE: suite, REF_ROOT: '' };
  const r = spawnSync('bash', [REF_SCRIPT, 'root'], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`${REF_SCRIPT} root: ${r.stderr.trim() || `exit ${r.status}`}`);
  return r.stdout.trim();
}

/** The chroot of the chosen suite (REF_SUITE, REF_ROOT), built or not. */
export const REF_ROOT = referenceRoot();

/** cloud-init's Python package inside the chroot, for PYTHONPATH. */
export const REF_PYTHON = path.join(REF_ROOT, 'usr/lib/python3/dist-packages');

/** The skip reason of a test whose reference is not built, with the command that builds it. */
export const REF_MISSING = `reference cloud-init not set up at ${REF_ROOT} (bash scripts/reference/cloud-init-ref.sh setup)`;

/** Whether the chroot has been built. */
export function referenceBuilt(): boolean {
  return fs.existsSync(path.join(REF_ROOT, 'usr/bin/cloud-init'));
}
