// A datasource's network config (or a file given to net-convert) into a NetworkConfig.
import { jsonDepthProblem } from '../../util/json.js';
import type { NetworkConfigSource } from '../../datasources/types.js';
import { loadYaml } from '../../yaml/load.js';
import { NetConfigError } from '../errors.js';
import type { NetworkConfig } from '../model.js';
import { parseNetworkConfigDoc } from './config.js';
import { parseEni, type EniReader } from './eni.js';
import { parseNetworkDataJson } from './network-data-json.js';
import { parseV1 } from './v1.js';
import { parseV2 } from './v2.js';

export function parseSource(src: NetworkConfigSource, knownMacs: ReadonlyMap<string, string>, reader: EniReader): NetworkConfig {
  const w = { source: src.source };
  switch (src.format) {
    case 'network_data.json':
      return { kind: 'state', state: parseNetworkDataJson(w, src.config, knownMacs), source: src.source };
    case 'eni':
      if (typeof src.config !== 'string') throw new NetConfigError(src.source, '(top level)', 'expected ENI text');
      return { kind: 'state', state: parseEni(src.source, src.config, reader), source: src.source };
    case 'v1':
    case 'v2': {
      const c = src.config as Record<string, unknown> | null;
      if (c && typeof c === 'object' && (c.network !== undefined || c.config === 'disabled')) return parseNetworkConfigDoc(w, c);
      const doc = { ...(c ?? {}), version: src.format === 'v1' ? 1 : 2 };
      return { kind: 'state', state: src.format === 'v1' ? parseV1(w, doc) : parseV2(w, doc), source: src.source };
    }
  }
}

export type InputKind = 'network_data.json' | 'eni' | 'yaml';

/** Parses file text of a net-convert kind. */
export function parseText(kind: InputKind, text: string, source: string, knownMacs: ReadonlyMap<string, string>, reader: EniReader): NetworkConfig {
  switch (kind) {
    case 'network_data.json': {
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        throw new NetConfigError(source, '(top level)', `expected JSON: ${(e as Error).message}`);
      }
      const deep = jsonDepthProblem(text);
      if (deep !== null) throw new NetConfigError(source, `line ${deep.line} col ${deep.col}`, deep.reason);
      return { kind: 'state', state: parseNetworkDataJson({ source }, doc, knownMacs), source };
    }
    case 'eni':
      return { kind: 'state', state: parseEni(source, text, reader), source };
    case 'yaml': {
      const doc = loadYaml(text, source);
      return parseNetworkConfigDoc({ source, positions: doc.positions }, doc.value);
    }
  }
}
