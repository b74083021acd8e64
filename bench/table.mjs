// Prints bench/results.json as the Markdown tables docs/performance.md holds, so the
// published figures are the measured ones, not copies:  node bench/table.mjs
import * as fs from 'node:fs';
import * as path from 'node:path';

const file = process.argv[2] ?? path.join(path.dirname(new URL(import.meta.url).pathname), 'results.json');
const { cases, generated, node, runs, install_training: training } = JSON.parse(fs.readFileSync(file, 'utf8'));
const byName = new Map(cases.map((c) => [c.name, c]));
const n = (v, d = 0) => (v === null || v === undefined ? '' : v.toFixed(d));
const ratio = (c) => (c.speedup ? `${c.speedup}x` : '');
const rss = (c) => (c.nimbus_rss_kb && c.cloudinit_rss_kb ? `${(c.nimbus_rss_kb / c.cloudinit_rss_kb).toFixed(2)}` : '');

console.log(`Median of ${runs} runs, ${generated.slice(0, 10)}, Node ${node}.\n`);
console.log('| case | nimbus ms | cloud-init ms | speed-up | nimbus CPU ms | cloud-init CPU ms | nimbus RSS KB | cloud-init RSS KB | RSS ratio |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
const LABELS = {
  'first-boot': 'first boot (NoCloud, 4 stages, as installed)',
  'first-boot-nocache': 'first boot (NoCloud), image without install-time caches',
  'first-boot-booted-once': 'first boot (NoCloud), image booted once',
  'first-boot-configdrive-nocache': 'first boot (config drive), image without install-time caches',
  'first-boot-configdrive-booted-once': 'first boot (config drive), image booted once',
  'second-boot': 'second boot (NoCloud)',
  'first-boot-configdrive': 'first boot (config drive, as installed)',
  'second-boot-configdrive': 'second boot (config drive)',
  'no-datasource': 'init-local with no datasource',
  'no-datasource/node -e 0 (same namespaces)': '`node -e 0` in the same namespaces',
};
for (const c of cases) {
  if (c.name.startsWith('startup/') || c.name.startsWith('net ')) continue;
  const label = LABELS[c.name] ?? (c.name.includes('/') ? `&nbsp;&nbsp;${c.name.split('/')[1]}` : c.name);
  console.log(
    `| ${label} | ${n(c.nimbus_ms)} | ${n(c.cloudinit_ms)} | ${ratio(c)} | ${n(c.nimbus_cpu_ms)} | ${n(c.cloudinit_cpu_ms)} | ${n(c.nimbus_rss_kb)} | ${n(c.cloudinit_rss_kb)} | ${rss(c)} |`,
  );
}
if (training) console.log(`\nInstall time, once (the postinst's \`train-code-cache\`): ${n(training.ms)} ms, ${n(training.cpu_ms)} ms CPU, ${n(training.rss_kb)} KB RSS.`);
console.log('\nStart-up (`--version`, the installed loader with its code cache, in the same namespaces):\n');
console.log('| program | ms | RSS KB |');
console.log('|---|---:|---:|');
for (const c of cases.filter((c) => c.name.startsWith('startup/'))) console.log(`| \`${c.name.slice(8)}\` | ${n(c.nimbus_ms)} | ${n(c.nimbus_rss_kb)} |`);
const render = cases.filter((c) => c.name.startsWith('net '));
if (render.length > 0) {
  const RENDERERS = ['sysconfig', 'eni', 'netplan', 'networkd', 'network-manager'];
  console.log('\nNetwork parse and render, ms:\n');
  console.log(`| interfaces | parse v1 | ${RENDERERS.join(' | ')} |`);
  console.log(`|---:|${'---:|'.repeat(RENDERERS.length + 1)}`);
  for (const k of [1, 100, 1000]) {
    const get = (name) => n(byName.get(name)?.nimbus_ms, 1);
    console.log(`| ${k} | ${get(`net parse v1, ${k} interfaces`)} | ${RENDERERS.map((r) => get(`net render ${r}, ${k} interfaces`)).join(' | ')} |`);
  }
}
