// The checks of the SysV boots of `npm run test:vm` (variants sysv-ifupdown, sysv-nm:
// Debian 12 booted by sysvinit-core, test/vm/image/sysv), run by test/vm/assert.mjs in
// place of its journal and systemd-unit checks. They read what the image's collector rc
// script saved in /var/lib/nimbus-vm-test/boot-<n>/:
//   bootlog.txt     one line per init script start and exit, with /proc/uptime seconds
//                   (the init-functions hook 01-nimbus-vm-test-bootlog):
//                     12.34 start networking start 456
//                     13.01 end networking start 456 rc=0
//   pid1-comm, init what PID 1 was and what /sbin/init is
//   .depend.boot, .depend.start   insserv's files, what startpar started the boot from
//   nimbus-scripts.txt            `/etc/init.d/nimbus-<stage> status` of each stage

/** The network script of each SysV variant. */
export const SYSV_NET_SCRIPT = { 'sysv-ifupdown': 'networking', 'sysv-nm': 'NetworkManager' };
export const isSysvVariant = (v) => typeof v === 'string' && Object.hasOwn(SYSV_NET_SCRIPT, v);

const STAGES = ['nimbus-local', 'nimbus-init', 'nimbus-config', 'nimbus-final'];

/** The lines of bootlog.txt as events; a line that is not one is an error naming it. */
export function parseBootLog(text) {
  const events = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const m = /^(\d+(?:\.\d+)?) (start|end) (\S+) (\S*) ?(\d+)(?: rc=(\d+))?$/.exec(line);
    if (m) {
      events.push({ t: Number(m[1]), kind: m[2], name: m[3], action: m[4], pid: m[5], rc: m[6] === undefined ? null : Number(m[6]) });
      continue;
    }
    if (/^\d+(?:\.\d+)? collect\b/.test(line)) continue;
    throw new Error(`bootlog.txt line ${i + 1}: not a boot log line: ${JSON.stringify(line)}`);
  }
  return events;
}

/** The one run of `<name> start` in the log: its start and end events. */
function runOf(events, name) {
  const starts = events.filter((e) => e.name === name && e.action === 'start' && e.kind === 'start');
  if (starts.length === 0) throw new Error(`the boot log has no "start ${name} start": the script did not run (or did not load /lib/lsb/init-functions)`);
  if (starts.length > 1) throw new Error(`${name} started ${starts.length} times (at ${starts.map((e) => e.t).join(', ')} s)`);
  const s = starts[0];
  const end = events.find((e) => e.kind === 'end' && e.name === name && e.pid === s.pid && e.action === 'start');
  if (!end) throw new Error(`${name} started at ${s.t} s and never finished`);
  return { start: s, end };
}

function targets(text) {
  const m = /^TARGETS\s*=(.*)$/m.exec(text);
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
}

/**
 * The checks as [name, fn] pairs; fn returns a problem (string) or nothing, or throws.
 * `io.read(p)` reads a file of the disk (throwing when it is absent), `io.exists(p)`.
 */
export function sysvChecks(variant, saved, io) {
  const net = SYSV_NET_SCRIPT[variant];
  const log = () => parseBootLog(io.read(`${saved}/bootlog.txt`));
  return [
    [
      "PID 1 was sysvinit's init, not systemd",
      () => {
        const comm = io.read(`${saved}/pid1-comm`).trim();
        const init = io.read(`${saved}/init`).trim();
        if (comm !== 'init' || /systemd/.test(init)) return `PID 1 was ${comm}, /sbin/init is ${init}`;
      },
    ],
    [
      'startpar started the boot from the .depend files, and they list the four stages',
      () => {
        const boot = targets(io.read(`${saved}/.depend.boot`));
        const start = targets(io.read(`${saved}/.depend.start`));
        const missing = STAGES.filter((s) => !boot.includes(s) && !start.includes(s));
        if (missing.length) return `not in .depend.boot or .depend.start: ${missing.join(', ')} (boot: ${boot.join(' ')}; start: ${start.join(' ')})`;
        if (!boot.includes('nimbus-local')) return `nimbus-local is not in .depend.boot (it starts from rcS.d, before ${net})`;
      },
    ],
    [
      `boot log: nimbus-local finished before ${net} started`,
      () => {
        const ev = log();
        const local = runOf(ev, 'nimbus-local');
        const n = runOf(ev, net);
        if (local.end.rc !== 0) return `nimbus-local exited ${local.end.rc}`;
        if (!(local.end.t <= n.start.t)) return `nimbus-local finished at ${local.end.t} s, ${net} started at ${n.start.t} s`;
      },
    ],
    [
      `boot log: nimbus-init started after ${net} finished`,
      () => {
        const ev = log();
        const n = runOf(ev, net);
        const init = runOf(ev, 'nimbus-init');
        if (!(n.end.t <= init.start.t)) return `${net} finished at ${n.end.t} s, nimbus-init started at ${init.start.t} s`;
      },
    ],
    [
      'boot log: ssh started after nimbus-init finished (keys in place before the first login)',
      () => {
        const ev = log();
        const init = runOf(ev, 'nimbus-init');
        const ssh = runOf(ev, 'ssh');
        if (!(init.end.t <= ssh.start.t)) return `nimbus-init finished at ${init.end.t} s, ssh started at ${ssh.start.t} s`;
      },
    ],
    [
      'boot log: the four stage scripts ran once each, in order, and exited 0',
      () => {
        const ev = log();
        let prev = null;
        for (const s of STAGES) {
          const r = runOf(ev, s);
          if (r.end.rc !== 0) return `${s} exited ${r.end.rc}`;
          if (prev && !(prev.end.t <= r.start.t)) return `${s} started at ${r.start.t} s, before ${STAGES[STAGES.indexOf(s) - 1]} finished (${prev.end.t} s)`;
          prev = r;
        }
      },
    ],
    [
      'the four init scripts report this boot’s run, exit code 0',
      () => {
        const lines = io.read(`${saved}/nimbus-scripts.txt`).trim().split('\n');
        const bad = STAGES.filter((s) => !lines.some((l) => l === `${s} ${s}: ran this boot, exit code 0`));
        if (bad.length) return `not run or failed: ${bad.join(', ')}\n${lines.join('\n')}`;
      },
    ],
  ];
}
