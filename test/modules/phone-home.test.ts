// phone_home: the instance's id, names and host keys POSTed as a form to a URL once per
// instance, tried `tries` times. Every server here listens on 127.0.0.1 only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { makeKit } from './kit.js';
import { phoneHome, postWithTries, renderUrl, triesOf } from '../../packages/core/src/modules/phone-home.js';
import { serve, refusedUrl } from '../datasources/helpers.js';
import { DIST, cli, driveWith, makeRoot, setUserData } from '../helpers/boot.js';

const ED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOesHrpI9oaN3vKcViBDsGmv3qmZfrNdnTNuyoHEa4ja root@web-1\n';

test("phone_home posts every value of the documentation's `post: all` example to the url with the instance id, as a form", async () => {
  const bodies: string[] = [];
  const s = await serve((_req, res, body) => {
    bodies.push(body);
    res.end('ok');
  });
  try {
    const k = makeKit();
    k.write('etc/ssh/ssh_host_ed25519_key.pub', ED);
    await k.run(phoneHome, `#cloud-config\nphone_home: {post: all, url: "${s.url}/$INSTANCE_ID/"}\n`);
    assert.deepEqual(s.seen, ['POST /iid-kit-1/']);
    const form = new URLSearchParams(bodies[0]);
    assert.deepEqual([...form.keys()], ['pub_key_rsa', 'pub_key_ecdsa', 'pub_key_ed25519', 'instance_id', 'hostname', 'fqdn']);
    assert.equal(form.get('pub_key_ed25519'), ED);
    assert.equal(form.get('pub_key_rsa'), 'N/A', 'a host key the machine lacks, as cloud-init posts it');
    assert.equal(form.get('instance_id'), 'iid-kit-1');
    assert.equal(form.get('hostname'), 'web-1');
    assert.equal(form.get('fqdn'), 'web-1.example.org');
    assert.match(k.warnings().join('\n'), /pub_key_rsa is not available \(\/etc\/ssh\/ssh_host_rsa_key\.pub is not there\); posted as N\/A/);
    assert.match(k.lines.join(''), /posted pub_key_rsa, .* to http:\/\/127\.0\.0\.1:\d+\/iid-kit-1\/ \(try 1 of 10\)/);
  } finally {
    await s.close();
  }
});

test('phone_home posts only the listed values, and tries again 3 s apart until one answers, up to tries', async () => {
  let calls = 0;
  const pauses: number[] = [];
  const attempts = await postWithTries(
    'http://127.0.0.1:1/',
    new URLSearchParams(),
    5,
    async () => (++calls < 3 ? { ok: false, why: 'HTTP 503' } : { ok: true, why: '' }),
    async (ms) => void pauses.push(ms),
  );
  assert.deepEqual(
    attempts.map((a) => a.ok),
    [false, false, true],
  );
  assert.deepEqual(pauses, [3000, 3000]);
  const bodies: string[] = [];
  const s = await serve((_req, res, body) => {
    bodies.push(body);
    res.end();
  });
  try {
    const k = makeKit();
    await k.run(phoneHome, `phone_home:\n  post: [instance_id, hostname]\n  tries: 5\n  url: ${s.url}/x?id=\${INSTANCE_ID}\n`);
    assert.deepEqual(s.seen, ['POST /x?id=iid-kit-1']);
    assert.equal(bodies[0], 'instance_id=iid-kit-1&hostname=web-1');
    assert.deepEqual(k.warnings(), []);
  } finally {
    await s.close();
  }
});

test('phone_home that never gets through is a warning naming the url and what each try met', async () => {
  const url = await refusedUrl();
  const k = makeKit();
  await k.run(phoneHome, `phone_home: {url: "${url}/", post: [instance_id], tries: 1}\n`);
  assert.match(k.warnings().join('\n'), /phone_home: posting to http:\/\/127\.0\.0\.1:\d+\/ failed in 1 tries: ECONNREFUSED/);
  const s = await serve((_req, res) => {
    res.statusCode = 500;
    res.end();
  });
  try {
    const e = makeKit();
    await e.run(phoneHome, `phone_home: {url: "${s.url}/", post: [instance_id], tries: 1}\n`);
    assert.match(e.warnings().join('\n'), /failed in 1 tries: HTTP 500/);
  } finally {
    await s.close();
  }
});

test('phone_home refuses malformed settings, naming the line, and posts nothing', async () => {
  const k = makeKit();
  await assert.rejects(k.run(phoneHome, 'phone_home: http://example.com/\n'), /user-data line 1 col 1: phone_home must be a mapping/);
  await assert.rejects(k.run(phoneHome, 'phone_home:\n  url: http://example.com/\n  post: some\n'), /user-data line 3 col 3: phone_home.post must be "all" or a list/);
  await assert.rejects(k.run(phoneHome, 'phone_home:\n  url: http://example.com/$HOSTNAME\n'), /user-data line 2 col 3: phone_home.url: the url uses \$HOSTNAME; only \$INSTANCE_ID is known/);
  await assert.rejects(k.run(phoneHome, 'phone_home:\n  url: ftp://example.com/\n'), /user-data line 2 col 3: not supported: phone_home.url "ftp:\/\/example.com\/"/);
  await k.run(phoneHome, 'phone_home: {post: all}\n');
  assert.match(k.warnings().join('\n'), /user-data line 1 col 1: phone_home has no url: nothing was posted/);
  assert.equal(renderUrl('## template: jinja\nhttp://h/{{ INSTANCE_ID }}/', 'i-1'), 'http://h/i-1/');
  assert.equal(triesOf('7'), 7);
  assert.equal(triesOf(undefined), 10);
  assert.equal(triesOf('many'), null);
});

function stageAsync(root: string, name: string): Promise<number> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(DIST, `nimbus-${name}.js`), '--root', root], (err) => resolve(err === null ? 0 : typeof err.code === 'number' ? err.code : -1));
  });
}

test('a boot with phone_home posts the instance id to a server on 127.0.0.1 in the final stage and ends done', async () => {
  const bodies: string[] = [];
  const s = await serve((_req, res, body) => {
    bodies.push(body);
    res.end();
  });
  try {
    const root = makeRoot({ drive: driveWith((d) => setUserData(d, `#cloud-config\nphone_home:\n  url: ${s.url}/$INSTANCE_ID/\n  post: [instance_id]\n  tries: 2\n`)) });
    for (const st of ['local', 'init', 'config', 'final']) assert.equal(await stageAsync(root, st), 0, st);
    assert.equal(s.seen.length, 1);
    assert.match(s.seen[0] ?? '', /^POST \/[^/]+\/$/);
    const iid = new URLSearchParams(bodies[0]).get('instance_id') ?? '';
    assert.ok(iid !== '' && s.seen[0] === `POST /${iid}/`, `${s.seen[0]} ${bodies[0]}`);
    assert.equal(cli(root, 'status', '--long').code, 0);
  } finally {
    await s.close();
  }
});
