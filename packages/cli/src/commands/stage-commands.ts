// init [--local], modules --mode init|config|final, single --name N [--frequency F]:
// the boot stages run by hand, exactly as the daemons run them.
import { Option, type Command } from 'commander';
import {
  FREQUENCIES,
  MODULES_MODES,
  modulesStage,
  guarded,
  openStage,
  runInit,
  runInitLocal,
  runModulesMode,
  runSingle,
  runStage,
  type Frequency,
  type ModulesMode,
  type StageEnv,
} from '@nimbus/core';
import type { CliContext } from '../program.js';

export function registerStageCommands(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('run the init stage (with --local: the init-local stage, before the network)')
    .option('-l, --local', 'run the init-local stage', false)
    .action(async (opts: { local: boolean }) => {
      const run = opts.local ? runInitLocal : async (env: StageEnv) => (await runInit(env)).code;
      ctx.setExit(await runStage(ctx.host(), opts.local ? 'init-local' : 'init', ctx.globals().debug, run, 'nimbus'));
    });

  program
    .command('modules')
    .description('run one list of modules: cloud_init_modules, cloud_config_modules or cloud_final_modules')
    .addOption(new Option('-m, --mode <mode>', 'which module list').choices(MODULES_MODES).default('config'))
    .action(async (opts: { mode: ModulesMode }) => {
      ctx.setExit(await runStage(ctx.host(), modulesStage(opts.mode), ctx.globals().debug, async (env) => (await runModulesMode(env, opts.mode)).code, 'nimbus'));
    });

  program
    .command('single')
    .description('run a single module')
    .requiredOption('-n, --name <name>', 'the module to run (write_files, runcmd, ...)')
    .addOption(new Option('--frequency <frequency>', "run at this frequency instead of the module's own").choices(FREQUENCIES as string[]))
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
