// SmartOS (Joyent Triton): a KVM guest (DMI product name starting "SmartDC") asks the
// host over the serial port /dev/ttyS1; a Linux guest in an LX-branded zone (kernel
// version "BrandZ virtual linux") over the Unix socket /native/.zonecontrol/metadata.sock.
// Both speak the V2 metadata protocol (smartos-protocol.ts). The keys are cloud-init's:
// sdc:uuid is the instance-id, cloud-init:user-data the user-data, sdc:vendor-data the
// vendor-data, sdc:nics (with sdc:resolvers, sdc:dns_domain, sdc:routes) the network
// config. As cloud-init does, reading also writes user-script and operator-script into
// the instance's data directory (with /var/db/user-script linking to the first and the
// legacy user-data in /var/db/mdata-user-data), and the built-in vendor-data, used when
// the host gives none, is a boothook that installs a per-boot script running them.
// A zone's /var/svc/provisioning becomes provision_success once the data is read.
import { isDict } from '../config/merge.js';
import { isTrue } from '../config/vendor-data.js';
import { openSerialChannel, openSocketChannel, type LineChannel } from '../host/line-channel.js';
import { SerialError } from '../host/serial.js';
import type { Host } from '../host/host.js';
import type { Logger } from '../log/logger.js';
import { Paths } from '../state/paths.js';
import { readMoreFacts, readPlatformFacts, type DetectFacts } from './facts.js';
import { smartosNetworkConfig } from './smartos-network.js';
import { JoyentClient } from './smartos-protocol.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';

export const SMARTOS_SERIAL = '/dev/ttyS1';
export const SMARTOS_SOCKET = '/native/.zonecontrol/metadata.sock';
const BRANDZ = 'BrandZ virtual linux';
const DEFAULT_TIMEOUT_S = 60;
const MAX_LINE = 4 * 1024 * 1024;

/** cloud-init's name ← the SmartOS key, and whether surrounding white space is dropped. */
export const SMARTOS_KEYS: readonly (readonly [name: string, key: string, strip: boolean])[] = [
  ['instance-id', 'sdc:uuid', true],
  ['local-hostname', 'hostname', true],
  ['public-keys', 'root_authorized_keys', true],
  ['user-script', 'user-script', false],
  ['legacy-user-data', 'user-data', false],
  ['user-data', 'cloud-init:user-data', false],
  ['iptables_disable', 'iptables_disable', true],
  ['motd_sys_info', 'motd_sys_info', true],
  ['availability_zone', 'sdc:datacenter_name', true],
  ['vendor-data', 'sdc:vendor-data', false],
  ['operator-script', 'sdc:operator-script', false],
  ['hostname', 'sdc:hostname', true],
  ['dns_domain', 'sdc:dns_domain', true],
];
/** cloud-init's name ← the SmartOS key whose value is JSON. */
export const SMARTOS_JSON_KEYS: readonly (readonly [name: string, key: string])[] = [
  ['network-data', 'sdc:nics'],
  ['dns_servers', 'sdc:resolvers'],
  ['routes', 'sdc:routes'],
];
/** Keys never base64-decoded by the serial port's legacy rules. */
const NO_BASE64_DECODE = new Set(['iptables_disable', 'motd_sys_info', 'root_authorized_keys', 'sdc:datacenter_name', 'sdc:uuiduser-data', 'user-script']);

/** The KVM guest's own cloud-config: the ephemeral disk (/dev/vdb) formatted ext4 when it has no filesystem. */
export const SMARTOS_KVM_CONFIG = {
  disk_setup: { ephemeral0: { table_type: 'mbr', layout: false, overwrite: false } },
  fs_setup: [{ label: 'ephemeral0', filesystem: 'ext4', device: 'ephemeral0' }],
};

export type SmartosKind = 'kvm' | 'lx';

