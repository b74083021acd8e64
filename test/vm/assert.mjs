// The assertions of `npm run test:vm` on one boot, read from what scripts/vm-test.sh
// took off the VM's disk with debugfs (nothing is mounted):
//   <dir>/boot-<n>/fs/...        files of the image (the journal, /var/lib/cloud, ...)
//   <dir>/boot-<n>/journal.json  journalctl -D <the image's journal> -o json
//
//   node test/vm/assert.mjs --variant V --boot N --dir RUN/VARIANT [--chain "a a b+... c+..."]
//
// --chain is the variant's boots as scripts/vm-test.sh's CHAINS lists them (default "a a"):
// which instance boot N is (a, b or c), with which options, after which instances.
// Prints one "ok"/"not ok" line per check and exits 1 when any fails.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { isSysvVariant, sysvChecks } from './sysv-checks.mjs';

const { values: args } = parseArgs({ options: { variant: { type: 'string' }, boot: { type: 'string' }, dir: { type: 'string' }, chain: { type: 'string' } } });
const variant = args.variant;
const n = Number(args.boot);
const bootDir = path.join(args.dir, `boot-${n}`);
const fsRoot = path.join(bootDir, 'fs');
const chain = (args.chain ?? 'a a')
  .trim()
  .split(/\s+/)
  .map((w) => {
    const [inst, ...opts] = w.split('+');
    return { inst, opts };
  });
if (!(n >= 1 && n <= chain.length)) throw new Error(`--boot ${n} is not in the chain "${args.chain}"`);
const { inst, opts } = chain[n - 1];
/** How many boots of this chain, up to and including this one, were of this instance. */
const instanceBoot = chain.slice(0, n).filter((b) => b.inst === inst).length;

