// ssh_import_id: keys fetched with ssh-import-id, run as the user through sudo (or doas),
// for the default user (top-level ssh_import_id) and each user with its own list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit, type Kit } from './kit.js';
import { sshImportId, importIds, importCommand } from '../../packages/core/src/modules/ssh-import-id.js';
import { boot, cli, driveWith, makeRoot, recorded, setUserData } from '../helpers/boot.js';

const DEFAULT_USER = 'system_info:\n  default_user: {name: debian}\nusers: [default, {name: ops, ssh_import_id: "gh:octocat,lp:ops-team"}]\n';

function tools(root: string, ...names: string[]): void {
  fs.mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
  // Files only: under --exec record nothing in the tree ever runs.
  for (const n of names) fs.writeFileSync(path.join(root, 'usr/bin', n), '#!/bin/sh\n', { mode: 0o755 });
}

function kit(...names: string[]): Kit {
  const k = makeKit({ passwd: 'root:x:0:0:root:/root:/bin/bash\ndebian:x:1000:1000::/home/debian:/bin/bash\nops:x:1001:1001::/home/ops:/bin/bash\n' });
  tools(k.root, ...names);
  return k;
}

test("ssh_import_id runs the documentation's example as the default user through sudo, and each user's own ids, output to the output log", async () => {
  const k = kit('sudo', 'ssh-import-id');
  await k.run(sshImportId, `#cloud-config\nssh_import_id: [user, 'gh:user2', 'lp:user3']\n${DEFAULT_USER}`);
  assert.deepEqual(k.commands(), [
    { argv: ['sudo', '--preserve-env=https_proxy', '-Hu', 'debian', 'ssh-import-id', 'user', 'gh:user2', 'lp:user3'], output: 'log' },
    { argv: ['sudo', '--preserve-env=https_proxy', '-Hu', 'ops', 'ssh-import-id', 'gh:octocat', 'lp:ops-team'], output: 'log' },
  ]);
  assert.deepEqual(k.warnings(), []);
});

test('ssh_import_id uses doas where there is no sudo, and does nothing when no user has ids', async () => {
  const k = kit('doas', 'ssh-import-id');
  await k.run(sshImportId, 'users: [{name: ops, ssh_import_id: [lp:ops]}]\n');
  assert.deepEqual(k.argvs(), [['doas', '-u', 'ops', 'ssh-import-id', 'lp:ops']]);
  const none = kit();
  await none.run(sshImportId, 'users: [{name: ops}]\n');
  assert.deepEqual(none.argvs(), []);
  assert.deepEqual(none.errors(), []);
  assert.equal(
    importCommand('ops', ['a'], () => false),
    null,
  );
});

test('ssh_import_id without the tool in the image is an error naming it and the ids left unimported, never silence', async () => {
  const k = kit('sudo');
  await assert.rejects(
    k.run(sshImportId, `ssh_import_id: [gh:user2]\n${DEFAULT_USER}`),
    /user-data line 1 col 1: ssh-import-id is not installed in this image: no keys were imported for debian \(gh:user2\), ops \(gh:octocat, lp:ops-team\)/,
  );
  assert.deepEqual(k.argvs(), []);
  const nosudo = kit('ssh-import-id');
  await assert.rejects(nosudo.run(sshImportId, 'users: [{name: ops, ssh_import_id: [lp:ops]}]\n'), /user-data line 1 col 21: ssh_import_id: neither sudo nor doas is installed/);
});

test('ssh_import_id refuses an id that would be an option of the tool, naming its line, and still imports the others', async () => {
  const k = kit('sudo', 'ssh-import-id');
  await assert.rejects(
    k.run(sshImportId, `ssh_import_id:\n  - gh:ok\n  - --output=/etc/passwd\n${DEFAULT_USER}`),
    /user-data line 3 col 5: ssh_import_id of user debian: "--output=\/etc\/passwd" is not an id/,
  );
  assert.deepEqual(
    k.argvs().map((a) => a.slice(3)),
    [
      ['debian', 'ssh-import-id', 'gh:ok'],
      ['ops', 'ssh-import-id', 'gh:octocat', 'lp:ops-team'],
    ],
  );
  assert.deepEqual(importIds(' a,b,,a ', true).ids, ['a', 'b'], "a user's own string splits on commas, as cloud-init's uniq_merge");
  assert.deepEqual(importIds('a,b', false).ids, ['a,b'], 'the top-level string stays one id, as cloud-init reads it');
});

// One boot also turns off the two console modules that run unasked, to show that turning them off leaves the boot done.
test('a boot with the documented ssh_import_id example records ssh-import-id as the default user in the config stage; with no_ssh_fingerprints and emit_keys_to_console off the console shows neither and the boot ends done', () => {
  const ud =
    "#cloud-config\nssh_import_id: [user, 'gh:user2', 'lp:user3']\nno_ssh_fingerprints: true\nssh: {emit_keys_to_console: false}\nssh_keys: {ed25519_public: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOesHrpI9oaN3vKcViBDsGmv3qmZfrNdnTNuyoHEa4ja'}\nusers: [default, {name: demo, ssh_authorized_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOesHrpI9oaN3vKcViBDsGmv3qmZfrNdnTNuyoHEa4ja x']}]\n";
  const root = makeRoot({ drive: driveWith((d) => setUserData(d, ud)) });
  tools(root, 'sudo', 'ssh-import-id');
  const runs = boot(root);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  assert.ok(
    recorded(root).some((a) => a.join(' ') === 'sudo --preserve-env=https_proxy -Hu debian ssh-import-id user gh:user2 lp:user3'),
    JSON.stringify(recorded(root)),
  );
  assert.ok(fs.existsSync(path.join(root, 'etc/ssh/ssh_host_ed25519_key.pub')) && fs.existsSync(path.join(root, 'home/demo/.ssh/authorized_keys')), 'there were keys to show');
  assert.doesNotMatch(runs[3]?.stdout ?? '', /ci-info|SSH HOST KEY/);
  assert.equal(cli(root, 'status', '--long').code, 0);
});
