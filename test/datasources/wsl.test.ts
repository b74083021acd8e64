// The WSL datasource against a stand-in of WSL: a temp root whose /proc/mounts shows a
// Windows drive (9p, aname=drvfs) and whose profile directory holds .cloud-init, and an
// Exec standing in for wslpath and `/init cmd.exe` (mode chroot: the tree is the
// instance), so nothing runs on this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { wslDatasource, userDataCandidates } from '../../packages/core/src/datasources/wsl.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import { drvfsMounts, gatherFacts } from '../../packages/core/src/datasources/facts.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import type { Exec, ExecOptions, ExecResult } from '../../packages/core/src/host/exec.js';
import type { Host } from '../../packages/core/src/host/host.js';
import { dsContext, machineFacts, put, settle, tempDir, testHost, testLogger } from './helpers.js';

const UD = '#cloud-config\npackages: [htop]\n';
const MOUNTS = 'C:\\134 /mnt/c 9p rw,noatime,dirsync,aname=drvfs;path=C:\\;uid=1000;gid=1000,mmap,access=client,msize=65536,trans=fd,rfd=4,wfd=4 0 0\nnone /run tmpfs rw 0 0\n';
const HOME = '/mnt/c/Users/me';

/** A WSL instance "Ubuntu-24.04" in a temp root; `files` go under the profile's .cloud-init. */
function wslRoot(files: Record<string, string>, osRelease = 'ID=ubuntu\nVERSION_ID="24.04"\n'): { host: Host; ran: string[][]; root: string } {
  const root = tempDir();
  put(root, 'proc/mounts', MOUNTS);
  put(root, 'proc/sys/kernel/osrelease', '5.15.153.1-microsoft-standard-WSL2\n');
  put(root, 'usr/bin/wslpath', '');
  put(root, 'etc/os-release', osRelease);
  put(root, 'mnt/c/Windows/System32/cmd.exe', 'MZ');
  // cmd.exe must be executable for the datasource to use it.
  fs.chmodSync(`${root}/mnt/c/Windows/System32/cmd.exe`, 0o755);
  for (const [k, v] of Object.entries(files)) put(root, `mnt/c/Users/me/.cloud-init/${k}`, v);
  const ran: string[][] = [];
  const ok = (stdout: string): ExecResult => ({ code: 0, stdout, stderr: '', recorded: false });
  const exec = {
    mode: 'chroot',
    pathFor: (p: string) => p,
    has: () => true,
    run(argv: readonly string[], _opts?: ExecOptions): ExecResult {
      ran.push([...argv]);
      const a = argv.join(' ');
      if (a === '/usr/bin/wslpath -am /') return ok('//wsl.localhost/Ubuntu-24.04/\n');
      if (a === '/init /mnt/c/Windows/System32/cmd.exe /C echo %USERPROFILE%') return ok('C:\\Users\\me\r\n');
      if (a === '/usr/bin/wslpath -au C:\\Users\\me') return ok(`${HOME}\n`);
      return { code: 1, stdout: '', stderr: 'unexpected\n', recorded: false };
    },
  } as unknown as Exec;
  return { host: { ...testHost(root), exec }, ran, root };
}

async function find(files: Record<string, string>, osRelease?: string) {
  const w = wslRoot(files, osRelease);
  const { log, lines } = testLogger();
  const r = await settle(() => wslDatasource.find(dsContext(w.host, {}, log, 'local')));
  return { ...r, lines, ran: w.ran, root: w.root };
}

