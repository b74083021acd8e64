// `nimbus doctor [--fix]`: names every boot-order problem and known trap on the root
// with its exact fix; exits 1 while any remains.
import type { Command } from 'commander';
import { applyFixes, runDoctor, type DoctorFinding } from '@nimbus/core';
import type { CliContext } from '../program.js';

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l, i) => (i === 0 ? l : by + l))
    .join('\n');
}

function show(f: DoctorFinding): string {
  return `problem [${f.check}]: ${indent(f.problem, '  ')}\n  fix: ${indent(f.fix.trimEnd(), '       ')}\n`;
}

export function registerDoctor(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description('check the boot order (systemd units or SysV rc links) and known traps (fstab nofail, NetworkManager hostname)')
    .option('--fix', 'apply the fixes', false)
    .action((opts: { fix: boolean }) => {
      const host = ctx.host();
      const report = runDoctor(host);
      const out: string[] = report.checked.map((c) => `ok: ${c}\n`);
      if (!opts.fix || report.findings.length === 0) {
        out.push(...report.findings.map(show));
        out.push(report.findings.length === 0 ? 'no problems found\n' : `${report.findings.length} problem(s); \`nimbus doctor --fix\` applies the fixes marked above where it can\n`);
        process.stdout.write(out.join(''));
        ctx.setExit(report.findings.length === 0 ? 0 : 1);
        return;
      }
      const outcome = applyFixes(host, report.findings);
      for (const f of outcome.fixed) out.push(`fixed [${f.check}]: ${indent(f.problem, '  ')}\n  by: ${indent(f.fix.trimEnd(), '      ')}\n`);
      for (const { finding, error } of outcome.failed) out.push(show(finding), `  could not apply the fix: ${error}\n`);
      for (const f of outcome.manual) out.push(show(f), '  (needs a person: not applied)\n');
      for (const r of outcome.reloads) out.push(`${r.recorded ? 'recorded' : 'ran'}: ${r.argv.join(' ')}${r.recorded ? '' : ` (exit ${r.code})`}\n`);
      // Whatever is still wrong after the fixes decides the exit code.
      const after = runDoctor(host).findings;
      out.push(after.length === 0 ? 'all problems fixed\n' : `${after.length} problem(s) remain\n`);
      process.stdout.write(out.join(''));
      ctx.setExit(after.length === 0 ? 0 : 1);
    });
}
