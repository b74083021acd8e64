// Run by cloudstack-netns.test.ts inside `ip netns exec NS`, where an interface holds
// the virtual router's address: plays the router's metadata service there on port 80
// and its password server on port 8080, reads the CloudStack datasource (which finds
// the router from the lease in its root), and prints what it found and the requests seen.
import * as http from 'node:http';
import { cloudStackDatasource } from '../../packages/core/src/datasources/cloudstack.js';
import { testHost, testLogger } from './helpers.js';
import { VR, cloudstack, csPasswordServer, type CloudStackMode, type CsPasswordMode } from './cloudstack-fixtures.js';

const [root, mode, pwMode] = process.argv.slice(2) as [string, CloudStackMode, CsPasswordMode];
const seen: string[] = [];
const serve = (port: number, handler: http.RequestListener) =>
  new Promise<http.Server>((resolve) => {
    const srv = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.headers['host']}${req.url}${req.headers['domu_request'] ? ` ${req.headers['domu_request']}` : ''}`);
      handler(req, res);
    });
    srv.listen(port, VR, () => resolve(srv));
  });
const servers = [await serve(80, cloudstack(mode)), await serve(8080, csPasswordServer(pwMode))];
const { log, lines } = testLogger();
let out: unknown;
try {
  const r = await cloudStackDatasource.find({ host: testHost(root), log, cfg: {}, dsCfg: { timeout: 1, retries: 1, max_wait: 4 }, stage: 'net' });
  out = { result: r && { ...r, userdata: r.userdata && Buffer.from(r.userdata).toString(), vendordata: null } };
} catch (e) {
  out = { error: (e as Error).message };
}
for (const s of servers) {
  s.closeAllConnections();
  s.close();
}
process.stdout.write(JSON.stringify({ ...(out as object), seen, log: lines }));
