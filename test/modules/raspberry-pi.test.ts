// raspberry_pi: the documented examples booted on Raspberry Pi OS: raspi-config
// switches each interface, serial last and followed by a reboot; elsewhere the module
// is not for the distro.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { createHost } from '../../packages/core/src/host/host.js';
import { bootExample } from './boot-example.js';
import { raspberryPi } from '../../packages/core/src/modules/raspberry-pi.js';

const RPIOS = 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';
// Raspberry Pi OS's cloud.cfg names its distro, which is what cloud-init's distro check compares.
const RPI_CFG = 'system_info: {distro: raspberry-pi-os}\ncloud_config_modules: [raspberry_pi, runcmd]\n';

function rpiKit() {
  const k = makeKit({ osRelease: RPIOS });
  return k;
}

test('raspberry_pi: the documented interfaces example on Raspberry Pi OS switches spi, i2c and onewire on, then the serial console and UART, then reboots', () => {
  const b = bootExample(raspberryPi.examples[0] as string, { osRelease: RPIOS, files: { 'etc/cloud/cloud.cfg.d/90-rpi.cfg': RPI_CFG } });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.deepEqual(b.errors, []);
  assert.deepEqual(
    b.argvs.filter((a) => a[0] === '/usr/bin/raspi-config' || a[0] === 'shutdown'),
    [
      ['/usr/bin/raspi-config', 'nonint', 'do_spi', '0'],
      ['/usr/bin/raspi-config', 'nonint', 'do_i2c', '0'],
      ['/usr/bin/raspi-config', 'nonint', 'do_onewire', '0'],
      ['/usr/bin/raspi-config', 'nonint', 'is_pifive'],
      ['/usr/bin/raspi-config', 'nonint', 'do_serial_cons', '0'],
      ['/usr/bin/raspi-config', 'nonint', 'do_serial_hw', '1'],
      ['shutdown', '-r', 'now', 'Rebooting to apply serial console changes'],
    ],
  );
});

test('raspberry_pi: serial as console and hardware, rpi-connect and remote GPIO, each through raspi-config', async () => {
  const k = rpiKit();
  const sys = 'system_info: {distro: raspberry-pi-os}\n';
  await k.run(raspberryPi, `${sys}${raspberryPi.examples[1] as string}`);
  assert.deepEqual(k.argvs().slice(1, 3), [
    ['/usr/bin/raspi-config', 'nonint', 'do_serial_cons', '0'],
    ['/usr/bin/raspi-config', 'nonint', 'do_serial_hw', '0'],
  ]);
  const c = rpiKit();
  await c.run(raspberryPi, `${sys}${raspberryPi.examples[2] as string}`);
  assert.deepEqual(c.argvs(), [
    ['/usr/bin/raspi-config', 'do_rpi_connect', '0'],
    ['/usr/bin/raspi-config', 'nonint', 'do_rgpio', '0'],
  ]);
});

test('raspberry_pi: a wrong value or an unknown interface is a warning with its line and the rest still runs; on plain Debian it is not for this distro', async () => {
  const k = rpiKit();
  await k.run(raspberryPi, 'system_info: {distro: raspberry-pi-os}\nrpi:\n  interfaces:\n    spi: maybe\n    camera: true\n    i2c: false\n');
  assert.match(k.warnings().join('\n'), /line 4 col \d+: invalid value for rpi\.interfaces\.spi/);
  assert.match(k.warnings().join('\n'), /line 5 col \d+: invalid key for rpi\.interfaces: camera/);
  assert.deepEqual(k.argvs(), [['/usr/bin/raspi-config', 'nonint', 'do_i2c', '1']]);
  const d = makeKit();
  await d.run(raspberryPi, raspberryPi.examples[0] as string);
  assert.deepEqual(d.argvs(), []);
  assert.match(d.lines.join('\n'), /raspberry_pi: not verified on distro debian \(it is for raspberry-pi-os\); add raspberry_pi to unverified_modules to run it anyway; skipped/);
});

test('raspberry_pi, like every distro-agent module, runs no command for a tree with --exec host: it would act on this machine', async () => {
  const k = rpiKit();
  k.host = createHost({ root: k.root, exec: 'host' });
  await k.run(raspberryPi, `system_info: {distro: raspberry-pi-os}\n${raspberryPi.examples[0] as string}`);
  assert.match(k.warnings().join('\n'), /raspberry_pi was not run: with --exec host its commands would act on this machine/);
  assert.deepEqual(k.errors(), []);
});
