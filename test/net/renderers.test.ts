// Every record in the renderer registry is complete: a renderer added with a field left
// empty or inconsistent (files outside what it owns, no bring-up, a pattern cleanup
// cannot use) fails here, before a user meets it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chooseTool, createHost, parseV1, renderNetwork, RENDERERS, selectRenderer, type Renderer } from '../../packages/core/src/index.js';
import { NET_DIR } from './corpus.js';
import { DEBIAN, fakeCommand, fakeSysfs, tempRoot, testLogger } from './helpers.js';

// Small but touching every kind of file a renderer writes: a static NIC with a MAC
// (udev/link naming, routes), a DHCP NIC, global DNS (resolv.conf on sysconfig).
const state = parseV1(
  { source: 't' },
  {
    version: 1,
    config: [
      { type: 'physical', name: 'eth0', mac_address: '52:54:00:00:00:01', subnets: [{ type: 'static', address: '10.0.0.5/24', gateway: '10.0.0.1' }] },
      { type: 'physical', name: 'eth1', mac_address: '52:54:00:00:00:02', subnets: [{ type: 'dhcp' }] },
      { type: 'nameserver', address: ['10.0.0.53'], search: ['example.org'] },
    ],
  },
);

function withRoot(fn: (root: string) => void): void {
  const root = tempRoot();
  try {
    fn(root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

const ownedBy = (r: Renderer, p: string) => r.owned.some((o) => path.posix.dirname(p) === o.dir && o.match.test(path.posix.basename(p)));

test('every renderer has its own name, accepted in system_info.network.renderers', () => {
  const names = RENDERERS.map((r) => r.name);
  assert.equal(new Set(names).size, names.length, `names repeat: ${names.join(', ')}`);
  withRoot((root) => {
    const host = createHost({ root, exec: 'record' });
    for (const name of names) {
      assert.match(name, /^[a-z][a-z0-9-]*$/);
      // Accepted by name (the error is then about the empty image, not the name).
      assert.throws(() => selectRenderer(host, DEBIAN, { system_info: { network: { renderers: [name] } } }), /no network renderer available in this image/);
    }
  });
});

test('on an empty image every renderer says what it lacks', () => {
  withRoot((root) => {
    const host = createHost({ root, exec: 'record' });
    for (const r of RENDERERS) {
      const why = r.missing(host);
      assert.equal(typeof why, 'string', `${r.name} claims an empty image has its stack`);
      assert.ok(why && why.length > 0, `${r.name}: an empty reason`);
    }
  });
});

test('every renderer owns at least one directory, with anchored patterns cleanup can reuse', () => {
  for (const r of RENDERERS) {
    assert.ok(r.owned.length > 0, `${r.name} owns no files, so its stale files would never be removed`);
    for (const o of r.owned) {
      assert.match(o.dir, /^\/.*[^/]$/, `${r.name}: ${o.dir} must be absolute, without a trailing slash`);
      assert.ok(o.match.source.startsWith('^') && o.match.source.endsWith('$'), `${r.name}: ${o.match} must match whole file names`);
      assert.equal(o.match.global || o.match.sticky, false, `${r.name}: ${o.match} must not keep state between matches`);
    }
  }
});

test('a render writes only files the renderer owns or lists, and at least one it owns', () => {
  for (const r of RENDERERS) {
    const before = structuredClone(state);
    const out = r.render(state);
    assert.deepEqual(state, before, `${r.name} changed its input`);
    assert.deepEqual(r.render(state), out, `${r.name} renders the same state differently twice`);
    const paths = [...out.keys()];
    assert.ok(
      paths.some((p) => ownedBy(r, p)),
      `${r.name} wrote none of its own files: ${paths.join(', ')}`,
    );
    for (const p of paths) assert.ok(ownedBy(r, p) || r.alsoWrites.includes(p), `${r.name} wrote ${p}, which is neither owned nor in alsoWrites`);
    for (const [p, f] of out) {
      assert.ok(f.content.length > 0, `${r.name}: ${p} is empty`);
      assert.ok(f.mode === 0o644 || f.mode === 0o600, `${r.name}: ${p} mode ${f.mode.toString(8)}`);
    }
  }
});

test('every renderer says how its interfaces come up, and chooseTool picks that tool when the image has it', () => {
  const ifaces = state.interfaces;
  for (const r of RENDERERS) {
    assert.ok(r.bringUp.length > 0, `${r.name} has no bring-up tool`);
    for (const b of r.bringUp) {
      assert.ok(b.tool.length > 0 && (b.tool as string) !== 'ip' && b.needs.length > 0, `${r.name}: incomplete bring-up ${JSON.stringify(b.tool)}`);
      const steps = b.up(ifaces, new Set(ifaces.map((i) => i.name)));
      assert.ok(steps.length > 0 && steps.every((s) => s.argv.length > 0), `${r.name}/${b.tool} gives no commands`);
      withRoot((root) => {
        fakeCommand(root, b.needs);
        const host = createHost({ root, exec: 'record' });
        const first = r.bringUp.find((x) => host.exec.has(x.needs));
        assert.equal(chooseTool(host, r.name), first?.tool);
      });
    }
  }
  // A tool name is one record: bring-up finds a tool by its name.
  const byTool = new Map<string, unknown>();
  for (const b of RENDERERS.flatMap((r) => [...r.bringUp])) {
    assert.ok(!byTool.has(b.tool) || byTool.get(b.tool) === b, `two different bring-up tools are named ${b.tool}`);
    byTool.set(b.tool, b);
  }
});

test("a renderer's generated files are removed when another renderer takes over", () => {
  for (const r of RENDERERS) {
    withRoot((root) => {
      fakeSysfs(root, [{ name: 'eth9', mac: '52:54:00:00:00:09' }]);
      const left = [...r.render(state)].filter(([p]) => ownedBy(r, p));
      for (const [p, f] of left) {
        fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
        fs.writeFileSync(path.join(root, p), f.content);
      }
      installStacks(root);
      const host = createHost({ root, exec: 'record' });
      const next = RENDERERS.find((x) => x.name !== r.name && x.missing(host) === null);
      assert.ok(next, 'another renderer is available');
      const { log } = testLogger();
      const cfg = { network: { version: 1, config: [{ type: 'physical', name: 'eth9', subnets: [{ type: 'dhcp' }] }] }, system_info: { network: { renderers: [next.name] } } };
      const res = renderNetwork(host, DEBIAN, cfg, null, log);
      assert.equal(res.disabled === false && res.renderer, next.name);
      for (const [p] of left) assert.equal(fs.existsSync(path.join(root, p)), false, `${r.name}'s ${p} was left behind after ${next.name} took over`);
    });
  }
});

test('docs/networking.md has a row for every renderer and every bring-up tool', () => {
  const doc = fs.readFileSync(path.join(NET_DIR, '../../docs/networking.md'), 'utf8');
  const section = (title: string) => doc.split(/^## /m).find((x) => x.startsWith(title + '\n')) ?? '';
  const rows = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith('| '))
      .map((l) =>
        l
          .split('|')
          .map((c) => c.trim())
          .slice(1, -1),
      );
  const files = rows(section('Renderer choice')).map((r) => r[0]);
  const tools = rows(section('Bring-up tools'));
  for (const r of RENDERERS) {
    assert.ok(files.includes(r.name), `the files table of "Renderer choice" lacks ${r.name}`);
    assert.ok(
      tools.some((t) => (t[0] ?? '').includes(r.name)),
      `"Bring-up tools" lacks ${r.name}`,
    );
    for (const b of r.bringUp)
      assert.ok(
        tools.some((t) => t[1] === b.tool),
        `"Bring-up tools" lacks the ${b.tool} tool`,
      );
  }
});

/** Makes the tree look as if it had every network stack nimbus knows installed. */
function installStacks(root: string): void {
  for (const p of ['etc/network/interfaces', 'lib/systemd/systemd-networkd']) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), '');
  }
  fs.mkdirSync(path.join(root, 'etc/sysconfig/network-scripts'), { recursive: true });
  for (const c of ['ifup', 'NetworkManager', 'netplan', 'nmcli', 'networkctl']) fakeCommand(root, c);
}
