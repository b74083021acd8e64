// Run by serial-standin.ts inside a mount namespace where the stand-in's pty is mounted
// on <root>/dev/ttyS1: reads one datasource on that root and prints what it found (or
// the error) and its log as JSON.
import { datasourceByName } from '../../packages/core/src/datasources/registry.js';
import { testHost, testLogger } from './helpers.js';

const [name, root, cfg] = process.argv.slice(2) as [string, string, string];
const ds = datasourceByName(name);
const { log, lines } = testLogger();
let out: Record<string, unknown>;
try {
  if (!ds) throw new Error(`no datasource ${name}`);
  const r = await ds.find({ host: testHost(root), log, cfg: {}, dsCfg: JSON.parse(cfg) as Record<string, unknown>, stage: 'local' });
  const text = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString());
  out = { result: r && { ...r, userdata: text(r.userdata), vendordata: text(r.vendordata) } };
} catch (e) {
  out = { error: (e as Error).message };
}
process.stdout.write(JSON.stringify({ ...out, log: lines }));
