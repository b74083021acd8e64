// analyze show|blame|dump [-i LOG] [-o OUT]: where a boot's time went, from the start
// and finish events in cloud-init.log (nimbus's, or cloud-init's own).
import type { Command } from 'commander';
import { analyzeBlame, analyzeDump, analyzeShow, LOG_FILE } from '@nimbus/core';
import type { CliContext } from '../program.js';

export function registerAnalyze(program: Command, ctx: CliContext): void {
  const analyze = program.command('analyze').description('show where the boot stages spent their time');
  const sub = (name: string, description: string, render: (text: string) => string) =>
    analyze
      .command(name)
      .description(description)
      .option('-i, --infile <file>', 'the log to read (in --root)', LOG_FILE)
      .option('-o, --outfile <file>', 'write here instead of stdout (in --root)')
      .action((opts: { infile: string; outfile?: string }) => {
        const host = ctx.host();
        const text = host.fs.readText(opts.infile);
        if (text === null) {
          process.stderr.write(`nimbus analyze: ${opts.infile} does not exist\n`);
          ctx.setExit(1);
          return;
        }
        const out = render(text);
        if (opts.outfile) host.fs.write(opts.outfile, out);
        else process.stdout.write(out);
      });
  sub('show', 'each stage with its events, their times and durations', analyzeShow);
  sub('blame', 'events sorted by how long they took', analyzeBlame);
  sub('dump', 'every event as JSON', analyzeDump);
}
