// A network-config document (v1 or v2, bare or under `network:`) or the switch
// `network: {config: disabled}`, into a NetworkConfig.
import { fail, type Where } from '../errors.js';
import type { NetworkConfig } from '../model.js';
import { record } from '../validate.js';
import { parseV1 } from './v1.js';
import { parseV2 } from './v2.js';

export function parseNetworkConfigDoc(w: Where, value: unknown): NetworkConfig {
  let doc = record(w, [], value);
  let where = w;
  if (doc.network !== undefined && doc.version === undefined) {
    where = { ...w, base: [...(w.base ?? []), 'network'] };
    doc = record(w, ['network'], doc.network);
  }
  if (doc.config === 'disabled') return { kind: 'disabled', source: w.source };
  if (doc.version === 1 || doc.version === '1') return { kind: 'state', state: parseV1(where, doc), source: w.source };
  if (doc.version === 2 || doc.version === '2') return { kind: 'state', state: parseV2(where, doc), source: w.source };
  fail(where, ['version'], '1 or 2 (or config: disabled)', doc.version);
}
