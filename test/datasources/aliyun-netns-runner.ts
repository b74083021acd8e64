// Run by aliyun-netns.test.ts inside `ip netns exec NS`, where an interface holds
// 100.100.100.200: plays Alibaba Cloud ECS's metadata service there on port 80, reads
// the AliYun datasource from its built-in URL, and prints what it found and the
// requests seen.
import * as http from 'node:http';
import { aliYunDatasource } from '../../packages/core/src/datasources/aliyun.js';
import { testHost, testLogger } from './helpers.js';
import { aliyun, type AliYunMode } from './aliyun-fixtures.js';

const [root, mode] = process.argv.slice(2) as [string, AliYunMode];
const seen: string[] = [];
const handler = aliyun(mode);
const srv = http.createServer((req, res) => {
  seen.push(`${req.method} ${req.url} ${req.headers['host']}`);
  handler(req, res);
});
await new Promise<void>((resolve) => srv.listen(80, '100.100.100.200', resolve));
const { log, lines } = testLogger();
let out: unknown;
try {
  const r = await aliYunDatasource.find({ host: testHost(root), log, cfg: {}, dsCfg: { timeout: 1, retries: 1, max_wait: 4 }, stage: 'net' });
  out = { result: r && { ...r, userdata: r.userdata && Buffer.from(r.userdata).toString(), vendordata: r.vendordata && Buffer.from(r.vendordata).toString() } };
} catch (e) {
  out = { error: (e as Error).message };
}
srv.closeAllConnections();
srv.close();
process.stdout.write(JSON.stringify({ ...(out as object), seen, log: lines }));