test('detection table: a WSL kernel with the Windows drives mounted', () => {
  const rows: [string, ReturnType<typeof machineFacts>, string][] = [
    ['WSL2 with C: mounted', machineFacts({}, { dmiAvailable: false, wsl: { kernelRelease: '5.15.153.1-microsoft-standard-WSL2', drives: ['/mnt/c'] } }), 'found'],
    ['WSL without drives', machineFacts({}, { dmiAvailable: false, wsl: { kernelRelease: '5.15.153.1-microsoft-standard-WSL2', drives: [] } }), 'not-found'],
    ['a plain kernel', machineFacts({}, { wsl: { kernelRelease: '6.1.0-18-amd64', drives: [] } }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(wslDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'WSL', 'None']).datasources, ['WSL', 'None']);
  const w = wslRoot({});
  assert.deepEqual(gatherFacts(w.host).wsl, { kernelRelease: '5.15.153.1-microsoft-standard-WSL2', drives: ['/mnt/c'] });
  assert.deepEqual(drvfsMounts(MOUNTS), ['/mnt/c']);
});

test('WSL reads the instance meta-data and the most precise user-data file, names matched without regard to case', async () => {
  const { value: r, error, ran } = await find({ 'Ubuntu-24.04.meta-data': 'instance-id: wsl-1\nlocal-hostname: box\n', 'UBUNTU-24.04.user-data': UD, 'default.user-data': '#cloud-config\n{}\n' });
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.cloudName, 'wsl');
  assert.equal(r.subplatform, `seed-dir (${HOME}/.cloud-init)`);
  assert.equal(r.instanceId, 'wsl-1');
  assert.equal(r.localHostname, 'box');
  assert.equal(Buffer.from(r.userdata ?? []).toString(), UD);
  assert.equal(r.networkConfig, null);
  assert.deepEqual(ran, [
    ['/usr/bin/wslpath', '-am', '/'],
    ['/init', '/mnt/c/Windows/System32/cmd.exe', '/C', 'echo %USERPROFILE%'],
    ['/usr/bin/wslpath', '-au', 'C:\\Users\\me'],
  ]);
});

test('WSL falls back to <distro>-all and default user-data, with the default instance-id', async () => {
  const { value: r } = await find({ 'ubuntu-all.user-data': UD, 'default.user-data': 'x' });
  assert.equal(r?.instanceId, 'iid-datasource-wsl');
  assert.equal(Buffer.from(r?.userdata ?? []).toString(), UD);
  assert.deepEqual(userDataCandidates('Deb', { ID: 'debian', VERSION_CODENAME: 'trixie' }), ['Deb.user-data', 'debian-trixie.user-data', 'debian-all.user-data', 'default.user-data']);
});

test('WSL is not here without user-data, under --exec record, or for a tree under --root run on this machine', async () => {
  const none = await find({ 'other.user-data': UD });
  assert.equal(none.value, null);
  assert.ok(none.lines.some((l) => /holds none of Ubuntu-24\.04\.user-data, ubuntu-24\.04\.user-data/.test(l)));
  const w = wslRoot({ 'default.user-data': UD });
  const { log, lines } = testLogger();
  assert.equal(await wslDatasource.find(dsContext(testHost(w.root, 'record'), {}, log, 'local')), null);
  assert.equal(await wslDatasource.find(dsContext(testHost(w.root, 'host'), {}, log, 'local')), null);
  assert.ok(lines.some((l) => /only recorded/.test(l)));
  assert.ok(lines.some((l) => /read only on the running instance/.test(l)));
});

test('WSL broken meta-data and failing commands are errors naming the file or the command', async () => {
  const noId = await find({ 'Ubuntu-24.04.meta-data': 'local-hostname: x\n', 'default.user-data': UD });
  assert.ok(noId.error instanceof DatasourceError);
  assert.match(noId.error.message, /\/mnt\/c\/Users\/me\/\.cloud-init\/Ubuntu-24\.04\.meta-data: no key "instance-id"/);
  const bad = await find({ 'Ubuntu-24.04.meta-data': 'instance-id: [x\n', 'default.user-data': UD });
  assert.match(bad.error?.message ?? '', /Ubuntu-24\.04\.meta-data:\d+:\d+: /);
  const w = wslRoot({ 'default.user-data': UD });
  const failing = { ...w.host, exec: { ...w.host.exec, mode: 'chroot', run: () => ({ code: 1, stdout: '', stderr: 'wslpath: boom\n', recorded: false }) } as unknown as Exec };
  const { log } = testLogger();
  await assert.rejects(wslDatasource.find(dsContext(failing, {}, log, 'local')), /\/usr\/bin\/wslpath -am \/: exit 1: wslpath: boom/);
});
