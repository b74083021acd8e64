// `cloud-init-per FREQ NAME CMD [ARG...]` (also `nimbus per`): runs CMD once ever, once
// per instance or always, as cloud-init's helper does for bootcmd and boothooks. The
// semaphore is /var/lib/cloud/sem/bootper.NAME.FREQ (once, always) or
// /var/lib/cloud/instance/sem/bootper.NAME.instance, holding "EXIT\tEPOCH"; NAME's
// dashes become underscores, and a semaphore under the old dashed name is taken over.
// The exit code is CMD's.
import type { Command } from 'commander';
import type { Register } from '../program.js';

export const PER_FREQUENCIES = ['once', 'instance', 'always'] as const;
type PerFrequency = (typeof PER_FREQUENCIES)[number];

/** The semaphore path of a name and frequency (pure), or why the name cannot be used. */
export function perSemaphore(freq: string, rawName: string): { sem: string; legacy: string } | { error: string } {
  if (!(PER_FREQUENCIES as readonly string[]).includes(freq)) return { error: `invalid frequency: ${freq}` };
  const name = rawName.replace(/-/g, '_');
  if (name.includes('/')) return { error: 'name cannot contain a /' };
  if (name === '' || name === '.' || name === '..') return { error: `invalid name: ${JSON.stringify(rawName)}` };
  const sem = freq === 'instance' ? `/var/lib/cloud/instance/sem/bootper.${name}.${freq}` : `/var/lib/cloud/sem/bootper.${name}.${freq}`;
  return { sem, legacy: sem.replace(/_/g, '-') };
}

const USAGE = `Usage: cloud-init-per frequency name cmd [ arg1 [ arg2 [ ... ] ]
   run cmd with arguments provided.

   If frequency is:
      * once: run only once (do not re-run for new instance-id)
      * instance: run only the first boot for a given instance-id
      * always: run every boot
`;

export const registerPer: Register = (program: Command, ctx) => {
  program
    .command('per')
    .description('run a command once, once per instance or always (cloud-init-per)')
    .argument('<frequency>', `${PER_FREQUENCIES.join(', ')}`)
    .argument('<name>', 'the semaphore name')
    .argument('<cmd...>', 'the command and its arguments')
    .passThroughOptions()
    .allowUnknownOption()
    .addHelpText('after', `\n${USAGE}`)
    .action((freq: string, name: string, cmd: string[]) => {
      const fail = (msg: string) => {
        process.stderr.write(`${msg}\n`);
        ctx.setExit(1);
      };
      const s = perSemaphore(freq, name);
      if ('error' in s) {
        if (s.error.startsWith('invalid frequency')) process.stderr.write(USAGE);
        fail(s.error);
        return;
      }
      const host = ctx.host();
      if (host.root === '/' && typeof process.getuid === 'function' && process.getuid() !== 0) {
        fail('must be root');
        return;
      }
      const f = freq as PerFrequency;
      if (s.legacy !== s.sem && host.fs.exists(s.legacy) && !host.fs.exists(s.sem)) host.fs.rename(s.legacy, s.sem);
      if (f !== 'always' && host.fs.exists(s.sem)) return;
      const r = host.exec.run(cmd);
      if (r.stdout !== '') process.stdout.write(r.stdout);
      if (r.stderr !== '') process.stderr.write(r.stderr);
      let ret = r.code;
      if (r.error !== undefined) {
        process.stderr.write(`cloud-init-per: ${cmd[0]}: ${r.error}\n`);
        ret = r.error.startsWith('command not found') ? 127 : ret < 0 ? 1 : ret;
      }
      try {
        host.fs.write(s.sem, `${ret}\t${Math.floor(host.clock.now())}\n`, { mode: 0o644 });
      } catch (e) {
        fail(`failed to write to ${s.sem}: ${(e as Error).message}`);
        return;
      }
      ctx.setExit(ret);
    });
};
