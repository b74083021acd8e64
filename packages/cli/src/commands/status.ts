// status [--long] [--wait] [--format json|yaml|tabular]: whether the boot is done, in
// cloud-init 25.x's shape. Exit 0 healthy, 1 error, 2 degraded (recoverable errors).
import { Option, type Command } from 'commander';
import { dumpYaml, sleepSync, statusReport, type StatusReport } from '@nimbus/core';
import type { CliContext } from '../program.js';

/** What json and yaml print: the report's fields and status.json's stages, as cloud-init 25.x does. */
export function statusDict(r: StatusReport): Record<string, unknown> {
  return {
    ...r.v1,
    boot_status_code: r.boot_status_code,
    datasource: r.datasource,
    detail: r.detail,
    errors: r.errors,
    extended_status: r.extended_status,
    last_update: r.last_update,
    recoverable_errors: r.recoverable_errors,
    status: r.status,
  };
}

export function formatTabular(r: StatusReport, long: boolean): string {
  let out = `status: ${r.status}\n`;
  if (!long) return out;
  out += `extended_status: ${r.extended_status}\n`;
  out += `boot_status_code: ${r.boot_status_code}\n`;
  if (r.last_update) out += `last_update: ${r.last_update}\n`;
  out += `detail: ${r.detail}\n`;
  out += r.errors.length > 0 ? `errors:${r.errors.map((e) => `\n\t- ${e}`).join('')}\n` : 'errors: []\n';
  const rec = Object.entries(r.recoverable_errors);
  out += rec.length > 0 ? `recoverable_errors:\n${rec.map(([level, msgs]) => `${level}:${msgs.map((m) => `\n\t- ${m.replace(/\n/g, ' ')}`).join('')}`).join('\n')}\n` : 'recoverable_errors: {}\n';
  return out;
}

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('report whether the boot stages are done, and their errors')
    .option('-l, --long', 'also show the boot status code, the detail, the time and every error', false)
    .option('-w, --wait', 'wait until the boot is done (also when a stage has failed), then report', false)
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'yaml', 'tabular']).default('tabular'))
    .addHelpText('after', '\nExit status: 0 done without problems, 1 an error, 2 degraded (recoverable errors only: warnings, deprecations).')
    .action((opts: { long: boolean; wait: boolean; format: 'json' | 'yaml' | 'tabular' }) => {
      const host = ctx.host();
      let r = statusReport(host);
      if (opts.wait) {
        // Wait on the running state, not the status word: a stage's error does not end
        // the boot, and the exit code is only final when final has finished.
        let shownStage: string | null = null;
        while (r.running === 'not started' || r.running === 'running') {
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
      if (opts.format === 'json') process.stdout.write(JSON.stringify(sortKeys(statusDict(r)), null, 2) + '\n');
      // cloud-init's safeyaml: an explicit document start and end, four-space indent.
      else if (opts.format === 'yaml') process.stdout.write(`---\n${dumpYaml(statusDict(r), { sortKeys: true, indent: 4 })}...\n`);
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
