// The datasource registry is the only list: each record is whole, names and places in
// cloud-init's order are unique, and the list of cloud-init datasources nimbus lacks
// shrinks as records land. Adding a datasource without its registry line, or with a
// record missing a piece, fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DATASOURCES, builtinDatasourceList, datasourceByName } from '../../packages/core/src/datasources/registry.js';
import { NOT_IMPLEMENTED } from '../../packages/core/src/datasources/not-implemented.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import type { DetectFacts } from '../../packages/core/src/datasources/facts.js';
import type { Datasource } from '../../packages/core/src/datasources/types.js';

const DATASOURCE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../packages/core/src/datasources');

/** A machine that shows nothing: no DMI, no labels, no seeds, a bare command line. */
function emptyFacts(x86: boolean): DetectFacts {
  return {
    x86,
    dmiAvailable: false,
    dmi: { sysVendor: null, productName: null, productSerial: null, productUuid: null, chassisAssetTag: null, boardName: null },
    hypervisorUuid: null,
    pid1ProductName: null,
    container: null,
    cmdline: '',
    filesystems: [],
    seeds: { nocloud: false, nocloudNet: false, configDrive: null, ec2: false, azure: false, ovf: false, opennebula: false, cloudInfo: null },
    sockets: { lxd: false },
    wsl: { kernelRelease: null, drives: [] },
  };
}

function isRecord(v: unknown): v is Datasource {
  if (v === null || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return typeof r.name === 'string' && typeof r.detect === 'function' && typeof r.find === 'function';
}

test('every datasource record is whole: name, needs, place in the order, detection with a reason on empty facts, find, network config, options', () => {
  assert.ok(DATASOURCES.length > 0);
  for (const d of DATASOURCES) {
    const who = `datasource ${d.name || '(no name)'}`;
    assert.match(d.name, /^[A-Za-z][A-Za-z0-9]*$/, `${who}: a name as datasource_list spells it`);
    assert.ok(d.needs === 'local' || d.needs === 'net', `${who}: needs is local or net`);
    assert.ok(Number.isInteger(d.order) && d.order >= 1, `${who}: order is its 1-based place in cloud-init's datasource_list`);
    assert.ok(d.detectedBy.trim() !== '', `${who}: detectedBy says when it is found`);
    for (const x86 of [true, false]) {
      const r = d.detect(emptyFacts(x86));
      assert.ok(['found', 'maybe', 'not-found'].includes(r.verdict), `${who}: detect on empty facts gives a verdict`);
      assert.ok(r.reason.trim() !== '', `${who}: detect on empty facts gives a reason`);
    }
    assert.equal(typeof d.find, 'function', `${who}: find is defined`);
    assert.ok(d.network.from.trim() !== '', `${who}: network says where its network config comes from`);
    const keys = d.options.map((o) => o.key);
    assert.deepEqual([...new Set(keys)], keys, `${who}: each option once`);
    for (const o of d.options) assert.ok(o.key.trim() !== '' && o.meaning.trim() !== '', `${who}: option ${o.key} has a meaning`);
    for (const a of d.aliases) assert.ok(a.trim() !== '', `${who}: no empty alias`);
  }
});

test('no two datasources answer to the same name or alias, whatever the case', () => {
  const seen = new Map<string, string>();
  for (const d of DATASOURCES) {
    for (const n of [d.name, ...d.aliases]) {
      const k = n.toLowerCase();
      assert.ok(!seen.has(k), `${n} (${d.name}) is also ${seen.get(k)}'s`);
      seen.set(k, d.name);
    }
  }
});

test('no datasource is both implemented and in the not-implemented list', () => {
  const lacking = new Set(NOT_IMPLEMENTED.map(([n]) => n.toLowerCase()));
  for (const d of DATASOURCES) {
    for (const n of [d.name, ...d.aliases]) assert.ok(!lacking.has(n.toLowerCase()), `${n} is implemented: delete its line from not-implemented.ts`);
  }
});

test("the registry and the not-implemented list together are cloud-init's default datasource_list, each place once, None last", () => {
  const places = [...DATASOURCES.map((d) => [d.name, d.order] as const), ...NOT_IMPLEMENTED].sort((a, b) => a[1] - b[1]);
  assert.deepEqual(
    places.map(([, o]) => o),
    places.map((_, i) => i + 1),
    `orders must be 1..${places.length} with no gap or repeat: ${places.map(([n, o]) => `${n}=${o}`).join(', ')}`,
  );
  assert.equal(places.at(-1)?.[0], 'None');
  assert.equal(places.length, 31, 'cloud-init 25.x lists 31 datasources');
});

test("the built-in datasource_list is the registry in cloud-init's order, None last", () => {
  const list = builtinDatasourceList();
  assert.deepEqual(
    list,
    [...DATASOURCES].sort((a, b) => a.order - b.order).map((d) => d.name),
  );
  assert.equal(list.at(-1), 'None');
});

test('every datasource record exported by a file in datasources/ is in the registry', async () => {
  const files = fs.readdirSync(DATASOURCE_DIR).filter((f) => f.endsWith('.js') && !f.endsWith('.test.js'));
  let found = 0;
  for (const f of files) {
    const mod = (await import(pathToFileURL(path.join(DATASOURCE_DIR, f)).href)) as Record<string, unknown>;
    for (const [exported, v] of Object.entries(mod)) {
      if (!isRecord(v)) continue;
      found++;
      assert.ok(DATASOURCES.includes(v), `${f} exports the datasource ${v.name} (${exported}) but registry.ts does not list it`);
    }
  }
  assert.equal(found, DATASOURCES.length);
});

test("cloud-init's other names for a datasource (class names, ds= spellings) find its record", () => {
  assert.equal(datasourceByName('DataSourceNoCloud')?.name, 'NoCloud');
  assert.equal(datasourceByName('nocloud-net')?.name, 'NoCloud');
  assert.equal(datasourceByName('DataSourceEc2Local')?.name, 'Ec2');
  assert.equal(datasourceByName('configdrive')?.name, 'ConfigDrive');
  const v = decideDatasources(
    { ...emptyFacts(true), seeds: { nocloud: false, nocloudNet: false, configDrive: '/config-drive', ec2: false, azure: false, ovf: false, opennebula: false, cloudInfo: null } },
    ['DataSourceConfigDrive', 'NoCloud', 'None'],
  );
  assert.deepEqual(v.datasources, ['DataSourceConfigDrive', 'None']);
});

test('a cloud-init datasource nimbus lacks is reported as not supported, by its name', () => {
  for (const [name] of NOT_IMPLEMENTED) {
    const v = decideDatasources(emptyFacts(true), [name, 'NoCloud', 'None']);
    assert.deepEqual(v.checks[0], { name, verdict: 'not-supported', reason: `not supported: datasource ${name}` });
  }
});
