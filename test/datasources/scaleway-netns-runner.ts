// Run by scaleway-netns.test.ts inside `ip netns exec NS`, where an interface holds
// 169.254.42.42 and fd00:42::42: plays Scaleway's metadata service there on port 80
// (on both addresses, or with `v6-only` on the IPv6 one alone), reads the Scaleway
// datasource from its built-in URLs, and prints what it found and the requests seen
// with the source port each came from.
import * as http from 'node:http';
import { scalewayDatasource } from '../../packages/core/src/datasources/scaleway.js';
import { testHost, testLogger } from './helpers.js';
import { scaleway, type ScalewayMode } from './scaleway-fixtures.js';

/** Listens on addr:80, waiting while the kernel still checks the new IPv6 address for duplicates (EADDRNOTAVAIL). */
async function listen(srv: http.Server, addr: string): Promise<http.Server> {
  for (let tries = 0; ; tries++) {
    try {
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(80, addr, () => {
          srv.off('error', reject);
          resolve();
        });
      });
      return srv;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL' || tries >= 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const [root, mode] = process.argv.slice(2) as [string, string];
const handler = scaleway((mode === 'v6-only' ? 'ok' : mode) as ScalewayMode);
const seen: string[] = [];
const servers = (mode === 'v6-only' ? ['fd00:42::42'] : ['169.254.42.42', 'fd00:42::42']).map((addr) => {
  const srv = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers['host']} from port ${(req.socket.remotePort ?? 0) < 1024 ? 'below' : 'above'} 1024`);
    handler(req, res);
  });
  return listen(srv, addr);
});
const listening = await Promise.all(servers);
const { log, lines } = testLogger();
let out: unknown;
try {
  const r = await scalewayDatasource.find({ host: testHost(root), log, cfg: {}, dsCfg: { timeout: 1, retries: 1, max_wait: 6 }, stage: 'net' });
  out = { result: r && { ...r, userdata: r.userdata && Buffer.from(r.userdata).toString(), vendordata: r.vendordata && Buffer.from(r.vendordata).toString() } };
} catch (e) {
  out = { error: (e as Error).message };
}
for (const s of listening) {
  s.closeAllConnections();
  s.close();
}
process.stdout.write(JSON.stringify({ ...(out as object), seen, log: lines }));
