import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { shortHostname } from './local-hostname.js';
import { buildInstanceData } from './instance-data.js';
import { createHost } from '../host/host.js';
import type { DatasourceResult } from '../datasources/types.js';
import type { Distro } from '../distro/types.js';

// The expected values are what cloud-init 22.4 and 25.1 answered to `cloud-init query
// v1.local_hostname` for the same metadata (test/state/local-hostname-reference.test.ts).
test('a host name without a domain is local_hostname as it is', () => {
  assert.equal(shortHostname('web1', 'ignored'), 'web1');
});

test('a host name with a domain gives only its first label', () => {
  assert.equal(shortHostname('web1.example.com', ''), 'web1');
  assert.equal(shortHostname('ip-192-0-2-10.eu-west-1.compute.internal', ''), 'ip-192-0-2-10');
});

test('a trailing dot makes no difference', () => {
  assert.equal(shortHostname('web1.example.com.', ''), 'web1');
  assert.equal(shortHostname('web1.', ''), 'web1');
});

test('an IPv4 address as local-hostname becomes an ip-A-B-C-D name, not resolved', () => {
  assert.equal(shortHostname('192.0.2.10', ''), 'ip-192-0-2-10');
  // Not an address as Python reads one: taken as a name.
  assert.equal(shortHostname('010.0.2.10', ''), '010');
  assert.equal(shortHostname('256.0.2.10', ''), '256');
});

test('the case is kept', () => {
  assert.equal(shortHostname('WEB1.Example.COM', ''), 'WEB1');
});

test("without a local-hostname (absent or empty) the machine's own short name is used, localhost when it has none", () => {
  assert.equal(shortHostname(undefined, 'ref-machine'), 'ref-machine');
  assert.equal(shortHostname('', 'box.lan\n'), 'box');
  assert.equal(shortHostname(undefined, ''), 'localhost');
});

const distro = { id: 'debian', version: '12' } as unknown as Distro;
function ds(dsname: string, localHostname?: string): DatasourceResult {
  return {
    dsname,
    description: dsname,
    cloudName: 'c',
    platform: 'p',
    subplatform: 's',
    dsmode: 'net',
    instanceId: 'i-1',
    publicKeys: [],
    metadata: {},
    userdata: null,
    vendordata: null,
    networkConfig: null,
    ...(localHostname === undefined ? {} : { localHostname }),
  };
}

test("every datasource's instance data has the short name in local_hostname and local-hostname; the metadata keeps the full one", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbus-lh-'));
  try {
    const host = createHost({ root });
    for (const name of ['ConfigDrive', 'OpenStack', 'NoCloud', 'Ec2', 'None']) {
      const { public: pub, sensitive } = buildInstanceData(host, {
        ds: { ...ds(name, 'ip-192-0-2-10.eu-west-1.compute.internal'), metadata: { 'local-hostname': 'ip-192-0-2-10.eu-west-1.compute.internal' } },
        distro,
        mergedCfg: {},
        version: 'x',
      });
      for (const data of [pub, sensitive]) {
        const v1 = data.v1 as Record<string, unknown>;
        assert.equal(v1.local_hostname, 'ip-192-0-2-10', name);
        assert.equal(v1['local-hostname'], 'ip-192-0-2-10', name);
        assert.ok(!('hostname' in v1) && !('fqdn' in v1), 'cloud-init has no v1.hostname or v1.fqdn');
      }
      assert.equal((pub.ds as { meta_data: Record<string, unknown> }).meta_data['local-hostname'], 'ip-192-0-2-10.eu-west-1.compute.internal');
    }
    // No name in the metadata: the kernel's name under the root, else the tree's /etc/hostname.
    host.fs.write('/etc/hostname', '# image\nimage-host.example\n');
    assert.equal((buildInstanceData(host, { ds: ds('None'), distro, mergedCfg: {}, version: 'x' }).public.v1 as Record<string, unknown>).local_hostname, 'image-host');
    host.fs.write('/proc/sys/kernel/hostname', 'running\n');
    assert.equal((buildInstanceData(host, { ds: ds('NoCloud', ''), distro, mergedCfg: {}, version: 'x' }).public.v1 as Record<string, unknown>).local_hostname, 'running');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
