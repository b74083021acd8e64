// Run by gce-netns.test inside `ip netns exec NS`, where an interface holds
// 169.254.169.254 (metadata.google.internal's address): plays Google's metadata server
// there on port 80, reads the GCE datasource with metadata_url at that address, and
// prints what it found and the requests seen.
import * as http from 'node:http';
import { gceDatasource } from '../../packages/core/src/datasources/gce.js';
import { testHost, testLogger } from './helpers.js';
import { gce, type Mode } from './gce-fixtures.js';

const [root, mode] = process.argv.slice(2) as [string, Mode];
const seen: string[] = [];
const handler = gce(mode);
const srv = http.createServer((req, res) => {
  seen.push(`${req.method} ${req.url} ${req.headers['host']}`);
  handler(req, res);
});
await new Promise<void>((resolve) => srv.listen(80, '169.254.169.254', resolve));
const { log, lines } = testLogger();
let out: unknown;
try {
  const r = await gceDatasource.find({
    host: testHost(root),
    log,
    cfg: { system_info: { default_user: { name: 'debian' } } },
    dsCfg: { metadata_url: 'http://169.254.169.254/computeMetadata/v1/', timeout: 1, retries: 1, max_wait: 4 },
    stage: 'net',
  });
  out = { result: r && { ...r, userdata: r.userdata && Buffer.from(r.userdata).toString() } };
} catch (e) {
  out = { error: (e as Error).message };
}
srv.closeAllConnections();
srv.close();
process.stdout.write(JSON.stringify({ ...(out as object), seen, log: lines }));
