// The assertions of `npm run test:vm` on one boot, read from what scripts/vm-test.sh
// took off the VM's disk with debugfs (nothing is mounted):
//   <dir>/boot-<n>/fs/...        files of the image (the journal, /var/lib/cloud, ...)
//   <dir>/boot-<n>/journal.json  journalctl -D <the image's journal> -o json
//
//   node test/vm/assert.mjs --variant ifupdown|nm --boot N --dir RUN/VARIANT
//
// Prints one "ok"/"not ok" line per check and exits 1 when any fails.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { isSysvVariant, sysvChecks } from './sysv-checks.mjs';

const { values: args } = parseArgs({ options: { variant: { type: 'string' }, boot: { type: 'string' }, dir: { type: 'string' } } });
const variant = args.variant;
const n = Number(args.boot);
const bootDir = path.join(args.dir, `boot-${n}`);
const fsRoot = path.join(bootDir, 'fs');

const MAC = '52:54:00:12:34:56';
const ADDRESS = '192.0.2.10/24';
const GATEWAY = '192.0.2.1';
const INSTANCE_ID = '3f6c1e2a-9b7d-4c5e-8a1f-0d2b4c6e8f10';
const NET_SERVICE = variant === 'nm' ? 'NetworkManager.service' : 'networking.service';
const KEYS = {
  default: 'AAAAC3NzaC1lZDI1NTE5AAAAIB4NiEktmgudGs6A/kjaTKeTMbJmK54TeO1AGC3l1/ID',
  tester: 'AAAAC3NzaC1lZDI1NTE5AAAAIMQm9T2Xzj/WmCHL1UdW/pGgSY8xorbGnXXcJy5irAQc',
  metadata: 'AAAAC3NzaC1lZDI1NTE5AAAAID9UrcJ5fAz3i6XeNQ35GJ0Yba4Y5f2jmSOOohq9BSI/',
};

// SysV boots have no journal and no units: those checks are replaced by sysv-checks.mjs.
const SYSV = isSysvVariant(variant);
const SYSTEMD_ONLY = (name) => /^(the )?journal/.test(name) || name === 'the four nimbus units are active';

let failures = 0;
function check(name, fn) {
  if (SYSV && SYSTEMD_ONLY(name)) return;
  let problem;
  try {
    const r = fn();
    if (typeof r === 'string') problem = r;
  } catch (e) {
    problem = e instanceof Error ? e.message : String(e);
  }
  if (problem === undefined) console.log(`ok - [${variant}] boot ${n}: ${name}`);
  else {
    failures++;
    console.log(`not ok - [${variant}] boot ${n}: ${name}\n    ${problem.split('\n').join('\n    ')}`);
  }
}

