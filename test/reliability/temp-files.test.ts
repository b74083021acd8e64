// test-lane: full (thousands of fsynced writes and two whole boots)
// Temp files of atomic writes: a boot that writes N files into one directory reads O(N)
// directory entries, not O(N²) (it listed the whole directory on every write: 20,000
// script parts took init 302 s); and the temp files of a killed write are swept at the
// next boot even when their target is never written again. Linearity is shown by
// counting the directory entries read, never by a clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { createHost } from '../../packages/core/src/host/host.js';
import { Logger } from '../../packages/core/src/log/logger.js';
import { Paths } from '../../packages/core/src/state/paths.js';
import { consumeData } from '../../packages/core/src/stages/consume.js';
import { tempDir } from '../helpers/temp-root.js';
import { boot, driveWith, makeRoot, read, setUserData } from '../helpers/boot.js';
import { dsOf } from '../modules/kit.js';

const nodeFs = createRequire(import.meta.url)('node:fs') as typeof fs;

/** Counts every directory listing (and the names it returned) made while `fn` runs. */
async function countListings<T>(fn: () => Promise<T> | T): Promise<{ listings: number; names: number; value: T }> {
  const orig = nodeFs.readdirSync;
  let listings = 0;
  let names = 0;
  nodeFs.readdirSync = ((...args: Parameters<typeof fs.readdirSync>) => {
    const r = (orig as (...a: unknown[]) => unknown[]).apply(nodeFs, args);
    listings++;
    names += r.length;
    return r;
  }) as typeof fs.readdirSync;
  syncBuiltinESMExports();
  try {
    const value = await fn();
    return { listings, names, value };
  } finally {
    nodeFs.readdirSync = orig;
    syncBuiltinESMExports();
  }
}

test('writing many files into one directory lists that directory once, not once per write', async () => {
  const root = tempDir('nimbus-linear-');
  const host = createHost({ root, exec: 'record' });
  for (const n of [50, 400]) {
    const dir = `/var/lib/many-${n}`;
    const { listings, names } = await countListings(() => {
      for (let i = 0; i < n; i++) host.fs.write(`${dir}/f${i}`, `${i}\n`);
    });
    assert.equal(fs.readdirSync(path.join(root, dir)).length, n);
    assert.ok(listings <= 1, `${n} writes listed the directory ${listings} times`);
    assert.ok(names <= n, `${n} writes read ${names} directory entries`);
  }
});

test('user-data with N script parts reads O(N) directory entries when init stores them', async () => {
  const read: Record<number, number> = {};
  for (const n of [100, 400]) {
    const root = tempDir('nimbus-linear-');
    const host = createHost({ root, exec: 'record' });
    let mime = 'Content-Type: multipart/mixed; boundary="BB"\nMIME-Version: 1.0\n\n';
    for (let i = 0; i < n; i++) mime += `--BB\nContent-Type: text/x-shellscript\nContent-Disposition: attachment; filename="s${i}.sh"\n\n#!/bin/sh\necho ${i}\n`;
    mime += '--BB--\n';
    const ds = dsOf({ instanceId: 'iid-many', userdata: new Uint8Array(Buffer.from(mime)) });
    const log = new Logger({ file: () => undefined, stderr: () => undefined }, { stage: 'init', debug: false, quiet: true });
    const { names } = await countListings(() => consumeData(host, log, ds, new Paths(ds.instanceId), { runBoothooks: false, jinjaVars: () => ({}), systemCfg: {} }));
    assert.deepEqual(log.report.errors, []);
    assert.equal(fs.readdirSync(path.join(root, 'var/lib/cloud/instances/iid-many/scripts')).length, n);
    read[n] = names;
  }
  // Linear: 4× the parts reads at most about 4× the entries (each listing holds at most
  // the N scripts); one listing per write read N²/2 = 80,000 for 400 parts.
  assert.ok((read[400] as number) <= 3 * 400 + 100, `400 parts read ${read[400]} directory entries (100 parts: ${read[100]})`);
});

/** A pid that was alive a moment ago and is not any more. */
function deadPid(): number {
  const r = spawnSync('true');
  assert.ok(r.pid !== undefined && r.pid > 0);
  return r.pid as number;
}

test('temp files of writes killed in an earlier boot are swept at the next boot, also where the target is never written again', () => {
  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHmXsweepKey alice@example';
  const drive = driveWith((d) => setUserData(d, `#cloud-config\nusers:\n  - name: alice\n    sudo: "ALL=(ALL) NOPASSWD:ALL"\n    ssh_authorized_keys: ["${key}"]\n`));
  const root = makeRoot({ drive });
  for (const r of boot(root)) assert.ok(r.code === 0 || r.code === 1, r.stderr);
  assert.match(read(root, 'etc/sudoers.d/90-cloud-init-users'), /alice/);
  const keysFile = fs.existsSync(path.join(root, 'home/alice/.ssh/authorized_keys')) ? 'home/alice/.ssh' : null;
  assert.ok(keysFile !== null, 'the boot wrote alice an authorized_keys');
  const iid = fs.readFileSync(path.join(root, 'var/lib/cloud/data/instance-id'), 'utf8').trim();
  // What a kill leaves: the temp files of a write that never reached its rename. The next
  // boot does not write these targets again (users_groups is per instance).
  const pid = deadPid();
  const planted = [
    `etc/sudoers.d/.90-cloud-init-users.nimbus-${pid}-a1b2c3`,
    `home/alice/.ssh/.authorized_keys.nimbus-${pid}-d4e5f6`,
    `var/lib/cloud/instances/${iid}/sem/.config_scripts_user.started.nimbus-${pid}-g7h8i9`,
  ];
  for (const p of planted) fs.writeFileSync(path.join(root, p), 'half of a write', { mode: 0o600 });
  // A live writer's temp file is never touched.
  const live = `etc/sudoers.d/.90-cloud-init-users.nimbus-${process.pid}-j0k1l2`;
  fs.writeFileSync(path.join(root, live), 'in flight', { mode: 0o600 });
  for (const r of boot(root)) assert.ok(r.code === 0 || r.code === 1, r.stderr);
  for (const p of planted) assert.ok(!fs.existsSync(path.join(root, p)), `${p} survived the next boot`);
  assert.ok(fs.existsSync(path.join(root, live)), 'a live writer lost its temp file');
  assert.match(read(root, 'var/log/cloud-init.log'), /removed 3 temp file\(s\) of writes interrupted in an earlier boot/);
});
