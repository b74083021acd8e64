// The datasources nimbus has: the only list. The default datasource_list, detection,
// lookups by cloud-init's other names and the docs table all derive from it. Adding a
// datasource is its file and one line here; test/datasources/registry.test.ts fails
// when a record is incomplete or a file's record is missing here.
import type { Datasource } from './types.js';
import { configDrive } from './configdrive.js';
import { noCloud } from './nocloud.js';
import { openStackDatasource } from './openstack.js';
import { ec2Datasource } from './ec2.js';
import { noneDatasource } from './none.js';
import { azureDatasource } from './azure.js';
import { gceDatasource } from './gce.js';
import { oracleDatasource } from './oracle.js';
import { digitalOceanDatasource } from './digitalocean.js';
import { hetznerDatasource } from './hetzner.js';
import { vultrDatasource } from './vultr.js';
import { scalewayDatasource } from './scaleway.js';
import { exoscaleDatasource } from './exoscale.js';
import { upCloudDatasource } from './upcloud.js';
import { aliYunDatasource } from './aliyun.js';
import { akamaiDatasource } from './akamai.js';
import { nwcsDatasource } from './nwcs.js';
import { cloudStackDatasource } from './cloudstack.js';
import { lxdDatasource } from './lxd.js';
import { vmwareDatasource } from './vmware.js';
import { ovfDatasource } from './ovf.js';
import { openNebulaDatasource } from './opennebula.js';
import { rbxCloudDatasource } from './rbxcloud.js';
import { altCloudDatasource } from './altcloud.js';
import { wslDatasource } from './wsl.js';
import { bigstepDatasource } from './bigstep.js';
import { cloudcixDatasource } from './cloudcix.js';
import { maasDatasource } from './maas.js';
import { ibmCloudDatasource } from './ibmcloud.js';
import { cloudSigmaDatasource } from './cloudsigma.js';
import { smartOsDatasource } from './smartos.js';

/** Every datasource, in cloud-init's default order. */
export const DATASOURCES: readonly Datasource[] = [
  noCloud,
  configDrive,
  openStackDatasource,
  ec2Datasource,
  noneDatasource,
  azureDatasource,
  gceDatasource,
  oracleDatasource,
  digitalOceanDatasource,
  hetznerDatasource,
  vultrDatasource,
  scalewayDatasource,
  exoscaleDatasource,
  upCloudDatasource,
  aliYunDatasource,
  akamaiDatasource,
  nwcsDatasource,
  cloudStackDatasource,
  lxdDatasource,
  vmwareDatasource,
  ovfDatasource,
  openNebulaDatasource,
  rbxCloudDatasource,
  altCloudDatasource,
  wslDatasource,
  bigstepDatasource,
  cloudcixDatasource,
  maasDatasource,
  ibmCloudDatasource,
  cloudSigmaDatasource,
  smartOsDatasource,
].sort((a, b) => a.order - b.order);

// datasource_list names are matched without regard to case, as nimbus always has.
const BY_NAME: ReadonlyMap<string, Datasource> = new Map(DATASOURCES.flatMap((d) => [d.name, ...d.aliases].map((n) => [n.toLowerCase(), d] as const)));

/** The record for a datasource_list name or one of cloud-init's other names for it. */
export function datasourceByName(name: string): Datasource | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** The message for a datasource_list name no record answers to (one of cloud-init's datasources nimbus lacks, or a typo). */
export function notSupported(name: string): string {
  return `not supported: datasource ${name}`;
}

/** The built-in datasource_list: cloud-init's default order, of the datasources nimbus has. */
export function builtinDatasourceList(): string[] {
  return DATASOURCES.map((d) => d.name);
}
