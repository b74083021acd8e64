// `nimbus schema -c FILE | --system [-t cloud-config|network-config] [--annotate]`
// (also `nimbus devel schema`, cloud-init's older spelling): every problem at once,
// each with file:line:col and key path. Exit codes as cloud-init's: 0 valid (unknown
// keys and deprecations are reported but do not fail), 1 for errors, a missing or
// unreadable file, or a wrong combination of flags.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { annotate, checkText, createHost, formatProblem, Paths, SCHEMA_TYPES, type SchemaProblem, type SchemaType } from '@nimbus/core';
import { develCommand, type CliContext } from '../program.js';

interface Options {
  configFile?: string;
  system: boolean;
  schemaType: SchemaType;
  annotate: boolean;
  docs?: string[];
}

function count(problems: SchemaProblem[], s: SchemaProblem['severity'], word: string): string | null {
  const n = problems.filter((p) => p.severity === s).length;
  return n === 0 ? null : `${n} ${word}${n === 1 ? '' : 's'}`;
}

function run(ctx: CliContext, opts: Options): void {
  const fail = (msg: string): void => {
    process.stderr.write(`Error: ${msg}\n`);
    ctx.setExit(1);
  };
  if (opts.docs !== undefined) return fail('not supported: --docs (module documentation is in docs/ and `nimbus schema` validates)');
  if ((opts.configFile === undefined) === !opts.system) return fail('Expected one of --config-file or --system arguments');
  let file: string;
  let text: string | null;
  if (opts.configFile !== undefined) {
    // The user's file, named relative to where the command runs (not under --root).
    file = opts.configFile;
    let data: Buffer | null = null;
    try {
      data = createHost({ root: '/', exec: 'record' }).fs.read(resolve(process.cwd(), file));
    } catch {
      data = null;
    }
    text = data === null ? null : data.toString('utf8');
    if (text === null) return fail(`Configfile ${file} does not exist or cannot be read`);
  } else {
    if (opts.schemaType === 'network-config') return fail("not supported: --system with -t network-config (validate the datasource's file with --config-file)");
    const host = ctx.host();
    file = `${new Paths().instanceLink}/cloud-config.txt`;
    try {
      text = host.fs.readText(file);
    } catch (e) {
      return fail(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)} (try as root)`);
    }
    if (text === null) return fail(`${file} does not exist: no instance has been initialized (run the init stage first)`);
  }
  const { problems, empty } = checkText(opts.schemaType, text, file);
  if (opts.annotate) process.stdout.write(annotate(text, problems));
  else for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
  const errors = problems.some((p) => p.severity === 'error');
  const summary = [count(problems, 'error', 'error'), count(problems, 'warning', 'warning'), count(problems, 'deprecated', 'deprecation')].filter((s): s is string => s !== null).join(', ');
  if (errors) return fail(`Invalid ${opts.schemaType} ${file}: ${summary}`);
  if (empty) process.stdout.write(`Empty ${opts.schemaType} ${file}: nothing to validate\n`);
  else if (!opts.annotate || problems.length === 0) process.stdout.write(`Valid ${opts.schemaType}: ${file}${summary ? ` (${summary})` : ''}\n`);
}

function define(cmd: Command, ctx: CliContext): void {
  cmd
    .description('validate a cloud-config or network-config file: every error with its line, column and key path')
    .option('-c, --config-file <file>', 'path of the file to validate')
    .option('--system', 'validate the cloud-config of this instance (instances/<iid>/cloud-config.txt)', false)
    .addOption(new Option('-t, --schema-type <type>', 'what the file is').choices(SCHEMA_TYPES as string[]).default('cloud-config'))
    .option('--annotate', 'print the file with the problems marked beside their lines', false)
    .option('-d, --docs <modules...>', 'module documentation (not supported)')
    .action((opts: Options) => run(ctx, opts));
}

export function registerSchema(program: Command, ctx: CliContext): void {
  define(program.command('schema'), ctx);
  define(develCommand(program).command('schema'), ctx);
}
