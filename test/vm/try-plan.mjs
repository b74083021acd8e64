// Compares the plan `nimbus try --format json` gave with what a VM boot of the same
// inputs and image left on its disk, as scripts/vm-test.sh extracts it with debugfs:
//   <dir>/boot-<n>/fs/...              the image's files after boot n (only the
//                                      extracted directories: EXTRACTED below)
//   <dir>/boot-<n>/commands.jsonl      optional: one {"argv": [...]} a line, the
//                                      commands the boot ran, when the image logs them
//
//   node test/vm/try-plan.mjs --plan PLAN.json --dir RUN/VARIANT --boot N [--format text|json]
//
// What is compared (issue #22, "the plan agrees with what a real boot does"):
// - files: every file, directory and link the plan writes exists in the VM with the
//   plan's kind and mode; a file's content equals the plan's (its diff's new side) when
//   the plan shows it; files the VM has in a directory the plan created, and the plan
//   does not name, are reported too;
// - scripts: each script command of the plan (runcmd, user scripts: commands with a
//   `script`) is in the VM's tree with the same text, and the VM has no script of that
//   instance the plan lacks;
// - other commands, in order, against commands.jsonl when the boot directory has one.
// Make the plan with --show-secrets: a masked secret would differ from the VM's file.
// A path outside the extracted directories cannot be checked: it is listed as such,
// never counted as a difference. Exit 0: no difference; 1: differences; 2: bad input.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

/** What scripts/vm-test.sh extract() copies off the disk. */
export const EXTRACTED = [
  '/var/log/journal',
  '/var/lib/cloud',
  '/var/lib/nimbus-vm-test',
  '/var/lib/nimbus-vm',
  '/etc/nimbus-vm',
  '/var/cache/nimbus',
  '/home',
  '/root',
  '/etc/network',
  '/etc/NetworkManager',
  '/etc/cloud',
  '/etc/sudoers.d',
  '/etc/passwd',
  '/etc/group',
  '/etc/shadow',
  '/etc/hostname',
  '/etc/hosts',
  '/var/log/cloud-init.log',
  '/var/log/cloud-init-output.log',
];

const under = (p, prefixes) => prefixes.some((x) => p === x || p.startsWith(`${x}/`));

/** The new side of a unified diff (the file's content after), or null when the plan shows none (masked, binary, too big). */
export function diffNewText(diff) {
  if (typeof diff !== 'string' || !diff.includes('@@')) return null;
  const out = [];
  let noNewline = false;
  for (const line of diff.split('\n').slice(2)) {
    if (line.startsWith('@@')) continue;
    if (line.startsWith('\\')) {
      // "\ No newline at end of file" after a line of the new side.
      if (out.length > 0) noNewline = true;
      continue;
    }
    if (line.startsWith('+') || line.startsWith(' ')) out.push(line.slice(1));
  }
  // split('\n') leaves one empty string after the last newline of the diff text.
  return out.length === 0 ? '' : `${out.join('\n')}${noNewline ? '' : '\n'}`;
}

/**
 * The differences between a plan's boot and a VM's. Pure.
 * @param {object} planBoot one entry of the plan's `boots`
 * @param {{ files: Map<string, {kind: 'file'|'dir'|'symlink', mode: string, content?: string}>, commands: string[][] | null }} vm
 * @param {{ extracted?: string[] }} [opts]
 */
