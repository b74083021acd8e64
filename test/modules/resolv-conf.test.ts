// resolv_conf: /etc/resolv.conf laid out as cloud-init's template renders it, every value checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { resolvConf, renderResolvConf } from '../../packages/core/src/modules/resolv-conf.js';

const HEAD =
  "# Your system has been configured with 'manage-resolv-conf' set to true.\n# As a result, cloud-init has written this file with configuration data\n# that it has been provided. Cloud-init, by default, will write this file\n# a single time (PER_ONCE).\n#\n";

test("resolv.conf laid out as cloud-init's template renders it", () => {
  // Expected texts rendered by cloud-init 22.4's resolv.conf.tmpl.
  assert.equal(renderResolvConf({}), HEAD + '\n');
  assert.equal(renderResolvConf({ nameservers: ['1.1.1.1'] }), HEAD + 'nameserver 1.1.1.1\n\n\n');
  assert.equal(renderResolvConf({ searchdomains: ['s.com'], domain: 'd.com' }), HEAD + 'search s.com \ndomain d.com\n\n');
  assert.equal(renderResolvConf({ sortlist: ['10.0.0.0/8'], options: { rotate: true, ndots: 2, debug: false } }), HEAD + '\nsortlist 10.0.0.0/8 \noptions rotate ndots:2\n');
  assert.equal(
    renderResolvConf({ nameservers: ['8.8.8.8', '8.8.4.4'], searchdomains: ['a.com', 'b.com'], domain: 'ex.com', sortlist: ['10.0.0.1/255', '10.0.0.2'], options: { timeout: 1, rotate: true } }),
    HEAD + 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n\nsearch a.com b.com \ndomain ex.com\n\nsortlist 10.0.0.1/255 10.0.0.2 \noptions rotate timeout:1\n',
  );
});

test('resolv_conf module: values checked, dashed key deprecated, link replaced', async () => {
  const k = makeKit();
  await k.run(resolvConf, 'manage-resolv-conf: true\nresolv_conf:\n  nameservers: [10.0.0.2, "1.1.1.1\\nnameserver 6.6.6.6"]\n  searchdomains: [example.org]\n');
  assert.equal(k.read('etc/resolv.conf'), HEAD + 'nameserver 10.0.0.2\n\nsearch example.org \n\n');
  assert.equal(k.mode('etc/resolv.conf'), 0o644);
  assert.match(k.errors()[0] ?? '', /user-data line 3 col \d+: resolv_conf.nameservers\[1\] .*not an IP address; left out/);
  assert.equal(k.logger.report.recoverable.DEPRECATED.length, 1);
  const off = makeKit();
  await off.run(resolvConf, 'manage_resolv_conf: false\nresolv_conf: {nameservers: [1.1.1.1]}\n');
  assert.ok(!off.exists('etc/resolv.conf'));
  const l = makeKit();
  const fs = await import('node:fs');
  fs.mkdirSync(`${l.root}/run/systemd/resolve`, { recursive: true });
  fs.writeFileSync(`${l.root}/run/systemd/resolve/stub-resolv.conf`, 'nameserver 127.0.0.53\n');
  fs.symlinkSync('../run/systemd/resolve/stub-resolv.conf', `${l.root}/etc/resolv.conf`);
  await l.run(resolvConf, 'manage_resolv_conf: true\nresolv_conf: {nameservers: [1.1.1.1]}\n');
  assert.equal(fs.lstatSync(`${l.root}/etc/resolv.conf`).isFile(), true);
  assert.equal(l.read('run/systemd/resolve/stub-resolv.conf'), 'nameserver 127.0.0.53\n');
  assert.match(l.warnings()[0] ?? '', /was a link to/);
});
