// query [--all | --list-keys | KEY | --name KEY]: answers from instance-data.json
// (the sensitive copy when the caller may read it), with v1 keys also at the top.
import type { Command } from 'commander';
import { queryInstanceData } from '@nimbus/core';
import type { CliContext } from '../program.js';

export function registerQuery(program: Command, ctx: CliContext): void {
  program
    .command('query')
    .description('query instance data: a dotted key such as v1.local_hostname or ds.meta_data.uuid')
    .argument('[varname]', 'dotted key to print')
    .option('-n, --name <varname>', 'dotted key to print (same as the argument)')
    .option('-a, --all', 'print all instance data', false)
    .option('-l, --list-keys', 'list the keys at the top, or under varname', false)
    .action((varname: string | undefined, opts: { name?: string; all: boolean; listKeys: boolean }) => {
      const r = queryInstanceData(ctx.host(), { key: opts.name ?? varname, all: opts.all, listKeys: opts.listKeys, privileged: process.getuid?.() === 0 });
      if (r.error !== undefined) {
        process.stderr.write(`nimbus query: ${r.error}\n`);
        ctx.setExit(1);
        return;
      }
      process.stdout.write(r.output);
    });
}
