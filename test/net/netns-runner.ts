// Run by netns.test inside `ip netns exec NS`, with <root>/sys bind-mounted from the
// namespace's /sys: applies a network config to the namespace's NICs through a Host
// rooted at the temp root (commands run for real, with `ip`), prints the result.
import { applyNetwork, createHost, parseNetworkConfigDoc } from '../../packages/core/src/index.js';
import { DEBIAN, testLogger } from './helpers.js';

const [root, json] = process.argv.slice(2) as [string, string];
const cfg = parseNetworkConfigDoc({ source: 'netns-test' }, JSON.parse(json));
if (cfg.kind !== 'state') throw new Error('expected a state');
const { log, lines } = testLogger();
const r = applyNetwork(createHost({ root, exec: 'host' }), DEBIAN, cfg.state, log, { tool: 'ip' });
process.stdout.write(JSON.stringify({ result: r, log: lines.join('') }));
