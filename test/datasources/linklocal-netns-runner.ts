// Run by the *-netns tests inside `ip netns exec NS`, where an interface holds
// 169.254.169.254: plays one platform's metadata service there on port 80 (Oracle,
// DigitalOcean, Hetzner, Vultr, UpCloud, Akamai or NWCS, as its fixture documents), reads that datasource at that
// address, and prints what it found and the requests seen.
import * as http from 'node:http';
import type { Datasource } from '../../packages/core/src/datasources/types.js';
import { oracleDatasource } from '../../packages/core/src/datasources/oracle.js';
import { testHost, testLogger } from './helpers.js';
import { oracle, type OracleMode } from './oracle-fixtures.js';
import { digitalOceanDatasource } from '../../packages/core/src/datasources/digitalocean.js';
import { digitalOcean, type DoMode } from './digitalocean-fixtures.js';
import { hetznerDatasource } from '../../packages/core/src/datasources/hetzner.js';
import { hetzner, type HetznerMode } from './hetzner-fixtures.js';
import { vultrDatasource } from '../../packages/core/src/datasources/vultr.js';
import { vultr, type VultrMode } from './vultr-fixtures.js';
import { upCloudDatasource } from '../../packages/core/src/datasources/upcloud.js';
import { upcloud, type UpCloudMode } from './upcloud-fixtures.js';
import { akamaiDatasource } from '../../packages/core/src/datasources/akamai.js';
import { akamai, type AkamaiMode } from './akamai-fixtures.js';
import { nwcsDatasource } from '../../packages/core/src/datasources/nwcs.js';
import { nwcs, type NwcsMode } from './nwcs-fixtures.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const PLATFORMS: Record<string, { ds: Datasource; handler: (mode: string) => Handler; dsCfg: Record<string, unknown> }> = {
  Oracle: { ds: oracleDatasource, handler: (m) => oracle(m as OracleMode), dsCfg: { metadata_urls: ['http://169.254.169.254'] } },
  // Its built-in URL, http://169.254.169.254/metadata/v1.json; the link-local address is recorded, not added.
  DigitalOcean: { ds: digitalOceanDatasource, handler: (m) => digitalOcean(m as DoMode), dsCfg: {} },
  // Its built-in URLs, http://169.254.169.254/hetzner/v1/metadata and .../userdata.
  Hetzner: { ds: hetznerDatasource, handler: (m) => hetzner(m as HetznerMode), dsCfg: {} },
  // Its built-in URL, http://169.254.169.254/v1.json.
  Vultr: { ds: vultrDatasource, handler: (m) => vultr(m as VultrMode), dsCfg: {} },
  // Its built-in URL, http://169.254.169.254/metadata/v1.json.
  UpCloud: { ds: upCloudDatasource, handler: (m) => upcloud(m as UpCloudMode), dsCfg: {} },
  // Its built-in IPv4 URL, http://169.254.169.254/v1/...; IPv6 (asked first) is not in this namespace.
  Akamai: { ds: akamaiDatasource, handler: (m) => akamai(m as AkamaiMode), dsCfg: { allow_ipv6: false } },
  // Its built-in URL, http://169.254.169.254/api/v1/metadata.
  NWCS: { ds: nwcsDatasource, handler: (m) => nwcs(m as NwcsMode), dsCfg: {} },
};

const [root, name, mode] = process.argv.slice(2) as [string, string, string];
const p = PLATFORMS[name];
if (!p) throw new Error(`no stand-in for ${name}`);
const seen: string[] = [];
const handler = p.handler(mode);
const srv = http.createServer((req, res) => {
  seen.push(`${req.method} ${req.url} ${req.headers['host']}`);
  handler(req, res);
});
await new Promise<void>((resolve) => srv.listen(80, '169.254.169.254', resolve));
const { log, lines } = testLogger();
let out: unknown;
try {
  const r = await p.ds.find({ host: testHost(root), log, cfg: {}, dsCfg: { timeout: 1, retries: 1, max_wait: 4, ...p.dsCfg }, stage: p.ds.needs });
  out = { result: r && { ...r, userdata: r.userdata && Buffer.from(r.userdata).toString(), vendordata: r.vendordata && Buffer.from(r.vendordata).toString() } };
} catch (e) {
  out = { error: (e as Error).message };
}
srv.closeAllConnections();
srv.close();
process.stdout.write(JSON.stringify({ ...(out as object), seen, log: lines }));