export function comparePlan(planBoot, vm, opts = {}) {
  const extracted = opts.extracted ?? EXTRACTED;
  const differences = [];
  const notChecked = [];
  const same = [];
  const planned = new Set();
  for (const f of planBoot.files ?? []) {
    planned.add(f.path);
    if (f.change === 'removed') {
      if (!under(f.path, extracted)) notChecked.push(`${f.path}: removed (outside the extracted directories)`);
      else if (vm.files.has(f.path)) differences.push({ what: 'file', path: f.path, plan: 'removed', vm: 'present' });
      else same.push(f.path);
      continue;
    }
    if (!under(f.path, extracted)) {
      notChecked.push(`${f.path}: ${f.change} ${f.kind} ${f.mode} (outside the extracted directories)`);
      continue;
    }
    const v = vm.files.get(f.path);
    if (!v) {
      differences.push({ what: 'file', path: f.path, plan: `${f.change} ${f.kind} ${f.mode}`, vm: 'missing' });
      continue;
    }
    if (v.kind !== f.kind) differences.push({ what: 'kind', path: f.path, plan: f.kind, vm: v.kind });
    else if (f.mode && v.mode !== f.mode) differences.push({ what: 'mode', path: f.path, plan: f.mode, vm: v.mode });
    else {
      // A created file's diff holds all of it; a changed file's shows only hunks.
      const want = f.kind === 'file' && f.change === 'created' ? diffNewText(f.diff) : null;
      if (want !== null && v.content !== undefined && v.content !== want) differences.push({ what: 'content', path: f.path, plan: want, vm: v.content });
      else same.push(f.path);
    }
  }
  // Files the boot wrote in directories the plan says it created, which the plan lacks.
  const createdDirs = (planBoot.files ?? []).filter((f) => f.kind === 'dir' && f.change === 'created' && under(f.path, extracted)).map((f) => f.path);
  for (const p of vm.files.keys()) {
    if (!planned.has(p) && under(p, createdDirs)) differences.push({ what: 'file', path: p, plan: 'not in the plan', vm: `${vm.files.get(p).kind} ${vm.files.get(p).mode}` });
  }

  // Scripts: the commands with a script text are files the VM keeps.
  const scripts = (planBoot.commands ?? []).filter((c) => typeof c.script === 'string');
  const scriptDirs = new Set();
  for (const c of scripts) {
    const p = c.argv[0];
    scriptDirs.add(path.posix.dirname(p));
    if (!under(p, extracted)) {
      notChecked.push(`${p}: script (outside the extracted directories)`);
      continue;
    }
    const v = vm.files.get(p);
    if (!v) differences.push({ what: 'script', path: p, plan: c.script, vm: 'missing' });
    else if (v.content !== undefined && v.content !== c.script) differences.push({ what: 'script', path: p, plan: c.script, vm: v.content });
    else same.push(p);
  }
  for (const p of vm.files.keys()) {
    if (scriptDirs.has(path.posix.dirname(p)) && vm.files.get(p).kind === 'file' && !scripts.some((c) => c.argv[0] === p)) {
      differences.push({ what: 'script', path: p, plan: 'not in the plan', vm: 'present' });
    }
  }

  // The other commands, in order, when the boot logged what it ran.
  const planned_cmds = (planBoot.commands ?? []).filter((c) => typeof c.script !== 'string').map((c) => c.argv);
  if (vm.commands === null) {
    if (planned_cmds.length > 0) notChecked.push(`${planned_cmds.length} command(s) other than scripts: the boot directory has no commands.jsonl`);
  } else {
    const ran = vm.commands.filter((argv) => !scripts.some((c) => c.argv[0] === argv[0]));
    const n = Math.max(planned_cmds.length, ran.length);
    for (let i = 0; i < n; i++) {
      const a = planned_cmds[i];
      const b = ran[i];
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        differences.push({ what: 'command', index: i + 1, plan: a ?? 'none', vm: b ?? 'none' });
        break; // after the first one out of step, the rest would all differ
      }
    }
  }
  return { differences, notChecked, same: same.length };
}

/** A boot directory's files as comparePlan reads them (content of files up to 1 MiB). */
export function readBootDir(dir, boot) {
  const root = path.join(dir, `boot-${boot}`, 'fs');
  if (!fs.existsSync(root)) throw new Error(`${root}: no such directory (scripts/vm-test.sh extracts each boot there)`);
  const files = new Map();
  const walk = (rel) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      const full = path.join(root, r);
      const st = fs.lstatSync(full);
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      if (st.isSymbolicLink()) files.set(r, { kind: 'symlink', mode });
      else if (st.isDirectory()) {
        files.set(r, { kind: 'dir', mode });
        walk(r);
      } else files.set(r, { kind: 'file', mode, ...(st.size <= 1 << 20 ? { content: fs.readFileSync(full, 'utf8') } : {}) });
    }
  };
  walk('');
  const log = path.join(dir, `boot-${boot}`, 'commands.jsonl');
  const commands = fs.existsSync(log)
    ? fs
        .readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l).argv)
    : null;
  return { files, commands };
}

export function formatText(result) {
  const lines = [];
  for (const d of result.differences) {
    const where = d.path ?? `command ${d.index}`;
    const show = (v) => (typeof v === 'string' ? (v.includes('\n') ? `\n    ${v.trimEnd().split('\n').join('\n    ')}` : v) : JSON.stringify(v));
    lines.push(`differs [${d.what}] ${where}: plan ${show(d.plan)}; vm ${show(d.vm)}`);
  }
  for (const n of result.notChecked) lines.push(`not checked: ${n}`);
  lines.push(result.differences.length === 0 ? `the boot agrees with the plan (${result.same} paths compared)` : `${result.differences.length} difference(s); ${result.same} path(s) agree`);
  return lines.join('\n');
}

function main() {
  const { values } = parseArgs({ options: { plan: { type: 'string' }, dir: { type: 'string' }, boot: { type: 'string', default: '1' }, format: { type: 'string', default: 'text' } } });
  if (!values.plan || !values.dir) {
    console.error('usage: node test/vm/try-plan.mjs --plan PLAN.json --dir RUN/VARIANT --boot N [--format text|json]');
    return 2;
  }
  let plan;
  let vm;
  try {
    plan = JSON.parse(fs.readFileSync(values.plan, 'utf8'));
    vm = readBootDir(values.dir, values.boot);
  } catch (e) {
    console.error(`try-plan: ${e.message}`);
    return 2;
  }
  // The plan's first boot is the VM's first; --second-boot plans hold the reboot as boots[1].
  const planBoot = plan.boots?.[Number(values.boot) - 1];
  if (!planBoot) {
    console.error(`try-plan: the plan has no boot ${values.boot} (it has ${plan.boots?.length ?? 0})`);
    return 2;
  }
  const result = comparePlan(planBoot, vm);
  console.log(values.format === 'json' ? JSON.stringify(result, null, 2) : formatText(result));
  return result.differences.length === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) process.exitCode = main();