/** Which SmartOS guest this is, from DMI and the kernel version, or null. */
export function smartosKind(productName: string | null, kernelVersion: string | null | undefined): SmartosKind | null {
  if (kernelVersion === BRANDZ) return 'lx';
  if (productName?.startsWith('SmartDC') === true) return 'kvm';
  return null;
}

/** The built-in vendor-data: a boothook installing a per-boot script that runs operator-script, then user-script. */
export function smartosVendorData(operatorScript: string, userScript: string, perBootDir: string): string {
  return [
    '#cloud-boothook',
    '#!/bin/sh',
    `fname="${perBootDir}/01_smartos_vendor_data.sh"`,
    'mkdir -p "${fname%/*}"',
    `cat > "$fname" <<"END_SCRIPT"`,
    '#!/bin/sh',
    "# Written by the SmartOS datasource's default vendor-data: runs the scripts it stored",
    '# from the metadata keys sdc:operator-script and user-script (see mdata-get).',
    `for script in "${operatorScript}" "${userScript}"; do`,
    '    [ -x "$script" ] || continue',
    '    echo "executing \'$script\'" 1>&2',
    '    "$script"',
    'done',
    'END_SCRIPT',
    'chmod +x "$fname"',
    '',
  ].join('\n');
}

/** A script as stored: a text script without "#!" gets bash's, as SmartOS assumes. */
export function withShebang(content: string): string {
  return content.startsWith('#!') || content.includes('\0') ? content : `#!/bin/bash\n${content}`;
}

function b64Text(v: string): string | null {
  const compact = v.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) return null;
  return Buffer.from(compact, 'base64').toString('utf8');
}

/**
 * Every key cloud-init reads. On the serial port, values may be base64 by the legacy
 * rules: the metadata key base64_all, the list in base64_keys, or b64-<key> set true.
 */
async function readKeys(client: JoyentClient, legacyB64: boolean, log: Logger, label: string): Promise<Record<string, unknown>> {
  let rules: { all: boolean; keys: Set<string> } | null = null;
  const b64Rules = async () => {
    if (rules !== null) return rules;
    const keys = await client.keys();
    const all = keys.includes('base64_all') && isTrue(await client.get('base64_all'));
    const set = new Set<string>();
    if (!all) {
      if (keys.includes('base64_keys')) for (const k of ((await client.get('base64_keys')) ?? '').split(',')) set.add(k);
      for (const k of keys.filter((k) => k.startsWith('b64-'))) {
        if (isTrue(await client.get(k))) set.add(k.slice(4));
        else set.delete(k.slice(4));
      }
    }
    rules = { all, keys: set };
    return rules;
  };
  const get = async (key: string, strip: boolean): Promise<string | null> => {
    let v = await client.get(key);
    if (v === null) return null;
    if (legacyB64 && !NO_BASE64_DECODE.has(key)) {
      const r = await b64Rules();
      if (r.all || r.keys.has(key)) {
        const decoded = b64Text(v);
        if (decoded === null) log.warn(`${label}: ${key} is marked base64 but is not; used as it is`);
        else v = decoded;
      }
    }
    return strip ? v.trim() : v;
  };
  const md: Record<string, unknown> = {};
  for (const [name, key, strip] of SMARTOS_KEYS) md[name] = await get(key, strip);
  for (const [name, key] of SMARTOS_JSON_KEYS) {
    const v = await get(key, false);
    if (v === null) md[name] = null;
    else {
      try {
        md[name] = JSON.parse(v) as unknown;
      } catch (e) {
        throw new DatasourceError(`${label}: ${key}: not valid JSON (${(e as Error).message})`);
      }
    }
  }
  return md;
}

