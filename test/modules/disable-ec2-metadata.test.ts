// disable_ec2_metadata: the documented example booted on Debian adds a prohibit route
// for the metadata address; nothing without ip or route, nothing on an offline tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { bootExample } from './boot-example.js';
import { disableEc2Metadata } from '../../packages/core/src/modules/disable-ec2-metadata.js';
import { createHost } from '../../packages/core/src/host/host.js';
import { checkCloudConfigText } from '../../packages/core/src/schema/check.js';

test('disable_ec2_metadata: the documented example on Debian adds a prohibit route for 169.254.169.254 and the boot is done', () => {
  const b = bootExample(disableEc2Metadata.examples[0] as string, { files: { 'usr/sbin/ip': { text: '', mode: 0o755 } } });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.deepEqual(
    b.argvs.filter((a) => a.includes('169.254.169.254')),
    [['ip', 'route', 'replace', 'prohibit', '169.254.169.254']],
  );
});

test('disable_ec2_metadata uses route where only net-tools is installed, and is an error with neither; false does nothing', async () => {
  const k = makeKit();
  k.write('sbin/ifconfig', '', 0o755);
  await k.run(disableEc2Metadata, 'disable_ec2_metadata: true\n');
  assert.deepEqual(k.argvs(), [['route', 'add', '-host', '169.254.169.254', 'reject']]);
  const none = makeKit();
  await assert.rejects(none.run(disableEc2Metadata, 'disable_ec2_metadata: true\n'), /neither ip nor route is installed/);
  const off = makeKit();
  off.write('usr/sbin/ip', '', 0o755);
  await off.run(disableEc2Metadata, 'disable_ec2_metadata: false\n');
  assert.deepEqual(off.argvs(), []);
});

test('disable_ec2_metadata adds no route for an image tree that is not running, and schema refuses a non-boolean with its line', async () => {
  const k = makeKit();
  k.write('usr/sbin/ip', '', 0o755);
  const ctx = await k.run(disableEc2Metadata, 'disable_ec2_metadata: false\n');
  await disableEc2Metadata.run({ ...ctx, cfg: { disable_ec2_metadata: true }, host: createHost({ root: k.root, exec: 'chroot' }) });
  assert.deepEqual(k.argvs(), []);
  const r = checkCloudConfigText('#cloud-config\ndisable_ec2_metadata: "yes please"\n', 'ud.yaml');
  assert.deepEqual(
    r.problems.map((p) => [p.file, p.pos?.line, p.path.join('.')]),
    [['ud.yaml', 2, 'disable_ec2_metadata']],
  );
});
