// The Azure datasource: ovf-env.xml parsed (the password only ever hashed), the IMDS
// network interfaces as cloud-init's network config v2, the wireserver's goal state and
// health reports, detection from local facts, and whole reads against a stand-in of
// IMDS and the wireserver on 127.0.0.1 — answering as Azure documents, and also slowly,
// with 5xx, truncated, oversized and wrong-type answers — and from an ISO on /dev/sr0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { azureDatasource, REPORTED_MARKER } from '../../packages/core/src/datasources/azure.js';
import { byteSwapUuid, azureInstanceId } from '../../packages/core/src/datasources/azure/identity.js';
import { networkConfigFromImds, normalizeMac, isOpenSshKey, ImdsShapeError } from '../../packages/core/src/datasources/azure/imds.js';
import { OvfError, ovfConfig, parseOvfEnv } from '../../packages/core/src/datasources/azure/ovf.js';
import { sha512Crypt } from '../../packages/core/src/datasources/azure/sha512-crypt.js';
import { encodeFailure, healthReport, parseGoalState, GoalStateError } from '../../packages/core/src/datasources/azure/wireserver.js';
import { XmlError, parseXml } from '../../packages/core/src/datasources/azure/xml.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import type { DetectFacts } from '../../packages/core/src/datasources/facts.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import type { Nic } from '../../packages/core/src/net/sysfs.js';
import { dsContext, isoSkip, mkiso, put, refusedUrl, rootWithDmi, serve, settle, tempDir, testHost, testLogger, machineFacts } from './helpers.js';
import { GOAL_STATE, MAC0, MAC1, OVF_KEY, PASSWORD, SSH_KEY, VM_UUID, imdsDoc, ovfEnv, standIn, wireRequests, type ImdsMode } from './azure/fixtures.js';

const TAG = '7783-7084-3265-9085-8269-3286-77';

// ---- ovf-env.xml ----

test('ovf-env.xml gives the hostname, user, keys, custom data and ssh_pwauth; the password is only a sha512-crypt hash', () => {
  const ovf = parseOvfEnv(ovfEnv(), 'ovf-env.xml');
  assert.ok(ovf);
  assert.equal(ovf.hostname, 'ovf-host');
  assert.equal(ovf.username, 'azureuser');
  assert.equal(ovf.disableSshPasswordAuth, true);
  assert.deepEqual(ovf.publicKeys, [{ fingerprint: '0123456789ABCDEF0123456789ABCDEF01234567', path: '/home/azureuser/.ssh/authorized_keys', value: OVF_KEY }]);
  assert.equal(Buffer.from(ovf.customData!).toString(), '#cloud-config\nruncmd: [echo from-custom-data]\n');
  const cfg = ovfConfig(ovf, (p) => sha512Crypt(p, 'fixedsalt'));
  assert.deepEqual(cfg, { ssh_pwauth: false, system_info: { default_user: { name: 'azureuser', lock_passwd: false, hashed_passwd: sha512Crypt(PASSWORD, 'fixedsalt') } } });
  assert.ok(!JSON.stringify(cfg).includes(PASSWORD));
});

test('a password without DisableSshPasswordAuthentication turns password login on; REDACTED unlocks without a hash', () => {
  const a = parseOvfEnv(ovfEnv().replace(/<ns1:DisableSshPasswordAuthentication>.*<\/ns1:DisableSshPasswordAuthentication>/, ''), 'x')!;
  assert.equal(a.disableSshPasswordAuth, null);
  assert.equal(ovfConfig(a, () => 'H')['ssh_pwauth'], true);
  // Present but empty is false, as cloud-init reads it: password login stays on.
  assert.equal(parseOvfEnv(ovfEnv({ disableSsh: '' }), 'x')!.disableSshPasswordAuth, false);
  const b = parseOvfEnv(ovfEnv({ password: 'REDACTED', disableSsh: 'false' }), 'x')!;
  assert.deepEqual(
    ovfConfig(b, () => 'H'),
    { ssh_pwauth: true, system_info: { default_user: { name: 'azureuser', lock_passwd: false } } },
  );
});

