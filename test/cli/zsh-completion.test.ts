// The zsh completion in a real interactive zsh (installed from Debian's package when
// missing): compinit finds packaging/completion/_nimbus on its fpath, and TAB on a
// command line completes it, as a user's shell does. zsh runs on a pseudo-terminal of
// its own (zsh/zpty) with no startup files; nothing outside a temp directory is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../helpers/boot.js';
import { ensureCommand } from '../helpers/apt.js';
import { tempDir } from '../helpers/temp-root.js';

// For each line: type it, press TAB, then turn the line into `echo RESULT: <line>` and
// run it, so the completed line comes back as output (RES""ULT: only the output matches).
const DRIVER = String.raw`
zmodload zsh/zpty
fdir=$1; shift
zpty z 'TERM=dumb zsh -f -i'
zpty -w z "PS1='%% '; fpath=($fdir \$fpath); autoload -U compinit; compinit -u -D; print READY\$((1+1))"
zpty -r z out '*READY2*' || exit 3
for line in "$@"; do
  zpty -w -n z "$line"$'\t'
  sleep 0.5
  zpty -w -n z $'\x01echo RES""ULT: \x05\n'
  zpty -r z out '*RESULT: *' || exit 4
  zpty -r z out $'*\n' || exit 5
  print -r -- "RESULT: $out"
done
zpty -d z
`;

function completeInZsh(...lines: string[]): string[] {
  const dir = tempDir('nimbus-zsh-');
  fs.copyFileSync(path.join(REPO, 'packaging/completion/_nimbus'), path.join(dir, '_nimbus'));
  const r = spawnSync('zsh', ['-f', '-c', DRIVER, 'driver', dir, ...lines], { encoding: 'utf8', cwd: dir, timeout: 60_000, env: { PATH: process.env.PATH, HOME: dir } });
  assert.equal(r.status, 0, `zsh exit ${r.status}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('RESULT: '))
    .map((l) => (l.slice('RESULT: '.length).split('\r')[0] ?? '').trimEnd());
}

test('zsh completes cloud-init an<TAB> to analyze, and subcommands and option values of nimbus', () => {
  assert.ok(ensureCommand('zsh', 'zsh'), 'zsh is needed (Debian package zsh)');
  assert.deepEqual(completeInZsh('cloud-init an', 'cloud-init status --format ya', 'nimbus devel hotplug-hook -s net qu', 'nimbus --root /mnt sta'), [
    'cloud-init analyze',
    'cloud-init status --format yaml',
    'nimbus devel hotplug-hook -s net query',
    'nimbus --root /mnt status',
  ]);
});
