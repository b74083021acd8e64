// init [--local], modules --mode init|config|final, single --name N [--frequency F]:
// the boot stages run by hand, exactly as the daemons run them.
import { Option, type Command } from 'commander';
import { disabledReason, FREQUENCIES, guarded, openStage, runInit, runInitLocal, runModulesMode, runSingle, type Frequency, type ModulesMode } from '@nimbus/core';
import type { CliContext } from '../program.js';

export function registerStageCommands(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('run the init stage (with --local: the init-local stage, before the network)')
    .option('-l, --local', 'run the init-local stage', false)
    .action(async (opts: { local: boolean }) => {
      const host = ctx.host();
      const why = disabledReason(host);
      if (why !== null) {
        process.stderr.write(`nimbus: ${why}; nothing to do\n`);
        return;
      }
      const stage = opts.local ? 'init-local' : 'init';
      const env = openStage(host, stage, { debug: ctx.globals().debug });
      ctx.setExit(await guarded(env, stage, async () => (opts.local ? runInitLocal(env) : (await runInit(env)).code), 1));
    });

  program
    .command('modules')
    .description('run one list of modules: cloud_init_modules, cloud_config_modules or cloud_final_modules')
    .addOption(new Option('-m, --mode <mode>', 'which module list').choices(['init', 'config', 'final']).default('config'))
    .action(async (opts: { mode: ModulesMode }) => {
      const host = ctx.host();
      const why = disabledReason(host);
      if (why !== null) {
        process.stderr.write(`nimbus: ${why}; nothing to do\n`);
        return;
      }
      const stage = `modules-${opts.mode}` as const;
      const env = openStage(host, stage, { debug: ctx.globals().debug });
      ctx.setExit(await guarded(env, stage, async () => (await runModulesMode(env, opts.mode)).code, 1));
    });

  program
    .command('single')
    .description('run a single module')
    .requiredOption('-n, --name <name>', 'the module to run (write_files, runcmd, ...)')
    .addOption(new Option('--frequency <frequency>', 'run at this frequency instead of the module\'s own').choices(FREQUENCIES as string[]))
    .action(async (opts: { name: string; frequency?: Frequency }) => {
      const env = openStage(ctx.host(), 'single', { debug: ctx.globals().debug });
      const code = await guarded(
        env,
        null,
        async () => {
          const { code, result } = await runSingle(env, opts.name, opts.frequency);
          if (result !== null) process.stderr.write(`${result.name}: ${result.outcome} (${result.reason})\n`);
          return code;
        },
        1,
      );
      ctx.setExit(code);
    });
}
