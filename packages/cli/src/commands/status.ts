// status [--long] [--wait] [--format json|yaml|tabular]: whether the boot is done.
// Exit 0 done, 1 error, 2 degraded (done with recoverable errors).
import { Option, type Command } from 'commander';
import { dumpYaml, sleepSync, statusReport, type StatusReport } from '@nimbus/core';
import type { CliContext } from '../program.js';

function asDict(r: StatusReport): Record<string, unknown> {
  const d: Record<string, unknown> = {
    boot_status_code: r.boot_status_code,
    datasource: r.datasource,
    detail: r.detail,
    errors: r.errors,
    extended_status: r.extended_status,
    last_update: r.last_update,
    recoverable_errors: r.recoverable_errors,
    status: r.status,
  };
  return { ...d, _schema_version: '1', schemas: { '1': { ...d } } };
}

export function formatTabular(r: StatusReport, long: boolean): string {
  let out = `status: ${r.status}\n`;
  if (!long) return out;
  out += `extended_status: ${r.extended_status}\n`;
  out += `boot_status_code: ${r.boot_status_code}\n`;
  if (r.last_update) out += `last_update: ${r.last_update}\n`;
  out += `detail:\n${r.detail}\n`;
  if (r.errors.length > 0) out += `errors:\n${r.errors.map((e) => `\t- ${e}\n`).join('')}`;
  const rec = Object.entries(r.recoverable_errors).filter(([, m]) => m.length > 0);
  if (rec.length > 0) out += `recoverable_errors:\n${rec.map(([level, msgs]) => `${level}:\n${msgs.map((m) => `\t- ${m}\n`).join('')}`).join('')}`;
  return out;
}

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('report whether the boot stages are done, and their errors')
    .option('-l, --long', 'also show the detail, the time and every error', false)
    .option('-w, --wait', 'wait until the boot is done or has failed', false)
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'yaml', 'tabular']).default('tabular'))
    .action((opts: { long: boolean; wait: boolean; format: 'json' | 'yaml' | 'tabular' }) => {
      const host = ctx.host();
      let r = statusReport(host);
      if (opts.wait) {
        let shownStage: string | null = null;
        while (r.status === 'not run' || r.status === 'running') {
          if (opts.format === 'tabular') {
            if (r.stage !== null && r.stage !== shownStage) {
              process.stdout.write(`${shownStage === null ? '' : '\n'}waiting: ${r.stage} is running `);
              shownStage = r.stage;
            } else process.stdout.write('.');
          }
          sleepSync(250);
          r = statusReport(host);
        }
        if (opts.format === 'tabular') process.stdout.write('\n');
      }
      if (opts.format === 'json') process.stdout.write(JSON.stringify(sortKeys(asDict(r)), null, 2) + '\n');
      else if (opts.format === 'yaml') process.stdout.write(dumpYaml(asDict(r), { sortKeys: true }));
      else process.stdout.write(formatTabular(r, opts.long));
      ctx.setExit(r.exitCode);
    });
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}
