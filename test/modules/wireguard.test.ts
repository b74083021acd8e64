// wireguard: the documented example booted on a Debian image whose cloud.cfg lists the
// module writes the interface file 0600, enables and restarts wg-quick@wg0 and runs
// the readiness probes; wireguard-tools is installed when wg is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit, CENTOS6 } from './kit.js';
import { bootExample } from './boot-example.js';
import { wireguard, checkWireguard, needsDkms } from '../../packages/core/src/modules/wireguard.js';
import { checkCloudConfigText } from '../../packages/core/src/schema/check.js';

const WG = 'wireguard:\n  interfaces:\n    - name: wg0\n      config_path: /etc/wireguard/wg0.conf\n      content: "[Interface]\\nAddress = 10.0.0.1/32\\n"\n';

test('wireguard: the documented example writes wg0.conf 0600, enables wg-quick@wg0, runs the probes, and the boot is done', () => {
  const b = bootExample(wireguard.examples[0] as string, {
    files: { 'usr/bin/wg': { text: '', mode: 0o755 }, 'etc/cloud/cloud.cfg.d/50-wireguard.cfg': 'cloud_config_modules: [wireguard, runcmd]\n' },
  });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.match(b.read('etc/wireguard/wg0.conf'), /^\[Interface\]\nPrivateKey = <private_key>\n/);
  assert.equal(b.mode('etc/wireguard/wg0.conf'), 0o600);
  const mine = b.argvs.filter((a) => /^(lsmod|modprobe|sh)$/.test(a[0] as string) || a.some((x) => /wg-quick|webhook|nc -zv|systemctl restart service/.test(x)));
  assert.deepEqual(mine, [
    ['lsmod'],
    ['modprobe', 'wireguard'],
    ['systemctl', 'enable', 'wg-quick@wg0'],
    ['systemctl', 'restart', 'wg-quick@wg0'],
    ['sh', '-c', 'systemctl restart service'],
    ['sh', '-c', 'curl https://webhook.endpoint/example'],
    ['sh', '-c', 'nc -zv some-service-fqdn 443'],
  ]);
});

test('wireguard installs wireguard-tools when wg is missing', async () => {
  const k = makeKit();
  k.write('usr/bin/apt-get', '', 0o755);
  await k.run(wireguard, WG);
  const argvs = k.argvs();
  assert.ok(
    argvs.some((a) => a.includes('install') && a.includes('wireguard-tools')),
    JSON.stringify(argvs),
  );
  assert.equal(k.read('etc/wireguard/wg0.conf'), '[Interface]\nAddress = 10.0.0.1/32\n');
  assert.equal(needsDkms('5.4.0-150-generic'), true);
  assert.equal(needsDkms('6.1.0-18-amd64'), false);
});

test('wireguard refuses a bad interface name, a relative path or a missing key with its line, and writes nothing', async () => {
  const k = makeKit();
  k.write('usr/bin/wg', '', 0o755);
  await assert.rejects(k.run(wireguard, 'wireguard:\n  interfaces:\n    - name: "wg0/../x"\n      config_path: etc/wg.conf\n      content: x\n    - name: wg1\n'), /3 problem\(s\)/);
  const errs = k.errors().join('\n');
  assert.match(errs, /line 3 .*not an interface name/);
  assert.match(errs, /line 4 .*not an absolute file path/);
  assert.match(errs, /line 6 .*missing required wireguard interface keys: config_path, content/);
  assert.deepEqual(k.argvs(), []);
  assert.equal(checkWireguard({ interfaces: [] }).problems[0]?.message, 'wireguard.interfaces must be a non-empty list');
  const r = checkCloudConfigText('#cloud-config\nwireguard:\n  interfaces:\n    - name: wg0\n      port: 5\n', 'ud.yaml');
  assert.deepEqual(
    r.problems.map((p) => [p.pos?.line, p.path.join('.')]),
    [[5, 'wireguard.interfaces.0.port']],
  );
});

test('wireguard without systemd is "not supported" and writes nothing', async () => {
  const k = makeKit({ osRelease: CENTOS6 });
  k.write('usr/bin/wg', '', 0o755);
  await assert.rejects(k.run(wireguard, WG), /not supported: wg-quick@ interfaces without systemd/);
  assert.equal(k.exists('etc/wireguard/wg0.conf'), false);
});
