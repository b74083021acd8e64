// Round trips: what nimbus writes for netplan and ENI, read back by nimbus's own v2 and
// ENI parsers and rendered again, gives the same file. This catches a renderer writing
// something its format does not mean (or a parser misreading the format).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadYaml, parseEni, parseNetworkConfigDoc, render } from '../../packages/core/src/index.js';
import { corpus, renderEntry } from './corpus.js';

const noFiles = { read: () => null, list: () => [] };

for (const e of corpus()) {
  test(`round trip: ${e.name} -> netplan -> v2 parser -> netplan`, () => {
    const first = renderEntry(e, 'netplan').get('/etc/netplan/50-cloud-init.yaml')!.content;
    const doc = loadYaml(first, 'rendered.yaml');
    const again = parseNetworkConfigDoc({ source: 'rendered.yaml', positions: doc.positions }, doc.value);
    assert.equal(again.kind, 'state');
    if (again.kind !== 'state') return;
    assert.equal(render(again.state, 'netplan').get('/etc/netplan/50-cloud-init.yaml')!.content, first);
  });
  test(`round trip: ${e.name} -> ENI -> ENI parser -> ENI`, () => {
    const path = '/etc/network/interfaces.d/50-cloud-init';
    const first = renderEntry(e, 'eni').get(path)!.content;
    const again = parseEni(path, first, noFiles);
    assert.equal(render(again, 'eni').get(path)!.content, first);
  });
}