/** The files cloud-init writes from the metadata: scripts in the instance's data directory, the legacy user-data in /var/db. */
function writeBootContent(host: Host, file: string, content: string | null, o: { link?: string; shebang?: boolean; mode: number }): void {
  if (!content && host.fs.exists(file)) host.fs.remove(file);
  if (o.link !== undefined && host.fs.stat(o.link, false)?.isSymlink === true) host.fs.remove(o.link);
  if (!content) return;
  host.fs.write(file, o.shebang ? withShebang(content) : content, { mode: o.mode });
  if (o.link !== undefined) host.fs.symlink(file, o.link);
}

/** The result from the keys read (cloud-init's names), after the files are written. */
export function smartosResult(md: Record<string, unknown>, kind: SmartosKind, where: string, host: Host, log: Logger): DatasourceResult {
  const iid = md['instance-id'];
  if (typeof iid !== 'string' || iid === '') throw new DatasourceError(`${where}: sdc:uuid (the instance-id) is missing or empty`);
  const text = (k: string) => (typeof md[k] === 'string' && md[k] !== '' ? (md[k] as string) : null);
  const paths = new Paths(iid);
  const userScript = paths.instance('data/user-script');
  const operatorScript = paths.instance('data/operator-script');
  writeBootContent(host, userScript, text('user-script'), { link: '/var/db/user-script', shebang: true, mode: 0o700 });
  writeBootContent(host, operatorScript, text('operator-script'), { mode: 0o700 });
  writeBootContent(host, '/var/db/mdata-user-data', text('legacy-user-data'), { mode: 0o400 });
  md['local-hostname'] = text('local-hostname') ?? text('hostname') ?? iid;
  const vendor = text('vendor-data') ?? smartosVendorData(operatorScript, userScript, `${paths.scriptsDir}/per-boot`);
  md['vendor-data'] = vendor;
  let networkConfig: DatasourceResult['networkConfig'] = null;
  if (md['network-data'] !== null && md['network-data'] !== undefined) {
    try {
      networkConfig = { format: 'v1', config: smartosNetworkConfig(md['network-data'], md['dns_servers'], md['dns_domain'], md['routes']), source: `${where} (sdc:nics)` };
    } catch (e) {
      throw new DatasourceError(`${where}: ${(e as Error).message}`);
    }
  }
  if (host.fs.exists('/var/svc/provisioning')) {
    host.fs.rename('/var/svc/provisioning', '/var/svc/provision_success');
    log.info('SmartOS: the zone is marked provisioned (/var/svc/provision_success)');
  }
  const keys = text('public-keys');
  const az = text('availability_zone');
  const ud = text('user-data');
  return {
    dsname: 'SmartOS',
    description: `DataSourceSmartOS [client=${kind === 'kvm' ? 'serial' : 'socket'} ${where}]`,
    cloudName: 'joyent',
    platform: 'joyent',
    subplatform: `${kind === 'kvm' ? 'serial' : 'socket'} (${where})`,
    dsmode: 'local',
    instanceId: iid,
    localHostname: md['local-hostname'] as string,
    ...(az !== null ? { availabilityZone: az } : {}),
    publicKeys: (keys ?? '')
      .split('\n')
      .map((k) => k.trim())
      .filter((k) => k !== '' && !k.startsWith('#')),
    metadata: md,
    userdata: ud === null ? null : Buffer.from(ud, 'utf8'),
    vendordata: Buffer.from(vendor, 'utf8'),
    networkConfig,
    ...(kind === 'kvm' ? { config: structuredClone(SMARTOS_KVM_CONFIG) } : {}),
  };
}

function option(ctx: DatasourceContext, key: string, fallback: string): string {
  const v = ctx.dsCfg[key];
  if (v === undefined) return fallback;
  if (typeof v === 'string' && v.startsWith('/')) return v;
  ctx.log.warn(`datasource SmartOS: ${key}: ${JSON.stringify(v)} is not an absolute path, using ${fallback}`);
  return fallback;
}

