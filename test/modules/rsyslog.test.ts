// rsyslog: the documented examples booted on Debian, the old list form, and remotes
// that would add a directive refused with their line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { makeKit, CENTOS6 } from './kit.js';
import { bootExample } from './boot-example.js';
import { rsyslog, parseRemote, remoteLine } from '../../packages/core/src/modules/rsyslog.js';
import { checkCloudConfigText } from '../../packages/core/src/schema/check.js';

const REMOTES = '# begin remotes\n*.* @192.168.1.1 # maas\n*.* @10.0.4.1 # juju\n# end remotes\n';

test('rsyslog: the documented remotes example on Debian writes 20-cloud-config.conf and reloads rsyslog', () => {
  const b = bootExample(rsyslog.examples[0] as string);
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.equal(b.read('etc/rsyslog.d/20-cloud-config.conf'), REMOTES);
  assert.equal(b.mode('etc/rsyslog.d/20-cloud-config.conf'), 0o644);
  assert.deepEqual(
    b.argvs.filter((a) => a.includes('rsyslog')),
    [['systemctl', 'reload-or-try-restart', 'rsyslog']],
  );
});

test('rsyslog: the documented full example writes each config to its file (appending to the same file) and runs the given reload argv', async () => {
  const k = makeKit();
  await k.run(rsyslog, rsyslog.examples[1] as string);
  assert.equal(k.read('opt/etc/rsyslog.d/99-late-cloud-config.conf'), `*.* @@192.158.1.1\n*.*   @@syslogd.example.com\n${REMOTES}`);
  assert.equal(k.read('opt/etc/rsyslog.d/01-example.conf'), '*.*   @@192.0.2.1:10514\n');
  assert.deepEqual(k.argvs(), [['your', 'syslog', 'restart', 'command']]);
});

test('rsyslog: the old list form with rsyslog_filename and rsyslog_dir still works, with a deprecation notice; SysV restarts with service', async () => {
  const k = makeKit({ osRelease: CENTOS6 });
  await k.run(rsyslog, 'rsyslog:\n  - "*.* @@10.0.0.1"\nrsyslog_filename: 50-mine.conf\nrsyslog_dir: /etc/rsyslog.d\n');
  assert.equal(k.read('etc/rsyslog.d/50-mine.conf'), '*.* @@10.0.0.1\n');
  assert.equal(k.logger.report.recoverable.DEPRECATED.length, 1);
  assert.deepEqual(k.argvs(), [['service', 'rsyslog', 'restart']]);
});

test('rsyslog: remotes with ports, TCP, IPv6 and selectors are written as cloud-init writes them', () => {
  assert.equal(remoteLine(parseRemote('@@logs.example.org:10514', 'a')), '*.* @@logs.example.org:10514 # a');
  assert.equal(remoteLine(parseRemote('kern.* @[2001:db8::1]:514', 'v6')), 'kern.* @[2001:db8::1]:514 # v6');
  assert.equal(remoteLine(parseRemote('*.* 10.0.0.1 # from comment', null)), '*.* @10.0.0.1 # from comment');
});

test('rsyslog refuses a remote that would add a directive and a file name that leaves config_dir, with their lines; nothing is written', async () => {
  const k = makeKit();
  await assert.rejects(
    k.run(rsyslog, 'rsyslog:\n  remotes:\n    evil: "10.0.0.1\\n*.* /etc/shadow"\n    two: "a b c"\n  configs:\n    - {content: x, filename: ../../etc/cron.d/x}\n'),
    /no rsyslog configuration was written/,
  );
  const errs = k.errors().join('\n');
  assert.match(errs, /line 3 col \d+: rsyslog\.remotes\.evil .*a remote is one line/);
  assert.match(errs, /line 4 col \d+: rsyslog\.remotes\.two .*expected "\[selector\] host"/);
  assert.match(errs, /line 6 col \d+: rsyslog\.configs\[0\]\.filename: .* is not a file name/);
  assert.equal(k.exists('etc/rsyslog.d'), false);
  assert.deepEqual(k.argvs(), []);
  const r = checkCloudConfigText('#cloud-config\nrsyslog:\n  remotes: [10.0.0.1]\n', 'ud.yaml');
  assert.deepEqual(
    r.problems.map((p) => [p.file, p.pos?.line, p.path.join('.')]),
    [['ud.yaml', 3, 'rsyslog.remotes']],
  );
});

test('rsyslog property: an accepted remote becomes exactly one forwarding line naming its host', () => {
  const text = fc.oneof(fc.string({ maxLength: 30 }), fc.domain(), fc.ipV4(), fc.constantFrom('a\nb', '*.* @x # y\n*.* z', '@@h:99999', 'h # c'));
  fc.assert(
    fc.property(text, fc.oneof(fc.constant(null), fc.string({ maxLength: 10 })), (line, name) => {
      let r: ReturnType<typeof parseRemote>;
      try {
        r = parseRemote(line, name);
      } catch {
        return;
      }
      const out = remoteLine(r);
      assert.equal(out.split('\n').length, 1, JSON.stringify(out));
      assert.ok(out.includes(r.addr));
    }),
    { numRuns: 3000 },
  );
});
