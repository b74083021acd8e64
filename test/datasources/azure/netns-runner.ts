// Run by azure-netns.test inside `ip netns exec NS`, where a dummy interface holds
// 169.254.169.254 and 168.63.129.16: plays IMDS and the wireserver at their real
// addresses, reads the Azure datasource with its defaults (no URL overridden) on the
// temp root, twice (a re-run of the same instance), and prints what it found and every
// request the stand-in saw.
import * as http from 'node:http';
import { azureDatasource } from '../../../packages/core/src/datasources/azure.js';
import { dsContext, testHost, testLogger } from '../helpers.js';
import { standIn, type ImdsMode } from './fixtures.js';

const [root, mode, stage] = process.argv.slice(2) as [string, ImdsMode, 'local' | 'net'];
const s = standIn(mode);
const listen = (addr: string) =>
  new Promise<http.Server>((resolve, reject) => {
    const srv = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => s.handler(req, res, body));
    });
    srv.once('error', reject);
    srv.listen(80, addr, () => resolve(srv));
  });
const servers = [await listen('169.254.169.254'), await listen('168.63.129.16')];
const { log, lines } = testLogger();
const runs: unknown[] = [];
for (let i = 0; i < 2; i++) {
  const before = s.requests.length;
  try {
    const r = await azureDatasource.find(dsContext(testHost(root), { max_wait: 4, timeout: 1, retries: 1 }, log, stage));
    runs.push({
      result: r && { ...r, userdata: r.userdata && Buffer.from(r.userdata).toString() },
      requests: s.requests.slice(before).map(({ method, url, headers, body }) => ({ method, url, headers, body })),
    });
  } catch (e) {
    runs.push({ error: (e as Error).message, requests: s.requests.slice(before).map(({ method, url, body }) => ({ method, url, body })) });
  }
}
for (const srv of servers) {
  srv.closeAllConnections();
  srv.close();
}
process.stdout.write(JSON.stringify({ runs, log: lines }));