export const smartOsDatasource: Datasource = {
  name: 'SmartOS',
  aliases: ['DataSourceSmartOS', 'Joyent'],
  needs: 'local',
  order: 18,
  detectedBy: 'DMI product name starting `SmartDC` (KVM), or kernel version `BrandZ virtual linux` with `/native/.zonecontrol/metadata.sock` (LX zone)',
  detect(f: DetectFacts) {
    const kind = smartosKind(f.dmi.productName, f.more?.kernelVersion);
    if (kind === 'kvm') return { verdict: 'found', reason: `DMI product name "${f.dmi.productName}" is SmartOS's (SmartDC)` };
    if (kind === 'lx' && f.more?.smartosZoneSocket === true) return { verdict: 'found', reason: `an LX-branded SmartOS zone (kernel version "${BRANDZ}") with ${SMARTOS_SOCKET}` };
    if (kind === 'lx') return { verdict: 'not-found', reason: `kernel version is "${BRANDZ}" but ${SMARTOS_SOCKET} is not there (a container inside the zone)` };
    return { verdict: 'not-found', reason: `DMI product name "${f.dmi.productName ?? ''}" is not SmartDC and the kernel is not an LX zone's` };
  },
  network: { formats: ['v1'], from: 'sdc:nics, sdc:resolvers, sdc:dns_domain and sdc:routes' },
  options: [
    { key: 'serial_device', meaning: "the KVM guest's metadata serial port", default: SMARTOS_SERIAL },
    { key: 'metadata_sockfile', meaning: "the LX zone's metadata socket", default: SMARTOS_SOCKET },
    { key: 'serial_timeout', meaning: 'seconds for the whole metadata conversation (clearing the line, negotiating, every key)', default: String(DEFAULT_TIMEOUT_S) },
  ],
  async find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const facts = readPlatformFacts(ctx.host);
    const more = readMoreFacts(ctx.host);
    const kind = smartosKind(facts.dmi.productName, more.kernelVersion);
    if (kind === null) {
      ctx.log.debug('SmartOS: neither a SmartDC DMI product name nor an LX zone kernel; no metadata channel is asked');
      return null;
    }
    const t = ctx.dsCfg['serial_timeout'];
    const timeoutS = typeof t === 'number' && t > 0 ? t : DEFAULT_TIMEOUT_S;
    if (t !== undefined && timeoutS !== t) ctx.log.warn(`datasource SmartOS: serial_timeout: ${JSON.stringify(t)} is not a number > 0, using ${DEFAULT_TIMEOUT_S}`);
    const where = kind === 'kvm' ? option(ctx, 'serial_device', SMARTOS_SERIAL) : option(ctx, 'metadata_sockfile', SMARTOS_SOCKET);
    if (ctx.host.fs.stat(where) === null) {
      ctx.log.warn(`SmartOS: no metadata ${kind === 'kvm' ? 'serial port' : 'socket'} ${where}`);
      return null;
    }
    const deadline = Date.now() + Math.round(timeoutS * 1000);
    let ch: LineChannel;
    try {
      ch = kind === 'kvm' ? openSerialChannel(ctx.host.fs.real(where), where, MAX_LINE) : await openSocketChannel(ctx.host.fs.real(where), where, MAX_LINE, Math.round(timeoutS * 1000));
    } catch (e) {
      if (e instanceof SerialError) {
        ctx.log.warn(`SmartOS: ${e.message}`);
        return null;
      }
      throw e;
    }
    let md: Record<string, unknown>;
    try {
      const client = new JoyentClient(ch, { label: where, deadline, flush: kind === 'kvm', warn: (m) => ctx.log.warn(`SmartOS: ${m}`) });
      await client.open();
      md = await readKeys(client, kind === 'kvm', ctx.log, where);
    } catch (e) {
      if (e instanceof SerialError) throw new DatasourceError(e.message);
      throw e;
    } finally {
      ch.close();
    }
    if (!isDict(md)) throw new DatasourceError(`${where}: no metadata`);
    return smartosResult(md, kind, where, ctx.host, ctx.log);
  },
};
