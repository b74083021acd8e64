// The None datasource: what a machine gets when no other source has data, so the
// boot still finishes. Metadata and user-data may be given in cloud.cfg
// (datasource: {None: {metadata: {...}, userdata_raw: "..."}}).
import type { Datasource } from './types.js';
import { isDict } from '../config/merge.js';

export const NONE_INSTANCE_ID = 'iid-datasource-none';

export const noneDatasource: Datasource = {
  name: 'None',
  aliases: ['DataSourceNone'],
  needs: 'net',
  // Last in cloud-init's list: the catch when nothing else has data.
  order: 31,
  detectedBy: 'always (kept last when the list has it)',
  detect: () => ({ verdict: 'found', reason: 'always available' }),
  network: { formats: [], from: 'none: fallback networking' },
  options: [
    { key: 'metadata', meaning: "the instance's metadata (`instance-id`, `local-hostname`)", default: `{instance-id: ${NONE_INSTANCE_ID}}` },
    { key: 'userdata_raw', meaning: 'user-data, as text' },
  ],
  async find(ctx) {
    const md = isDict(ctx.dsCfg.metadata) ? ctx.dsCfg.metadata : {};
    const iid = typeof md['instance-id'] === 'string' ? md['instance-id'] : NONE_INSTANCE_ID;
    const ud = ctx.dsCfg.userdata_raw;
    return {
      dsname: 'None',
      description: 'DataSourceNone',
      cloudName: 'none',
      platform: 'none',
      subplatform: 'config',
      dsmode: 'net',
      instanceId: iid,
      publicKeys: [],
      metadata: md,
      userdata: typeof ud === 'string' ? new Uint8Array(Buffer.from(ud, 'utf8')) : null,
      vendordata: null,
      networkConfig: null,
      ...(typeof md['local-hostname'] === 'string' ? { localHostname: md['local-hostname'] } : {}),
    };
  },
};
