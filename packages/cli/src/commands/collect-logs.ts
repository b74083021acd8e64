// collect-logs [-t TARFILE] [-u]: the logs, status and state someone needs to debug a
// boot, in one tarball, with user-data and secrets left out unless -u is given.
import type { Command } from 'commander';
import { collectLogs, RootFs, statusReport } from '@nimbus/core';
import type { CliContext } from '../program.js';
import { formatTabular } from './status.js';

export function registerCollectLogs(program: Command, ctx: CliContext): void {
  program
    .command('collect-logs')
    .description('make a tarball of the logs and state for debugging, secrets left out')
    .option('-t, --tarfile <file>', 'where to write it (a path on this machine)', 'cloud-init.tar.gz')
    .option('-u, --include-userdata', 'also include user-data, vendor-data and sensitive instance data', false)
    .action((opts: { tarfile: string; includeUserdata: boolean }) => {
      const host = ctx.host();
      const extra: Record<string, string> = { 'status.txt': formatTabular(statusReport(host), true) };
      if (host.exec.mode === 'host') {
        const j = host.exec.run(['journalctl', '--boot=0', '-o', 'short-precise', '-u', 'nimbus-local', '-u', 'nimbus-init', '-u', 'nimbus-config', '-u', 'nimbus-final'], { timeoutMs: 10_000 });
        if (j.code === 0) extra['journal.txt'] = j.stdout;
      }
      const { archive, included, left } = collectLogs(host, { includeUserdata: opts.includeUserdata, extra });
      // The tarball goes where the user asked on this machine (not under --root), readable by its owner only.
      const abs = opts.tarfile.startsWith('/') ? opts.tarfile : `${process.cwd()}/${opts.tarfile}`;
      new RootFs('/').write(abs, archive, { mode: 0o600 });
      process.stdout.write(`wrote ${opts.tarfile} (${included.length} files)\n`);
      if (left.length > 0) process.stdout.write(`left out (user data and secrets; -u includes them): ${left.join(', ')}\n`);
    });
}
