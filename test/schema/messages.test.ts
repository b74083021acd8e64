// What the messages say: did-you-mean, wrong indentation in both directions,
// deprecations, the union branch that explains the mistake, and --annotate's shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { annotate, checkText, didYouMean, formatProblem, validateMergedConfig, loadYaml, type SchemaProblem } from '../../packages/core/src/index.js';

function check(text: string): SchemaProblem[] {
  return checkText('cloud-config', text, 'cc.yaml').problems;
}

function lines(text: string): string[] {
  return check(text).map(formatProblem);
}

test('did you mean: typos, swapped letters, dashes; nothing for a far-off key', () => {
  const known = ['runcmd', 'write_files', 'final_message', 'ssh_authorized_keys', 'packages'];
  assert.equal(didYouMean('runcmnd', known), 'runcmd');
  assert.equal(didYouMean('rnucmd', known), 'runcmd');
  assert.equal(didYouMean('write-files', known), 'write_files');
  assert.equal(didYouMean('ssh_authorized', known), 'ssh_authorized_keys');
  assert.equal(didYouMean('Packages', known), 'packages');
  assert.equal(didYouMean('zzz', known), null);
  assert.equal(didYouMean('completely_different', known), null);
});

test('unknown key messages: did-you-mean and the wrong indentation, both ways', () => {
  assert.deepEqual(lines('#cloud-config\nruncmnd: [a]\n'), ['cc.yaml:2:1: warning: runcmnd: unknown cloud-config key; did you mean runcmd?']);
  assert.deepEqual(lines('#cloud-config\nwrite_files:\n- path: /a\n  runcmd: [x]\n'), [
    'cc.yaml:4:3: warning: write_files.0.runcmd: unknown key; runcmd is a top-level key, but it is nested under write_files.0: is it indented too much?',
  ]);
  assert.deepEqual(lines('#cloud-config\nwrite_files:\n- path: /a\nencoding: b64\n'), [
    'cc.yaml:4:1: warning: encoding: unknown cloud-config key; encoding is a key of the items of write_files, random_seed: is it indented too little?',
  ]);
});

test('deprecated spellings are reported, and say which wins when both are set', () => {
  // "(still honoured)" where a module lists the old key among the keys it reads.
  assert.match(lines('#cloud-config\nmanage-resolv-conf: true\n').join('\n'), /^cc\.yaml:2:1: deprecated: manage-resolv-conf: deprecated spelling: use manage_resolv_conf( \(still honoured\))?$/);
  assert.deepEqual(lines('#cloud-config\nusers:\n  - name: a\n    lock-passwd: true\nchpasswd:\n  list: |\n    a:b\n'), [
    'cc.yaml:4:5: deprecated: users.0.lock-passwd: deprecated: use lock_passwd',
    'cc.yaml:6:3: deprecated: chpasswd.list: deprecated: use chpasswd.users',
  ]);
  const both = lines('#cloud-config\nmanage_resolv_conf: false\nmanage-resolv-conf: true\n');
  assert.match(both[0] ?? '', /both are set; manage_resolv_conf wins/);
});

test('a union reports the branch that got furthest, and what any branch would take', () => {
  assert.deepEqual(lines('#cloud-config\nruncmd:\n  - [ls, [nested]]\n  - {a: 1}\n'), [
    'cc.yaml:3:10: error: runcmd.0.1: expected a string, a number or a boolean (true or false), got a list',
    'cc.yaml:4:5: error: runcmd.1: expected a string, a list or null, got a mapping',
  ]);
});

test('every error at once, in source order', () => {
  const ps = check('#cloud-config\nfinal_message: 1\nwrite_files:\n- {path: 1}\n- {content: x, encoding: nope}\nruncmd: 3\n');
  assert.deepEqual(
    ps.map((p) => [p.path.join('.'), p.pos?.line]),
    [
      ['final_message', 2],
      ['write_files.0.path', 4],
      ['write_files.1.path', 5], // missing: reported at its entry, column 3
      ['write_files.1.encoding', 5],
      ['runcmd', 6],
    ],
  );
});

