// RbxCloud (Rootbox / HyperOne): a drive labelled CLOUDMD (or cloudmd) holding
// cloud.json (the VM, its NICs and the default user) and user.data. The NICs become a
// v1 network config with static addresses; the user, its password hash and keys
// become the default user, as cloud-init's datasource config.
import type { Datasource, DatasourceContext, DatasourceResult } from './types.js';
import { DatasourceError } from './types.js';
import { textOf, type TreeReader } from './tree.js';
import { findDevicesByLabel, withDeviceTree } from './blockdev.js';
import { labelled } from './facts.js';
import { isDict, type Dict } from '../config/merge.js';
import { JsonError, parseJson } from '../util/json.js';

export const RBX_LABELS = ['CLOUDMD', 'cloudmd'];
const MAX_BYTES = 4 * 1024 * 1024;

/** A reader of cloud.json that names the key path of what is wrong. */
function at(source: string) {
  const fail = (path: string, what: string): never => {
    throw new DatasourceError(`${source}: ${path}: ${what}`);
  };
  return {
    dict(v: unknown, path: string): Dict {
      return isDict(v) ? v : fail(path, v === undefined ? 'missing' : 'expected an object');
    },
    list(v: unknown, path: string): unknown[] {
      return Array.isArray(v) ? v : fail(path, v === undefined ? 'missing' : 'expected a list');
    },
    str(v: unknown, path: string): string {
      return typeof v === 'string' && v !== '' ? v : fail(path, v === undefined ? 'missing' : 'expected a non-empty string');
    },
  };
}

/** cloud-init's v1 network config from cloud.json's `netadp` list: eth<i> by MAC, one static subnet per address. */
export function rbxNetwork(netadp: unknown, source: string): Dict {
  const r = at(source);
  const config = r.list(netadp, 'netadp').map((raw, i) => {
    const p = `netadp[${i}]`;
    const a = r.dict(raw, p);
    const net = r.dict(a.network, `${p}.network`);
    const dns = r.dict(net.dns, `${p}.network.dns`);
    const nameservers = r.list(dns.nameservers, `${p}.network.dns.nameservers`).map((n, j) => r.str(n, `${p}.network.dns.nameservers[${j}]`));
    const netmask = r.str(net.netmask, `${p}.network.netmask`);
    const gateway = r.str(net.gateway, `${p}.network.gateway`);
    return {
      type: 'physical',
      name: `eth${i}`,
      mac_address: r.str(a.macaddress, `${p}.macaddress`).toLowerCase(),
      subnets: r.list(a.ip, `${p}.ip`).map((ip, j) => ({
        type: 'static',
        address: r.str(r.dict(ip, `${p}.ip[${j}]`).address, `${p}.ip[${j}].address`),
        netmask,
        control: 'auto',
        gateway,
        dns_nameservers: nameservers,
      })),
    };
  });
  return { version: 1, config };
}

export function readRbxTree(tree: TreeReader, ctx: DatasourceContext, device: string): DatasourceResult | null {
  const bytes = tree.readFile('cloud.json');
  if (bytes === null) return null;
  const source = `${tree.label}/cloud.json`;
  if (bytes.length > MAX_BYTES) throw new DatasourceError(`${source}: ${bytes.length} bytes, more than the ${MAX_BYTES} allowed`);
  let doc: unknown;
  try {
    doc = parseJson(textOf(bytes), source);
  } catch (e) {
    throw e instanceof JsonError ? new DatasourceError(e.message) : e;
  }
  const r = at(source);
  const md = r.dict(doc, '(top)');
  const vm = r.dict(md.vm, 'vm');
  const network = rbxNetwork(md.netadp, source);
  const extra = isDict(md.additionalMetadata) ? md.additionalMetadata : {};
  const username = extra.username === undefined ? null : r.str(extra.username, 'additionalMetadata.username');
  const keys = extra.sshKeys === undefined ? [] : r.list(extra.sshKeys, 'additionalMetadata.sshKeys').map((k, i) => r.str(k, `additionalMetadata.sshKeys[${i}]`));
  const hash = isDict(extra.password) ? r.str(extra.password.sha512, 'additionalMetadata.password.sha512') : null;
  const config: Dict = {
    ssh_pwauth: true,
    disable_root: true,
    system_info: {
      default_user: { name: username, gecos: username, sudo: ['ALL=(ALL) NOPASSWD:ALL'], passwd: hash, lock_passwd: false, ssh_authorized_keys: keys },
    },
    // As cloud-init: /etc/hosts is managed only when the image has none.
    manage_etc_hosts: !ctx.host.fs.exists('/etc/hosts'),
  };
  const ud = tree.readFile('user.data');
  const instanceId = r.str(vm._id, 'vm._id');
  const hostname = r.str(vm.name, 'vm.name');
  ctx.log.info('datasource RbxCloud: not supported: the gratuitous ARP to the gateways cloud-init sends after bring-up (arping)');
  return {
    dsname: 'RbxCloud',
    description: `DataSourceRbxCloud [seed=${device}]`,
    cloudName: 'rbxcloud',
    platform: 'rbxcloud',
    subplatform: `config-disk (${device})`,
    dsmode: 'net',
    instanceId,
    localHostname: hostname,
    publicKeys: [],
    metadata: { 'instance-id': instanceId, 'local-hostname': hostname, 'public-keys': [] },
    userdata: ud,
    vendordata: null,
    networkConfig: { format: 'v1', config: network, source },
    config,
    ...(hash !== null ? { sensitive: { passwd: hash } } : {}),
  };
}

export const rbxCloudDatasource: Datasource = {
  name: 'RbxCloud',
  aliases: ['DataSourceRbxCloud'],
  needs: 'local',
  order: 25,
  detectedBy: 'a filesystem labelled `CLOUDMD` or `cloudmd`',
  detect(f) {
    const l = labelled(f, RBX_LABELS);
    return l ? { verdict: 'found', reason: `filesystem labelled ${l.label} on ${l.device}` } : { verdict: 'not-found', reason: 'no filesystem labelled CLOUDMD' };
  },
  network: { formats: ['v1'], from: '`netadp` in cloud.json: static addresses, gateway and DNS per NIC, by MAC' },
  options: [],
  async find(ctx) {
    for (const dev of findDevicesByLabel(ctx.host, RBX_LABELS, ctx.log)) {
      const r = await withDeviceTree(ctx, dev.device, (tree) => readRbxTree(tree, ctx, dev.device), { fsType: dev.type });
      if (r !== null) return r;
    }
    return null;
  },
};
