// Run by exoscale-netns.test.ts inside `ip netns exec NS`, where an interface holds
// 169.254.169.254: plays Exoscale's metadata service there on port 80 and its password
// server on port 8080, reads the Exoscale datasource from its built-in URLs, and prints
// what it found and the requests each saw.
import * as http from 'node:http';
import { exoscaleDatasource } from '../../packages/core/src/datasources/exoscale.js';
import { testHost, testLogger } from './helpers.js';
import { exoscale, passwordServer, type ExoscaleMode, type PasswordMode } from './exoscale-fixtures.js';

const [root, mode, pwMode] = process.argv.slice(2) as [string, ExoscaleMode, PasswordMode];
const seen: string[] = [];
const serve = (port: number, handler: http.RequestListener) =>
  new Promise<http.Server>((resolve) => {
    const srv = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.headers['host']}${req.url}${req.headers['domu_request'] ? ` ${req.headers['domu_request']}` : ''}`);
      handler(req, res);
    });
    srv.listen(port, '169.254.169.254', () => resolve(srv));
  });
const servers = [await serve(80, exoscale(mode)), await serve(8080, passwordServer(pwMode))];
const { log, lines } = testLogger();
let out: unknown;
try {
  const r = await exoscaleDatasource.find({ host: testHost(root), log, cfg: {}, dsCfg: { timeout: 1, retries: 1, max_wait: 4 }, stage: 'net' });
  out = { result: r && { ...r, userdata: r.userdata && Buffer.from(r.userdata).toString(), vendordata: null } };
} catch (e) {
  out = { error: (e as Error).message };
}
for (const s of servers) {
  s.closeAllConnections();
  s.close();
}
process.stdout.write(JSON.stringify({ ...(out as object), seen, log: lines }));
