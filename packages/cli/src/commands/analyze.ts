// analyze show|blame|dump|boot [-i LOG] [-o OUT]: where a boot's time went, from the
// start and finish events in cloud-init.log (nimbus's, or cloud-init's own); show --svg
// draws the last boot on a timeline.
import type { Command } from 'commander';
import { analyzeBlame, analyzeBoot, analyzeDump, analyzeShow, analyzeSvg, LOG_FILE, RootFs, type Host } from '@nimbus/core';
import type { CliContext } from '../program.js';

function readLog(ctx: CliContext, file: string): string | null {
  const text = ctx.host().fs.readText(file);
  if (text === null) {
    process.stderr.write(`nimbus analyze: ${file} does not exist\n`);
    ctx.setExit(1);
  }
  return text;
}

/** A monotonic µs property from `systemctl show`, or null when systemd does not say. */
function systemctlUs(host: Host, args: string[]): number | null {
  const r = host.exec.run(['systemctl', 'show', ...args], { timeoutMs: 10_000 });
  if (r.recorded || r.code !== 0) return null;
  const m = /=(\d+)\s*$/.exec(r.stdout.trim());
  return m && Number(m[1]) > 0 ? Number(m[1]) : null;
}

export function registerAnalyze(program: Command, ctx: CliContext): void {
  const analyze = program.command('analyze').description('show where the boot stages spent their time');
  const sub = (name: string, description: string) =>
    analyze.command(name).description(description).option('-i, --infile <file>', 'the log to read (in --root)', LOG_FILE).option('-o, --outfile <file>', 'write here instead of stdout (in --root)');
  const write = (opts: { outfile?: string }, out: string) => {
    if (opts.outfile) ctx.host().fs.write(opts.outfile, out);
    else process.stdout.write(out);
  };
  sub('show', 'each stage with its events, their times and durations')
    .option('--svg <file>', 'also draw the last boot on a timeline, as SVG, into FILE (on this machine)')
    .action((opts: { infile: string; outfile?: string; svg?: string }) => {
      const text = readLog(ctx, opts.infile);
      if (text === null) return;
      if (opts.svg !== undefined) {
        const svg = analyzeSvg(text);
        if (svg === null) {
          process.stderr.write(`nimbus analyze: ${opts.infile} has no boot events to draw\n`);
          ctx.setExit(1);
          return;
        }
        // The picture goes where the user asked on this machine, as collect-logs' tarball does.
        const abs = opts.svg.startsWith('/') ? opts.svg : `${process.cwd()}/${opts.svg}`;
        new RootFs('/').write(abs, svg, { mode: 0o644 });
      }
      write(opts, analyzeShow(text));
    });
  sub('blame', 'events sorted by how long they took').action((opts: { infile: string; outfile?: string }) => {
    const text = readLog(ctx, opts.infile);
    if (text !== null) write(opts, analyzeBlame(text));
  });
  sub('dump', 'every event as JSON').action((opts: { infile: string; outfile?: string }) => {
    const text = readLog(ctx, opts.infile);
    if (text !== null) write(opts, analyzeDump(text));
  });
  sub('boot', "when the kernel booted, when systemd started nimbus-local and when init-local began (this machine's systemd)").action((opts: { infile: string; outfile?: string }) => {
    const host = ctx.host();
    const text = readLog(ctx, opts.infile);
    if (text === null) return;
    const uptime = Number.parseFloat(host.fs.readText('/proc/uptime')?.split(/\s+/)[0] ?? '');
    const systemd = host.fs.exists('/run/systemd/system');
    const r = analyzeBoot(
      {
        now: Date.now() / 1000,
        uptime: Number.isFinite(uptime) ? uptime : 0,
        userspaceMonotonicUs: systemd ? systemctlUs(host, ['-p', 'UserspaceTimestampMonotonic']) : null,
        localUnitMonotonicUs: systemd ? systemctlUs(host, ['nimbus-local.service', '-p', 'InactiveExitTimestampMonotonic']) : null,
        container: host.fs.exists('/run/systemd/container') || host.fs.exists('/.dockerenv'),
      },
      text,
    );
    write(opts, r.text);
    if (!r.ok) ctx.setExit(1);
  });
}