// What each instance's config drive (test/vm/config-drive*) says.
const INSTANCES = {
  a: { iid: '3f6c1e2a-9b7d-4c5e-8a1f-0d2b4c6e8f10', mac: '52:54:00:12:34:56', address: '192.0.2.10/24', hostname: 'nimbus-vm-test' },
  b: { iid: 'b2e4c6a8-1d3f-4b5a-9c7e-0f2a4c6e8b20', mac: '52:54:00:12:34:78', address: '192.0.2.20/24', ifname: 'eth0', hostname: 'nimbus-vm-b' },
  c: { iid: 'c7a9e1b3-5d2f-4c6a-8e0b-2f4a6c8e0c30', mac: '52:54:00:12:34:78', dhcp: true, ifname: 'eth0', hostname: 'nimbus-vm-c' },
};
const me = INSTANCES[inst];
if (!me) throw new Error(`unknown instance ${inst} in the chain`);
const MAC = me.mac;
const GATEWAY = '192.0.2.1';
const INSTANCE_ID = me.iid;
const NET_SERVICES = { ifupdown: 'networking.service', nm: 'NetworkManager.service', networkd: 'systemd-networkd.service', netplan: 'systemd-networkd.service' };
const NET_SERVICE = NET_SERVICES[variant] ?? 'networking.service';
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
const ipv4Of = (l) => (l.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
function theNic() {
  const links = json(`${saved}/ip-addr.json`);
  const nic = links.find((l) => l.address === MAC);
  if (!nic) throw new Error(`no interface with MAC ${MAC} in ip -j addr: ${links.map((l) => `${l.ifname} ${l.address}`).join(', ')}`);
  return { links, nic };
}
if (me.dhcp) {
  check(`the NIC ${MAC} has one IPv4 address, from DHCP (192.0.2.100-199), and no static address of an earlier instance`, () => {
    const { nic } = theNic();
    const v4 = ipv4Of(nic);
    if (v4.length !== 1 || !/^192\.0\.2\.1\d\d\/24$/.test(v4[0])) return `${nic.ifname} has IPv4 [${v4.join(', ')}] (operstate ${nic.operstate})`;
    if (!(nic.flags ?? []).includes('UP')) return `${nic.ifname} is not up: flags ${nic.flags}`;
  });
} else {
  check(`the NIC ${MAC} has the static address ${me.address} from network_data.json, and no other IPv4 address`, () => {
    const { nic } = theNic();
    const v4 = ipv4Of(nic);
    if (v4.length !== 1 || v4[0] !== me.address) return `${nic.ifname} has IPv4 [${v4.join(', ')}] (operstate ${nic.operstate})`;
    if (!(nic.flags ?? []).includes('UP')) return `${nic.ifname} is not up: flags ${nic.flags}`;
  });
}

check(`the default route is via ${GATEWAY} on that NIC`, () => {
  const { nic } = theNic();
  const routes = json(`${saved}/ip-route.json`);
  const def = routes.find((r) => r.dst === 'default');
  if (!def) return `no default route: ${JSON.stringify(routes)}`;
  if (def.gateway !== GATEWAY || def.dev !== nic.ifname) return `default route ${JSON.stringify(def)}`;
});

const earlier = [...new Set(chain.slice(0, n - 1).map((b) => b.inst))].filter((i) => i !== inst && INSTANCES[i].address);
if (earlier.length) {
  const old = earlier.map((i) => INSTANCES[i].address.split('/')[0]);
  check(`no address of an earlier instance (${old.join(', ')}) on any interface`, () => {
    const links = json(`${saved}/ip-addr.json`);
    const left = links.flatMap((l) =>
      ipv4Of(l)
        .filter((a) => old.includes(a.split('/')[0]))
        .map((a) => `${a} on ${l.ifname}`),
    );
    if (left.length) return `still there: ${left.join(', ')}`;
  });
  check(`no network configuration on the disk names an earlier instance's address (${old.join(', ')})`, () => {
    const found = [];
    for (const d of ['/etc/network', '/etc/NetworkManager', '/etc/systemd/network', '/etc/netplan']) {
      for (const f of walk(d)) {
        const text = fs.readFileSync(file(f), 'utf8');
        for (const a of old) if (new RegExp(`\\b${a.replace(/\./g, '\\.')}\\b`).test(text)) found.push(`${f} (${a})`);
      }
    }
    if (found.length) return `left over: ${found.join(', ')}`;
  });
}
if (me.ifname) {
  // cloud-init's temporary names are cirename*, nimbus's nimbustmp*: neither may remain.
  check(`the NIC is named ${me.ifname}, as network_data.json says, and no cirename* or nimbustmp* interface remains`, () => {
    const { links, nic } = theNic();
    if (nic.ifname !== me.ifname) return `the NIC ${MAC} is ${nic.ifname}`;
    const stray = links.filter((l) => /^(cirename|nimbustmp)/.test(l.ifname)).map((l) => l.ifname);
    if (stray.length) return `left: ${stray.join(', ')}`;
  });
}
check(`the host name is the metadata's (${me.hostname})${opts.includes('dhcpname') ? ', not the one DHCP offered' : ''}`, () => {
  const h = read(`${saved}/hostname`).trim();
  if (h !== me.hostname) return `hostname ${JSON.stringify(h)}`;
});

/** Files under an extracted directory, as image paths (none when it is not on the disk). */
function walk(d) {
  if (!exists(d)) return [];
  const out = [];
  for (const e of fs.readdirSync(file(d), { withFileTypes: true })) {
    const p = `${d}/${e.name}`;
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

// --- the cloud-config: files, users and keys, scripts ---------------------------------------------
if (inst === 'a') {
  check('write_files: /etc/nimbus-vm/from-base64.txt decoded', () => {
    const t = read('/etc/nimbus-vm/from-base64.txt');
    if (t !== 'decoded from base64\n') return `content ${JSON.stringify(t)}`;
  });
  check('write_files (defer: true): /etc/nimbus-vm/deferred.txt', () => {
    const t = read('/etc/nimbus-vm/deferred.txt');
    if (t !== 'written in the final stage\n') return `content ${JSON.stringify(t)}`;
  });
  if (instanceBoot === 1) {
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
if (inst === 'a') {
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
}

function linesFor(p, tag) {
  return lines(p).map((l) => {
    const m = new RegExp(`^${tag} boot=(.*)$`).exec(l);
    if (!m) throw new Error(`${p}: unexpected line ${JSON.stringify(l)}`);
    return m[1];
  });
}
if (inst === 'a') {
  check(instanceBoot === 1 ? 'runcmd ran once' : 'runcmd did not run again (once per instance)', () => {
    const runs = linesFor('/var/lib/nimbus-vm/runcmd.log', 'runcmd');
    if (runs.length !== 1) return `/var/lib/nimbus-vm/runcmd.log has ${runs.length} runs: ${runs.join(', ')}`;
    if (bootIds[0] && runs[0] !== bootIds[0]) return `runcmd ran in boot ${runs[0]}, not the first boot ${bootIds[0]}`;
  });
  check(instanceBoot === 1 ? 'the user-data shell script part ran once' : 'the user-data shell script did not run again', () => {
    const runs = linesFor('/var/lib/nimbus-vm/user-script.log', 'user-script');
    if (runs.length !== 1) return `/var/lib/nimbus-vm/user-script.log has ${runs.length} runs: ${runs.join(', ')}`;
    if (bootIds[0] && runs[0] !== bootIds[0]) return `it ran in boot ${runs[0]}, not the first boot ${bootIds[0]}`;
  });
} else {
  // A new instance on an old disk: its own runcmd runs, once, in its first boot.
  const first = chain.findIndex((b) => b.inst === inst);
  check(`runcmd of instance ${inst.toUpperCase()} ran once, in its first boot`, () => {
    const p = `/var/lib/nimbus-vm/runcmd-${inst}.log`;
    const runs = linesFor(p, `runcmd-${inst}`);
    if (runs.length !== 1) return `${p} has ${runs.length} runs: ${runs.join(', ')}`;
    if (bootIds[first] && runs[0] !== bootIds[first]) return `it ran in boot ${runs[0]}, not boot ${first + 1} (${bootIds[first]})`;
  });
}
check(`the per-boot script ran in each boot (${n} line${n > 1 ? 's' : ''})`, () => {
  const runs = linesFor('/var/lib/nimbus-vm/per-boot.log', 'per-boot');
  if (runs.length !== n) return `/var/lib/nimbus-vm/per-boot.log has ${runs.length} runs: ${runs.join(', ')}`;
  if (bootId && runs.at(-1) !== bootId) return `its last run is from boot ${runs.at(-1)}, not this boot ${bootId}`;
});

check('semaphores of the per-instance modules are in the instance directory', () => {
  const sem = `/var/lib/cloud/instances/${INSTANCE_ID}/sem`;
  const want = inst === 'a' ? ['config_write_files', 'config_runcmd', 'config_scripts_user'] : ['config_runcmd', 'config_scripts_user'];
  const missing = want.filter((s) => !exists(`${sem}/${s}`));
  if (missing.length) return `missing in ${sem}: ${missing.join(', ')} (there: ${exists(sem) ? fs.readdirSync(file(sem)).join(', ') : 'no sem directory'})`;
});

// --- real effects of system modules (instance B's cloud-config, the boot's options) -------------------
if (opts.some((o) => o.startsWith('grow='))) {
  check('resizefs grew the root filesystem to its disk (grown before this boot)', () => {
    const fsBytes = Number(read(`${saved}/root-fs-bytes`).trim());
    const devBytes = Number(read(`${saved}/root-dev-bytes`).trim());
    if (!(fsBytes > 0 && devBytes > 0)) return `root filesystem ${fsBytes} bytes, device ${devBytes} bytes`;
    // df counts the filesystem less its own metadata: within 5% of the device is "grown".
    if (fsBytes < devBytes * 0.95) return `root filesystem ${fsBytes} bytes on a ${devBytes}-byte device`;
  });
}
if (opts.includes('repo')) {
  check('packages: nimbus-vm-hello installed from the local apt repository', () => {
    const st = read(`${saved}/dpkg-hello.txt`).trim();
    if (st !== 'install ok installed 1.0') return `dpkg-query: ${st}`;
    const t = read('/usr/share/nimbus-vm-hello/hello.txt');
    if (!t.startsWith('installed by packages:')) return `hello.txt: ${JSON.stringify(t)}`;
  });
  check("package_update: apt's lists hold the local repository's Packages", () => {
    const lists = exists('/var/lib/apt/lists') ? fs.readdirSync(file('/var/lib/apt/lists')) : [];
    if (!lists.some((f) => /nimbus-repo.*Packages$/.test(f))) return `in /var/lib/apt/lists: ${lists.join(', ') || 'nothing'}`;
  });
}
if (inst === 'b') {
  check('timezone: /etc/localtime links to Europe/Berlin and /etc/timezone says so', () => {
    const link = read(`${saved}/localtime-link`).trim();
    if (!/\/usr\/share\/zoneinfo\/Europe\/Berlin$/.test(link)) return `/etc/localtime -> ${link}`;
    const tz = read('/etc/timezone').trim();
    if (tz !== 'Europe/Berlin') return `/etc/timezone: ${tz}`;
  });
  check("locale: /etc/default/locale sets LANG=POSIX (B's, over the C.UTF-8 default A's first boot wrote)", () => {
    const t = read('/etc/default/locale');
    if (!/^LANG=("?)POSIX\1$/m.test(t)) return `/etc/default/locale: ${JSON.stringify(t)}`;
  });
}
if (opts.includes('eph')) {
  check('mounts: the ephemeral disk /dev/vdb is in fstab with nofail and mounted on /mnt/ephemeral', () => {
    const line = read('/etc/fstab')
      .split('\n')
      .find((l) => /^\/dev\/vdb\s+\/mnt\/ephemeral\s/.test(l));
    if (!line) return `no /dev/vdb line in /etc/fstab:\n${read('/etc/fstab')}`;
    if (!line.split(/\s+/)[3].split(',').includes('nofail')) return `fstab line without nofail: ${line}`;
    const mounts = JSON.stringify(json(`${saved}/findmnt.json`));
    if (!/"target":"\/mnt\/ephemeral","source":"\/dev\/vdb"/.test(mounts)) return '/mnt/ephemeral is not mounted from /dev/vdb';
  });
}
const ephBefore = chain.slice(0, n - 1).some((b) => b.opts.includes('eph'));
if (ephBefore && !opts.includes('eph')) {
  check('the ephemeral disk of an earlier boot is absent: its fstab line stays, the boot still reached multi-user.target without waiting for it', () => {
    const mu = Number(read(`${saved}/multi-user-usec`).trim());
    if (!(mu > 0)) return 'multi-user.target was never reached';
    const waited = thisBoot.filter((e) => typeof e.MESSAGE === 'string' && /(Timed out waiting for device|Dependency failed for).*(vdb|ephemeral)/.test(e.MESSAGE)).map((e) => e.MESSAGE);
    if (waited.length) return waited.join('\n');
    const us = Number(read(`${saved}/userspace-usec`).trim());
    console.log(`    # multi-user.target reached ${((mu - us) / 1e6).toFixed(1)} s after systemd started`);
  });
}
if (n === 1) {
  check('the first boot reused the code caches trained at install time: the same files, the same bytes', () => {
    const want = read('/var/lib/nimbus-vm-image/code-cache.sha256')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/\s+\*?/));
    const dir = '/var/cache/nimbus';
    const now = exists(dir) ? fs.readdirSync(file(dir)).filter((f) => f.endsWith('.v8')) : [];
    const names = want.map(([, f]) => f);
    // A program trained at install time has no other cache now (a second one would mean
    // V8 rejected the first); programs not trained then (the CLI) may add theirs.
    const program = (f) => /^(.*?)-[0-9a-f]{8,}-/.exec(f)?.[1] ?? f;
    const trained = new Set(names.map(program));
    const extra = now.filter((f) => trained.has(program(f)) && !names.includes(f));
    if (extra.length) return `made at boot beside the install-time caches: ${extra.join(', ')}`;
    for (const [sum, f] of want) {
      if (!now.includes(f)) return `${f} is gone`;
      const got = crypto
        .createHash('sha256')
        .update(fs.readFileSync(file(`${dir}/${f}`)))
        .digest('hex');
      if (got !== sum) return `${f} was rewritten at boot`;
    }
  });
}

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
