// The datasources nimbus has, by the name datasource_list uses.
import type { Datasource } from './types.js';
import { configDrive } from './configdrive.js';
import { noCloud } from './nocloud.js';
import { openStackDatasource } from './openstack.js';
import { ec2Datasource } from './ec2.js';
import { noneDatasource } from './none.js';

const ALL: Datasource[] = [noCloud, configDrive, openStackDatasource, ec2Datasource, noneDatasource];

export const DATASOURCES: ReadonlyMap<string, Datasource> = new Map(ALL.map((d) => [d.name.toLowerCase(), d]));

export function datasourceByName(name: string): Datasource | undefined {
  return DATASOURCES.get(name.toLowerCase());
}
