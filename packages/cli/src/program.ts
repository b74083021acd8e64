// The command tree. Each subcommand lives in commands/<name>.ts and registers itself
// on the program; the global options (--root, --exec, --debug) are read by every one.
import { Command, CommanderError, Option } from 'commander';
import { createHost, EXEC_MODES, type Host, type ExecMode } from '@nimbus/core';

declare const NIMBUS_VERSION: string;
export const VERSION = typeof NIMBUS_VERSION === 'string' ? NIMBUS_VERSION : '0.0.0-dev';

export interface GlobalOptions {
  root: string;
  exec?: ExecMode;
  debug: boolean;
}

export interface CliContext {
  globals(): GlobalOptions;
  host(): Host;
  /** Exit code the command asks for (commands return it instead of calling exit). */
  setExit(code: number): void;
}

export type Register = (program: Command, ctx: CliContext) => void;

const registry: Register[] = [];

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('nimbus')
    .description('nimbus: a cloud-init for Linux (also installed as cloud-init)')
    .version(`nimbus ${VERSION} (cloud-init compatible)`, '-v, --version', 'print the version and exit')
    .option('--root <dir>', 'configure the tree under DIR instead of /', '/')
    .addOption(new Option('--exec <mode>', 'host: run commands; chroot: run them inside --root; record: only log them (default: host for /, record otherwise)').choices(EXEC_MODES as string[]))
    .option('-d, --debug', 'show debug messages on stderr', false)
    // As with cloud-init, global options come before the subcommand, so a subcommand
    // may have its own -d (net-convert -d DIR).
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  for (const register of registry) register(program, ctx);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  let exitCode = 0;
  let program: Command | null = null;
  let host: Host | null = null;
  const ctx: CliContext = {
    globals: () => program!.opts<GlobalOptions>(),
    host: () => {
      if (host === null) {
        const g = program!.opts<GlobalOptions>();
        host = createHost({ root: g.root, ...(g.exec ? { exec: g.exec } : {}) });
      }
      return host;
    },
    setExit: (code) => {
      exitCode = code;
    },
  };
  program = buildProgram(ctx);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    // A usage error (unknown option, missing or invalid argument) exits 2, as argparse
    // makes cloud-init's; --help and --version exit 0.
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return exitCode;
}

export function addCommands(...r: Register[]): void {
  registry.push(...r);
}

/** The `devel` parent command (net-convert, make-mime, ...), created on first use. */
export function develCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'devel') ?? program.command('devel').description('developer tools: net-convert, make-mime, schema, render, hotplug-hook, man, completion');
}