const file = (p) => path.join(fsRoot, p);
const exists = (p) => fs.existsSync(file(p));
function read(p) {
  if (!exists(p)) throw new Error(`${p} is not on the disk`);
  return fs.readFileSync(file(p), 'utf8');
}
const lines = (p) => (exists(p) ? read(p).split('\n').filter(Boolean) : []);
const mode = (p) => (fs.statSync(file(p)).mode & 0o7777).toString(8).padStart(4, '0');
function json(p) {
  const text = read(p);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${p} is not JSON (${e.message}): ${text.slice(0, 300)}`);
  }
}

// What the test unit saved in this boot (/var/lib/nimbus-vm-test/boot-<n>).
const saved = `/var/lib/nimbus-vm-test/boot-${n}`;
const bootId = exists(`${saved}/boot_id`) ? read(`${saved}/boot_id`).trim() : null;
const bootIds = [];
for (let i = 1; i <= n; i++) {
  const p = `/var/lib/nimbus-vm-test/boot-${i}/boot_id`;
  bootIds.push(exists(p) ? read(p).trim() : null);
}

// --- the journal of this boot ---------------------------------------------------------------
const JOB_START = '7d4958e842da4a758f6c1cdc7b36dcc5'; // "Starting <unit>..."
const JOB_DONE = '39f53479d3a045ac8e11786248231fbf'; // "Finished/Started <unit>" (or failed)
let entries = [];
const journalFile = path.join(bootDir, 'journal.json');
if (fs.existsSync(journalFile)) {
  entries = fs
    .readFileSync(journalFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}
const journalBoot = bootId ? bootId.replace(/-/g, '') : entries.at(-1)?._BOOT_ID;
const thisBoot = entries.filter((e) => e._BOOT_ID === journalBoot);
const mono = (e) => BigInt(e.__MONOTONIC_TIMESTAMP);
const secs = (e) => (Number(mono(e)) / 1e6).toFixed(3);

/** systemd's job message for a unit: kind 'start' ("Starting"), 'done' (finished). */
function jobEvent(unit, kind) {
  return thisBoot.find((e) => {
    if (e._PID !== '1' && e.SYSLOG_IDENTIFIER !== 'systemd') return false;
    if (e.UNIT === unit && e.MESSAGE_ID === (kind === 'start' ? JOB_START : JOB_DONE)) return true;
    // Messages from before journald was up come in from kmsg without the structured fields.
    const m = typeof e.MESSAGE === 'string' ? e.MESSAGE : '';
    return e.UNIT === undefined && (kind === 'start' ? m.startsWith(`Starting ${unit}`) : /^(Finished|Started) /.test(m) && m.includes(unit));
  });
}
function need(unit, kind) {
  const e = jobEvent(unit, kind);
  if (!e) throw new Error(`no "${kind === 'start' ? 'Starting' : 'Finished'} ${unit}" in the journal of this boot (${thisBoot.length} entries for boot ${journalBoot ?? '?'})`);
  return e;
}

check('the journal of this boot was read from the disk', () => {
  if (entries.length === 0) return `no journal entries (see ${path.join(bootDir, 'journal.err')})`;
  if (thisBoot.length === 0) return `no entries for boot ${journalBoot}`;
});

check(`journal: nimbus-local finished before ${NET_SERVICE} started`, () => {
  const local = need('nimbus-local.service', 'done');
  const net = need(NET_SERVICE, 'start');
  if (local.JOB_RESULT && local.JOB_RESULT !== 'done') return `nimbus-local.service: job result ${local.JOB_RESULT}`;
  if (!(mono(local) < mono(net))) return `nimbus-local finished at ${secs(local)} s, ${NET_SERVICE} started at ${secs(net)} s`;
});

check(`journal: nimbus-init started after ${NET_SERVICE} was up`, () => {
  const net = need(NET_SERVICE, 'done');
  const init = need('nimbus-init.service', 'start');
  if (!(mono(net) < mono(init))) return `${NET_SERVICE} up at ${secs(net)} s, nimbus-init started at ${secs(init)} s`;
});

check('journal: ssh.service started after nimbus-init finished (keys in place before the first login)', () => {
  const init = need('nimbus-init.service', 'done');
  const ssh = need('ssh.service', 'start');
  if (!(mono(init) < mono(ssh))) return `nimbus-init finished at ${secs(init)} s, ssh.service started at ${secs(ssh)} s`;
});

check('journal: the four stages ran, in order, and succeeded', () => {
  const order = ['nimbus-local.service', 'nimbus-init.service', 'nimbus-config.service', 'nimbus-final.service'];
  let prev = null;
  for (const u of order) {
    const s = need(u, 'start');
    const d = need(u, 'done');
    if (d.JOB_RESULT && d.JOB_RESULT !== 'done') return `${u}: job result ${d.JOB_RESULT}`;
    if (prev && !(mono(prev) <= mono(s))) return `${u} started at ${secs(s)} s, before the previous stage finished (${secs(prev)} s)`;
    prev = d;
  }
});

// --- network -----------------------------------------------------------------------------------
check(`the NIC ${MAC} has the static address ${ADDRESS} from network_data.json, and no other IPv4 address`, () => {
  const links = json(`${saved}/ip-addr.json`);
  const nic = links.find((l) => l.address === MAC);
  if (!nic) return `no interface with MAC ${MAC} in ip -j addr: ${links.map((l) => `${l.ifname} ${l.address}`).join(', ')}`;
  const v4 = (nic.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
  if (v4.length !== 1 || v4[0] !== ADDRESS) return `${nic.ifname} has IPv4 [${v4.join(', ')}] (operstate ${nic.operstate})`;
  if (!(nic.flags ?? []).includes('UP')) return `${nic.ifname} is not up: flags ${nic.flags}`;
});

check(`the default route is via ${GATEWAY} on that NIC`, () => {
  const links = json(`${saved}/ip-addr.json`);
  const nic = links.find((l) => l.address === MAC);
  const routes = json(`${saved}/ip-route.json`);
  const def = routes.find((r) => r.dst === 'default');
  if (!def) return `no default route: ${JSON.stringify(routes)}`;
  if (def.gateway !== GATEWAY || def.dev !== nic?.ifname) return `default route ${JSON.stringify(def)}`;
});

// --- the cloud-config: files, users and keys, scripts ---------------------------------------------
check('write_files: /etc/nimbus-vm/from-base64.txt decoded', () => {
  const t = read('/etc/nimbus-vm/from-base64.txt');
  if (t !== 'decoded from base64\n') return `content ${JSON.stringify(t)}`;
});
check('write_files (defer: true): /etc/nimbus-vm/deferred.txt', () => {
  const t = read('/etc/nimbus-vm/deferred.txt');
  if (t !== 'written in the final stage\n') return `content ${JSON.stringify(t)}`;
});
if (n === 1) {
  check('write_files: /etc/nimbus-vm/hello.txt with its content and mode 0640', () => {
    const t = read('/etc/nimbus-vm/hello.txt');
    if (t !== 'hello from write_files\n') return `content ${JSON.stringify(t)}`;
    if (mode('/etc/nimbus-vm/hello.txt') !== '0640') return `mode ${mode('/etc/nimbus-vm/hello.txt')}`;
  });
} else {
  check('write_files is once per instance: hello.txt, removed from the disk after boot 1, was not written again', () => {
    if (exists('/etc/nimbus-vm/hello.txt')) return 'hello.txt is back: write_files ran again';
  });
}

function passwdEntry(user) {
  return read('/etc/passwd')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
}
function authorizedKeys(user) {
  const entry = passwdEntry(user);
  if (!entry) throw new Error(`user ${user} is not in /etc/passwd`);
  const home = entry.split(':')[5];
  const p = `${home}/.ssh/authorized_keys`;
  return { p, text: read(p) };
}
check('users: tester created, with its ssh_authorized_keys (0600)', () => {
  const { p, text } = authorizedKeys('tester');
  if (!text.includes(KEYS.tester)) return `${p} lacks tester's key:\n${text}`;
  if (mode(p) !== '0600') return `${p} mode ${mode(p)}`;
});
check('users: the default user (debian) with ssh_authorized_keys and the metadata public key', () => {
  const { p, text } = authorizedKeys('debian');
  if (!text.includes(KEYS.default)) return `${p} lacks the cloud-config's ssh_authorized_keys key:\n${text}`;
  if (!text.includes(KEYS.metadata)) return `${p} lacks meta_data.json's public key:\n${text}`;
});

