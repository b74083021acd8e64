// fan: the documented example booted on Ubuntu: /etc/network/fan written, ubuntu-fan
// installed when fanctl is missing, the service stopped, started and enabled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { bootUbuntu, UBUNTU2404 } from './ubuntu-boot.js';
import { fan } from '../../packages/core/src/modules/fan.js';

test('fan: the documented example writes /etc/network/fan and restarts and enables ubuntu-fan', () => {
  const b = bootUbuntu(fan.examples[0] as string, { tools: ['fanctl'] });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.equal(b.read('etc/network/fan'), '# fan 240\n10.0.0.0/8 eth0/16 dhcp\n10.0.0.0/8 eth1/16 dhcp off\n# fan 241\n241.0.0.0/8 eth0/16 dhcp\n');
  assert.equal(b.mode('etc/network/fan'), 0o644);
  assert.deepEqual(
    b.argvs.filter((a) => a.includes('ubuntu-fan')),
    [
      ['systemctl', 'stop', 'ubuntu-fan'],
      ['systemctl', 'start', 'ubuntu-fan'],
      ['systemctl', 'enable', 'ubuntu-fan'],
    ],
  );
});

test('fan: without fanctl ubuntu-fan is installed; a config without a final newline gets one; config_path is honoured', async () => {
  const k = makeKit({ osRelease: UBUNTU2404 });
  k.write('usr/bin/apt-get', '', 0o755);
  await k.run(fan, 'fan:\n  config: "10.0.0.0/8 eth0/16 dhcp"\n  config_path: /etc/fan.conf\n');
  assert.equal(k.read('etc/fan.conf'), '10.0.0.0/8 eth0/16 dhcp\n');
  assert.ok(k.argvs().some((a) => a[0] === 'apt-get' && a.includes('ubuntu-fan')));
  await assert.rejects(makeKit({ osRelease: UBUNTU2404 }).run(fan, 'fan:\n  config: x\n  config_path: etc/fan\n'), /line 3 col \d+: fan\.config_path: .* is not an absolute path/);
});
