// CloudSigma: found by DMI product name. The server context comes over the virtual
// serial port /dev/ttyS1 ("cepko"): the request "<\n\n>" asks for the whole context,
// answered with one line of JSON. Its `meta` holds the user-data
// (`cloudinit-user-data`, base64 when listed in `base64_fields`), the SSH key and the
// dsmode; `vendor_data.cloudinit` is the vendor-data; `uuid` is the instance-id.
import { isDict } from '../config/merge.js';
import { SerialError, serialExchange } from '../host/serial.js';
import { JsonError, parseJson } from '../util/json.js';
import { readPlatformFacts } from './facts.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult, type Dsmode } from './types.js';

export const CLOUDSIGMA_PORT = '/dev/ttyS1';
/** The whole server context: an empty key between the markers. */
export const CEPKO_REQUEST = '<\n\n>';
const MAX_ANSWER = 4 * 1024 * 1024;
const DEFAULT_WAIT_S = 10;

export function isCloudSigma(productName: string | null): boolean {
  return productName?.toLowerCase().includes('cloudsigma') === true;
}

/** The hostname cloud-init gives: the server's name when it has only these characters (first 61), else the first part of the uuid. */
export function cloudsigmaHostname(name: unknown, uuid: string): string {
  // cloud-init's class is [A-Za-z0-9 -_.]: " -_" is the range from space to underscore.
  if (typeof name === 'string' && /^[A-Za-z0-9 -_.]+$/.test(name)) return name.slice(0, 61);
  return uuid.split('-')[0] as string;
}

/** One answer line as cloud-init reads it: EOT and newlines stripped from both ends. */
export function cepkoText(answer: Uint8Array): string {
  const strip = (b: number) => b === 0x04 || b === 0x0a;
  let start = 0;
  let end = answer.length;
  while (start < end && strip(answer[start] as number)) start++;
  while (end > start && strip(answer[end - 1] as number)) end--;
  return Buffer.from(answer.subarray(start, end)).toString('latin1');
}

/** The result from the server context; throws DatasourceError naming the key. */
export function cloudsigmaResult(context: unknown, where: string): DatasourceResult {
  if (!isDict(context)) throw new DatasourceError(`${where}: the server context must be a JSON object`);
  const meta = context['meta'];
  if (!isDict(meta)) throw new DatasourceError(`${where}: key "meta": expected an object`);
  const uuid = context['uuid'];
  if (typeof uuid !== 'string' || uuid === '') throw new DatasourceError(`${where}: key "uuid": missing or not a string (the instance-id)`);
  const dsmodeRaw = meta['cloudinit-dsmode'];
  const dsmode: Dsmode = dsmodeRaw === 'local' || dsmodeRaw === 'disabled' || dsmodeRaw === 'pass' ? dsmodeRaw : 'net';
  const b64Fields = typeof meta['base64_fields'] === 'string' ? meta['base64_fields'].split(',') : [];
  const ud = meta['cloudinit-user-data'];
  if (ud !== undefined && typeof ud !== 'string') throw new DatasourceError(`${where}: key "meta.cloudinit-user-data": expected a string`);
  let userdata: Uint8Array | null = null;
  if (typeof ud === 'string' && ud !== '') {
    if (b64Fields.includes('cloudinit-user-data')) {
      if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(ud)) throw new DatasourceError(`${where}: key "meta.cloudinit-user-data": listed in base64_fields but not base64`);
      userdata = new Uint8Array(Buffer.from(ud, 'base64'));
    } else userdata = Buffer.from(ud, 'utf8');
  }
  const vd = isDict(context['vendor_data']) ? context['vendor_data']['cloudinit'] : undefined;
  if (vd !== undefined && vd !== null && typeof vd !== 'string') throw new DatasourceError(`${where}: key "vendor_data.cloudinit": expected a string`);
  const key = meta['ssh_public_key'];
  return {
    dsname: 'CloudSigma',
    description: `DataSourceCloudSigma [cepko ${where}]`,
    cloudName: 'cloudsigma',
    platform: 'cloudsigma',
    subplatform: `cepko (${where})`,
    dsmode,
    instanceId: uuid,
    localHostname: cloudsigmaHostname(context['name'], uuid),
    publicKeys: typeof key === 'string' && key.trim() !== '' ? [key] : [],
    metadata: context,
    userdata,
    vendordata: typeof vd === 'string' && vd !== '' ? Buffer.from(vd, 'utf8') : null,
    networkConfig: null,
  };
}

export const cloudSigmaDatasource: Datasource = {
  name: 'CloudSigma',
  aliases: ['DataSourceCloudSigma', 'DataSourceCloudSigmaNet'],
  needs: 'local',
  order: 16,
  detectedBy: 'DMI product name containing `CloudSigma`; never in a container',
  detect(f) {
    if (f.container !== null) return { verdict: 'not-found', reason: `in a container (${f.container})` };
    if (isCloudSigma(f.dmi.productName)) return { verdict: 'found', reason: `DMI product name "${f.dmi.productName}" is CloudSigma's` };
    return { verdict: 'not-found', reason: `DMI product name "${f.dmi.productName ?? ''}" is not CloudSigma's` };
  },
  network: { formats: [], from: 'none: fallback networking' },
  options: [{ key: 'max_wait', meaning: 'seconds to wait for the server context on the serial port', default: String(DEFAULT_WAIT_S) }],
  async find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const facts = readPlatformFacts(ctx.host);
    if (facts.container !== null || !isCloudSigma(facts.dmi.productName)) {
      ctx.log.debug('CloudSigma: DMI product name is not CloudSigma; the serial port is not asked');
      return null;
    }
    const w = ctx.dsCfg['max_wait'];
    const waitS = typeof w === 'number' && w > 0 ? w : DEFAULT_WAIT_S;
    if (w !== undefined && waitS !== w) ctx.log.warn(`datasource CloudSigma: max_wait: ${JSON.stringify(w)} is not a number > 0, using ${DEFAULT_WAIT_S}`);
    let answer: Uint8Array;
    try {
      answer = await serialExchange(ctx.host.fs.real(CLOUDSIGMA_PORT), Buffer.from(CEPKO_REQUEST, 'ascii'), {
        label: CLOUDSIGMA_PORT,
        timeoutMs: Math.round(waitS * 1000),
        maxBytes: MAX_ANSWER,
        terminator: 0x0a,
      });
    } catch (e) {
      if (e instanceof SerialError && e.kind === 'open') {
        ctx.log.warn(`CloudSigma: ${e.message}`);
        return null;
      }
      throw new DatasourceError((e as Error).message);
    }
    let context: unknown;
    try {
      context = parseJson(cepkoText(answer), CLOUDSIGMA_PORT);
    } catch (e) {
      throw new DatasourceError(e instanceof JsonError ? `${e.message} (the server context)` : `${CLOUDSIGMA_PORT}: ${(e as Error).message}`);
    }
    return cloudsigmaResult(context, CLOUDSIGMA_PORT);
  },
};