test('an ovf-env.xml without an Azure ProvisioningSection is not Azure’s (null), as cloud-init ignores it', () => {
  assert.equal(parseOvfEnv('<Environment xmlns="http://schemas.dmtf.org/ovf/environment/1"><PropertySection/></Environment>', 'x'), null);
});

test('a broken ovf-env.xml is refused naming the file and the key, never quoting the password', () => {
  const cases: [string, RegExp][] = [
    [ovfEnv().replace('</ns1:HostName>', ''), /ovf-env\.xml: not well-formed XML: line \d+ col \d+/],
    [ovfEnv().replace(/<ns1:UserName>.*<\/ns1:UserName>/, ''), /ovf-env\.xml: UserName: missing/],
    [ovfEnv({ extra: '<ns1:HostName>two</ns1:HostName>' }), /ovf-env\.xml: HostName: 2 values where one is allowed/],
    [ovfEnv({ customData: '!!not base64!!' }), /ovf-env\.xml: CustomData: not base64/],
    [`<!DOCTYPE x [<!ENTITY a "${PASSWORD}">]>${ovfEnv()}`, /DOCTYPE is not accepted/],
  ];
  for (const [text, re] of cases) {
    assert.throws(
      () => parseOvfEnv(text, 'ovf-env.xml'),
      (e: Error) => e instanceof OvfError && re.test(e.message) && !e.message.includes(PASSWORD),
    );
  }
});

