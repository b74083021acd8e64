// A whole boot on Azure: the four stages on a temp root whose DMI says Azure, with
// ovf-env.xml in the seed and IMDS and the wireserver played on 127.0.0.1 (URLs set
// in cloud.cfg.d). The admin user from ovf-env.xml is the default user, with the IMDS
// key and the password only as a hash; the hostname, the IMDS network config and the
// instance-data v1 keys are cloud-init's; the wireserver hears "ready" once, also
// across a second boot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DIST, addNic, cli, makeRoot, read, recorded, type Run } from '../helpers/boot.js';
import { put, serve } from './helpers.js';
import { MAC0, PASSWORD, SSH_KEY, VM_UUID, ovfEnv, standIn, wireRequests } from './azure/fixtures.js';

function stageAsync(root: string, name: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(DIST, `nimbus-${name}.js`), '--root', root], { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function bootAsync(root: string): Promise<Run[]> {
  fs.rmSync(path.join(root, 'run'), { recursive: true, force: true });
  const runs: Run[] = [];
  for (const s of ['local', 'init', 'config', 'final']) runs.push(await stageAsync(root, s));
  return runs;
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return filesUnder(p);
    return e.isFile() ? [p] : [];
  });
}

test('an Azure boot: the ovf-env.xml admin user with the IMDS key, hostname, network config and instance-data; ready reported once', async () => {
  const s = standIn('ok');
  const srv = await serve(s.handler);
  try {
    const root = makeRoot({ drive: false, nics: [] });
    addNic(root, 'eth0', MAC0);
    for (const [k, v] of Object.entries({ chassis_asset_tag: '7783-7084-3265-9085-8269-3286-77', product_uuid: VM_UUID, sys_vendor: 'Microsoft Corporation' }))
      put(root, `sys/class/dmi/id/${k}`, `${v}\n`);
    put(root, 'var/lib/cloud/seed/azure/ovf-env.xml', ovfEnv());
    const port = new URL(srv.url).port;
    put(
      root,
      'etc/cloud/cloud.cfg.d/90-azure-standin.cfg',
      `datasource:\n  Azure:\n    metadata_urls: ['${srv.url}']\n    wireserver_endpoint: '127.0.0.1:${port}'\n    timeout: 2\n    max_wait: 10\n`,
    );
    const runs = await bootAsync(root);
    runs.forEach((r, i) => assert.equal(r.code, 0, `stage ${i}: ${r.stderr}`));

    const status = JSON.parse(read(root, 'run/cloud-init/status.json')) as { v1: { datasource: string } };
    assert.equal(status.v1.datasource, 'DataSourceAzure [seed=/var/lib/cloud/seed/azure]');
    const v1 = JSON.parse(cli(root, 'query', 'v1').stdout) as Record<string, unknown>;
    assert.equal(v1['cloud_name'], 'azure');
    assert.equal(v1['platform'], 'azure');
    assert.equal(v1['subplatform'], 'seed-dir (/var/lib/cloud/seed/azure)');
    assert.equal(v1['region'], 'westeurope');
    assert.equal(v1['availability_zone'], '0');
    assert.equal(v1['instance_id'], VM_UUID);
    assert.equal(v1['local_hostname'], 'imds-host');
    assert.deepEqual(v1['public_ssh_keys'], [SSH_KEY]);
    assert.equal(read(root, 'etc/hostname'), 'imds-host\n');

    // The default user is ovf-env.xml's admin, created with the hashed password and given the key.
    const cmds = recorded(root);
    assert.ok(
      cmds.some((a) => a[0] === 'useradd' && a.includes('azureuser')),
      JSON.stringify(cmds),
    );
    // The hash goes to chpasswd -e on stdin (never on a command line); the password is not locked.
    assert.ok(cmds.some((a) => a.join(' ') === 'chpasswd -e'));
    assert.ok(!cmds.some((a) => a[0] === 'passwd' && a.includes('azureuser')));
    assert.match(read(root, 'home/azureuser/.ssh/authorized_keys'), new RegExp(SSH_KEY.split(' ')[1]!.replace(/[+/]/g, '\\$&')));
    for (const f of filesUnder(root)) {
      if (f.includes('/dev/') || f.includes('/sys/') || f.endsWith('seed/azure/ovf-env.xml')) continue;
      assert.ok(!fs.readFileSync(f).includes(PASSWORD), `the password is in ${f}`);
    }

    // The hash is in the cache (0600) and the sensitive instance data only, never in the public copy.
    assert.ok(!read(root, 'run/cloud-init/instance-data.json').includes('$6$'));
    // The network config from IMDS, by MAC, as the local stage rendered it.
    const eni = read(root, 'etc/network/interfaces.d/50-cloud-init');
    assert.match(eni, /iface eth0 inet dhcp/);

    assert.deepEqual(
      wireRequests(s).map((w) => `${w.method} ${w.url}`),
      ['GET /machine/?comp=goalstate', 'POST /machine?comp=health'],
    );
    const second = await bootAsync(root);
    second.forEach((r, i) => assert.equal(r.code, 0, `second boot, stage ${i}: ${r.stderr}`));
    assert.equal(wireRequests(s).length, 2, 'a second boot of the same instance reports nothing');
  } finally {
    await srv.close();
  }
});
