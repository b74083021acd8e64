// The plan as a person reads it in a terminal. Pure: plan in, text out.
import type { BootPlan, PlanFile, TryPlan } from './plan.js';

const WORD: Record<string, string> = { ran: 'ran', failed: 'FAILED', skipped: 'skipped', unsupported: 'NOT SUPPORTED' };

function indent(text: string, by: string): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

function fileLine(f: PlanFile): string {
  const what = f.kind === 'link' ? `link -> ${f.target}` : f.kind === 'dir' ? 'directory' : f.change === 'removed' ? '' : `${f.size} B`;
  return `${f.change.padEnd(7)} ${(f.mode ?? '').padEnd(4)} ${(f.owner ?? '').padEnd(9)} ${f.path}${what ? `  (${what})` : ''}`;
}

function bootText(b: BootPlan): string {
  const out: string[] = [`boot ${b.boot}: ${b.title}`, '  stages and modules:'];
  const quiet: string[] = [];
  let absent = 0;
  for (const s of b.stages) {
    out.push(`    ${s.name} (exit ${s.exitCode}, ${s.ms} ms)`);
    for (const m of s.modules) {
      if (m.outcome === 'skipped' && m.reason === 'not supported, nothing configured') absent++;
      else if (m.outcome === 'skipped' && /^no .* configuration$/.test(m.reason)) quiet.push(m.name);
      else out.push(`      ${m.name.padEnd(30)} ${(WORD[m.outcome] ?? m.outcome).padEnd(13)} ${m.reason}`);
    }
  }
  if (quiet.length > 0) out.push(`    skipped, nothing configured for them: ${quiet.join(', ')}`);
  if (absent > 0) out.push(`    ${absent} more in the stock module lists are not in nimbus; nothing was configured for them`);
  const dirs = b.files.filter((f) => f.kind === 'dir');
  const files = b.files.filter((f) => f.kind !== 'dir');
  out.push(`  files on the machine (${files.length}):`);
  for (const f of files) {
    out.push(`    ${fileLine(f)}`);
    if (f.binary) out.push('      (binary content, not shown)');
    if (f.diff) out.push(indent(f.diff, '      '));
  }
  if (dirs.length > 0) out.push(`  directories ${dirs.map((d) => `${d.change} ${d.path} (${d.mode ?? ''})`).join(', ')}`);
  if (b.users.length > 0) out.push(`  users added: ${b.users.join(', ')}`);
  if (b.groups.length > 0) out.push(`  groups added: ${b.groups.join(', ')}`);
  for (const k of b.keys) out.push(`  ssh keys in ${k.file}: ${k.keys.join('; ') || 'none'}`);
  if (b.packages.length > 0) out.push(`  packages that would be installed: ${b.packages.join(' ')}`);
  if (b.network !== null) {
    const n = b.network;
    out.push(`  network (${n.renderer}, from ${n.source}):`);
    for (const i of n.interfaces) out.push(`    ${i.name}${i.mac ? ` [${i.mac}]` : ''}: ${i.addresses.join(', ') || 'no address'}${i.gateways.length > 0 ? ` via ${i.gateways.join(', ')}` : ''}`);
    if (n.nameservers.length > 0) out.push(`    nameservers: ${n.nameservers.join(', ')}`);
    if (n.files.length > 0) out.push(`    files: ${n.files.join(', ')}`);
  } else out.push('  network: no configuration written on this boot');
  out.push(`  commands, in the order they would run (${b.commands.length}; recorded, not run):`);
  for (const c of b.commands) {
    const extra = [
      c.env
        ? `env ${Object.entries(c.env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`
        : '',
      c.stdin ? `stdin ${c.stdin}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    out.push(`    ${c.stage.padEnd(14)} ${c.argv.map(quoteArg).join(' ')}${extra ? `   (${extra})` : ''}`);
    if (c.script !== undefined) out.push(indent(c.script, '                   | '));
  }
  const errors = b.messages.filter((m) => m.level === 'error');
  const warnings = b.messages.filter((m) => m.level !== 'error');
  out.push(`  errors (${errors.length}) and warnings (${warnings.length}):`);
  for (const m of [...errors, ...warnings]) out.push(`    ${m.level.padEnd(10)} ${m.stage}: ${m.text}`);
  out.push(`  nimbus state and logs written: ${b.state.length} file(s) under /var/lib/cloud, /run, /var/log`);
  out.push(`  status: ${b.status} (exit ${b.exitCode})`);
  return out.join('\n');
}

/** Shell-style quoting, so an argv with spaces reads as what it is. */
export function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

export function renderPlanText(p: TryPlan): string {
  const inputs = Object.entries(p.inputs)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const head = [
    `nimbus try: ${inputs || 'no user-data'} on ${p.image}`,
    '  a throwaway copy of the machine; every command recorded, none run' + (p.secretsShown ? '; secrets SHOWN' : '; secrets masked (--show-secrets shows them)'),
  ];
  return `${head.join('\n')}\n\n${p.boots.map(bootText).join('\n\n')}\n\nstatus: ${p.status} (exit ${p.exitCode})\n`;
}
