// clean [--logs] [--seed] [--configs KIND...] [--machine-id] [--reboot]: remove the
// instance state (and what was asked) so the next boot runs as a first boot.
import { Option, type Command } from 'commander';
import { CLEAN_CONFIG_KINDS, cleanState, type CleanConfigKind } from '@nimbus/core';
import type { CliContext } from '../program.js';

interface Options {
  logs: boolean;
  seed: boolean;
  reboot: boolean;
  configs?: CleanConfigKind[];
  machineId: boolean;
}

export function registerClean(program: Command, ctx: CliContext): void {
  program
    .command('clean')
    .description('remove /var/lib/cloud state (but the seed) so the next boot is a first boot')
    .option('-l, --logs', 'also remove the logs', false)
    .option('-s, --seed', 'also remove the seed directory', false)
    .addOption(new Option('-c, --configs <kind...>', 'also remove the config files nimbus generated: network, ssh_config or all').choices(CLEAN_CONFIG_KINDS as unknown as string[]))
    .option('--machine-id', 'reset /etc/machine-id for a golden image ("uninitialized" under systemd, removed elsewhere)', false)
    .option('-r, --reboot', 'reboot after cleaning', false)
    .action((opts: Options) => {
      const host = ctx.host();
      const removed = cleanState(host, { logs: opts.logs, seed: opts.seed, configs: opts.configs ?? [], machineId: opts.machineId });
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
