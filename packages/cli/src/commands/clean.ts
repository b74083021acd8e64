// clean [--logs] [--seed] [--reboot]: remove the instance state so the next boot runs
// as a first boot.
import type { Command } from 'commander';
import { cleanState } from '@nimbus/core';
import type { CliContext } from '../program.js';

export function registerClean(program: Command, ctx: CliContext): void {
  program
    .command('clean')
    .description('remove /var/lib/cloud state (but the seed) so the next boot is a first boot')
    .option('-l, --logs', 'also remove the logs', false)
    .option('-s, --seed', 'also remove the seed directory', false)
    .option('-r, --reboot', 'reboot after cleaning', false)
    .action((opts: { logs: boolean; seed: boolean; reboot: boolean }) => {
      const host = ctx.host();
      const removed = cleanState(host, { logs: opts.logs, seed: opts.seed });
      for (const p of removed) process.stdout.write(`removed ${p}\n`);
      if (opts.reboot) {
        const r = host.exec.run(['shutdown', '-r', 'now']);
        if (!r.recorded && r.code !== 0) {
          process.stderr.write(`nimbus clean: reboot failed: ${r.error ?? r.stderr.trim()}\n`);
          ctx.setExit(1);
        }
      }
    });
}
