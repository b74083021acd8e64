// test-lane: full (whole boots that wait out metadata budgets on purpose)
// Metadata faults end to end: the four stage bundles boot a root whose DMI says OpenStack
// (or EC2) against a metadata service on 127.0.0.1 that fails, stalls or lies. Every
// boot ends, the final stage writes result.json (so `status --wait` returns), and the
// fault is in status.json, named with the URL: for a stall, the timeout or budget that
// ended the wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STAGES, runStage } from './crash-harness.js';
import { FAULT_BUDGET, HEALTHY_BUDGET, cloudRoot, imdsHandler, novaHandler, serve, type Fault } from './metadata.js';
import { refusedUrl, send } from '../datasources/helpers.js';

const DATA = {
  meta: { uuid: 'iid-faults', hostname: 'faulty' },
  userData: '#cloud-config\nruncmd: [[echo, hi]]\n',
  vendorData: {},
  networkData: null,
};

interface Expect {
  /** What status.json must say (errors or warnings), as a pattern. */
  says: RegExp;
  /** The datasource the boot ends on. */
  ds: RegExp;
}

const CASES: [Fault, Expect][] = [
  ['none', { says: /^$/, ds: /OpenStack/ }],
  ['http-500', { says: /HTTP 500/, ds: /None/ }],
  ['stall', { says: /no response within \d+ ms|budget/, ds: /None/ }],
  ['never-ends', { says: /meta_data\.json: body not complete within/, ds: /None/ }],
  // On a machine busy enough, the request's own timeout can end the wait before the
  // first byte of the body is read: either way the wait is bounded and named.
  ['slow-drip', { says: /meta_data\.json: (body not complete within|no response within \d+ ms|.*budget)/, ds: /None/ }],
  ['truncated-json', { says: /meta_data\.json: not valid JSON \(\d+ bytes\) at line 1 col \d+/, ds: /None/ }],
  ['not-json', { says: /meta_data\.json: not valid JSON \(\d+ bytes\) at line 1 col 1/, ds: /None/ }],
  ['no-uuid', { says: /meta_data\.json: no "uuid"/, ds: /None/ }],
  ['huge', { says: /meta_data\.json: .*(larger|more) than/, ds: /None/ }],
  ['wrong-types', { says: /"files" must be a list/, ds: /None/ }],
  ['refused', { says: /OpenStack/, ds: /None/ }],
];

/**
 * Services that never finish an answer get the short budget, which is what ends their
 * boots; every other service answers at once, so it gets a generous one and a busy
 * machine cannot turn its answer into a timeout.
 */
const SILENT: readonly Fault[] = ['stall', 'never-ends', 'slow-drip', 'refused'];

async function bootAgainst(fault: Fault): Promise<{ status: string; result: string; codes: (number | null)[]; stderr: string; network: string }> {
  const srv = fault === 'refused' ? null : await serve(novaHandler(DATA, fault));
  const url = srv?.url ?? (await refusedUrl());
  const root = cloudRoot('openstack', url, '', SILENT.includes(fault) ? FAULT_BUDGET : HEALTHY_BUDGET);
  try {
    const codes: (number | null)[] = [];
    let stderr = '';
    for (const s of STAGES) {
      const r = await runStage(root, s);
      codes.push(r.code);
      stderr += r.stderr;
    }
    const status = fs.readFileSync(path.join(root, 'var/lib/cloud/data/status.json'), 'utf8');
    const result = fs.readFileSync(path.join(root, 'var/lib/cloud/data/result.json'), 'utf8');
    const eni = path.join(root, 'etc/network/interfaces.d/50-cloud-init');
    const network = fs.existsSync(eni) ? fs.readFileSync(eni, 'utf8') : '';
    return { status, result, codes, stderr, network };
  } finally {
    await srv?.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

test(`metadata faults: ${CASES.length} OpenStack services that fail, stall or lie; every boot ends, result.json written, the fault in status`, { timeout: 600_000 }, async () => {
  const results = await Promise.all(CASES.map(async ([fault, expect]) => ({ fault, expect, r: await bootAgainst(fault) })));
  for (const { fault, expect, r } of results) {
    for (const c of r.codes) assert.ok(c === 0 || c === 1, `${fault}: a stage exit ${c}: ${r.stderr}`);
    assert.ok(!/\n\s+at /.test(r.stderr), `${fault}: a stack trace: ${r.stderr}`);
    const v1 = (JSON.parse(r.status) as { v1: Record<string, unknown> }).v1;
    assert.equal(v1['stage'], null, fault);
    assert.match(String(v1['datasource']), expect.ds, `${fault}: datasource ${String(v1['datasource'])}`);
    const said = ['init-local', 'init', 'modules-config', 'modules-final']
      .flatMap((s) => {
        const st = v1[s] as { errors: string[]; recoverable_errors: Record<string, string[]> };
        return [...st.errors, ...Object.values(st.recoverable_errors).flat()];
      })
      .filter((m) => /OpenStack|meta_data|openstack|127\.0\.0\.1/.test(m))
      .join('\n');
    if (fault === 'none') assert.equal(said, '', `a healthy service: ${said}`);
    else {
      assert.match(said, expect.says, `${fault}: status says: ${said}`);
      assert.ok(said.includes('127.0.0.1'), `${fault}: the URL is named: ${said}`);
    }
    // The machine still gets networking: DHCP on its NIC (the fallback) when no config came.
    if (fault !== 'none') assert.match(r.network, /iface eth0 inet dhcp/, `${fault}: fallback networking: ${r.network}`);
    const result = (JSON.parse(r.result) as { v1: { datasource: string } }).v1;
    assert.match(result.datasource, expect.ds);
    process.stdout.write(`# fault ${fault}: boot ended on ${String(v1['datasource'])}\n`);
  }
});

test('EC2 faults: token refused (403), a service that stalls; the boot ends on None with the reason', { timeout: 300_000 }, async () => {
  const cases: [string, (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void, RegExp][] = [
    ['token-403', (_req, res) => send(res, 403, 'Forbidden'), /403/],
    ['stall', () => {}, /no response within \d+ ms|budget/],
    ['ok', imdsHandler({ userData: '#cloud-config\n', secret: 's', instanceId: 'i-0faults' }), /^$/],
  ];
  await Promise.all(
    cases.map(async ([name, handler, says]) => {
      const srv = await serve(handler);
      const root = cloudRoot('aws', srv.url, '', name === 'stall' ? FAULT_BUDGET : HEALTHY_BUDGET);
      try {
        for (const s of STAGES) {
          const r = await runStage(root, s);
          assert.ok(r.code === 0 || r.code === 1, `${name} ${s}: ${r.stderr}`);
        }
        const v1 = (JSON.parse(fs.readFileSync(path.join(root, 'var/lib/cloud/data/status.json'), 'utf8')) as { v1: Record<string, unknown> }).v1;
        assert.ok(fs.existsSync(path.join(root, 'var/lib/cloud/data/result.json')), name);
        const said = JSON.stringify(v1);
        if (name === 'ok') assert.match(String(v1['datasource']), /Ec2/);
        else {
          assert.match(String(v1['datasource']), /None/, name);
          assert.match(said, says, `${name}: ${said}`);
        }
        process.stdout.write(`# fault ec2 ${name}: boot ended on ${String(v1['datasource'])}\n`);
      } finally {
        await srv.close();
        fs.rmSync(root, { recursive: true, force: true });
      }
    }),
  );
});