test('the XML reader decodes entities and CDATA, resolves prefixes and bounds nesting', () => {
  const el = parseXml('<?xml version="1.0"?><!-- c --><a xmlns:p="urn:x"><p:b k="1&amp;2">x &lt; y<![CDATA[ <z> ]]>&#65;</p:b></a>');
  assert.equal(el.children[0]?.ns, 'urn:x');
  assert.equal(el.children[0]?.attrs.get('k'), '1&2');
  assert.equal(el.children[0]?.text, 'x < y <z> A');
  assert.throws(
    () => parseXml(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`),
    (e: Error) => e instanceof XmlError && /nested deeper than 64/.test(e.message),
  );
  assert.throws(() => parseXml('<a><q:b/></a>'), /namespace prefix "q" is not declared/);
  assert.throws(
    () => parseXml('<a>&bogus;</a>'),
    (e: Error) => /an unknown entity/.test(e.message) && !e.message.includes('bogus'),
  );
  assert.throws(() => parseXml('<a>x & y</a>'), /a bare "&"/);
});

test('sha512-crypt agrees with openssl passwd -6', (t) => {
  const r = spawnSync('openssl', ['passwd', '-6', '-salt', 'Qx8.zr/w3sMb7Ale', PASSWORD], { encoding: 'utf8' });
  if (r.status !== 0) return t.skip('openssl is not installed');
  assert.equal(sha512Crypt(PASSWORD, 'Qx8.zr/w3sMb7Ale'), r.stdout.trim());
});

// ---- IMDS → network config ----

const nic = (name: string, mac: string, driver: string | null): Nic => ({ name, mac, driver, operstate: 'up', carrier: true, dormant: false, type: 1, master: null, virtual: null });

test('IMDS interfaces become cloud-init’s v2: eth<N> by MAC, DHCP with route metrics, secondary NICs without DNS, further addresses static', () => {
  const cfg = networkConfigFromImds(imdsDoc()['network'], true, [nic('eth0', MAC0, 'hv_netvsc'), nic('enP1s1', MAC0, 'mlx5_core'), nic('eth1', MAC1, 'hv_netvsc')]);
  assert.deepEqual(cfg, {
    version: 2,
    ethernets: {
      eth0: { dhcp4: true, 'dhcp4-overrides': { 'route-metric': 100 }, dhcp6: false, addresses: ['10.0.0.5/24'], match: { macaddress: MAC0, driver: 'hv_netvsc' }, 'set-name': 'eth0' },
      eth1: {
        dhcp4: true,
        'dhcp4-overrides': { 'route-metric': 200, 'use-dns': false },
        dhcp6: true,
        'dhcp6-overrides': { 'route-metric': 200, 'use-dns': false },
        addresses: ['fd00::5/64'],
        match: { macaddress: MAC1, driver: 'hv_netvsc' },
        'set-name': 'eth1',
      },
    },
  });
  const noSecondary = networkConfigFromImds(imdsDoc()['network'], false, []) as { ethernets: Record<string, Record<string, unknown>> };
  assert.equal(noSecondary.ethernets['eth0']?.['addresses'], undefined);
  assert.deepEqual(noSecondary.ethernets['eth0']?.['match'], { macaddress: MAC0 });
});

test('IMDS network metadata of the wrong shape is refused naming the key', () => {
  assert.throws(
    () => networkConfigFromImds({ interface: 'eth0' }, true, []),
    (e: Error) => e instanceof ImdsShapeError && /network\.interface: expected a list/.test(e.message),
  );
  assert.throws(
    () => networkConfigFromImds({ interface: [{ ipv4: { ipAddress: [{ privateIpAddress: '10.0.0.4' }] }, macAddress: 'zz' }] }, true, []),
    /network\.interface\[0\]\.macAddress: "zz" is not a MAC address/,
  );
  assert.throws(
    () => networkConfigFromImds({ interface: [{ ipv4: { ipAddress: [{ privateIpAddress: '10.0.0.4' }, { privateIpAddress: 5 }] }, macAddress: MAC0 }] }, true, []),
    /ipAddress\[1\]\.privateIpAddress: expected an address/,
  );
  assert.equal(normalizeMac('000D3A047598'), MAC0);
  assert.equal(isOpenSshKey(SSH_KEY), true);
  assert.equal(isOpenSshKey('---- BEGIN SSH2 PUBLIC KEY ----\r\nAAAA\r\n'), false);
});

// ---- wireserver ----

test('the goal state gives the incarnation, container and role instance; the health report is cloud-init’s document', () => {
  const gs = parseGoalState(GOAL_STATE, 'goalstate');
  assert.deepEqual(gs, { incarnation: '2', containerId: 'c6d5fd8e-1e8f-4a0b-9c3d-2b7a6f5e4d3c', instanceId: `${VM_UUID}.vm-name` });
  const ready = healthReport(gs, 'Ready');
  assert.match(ready, /<State>Ready<\/State>\n {10}\n {8}<\/Health>/);
  const failed = healthReport(gs, 'NotReady', { substatus: 'ProvisioningFailed', description: `a<b&c${'x'.repeat(600)}` });
  assert.match(failed, /<SubStatus>ProvisioningFailed<\/SubStatus>\n {2}<Description>a&lt;b&amp;cx+<\/Description>/);
  assert.equal(/<Description>(.*)<\/Description>/.exec(failed)?.[1]?.length, 512 + 'a&lt;b&amp;c'.length - 'a<b&c'.length);
  assert.throws(
    () => parseGoalState('<GoalState><Incarnation>1</Incarnation></GoalState>', 'gs'),
    (e: Error) => e instanceof GoalStateError && /Container\/ContainerId is missing/.test(e.message),
  );
  assert.equal(
    encodeFailure([
      ['result', 'error'],
      ['reason', "a|b 'c'"],
    ]),
    "result=error|'reason=a|b ''c'''",
  );
});

// ---- identity and detection ----

test('the instance-id is the system UUID, kept as recorded when only its byte order differs', () => {
  assert.equal(byteSwapUuid('7e3b4b2a-5c1d-4e8f-9a0b-1c2d3e4f5a6b'), '2a4b3b7e-1d5c-8f4e-9a0b-1c2d3e4f5a6b');
  const root = rootWithDmi({ product_uuid: VM_UUID.toUpperCase() });
  assert.equal(azureInstanceId(testHost(root)), VM_UUID);
  put(root, 'var/lib/cloud/data/instance-id', `${byteSwapUuid(VM_UUID)}\n`);
  assert.equal(azureInstanceId(testHost(root)), byteSwapUuid(VM_UUID));
});

const facts = (over: Partial<DetectFacts> = {}): DetectFacts => machineFacts({}, over);
const dmi = (d: Partial<DetectFacts['dmi']>) => ({ sysVendor: null, productName: null, productSerial: null, productUuid: null, chassisAssetTag: null, boardName: null, ...d });

test('detection table: Azure is found by its chassis tag, its seed, or rd_rdfe media on Hyper-V, and nowhere else', () => {
  const rows: [string, DetectFacts, string][] = [
    ['the Azure chassis asset tag', facts({ dmi: dmi({ chassisAssetTag: TAG, sysVendor: 'Microsoft Corporation' }) }), 'found'],
    ['the seed ovf-env.xml', facts({ seeds: { nocloud: false, nocloudNet: false, configDrive: null, ec2: false, azure: true, ovf: false, opennebula: false, cloudInfo: null } }), 'found'],
    [
      'rd_rdfe media on a Microsoft machine (22.4 ds-identify)',
      facts({ dmi: dmi({ sysVendor: 'Microsoft Corporation' }), filesystems: [{ device: '/dev/sr0', label: 'rd_rdfe_stable.161212-1209', type: 'udf' }] }),
      'found',
    ],
    ['rd_rdfe media on another vendor', facts({ dmi: dmi({ sysVendor: 'QEMU' }), filesystems: [{ device: '/dev/sr0', label: 'rd_rdfe_stable.1', type: 'udf' }] }), 'not-found'],
    ['Hyper-V without the tag (an on-premises Hyper-V)', facts({ dmi: dmi({ sysVendor: 'Microsoft Corporation', productName: 'Virtual Machine' }) }), 'not-found'],
    ['an EC2 machine', facts({ dmi: dmi({ sysVendor: 'Amazon EC2', chassisAssetTag: 'Amazon EC2' }) }), 'not-found'],
    ['a container without DMI', facts({ dmiAvailable: false, container: 'lxc' }), 'not-found'],
    ['a machine showing nothing', facts(), 'not-found'],
  ];
  for (const [what, f, verdict] of rows) assert.equal(azureDatasource.detect(f).verdict, verdict, what);
  const list = ['NoCloud', 'ConfigDrive', 'Azure', 'Ec2', 'None'];
  assert.deepEqual(decideDatasources(rows[0]![1], list).datasources, ['Azure', 'None']);
  assert.deepEqual(decideDatasources(facts(), list).datasources, ['None']);
  assert.deepEqual(decideDatasources(facts({ cmdline: 'ro ci.ds=Azure' }), list).datasources, ['Azure', 'None']);
  assert.deepEqual(decideDatasources(facts(), ['Azure', 'None']).datasources, ['Azure', 'None']);
});

// ---- whole reads against the stand-in on 127.0.0.1 ----

function azureRoot(opts: { ovf?: string | null } = {}): string {
  const root = rootWithDmi({ chassis_asset_tag: TAG, product_uuid: VM_UUID, sys_vendor: 'Microsoft Corporation' });
  if (opts.ovf !== null) put(root, 'var/lib/cloud/seed/azure/ovf-env.xml', opts.ovf ?? ovfEnv());
  return root;
}

async function read(mode: ImdsMode, opts: { root?: string; stage?: 'local' | 'net'; cfg?: Record<string, unknown>; doc?: Record<string, unknown> } = {}) {
  const s = standIn(mode, opts.doc);
  const srv = await serve(s.handler);
  const { log, lines } = testLogger();
  const root = opts.root ?? azureRoot();
  try {
    const port = new URL(srv.url).port;
    // A patient budget by default, so a busy machine cannot turn a prompt answer into a
    // timeout; the cases that are about slowness pass their own short one.
    const cfg = { metadata_urls: [srv.url], wireserver_endpoint: `127.0.0.1:${port}`, timeout: 10, retries: 1, max_wait: 30, ...opts.cfg };
    const r = await settle(() => azureDatasource.find(dsContext(testHost(root), cfg, log, opts.stage ?? 'net')));
    return { ...r, s, lines, root };
  } finally {
    await srv.close();
  }
}

test('Azure as documented: instance-data keys, IMDS keys and network, custom data as user-data, report ready once', async () => {
  const { value: r, error, s, lines, root } = await read('ok');
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.dsname, 'Azure');
  assert.equal(r.cloudName, 'azure');
  assert.equal(r.platform, 'azure');
  assert.equal(r.subplatform, 'seed-dir (/var/lib/cloud/seed/azure)');
  assert.equal(r.description, 'DataSourceAzure [seed=/var/lib/cloud/seed/azure]');
  assert.equal(r.instanceId, VM_UUID);
  assert.equal(r.localHostname, 'imds-host');
  assert.equal(r.region, 'westeurope');
  assert.equal(r.availabilityZone, '0');
  assert.deepEqual(r.publicKeys, [SSH_KEY]);
  assert.equal(Buffer.from(r.userdata!).toString(), '#cloud-config\nruncmd: [echo from-custom-data]\n');
  assert.equal(r.networkConfig?.format, 'v2');
  assert.deepEqual(Object.keys((r.networkConfig!.config as { ethernets: object }).ethernets), ['eth0', 'eth1']);
  const imds = r.metadata['imds'] as { compute: Record<string, unknown> };
  assert.equal(imds.compute['zone'], '2');
  assert.equal(imds.compute['tags'], 'env:test;team:core');
  assert.equal(imds.compute['userData'], undefined, 'the user-data is not repeated in the metadata');
  assert.deepEqual(r.config!['system_info'], {
    default_user: { name: 'azureuser', lock_passwd: false, hashed_passwd: (r.config!['system_info'] as { default_user: { hashed_passwd: string } }).default_user.hashed_passwd },
  });
  assert.match((r.config!['system_info'] as { default_user: { hashed_passwd: string } }).default_user.hashed_passwd, /^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
  assert.equal(r.config?.['ssh_pwauth'], false);
  // IMDS asked with its header; the wireserver asked for the goal state, then told Ready once.
  const first = s.requests[0]!;
  assert.equal(first.url, '/metadata/instance?api-version=2021-08-01&extended=true');
  assert.equal(first.headers['metadata'], 'true');
  const wire = wireRequests(s);
  assert.deepEqual(
    wire.map((w) => `${w.method} ${w.url}`),
    ['GET /machine/?comp=goalstate', 'POST /machine?comp=health'],
  );
  assert.equal(wire[0]!.headers['x-ms-agent-name'], 'WALinuxAgent');
  assert.equal(wire[0]!.headers['x-ms-version'], '2012-11-30');
  assert.equal(wire[1]!.headers['content-type'], 'text/xml; charset=utf-8');
  assert.match(wire[1]!.body, /<GoalStateIncarnation>2<\/GoalStateIncarnation>[\s\S]*<InstanceId>7e3b4b2a-5c1d-4e8f-9a0b-1c2d3e4f5a6b\.vm-name<\/InstanceId>[\s\S]*<State>Ready<\/State>/);
  assert.equal(fs.readFileSync(path.join(root, REPORTED_MARKER.slice(1)), 'utf8'), `${VM_UUID}\n`);
  assert.ok(!lines.join('\n').includes(PASSWORD), 'the password is never logged');
  assert.ok(!JSON.stringify(r).includes(PASSWORD), 'the password is nowhere in the result');

  // The same instance read again (a re-run after a crash): no second report.
  const again = await read('ok', { root });
  assert.ok(again.value);
  assert.deepEqual(wireRequests(again.s), []);
});

test('without ovf-env.xml IMDS alone provisions: its user-data, hostname and user, subplatform imds', async () => {
  const { value: r, error } = await read('ok', { root: azureRoot({ ovf: null }) });
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.subplatform, 'imds (IMDS)');
  assert.equal(Buffer.from(r.userdata!).toString(), '#cloud-config\nruncmd: [echo from-imds]\n');
  assert.deepEqual(r.config, { system_info: { default_user: { name: 'azureuser' } }, ssh_pwauth: false });
});

test('an IMDS answering 500 is reported to the wireserver as a failure; provisioning goes on from ovf-env.xml without report ready', async () => {
  const { value: r, error, s, lines } = await read('500');
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.localHostname, 'ovf-host');
  assert.deepEqual(r.publicKeys, [OVF_KEY]);
  assert.equal(r.networkConfig, null);
  const wire = wireRequests(s);
  assert.deepEqual(
    wire.map((w) => `${w.method} ${w.url}`),
    ['GET /machine/?comp=goalstate', 'POST /machine?comp=health'],
  );
  assert.match(
    wire[1]!.body,
    /<State>NotReady<\/State>[\s\S]*<SubStatus>ProvisioningFailed<\/SubStatus>[\s\S]*<Description>result=error\|reason=http error 500 querying IMDS\|agent=nimbus\/[^|]+\|http_code=500\|duration=[\d.]+\|exception=HTTP 500 \(gave up after 2 attempts\)\|url=http:\/\/127\.0\.0\.1:\d+\/metadata\/instance\?api-version=2021-08-01&amp;extended=true\|vm_id=[0-9a-f-]+\|timestamp=[^|]+\|documentation_url=https:\/\/aka.ms\/linuxprovisioningerror<\/Description>/,
  );
  assert.ok(lines.some((l) => /ignoring IMDS metadata: .*HTTP 500 \(gave up after 2 attempts\)/.test(l)));
});

test('IMDS answering truncated, oversized, non-object or HTML is refused with the reason, and the failure is reported', async () => {
  const cases: [ImdsMode, RegExp][] = [
    ['truncated', /not valid JSON \(\d+ bytes\) at line 1 col \d+/],
    ['oversized', /larger than the \d+ allowed/],
    ['array', /expected a JSON object, got an array/],
    ['no-compute', /compute: expected an object/],
    ['html', /not valid JSON/],
  ];
  for (const [mode, re] of cases) {
    // A patient per-request timeout: the 5 MiB answer must end on its size, not on a busy machine's clock.
    const { value: r, s, lines } = await read(mode, { cfg: { timeout: 10, retries: 1, max_wait: 30 } });
    assert.ok(r, mode);
    assert.ok(
      lines.some((l) => re.test(l)),
      `${mode}: ${lines.join('\n')}`,
    );
    const health = wireRequests(s).find((w) => w.method === 'POST');
    assert.match(health?.body ?? '', /<State>NotReady<\/State>/, mode);
  }
});

test('IMDS network metadata of the wrong type leaves fallback networking with an error naming the key; the rest is read', async () => {
  const { value: r, lines, s } = await read('bad-network');
  assert.ok(r);
  assert.equal(r.networkConfig, null);
  assert.ok(lines.some((l) => /no network config from IMDS .*network\.interface\[0\]\.macAddress: expected a MAC address/.test(l)));
  assert.match(wireRequests(s).find((w) => w.method === 'POST')?.body ?? '', /<State>Ready<\/State>/);
});

test('IMDS that is slow ends on its budget; provisioning goes on from ovf-env.xml and reports ready', async () => {
  const { value: r, lines, s } = await read('slow', { cfg: { timeout: 0.3, retries: 1, max_wait: 1 } });
  assert.ok(r);
  assert.ok(
    lines.some((l) => /ignoring IMDS metadata: .*(no response within \d+ ms|time budget)/.test(l)),
    lines.join('\n'),
  );
  assert.match(wireRequests(s).find((w) => w.method === 'POST')?.body ?? '', /<State>Ready<\/State>/);
});

test('IMDS 404 (not published yet) is asked again; a refused api-version falls back to 2019-06-01', async () => {
  const a = await read('404-then-ok');
  assert.equal(a.value?.localHostname, 'imds-host');
  assert.equal(a.s.requests.filter((q) => q.url.startsWith('/metadata/')).length, 3);
  const b = await read('400-old-version');
  assert.equal(b.value?.localHostname, 'imds-host');
  assert.deepEqual(
    b.s.requests.filter((q) => q.url.startsWith('/metadata/')).map((q) => q.url),
    ['/metadata/instance?api-version=2021-08-01&extended=true', '/metadata/instance?api-version=2019-06-01'],
  );
});

test('a broken ovf-env.xml is reported as a provisioning failure and the datasource fails naming the file', async () => {
  const { value, error, s, lines } = await read('ok', { root: azureRoot({ ovf: ovfEnv().replace(/<ns1:UserName>.*<\/ns1:UserName>/, '') }) });
  assert.equal(value, undefined);
  assert.ok(error instanceof DatasourceError);
  assert.match(error.message, /seed\/azure\/ovf-env\.xml: UserName: missing/);
  assert.match(wireRequests(s).find((w) => w.method === 'POST')?.body ?? '', /<State>NotReady<\/State>[\s\S]*reason=error parsing ovf-env.xml/);
  assert.ok(!lines.join('\n').includes(PASSWORD));
});

test('no ovf-env.xml and no IMDS answer: failure, reported; in the local stage an unreachable IMDS is left to the init stage', async () => {
  const root = azureRoot({ ovf: null });
  const { log, lines } = testLogger();
  const dead = await refusedUrl();
  const cfg = { metadata_urls: [dead], wireserver_endpoint: new URL(dead).host, timeout: 0.3, retries: 0, max_wait: 1 };
  const local = await azureDatasource.find(dsContext(testHost(root), cfg, log, 'local'));
  assert.equal(local, null);
  assert.ok(lines.some((l) => /IMDS not reachable before the network is up .*; the init stage reads it/.test(l)));
  const net = await settle(() => azureDatasource.find(dsContext(testHost(root), cfg, log, 'net')));
  assert.ok(net.error instanceof DatasourceError);
  assert.match(net.error.message, /no ovf-env\.xml and IMDS failed: .*connection failed/);
});

test('a machine that is not Azure is not asked anything', async () => {
  const { value, s } = await read('ok', { root: rootWithDmi({ sys_vendor: 'QEMU' }) });
  assert.equal(value, null);
  assert.deepEqual(s.requests, []);
});

test('the provisioning ISO on /dev/sr0 (label rd_rdfe_stable…) is read without mounting', { skip: isoSkip }, async () => {
  const dir = tempDir('nimbus-azure-iso-');
  fs.writeFileSync(path.join(dir, 'ovf-env.xml'), ovfEnv());
  const root = azureRoot({ ovf: null });
  put(root, 'dev/sr0', mkiso(dir, ['-V', 'rd_rdfe_stable.161212-1209', '-R']));
  const { value: r, error } = await read('ok', { root });
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.subplatform, 'config-disk (/dev/sr0)');
  assert.equal(Buffer.from(r.userdata!).toString(), '#cloud-config\nruncmd: [echo from-custom-data]\n');
});
