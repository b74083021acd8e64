// Run by ec2-netns.test inside `ip netns exec NS`, where an interface holds the EC2
// IMDS's IPv6 address fd00:ec2::254 and 169.254.169.254 is nowhere: plays the IMDSv2
// there on port 80 and reads the Ec2 datasource with its built-in metadata_urls, so
// the IPv4 endpoint fails and the IPv6 one answers. Prints what it found and the
// requests seen.
import * as http from 'node:http';
import { ec2Datasource } from '../../packages/core/src/datasources/ec2.js';
import { testHost, testLogger } from './helpers.js';
import { NETWORK, imds, metaTree } from './ec2-fixtures.js';

const [root] = process.argv.slice(2) as [string];
const seen: string[] = [];
const handler = imds(metaTree(NETWORK));
const srv = http.createServer((req, res) => {
  seen.push(`${req.method} ${req.url} ${req.headers['host']}`);
  handler(req, res);
});
// A fresh IPv6 address may still be tentative for a moment: try again for a while.
for (let i = 0; ; i++) {
  try {
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(80, 'fd00:ec2::254', () => {
        srv.off('error', reject);
        resolve();
      });
    });
    break;
  } catch (e) {
    if (i >= 50 || (e as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw e;
    await new Promise((r) => setTimeout(r, 100));
  }
}
const { log, lines } = testLogger();
let out: unknown;
try {
  const r = await ec2Datasource.find({ host: testHost(root), log, cfg: {}, dsCfg: { timeout: 2, retries: 0, max_wait: 20 }, stage: 'net' });
  out = { result: r && { ...r, userdata: r.userdata && Buffer.from(r.userdata).toString() } };
} catch (e) {
  out = { error: (e as Error).message };
}
srv.closeAllConnections();
srv.close();
process.stdout.write(JSON.stringify({ ...(out as object), seen, log: lines }));
