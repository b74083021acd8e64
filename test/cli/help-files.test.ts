// The man page and the shell completions: written from the commands' own help, committed
// in packaging/ (npm run generate), completing with a real bash. Their installation is
// checked with the rest of install.sh's layout (test/boot/package.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, command } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';

// In the test process's boot worker (test/helpers/boot.ts): the same program as dist/nimbus.js.
const nimbus = (...args: string[]) => {
  const r = command(...args);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
};

test('the committed man page and completions are what the commands give today (npm run generate)', () => {
  for (const [file, args] of [
    ['packaging/man/nimbus.1', ['devel', 'man']],
    ['packaging/completion/nimbus.bash', ['devel', 'completion', 'bash']],
    ['packaging/completion/_nimbus', ['devel', 'completion', 'zsh']],
  ] as const) {
    const r = nimbus(...args);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(REPO, file), 'utf8'), r.stdout, `${file} differs from \`nimbus ${args.join(' ')}\`: run npm run generate`);
  }
});

test('the man page has every command and every option that --help lists', () => {
  const man = nimbus('devel', 'man')
    .stdout.replace(/\\-/g, '-')
    .replace(/\\f[BIR]/g, '');
  const top = nimbus('--help').stdout;
  const commands = [...top.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
  assert.ok(commands.includes('status') && commands.includes('features'));
  for (const c of commands) {
    assert.match(man, new RegExp(`^\\.SS "${c}"$`, 'm'), c);
    const help = nimbus(c, '--help').stdout;
    for (const m of help.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)) assert.ok(man.includes(m[1]!), `${c} ${m[1]}`);
  }
  assert.match(man, /^\.SS "analyze show"$/m);
  assert.match(man, /^\.SS "devel hotplug-hook handle"$/m);
});

test('man renders the page without warnings', { skip: !fs.existsSync('/usr/bin/groff') && 'groff is not installed' }, () => {
  const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', path.join(REPO, 'packaging/man/nimbus.1')], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.equal(r.stderr, '');
});

/** What bash offers for the words (the last one is being completed). */
function complete(...words: string[]): string[] {
  const script = `source ${JSON.stringify(path.join(REPO, 'packaging/completion/nimbus.bash'))}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_nimbus; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '-c', script], { encoding: 'utf8', cwd: tempDir('nimbus-compl-') });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

test('bash completes cloud-init an<TAB> to analyze, and subcommands, options and their values', () => {
  assert.deepEqual(complete('cloud-init', 'an'), ['analyze']);
  assert.deepEqual(complete('nimbus', 'analyze', ''), ['show', 'blame', 'dump', 'boot']);
  assert.deepEqual(complete('cloud-init', 'status', '--f'), ['--format']);
  assert.deepEqual(complete('cloud-init', 'status', '--format', ''), ['json', 'yaml', 'tabular']);
  assert.deepEqual(complete('nimbus', '--root', '/mnt', 'sta'), ['status'], 'an option value is skipped');
  assert.deepEqual(complete('nimbus', 'devel', 'hotplug-hook', '-s', 'net', ''), ['query', 'handle', 'enable']);
  assert.deepEqual(complete('nimbus', 'dhclient-hook', ''), ['up', 'down']);
  assert.deepEqual(complete('nimbus', 'clean', '--configs', 'n'), ['network']);
});

test('the zsh completion registers the same functions for nimbus and cloud-init', () => {
  const z = fs.readFileSync(path.join(REPO, 'packaging/completion/_nimbus'), 'utf8');
  assert.match(z, /^#compdef nimbus cloud-init\n/);
  assert.match(z, /bashcompinit/);
  const bash = fs.readFileSync(path.join(REPO, 'packaging/completion/nimbus.bash'), 'utf8');
  const body = (s: string) => s.slice(s.indexOf('_nimbus_subcommands() {'), s.indexOf('complete -F _nimbus'));
  assert.equal(body(z), body(bash));
});