test('--annotate: marks at the end of the lines, then Errors / Warnings / Deprecations', () => {
  const text = '#cloud-config\nruncmd: 3\nruncmnd: [a]\nmanage-resolv-conf: true\nfinal_message: hi\n';
  const out = annotate(text, check(text)).replace(' (still honoured)', '');
  assert.equal(
    out,
    [
      '#cloud-config',
      'runcmd: 3\t\t# E1',
      'runcmnd: [a]\t\t# W1',
      'manage-resolv-conf: true\t\t# D1',
      'final_message: hi',
      '',
      '# Errors: -------------',
      '# E1: line 2 column 1: runcmd: expected a list, got the number 3',
      '',
      '# Warnings: -------------',
      '# W1: line 3 column 1: runcmnd: unknown cloud-config key; did you mean runcmd?',
      '',
      '# Deprecations: -------------',
      '# D1: line 4 column 1: manage-resolv-conf: deprecated spelling: use manage_resolv_conf',
      '',
    ].join('\n'),
  );
  assert.equal(annotate('#cloud-config\nruncmd: [a]\n', []), '#cloud-config\nruncmd: [a]\n');
});

test('merged config (init stage): each key located in the part that set it', () => {
  const a = loadYaml('#cloud-config\nruncmd: [a]\nfinal_message: 1\n', 'part 1');
  const b = loadYaml('#cloud-config\n\nruncmnd: [b]\nruncmd: 5\n', 'part 2');
  const parts = [
    { label: 'part 1', value: a.value as Record<string, unknown>, positions: a.positions },
    { label: 'part 2', value: b.value as Record<string, unknown>, positions: b.positions },
  ];
  const cfg = { ...(a.value as object), ...(b.value as object) };
  assert.deepEqual(validateMergedConfig(cfg, parts).map(formatProblem), [
    'part 1:3:1: error: final_message: expected a string, got the number 1',
    'part 2:3:1: warning: runcmnd: unknown cloud-config key; did you mean runcmd?',
    'part 2:4:1: error: runcmd: expected a list, got the number 5',
  ]);
});

test('header and YAML problems come with their line and column', () => {
  assert.deepEqual(lines('runcmd: [a]\n'), ['cc.yaml:1:1: error: (top level): a cloud-config must begin with "#cloud-config" on its first line']);
  assert.match(lines('## template: jinja\n#cloud-config\n')[0] ?? '', /not supported: validating a jinja template/);
  assert.match(lines('#!/bin/sh\necho\n')[0] ?? '', /\(this is a script, not a cloud-config\)$/);
  assert.match(lines('Content-Type: multipart/mixed; boundary="b"\nMIME-Version: 1.0\n\n--b--\n')[0] ?? '', /^cc\.yaml:1:1: error: \(top level\): not supported: validating a MIME multipart message/);
  assert.match(lines('#cloud-config\nruncmd: [a\n')[0] ?? '', /^cc\.yaml:3:1: error: \(top level\): not valid YAML: /);
  assert.deepEqual(check('#cloud-config\n'), []);
  assert.deepEqual(checkText('cloud-config', '', 'e').empty, true);
});

test('a huge unknown key is reported without being measured against every known key', () => {
  const key = 'k'.repeat(200_000);
  const ps = check(`#cloud-config\n${key}: 1\n`);
  assert.equal(ps.length, 1);
  // The edit distance costs length x length: a key far longer than every candidate never reaches it.
  const known = ['runcmd', 'write_files', 'final_message', 'ssh_authorized_keys', 'packages'];
  let measured = 0;
  const counting = (a: string, b: string): number => {
    measured++;
    return a === b ? 0 : Math.max(a.length, b.length);
  };
  assert.equal(didYouMean(key, known, counting), null);
  assert.equal(measured, 0);
  assert.equal(didYouMean('runcmnd', known, counting), null);
  assert.ok(measured > 0, 'a key of a near length is measured');
});
