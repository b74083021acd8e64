// The host name in the local stage, before any network manager or DHCP client starts,
// so none of them can claim it first. It uses the system configuration, the metadata
// and the host-name keys of plain #cloud-config user-data, so preserve_hostname in
// user-data holds from the first moment; set_hostname applies in the init stage what
// only full user-data processing gives (MIME, includes, jinja). Kept small: the local
// stage's bundle carries no module, schema or MIME code.
import type { StageEnv } from '../../stages/env.js';
import type { DatasourceResult } from '../../datasources/types.js';
import { ConfigSource } from '../../config/source.js';
import { Paths } from '../../state/paths.js';
import { loadYaml } from '../../yaml/load.js';
import { isDict } from '../../config/merge.js';
import { HOSTNAME_KEYS, setHostname } from './hostname.js';

/** The host-name keys of user-data that is one plain #cloud-config document (pure); {} otherwise. */
export function userHostnameKeys(raw: Uint8Array | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (raw === null || raw.length > 1024 * 1024) return out;
  const text = Buffer.from(raw).toString('utf8');
  if (!/^#cloud-config[ \t]*\r?\n/.test(text)) return out;
  try {
    const doc = loadYaml(text, 'user-data');
    if (isDict(doc.value)) for (const k of HOSTNAME_KEYS) if (doc.value[k] !== undefined) out[k] = doc.value[k];
  } catch {
    // Unreadable user-data is reported by the init stage; here it only means no early keys.
  }
  return out;
}

/** Sets the host name of a new instance (once set_hostname has run, the name is update_hostname's to keep). */
export function setHostnameEarly(env: StageEnv, ds: DatasourceResult): void {
  const log = env.log.child('set_hostname');
  const sem = new Paths(ds.instanceId).semaphore('set_hostname', 'once-per-instance');
  if (sem !== null && env.host.fs.exists(sem)) return;
  try {
    const cfg = { ...env.system.cfg, ...userHostnameKeys(ds.userdata) };
    setHostname({ host: env.host, log, cfg, source: new ConfigSource(), ds, distro: env.distro });
  } catch (e) {
    log.error(`setting the host name early failed: ${(e as Error).message}`);
  }
}