function linesFor(p, tag) {
  return lines(p).map((l) => {
    const m = new RegExp(`^${tag} boot=(.*)$`).exec(l);
    if (!m) throw new Error(`${p}: unexpected line ${JSON.stringify(l)}`);
    return m[1];
  });
}
check(n === 1 ? 'runcmd ran once' : 'runcmd did not run again (once per instance)', () => {
  const runs = linesFor('/var/lib/nimbus-vm/runcmd.log', 'runcmd');
  if (runs.length !== 1) return `/var/lib/nimbus-vm/runcmd.log has ${runs.length} runs: ${runs.join(', ')}`;
  if (bootIds[0] && runs[0] !== bootIds[0]) return `runcmd ran in boot ${runs[0]}, not the first boot ${bootIds[0]}`;
});
check(n === 1 ? 'the user-data shell script part ran once' : 'the user-data shell script did not run again', () => {
  const runs = linesFor('/var/lib/nimbus-vm/user-script.log', 'user-script');
  if (runs.length !== 1) return `/var/lib/nimbus-vm/user-script.log has ${runs.length} runs: ${runs.join(', ')}`;
  if (bootIds[0] && runs[0] !== bootIds[0]) return `it ran in boot ${runs[0]}, not the first boot ${bootIds[0]}`;
});
check(`the per-boot script ran in each boot (${n} line${n > 1 ? 's' : ''})`, () => {
  const runs = linesFor('/var/lib/nimbus-vm/per-boot.log', 'per-boot');
  if (runs.length !== n) return `/var/lib/nimbus-vm/per-boot.log has ${runs.length} runs: ${runs.join(', ')}`;
  if (bootId && runs.at(-1) !== bootId) return `its last run is from boot ${runs.at(-1)}, not this boot ${bootId}`;
});

