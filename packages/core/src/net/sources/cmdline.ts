// `network-config=` on the kernel command line: a base64 network config (v1 or v2),
// optionally gzipped before encoding, or `disabled`.
import { zlib } from '../../util/builtin.js';
import { NetConfigError } from '../errors.js';
import type { NetworkConfig } from '../model.js';
import { loadYaml } from '../../yaml/load.js';
import { parseNetworkConfigDoc } from './config.js';

const SOURCE = '/proc/cmdline network-config=';

/** The value of the last `network-config=` word, or null when there is none. */
export function cmdlineNetworkConfigValue(cmdline: string): string | null {
  let found: string | null = null;
  for (const word of cmdline.split(/\s+/)) if (word.startsWith('network-config=')) found = word.slice('network-config='.length);
  return found;
}

export function parseCmdlineNetworkConfig(cmdline: string): NetworkConfig | null {
  const v = cmdlineNetworkConfigValue(cmdline);
  if (v === null) return null;
  if (v === 'disabled') return { kind: 'disabled', source: SOURCE };
  if (!/^[A-Za-z0-9+/=_-]+$/.test(v)) throw new NetConfigError(SOURCE, 'network-config', 'expected base64 (optionally of gzip) of a network config, or "disabled"');
  let bytes = Buffer.from(v, 'base64');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = zlib().gunzipSync(bytes);
    } catch (e) {
      throw new NetConfigError(SOURCE, 'network-config', `expected valid gzip data: ${(e as Error).message}`);
    }
  }
  const doc = loadYaml(bytes.toString('utf8'), SOURCE);
  return parseNetworkConfigDoc({ source: SOURCE, positions: doc.positions }, doc.value);
}
