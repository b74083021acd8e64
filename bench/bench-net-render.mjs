// Render time for 1, 100 and 1000 interfaces through every renderer, on the compiled
// output (run `node scripts/build.mjs` first). Prints the median of several runs: the
// parse of a v1 config and the render of the state, separately. With BENCH_JSON=1 (as
// bench/run.mjs runs it) the figures come out as {"cases": [...]} instead of a table.
import { performance } from 'node:perf_hooks';
import { parseV1, render } from '../build/packages/core/src/index.js';

const RENDERERS = ['sysconfig', 'eni', 'netplan', 'networkd', 'network-manager'];

function config(n) {
  const config = [];
  for (let k = 0; k < n; k++) {
    const mac = `52:54:${[k >> 16, (k >> 8) & 255, k & 255, 1].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
    const a = `10.${(k >> 8) & 255}.${k & 255}`;
    config.push({
      type: 'physical',
      name: `ens${k}`,
      mac_address: mac,
      mtu: 1500,
      subnets:
        k % 3 === 0
          ? [{ type: 'dhcp' }]
          : [
              {
                type: 'static',
                address: `${a}.5/24`,
                gateway: `${a}.1`,
                dns_nameservers: [`${a}.2`],
                dns_search: ['example.com'],
                routes: [{ network: '192.168.0.0', netmask: '255.255.0.0', gateway: `${a}.254` }],
              },
              { type: 'static6', address: `2001:db8:${k.toString(16)}::5/64` },
            ],
    });
  }
  return { version: 1, config };
}

function median(f, runs) {
  const t = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

const json = process.env.BENCH_JSON === '1';
const cases = [];
if (!json) {
  console.log(`node ${process.version}; median ms (parse v1 | render per renderer)`);
  console.log(['interfaces', 'parse', ...RENDERERS].map((s) => s.padStart(16)).join(''));
}
// Warm up the JIT so the first row is not the compile time.
{
  const st = parseV1({ source: 'warmup' }, config(200));
  for (let k = 0; k < 5; k++) for (const r of RENDERERS) render(st, r);
}
for (const n of [1, 100, 1000]) {
  const doc = config(n);
  const runs = n === 1000 ? 7 : 21;
  const parse = median(() => parseV1({ source: 'bench' }, doc), runs);
  const state = parseV1({ source: 'bench' }, doc);
  const cols = RENDERERS.map((r) => median(() => render(state, r), runs));
  cases.push({ name: `net parse v1, ${n} interfaces`, nimbus_ms: Math.round(parse * 100) / 100 });
  RENDERERS.forEach((r, i) => cases.push({ name: `net render ${r}, ${n} interfaces`, nimbus_ms: Math.round(cols[i] * 100) / 100, per_interface_ms: Math.round((cols[i] / n) * 1000) / 1000 }));
  if (!json) console.log([String(n), ...[parse, ...cols].map((x) => x.toFixed(2))].map((s) => s.padStart(16)).join(''));
}
if (json) console.log(JSON.stringify({ cases }));