check('semaphores of the per-instance modules are in the instance directory', () => {
  const sem = `/var/lib/cloud/instances/${INSTANCE_ID}/sem`;
  const missing = ['config_write_files', 'config_runcmd', 'config_scripts_user'].filter((s) => !exists(`${sem}/${s}`));
  if (missing.length) return `missing in ${sem}: ${missing.join(', ')} (there: ${exists(sem) ? fs.readdirSync(file(sem)).join(', ') : 'no sem directory'})`;
});

// --- status ---------------------------------------------------------------------------------------------
check('`nimbus status` in the VM: done, exit 0', () => {
  const rc = read(`${saved}/status.rc`).trim();
  const st = json(`${saved}/status.json`);
  if (rc !== '0' || st.status !== 'done') {
    return `exit ${rc}, status ${st.status} (${st.extended_status}); errors: ${JSON.stringify(st.errors)}; recoverable: ${JSON.stringify(st.recoverable_errors)}`;
  }
});
check('status.json and result.json on the disk: the config drive, every stage finished, no errors', () => {
  const status = json('/var/lib/cloud/data/status.json').v1;
  const result = json('/var/lib/cloud/data/result.json').v1;
  if (!/ConfigDrive/.test(status.datasource ?? '')) return `datasource ${status.datasource}`;
  for (const s of ['init-local', 'init', 'modules-config', 'modules-final']) {
    const st = status[s];
    if (!st?.finished) return `stage ${s} not finished: ${JSON.stringify(st)}`;
    if (st.errors?.length) return `stage ${s} errors: ${JSON.stringify(st.errors)}`;
  }
  if (result.errors?.length) return `result.json errors: ${JSON.stringify(result.errors)}`;
});
check("each stage left its V8 code cache in /var/cache/nimbus, root's and 0644", () => {
  const dir = '/var/cache/nimbus';
  const there = exists(dir) ? fs.readdirSync(file(dir)) : [];
  const missing = ['nimbus-local', 'nimbus-init', 'nimbus-config', 'nimbus-final'].filter((b) => !there.some((f) => f.startsWith(`${b}-`) && f.endsWith('.v8')));
  if (missing.length) return `no cache for ${missing.join(', ')} in ${dir} (there: ${there.join(', ') || 'nothing'})`;
  for (const f of there) {
    const st = fs.statSync(file(`${dir}/${f}`));
    // The code caches are 0644; the kept parse of the system configuration is 0600.
    const want = f === 'parsed-config.json' ? '0600' : '0644';
    if (st.uid !== 0 || mode(`${dir}/${f}`) !== want) return `${dir}/${f}: uid ${st.uid}, mode ${mode(`${dir}/${f}`)} (expected root's, ${want})`;
  }
});
check('the four nimbus units are active', () => {
  const states = read(`${saved}/nimbus-units.txt`).trim().split('\n');
  if (states.length !== 4 || states.some((s) => s !== 'active')) return `systemctl is-active: ${states.join(' ')}`;
});

if (SYSV) for (const [name, fn] of sysvChecks(variant, saved, { read, exists })) check(name, fn);

console.log(failures === 0 ? `# [${variant}] boot ${n}: all passed` : `# [${variant}] boot ${n}: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
