// `features`: the capability names tools test for before they hand nimbus a config, as
// cloud-init prints them (one a line, sorted).
import type { Command } from 'commander';

/** What nimbus reads: network config version 1 and version 2 (net/sources/v1.ts, v2.ts). */
export const FEATURES = ['NETWORK_CONFIG_V1', 'NETWORK_CONFIG_V2'] as const;

export function registerFeatures(program: Command): void {
  program
    .command('features')
    .description('list the features this version supports (NETWORK_CONFIG_V1, ...)')
    .action(() => {
      process.stdout.write(`${[...FEATURES].sort().join('\n')}\n`);
    });
}
