// `nimbus schema -c FILE | --system [-t cloud-config|network-config] [--annotate]` and
// `--docs MODULE...|all` (also `nimbus devel schema`, cloud-init's older spelling):
// every problem at once, each with file:line:col and key path. --system checks this
// instance's user-data, vendor-data and network-config, as cloud-init 25 does. Exit codes
// as cloud-init's: 0 valid (unknown keys and deprecations are reported but do not fail),
// 1 for errors, a missing or unreadable file, or a wrong combination of flags.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { annotate, checkText, createHost, formatProblem, moduleDocs, Paths, readCachedInstance, SCHEMA_TYPES, type Host, type SchemaProblem, type SchemaType } from '@nimbus/core';
import { develCommand, type CliContext } from '../program.js';

interface Options {
  configFile?: string;
  system: boolean;
  schemaType?: SchemaType;
  annotate: boolean;
  docs?: string[];
}

/** One document to check: what it is, where it is, and its text (null: unreadable, with why). */
interface Part {
  kind: 'user-data' | 'vendor-data' | 'vendor2-data' | 'network-config';
  type: SchemaType;
  file: string;
  text: string | null;
  why?: string;
}

function count(problems: SchemaProblem[], s: SchemaProblem['severity'], word: string): string | null {
  const n = problems.filter((p) => p.severity === s).length;
  return n === 0 ? null : `${n} ${word}${n === 1 ? '' : 's'}`;
}

function readSystem(host: Host): Part[] | string {
  const link = new Paths().instanceLink;
  const read = (file: string): { text: string | null; why?: string } => {
    try {
      return { text: host.fs.readText(file) };
    } catch (e) {
      return { text: null, why: `cannot read ${file}: ${e instanceof Error ? e.message : String(e)} (try as root)` };
    }
  };
  const user = read(`${link}/cloud-config.txt`);
  if (user.why !== undefined) return user.why;
  if (user.text === null) return `${link}/cloud-config.txt does not exist: no instance has been initialized (run the init stage first)`;
  const parts: Part[] = [{ kind: 'user-data', type: 'cloud-config', file: `${link}/cloud-config.txt`, text: user.text }];
  const vendor = read(`${link}/vendor-cloud-config.txt`);
  if (vendor.text !== null || vendor.why !== undefined) parts.push({ kind: 'vendor-data', type: 'cloud-config', file: `${link}/vendor-cloud-config.txt`, ...vendor });
  // The second vendor layer (vendor_data2), as cloud-init 25 lists it: stored whenever the instance was set up.
  const vendor2 = read(`${link}/vendor2-cloud-config.txt`);
  if (vendor2.text !== null || vendor2.why !== undefined) parts.push({ kind: 'vendor2-data', type: 'cloud-config', file: `${link}/vendor2-cloud-config.txt`, ...vendor2 });
  // nimbus keeps the datasource's network config in the instance cache (cloud-init in
  // network-config.json); v1 and v2 are what the network-config schema covers.
  let cached = null;
  try {
    cached = readCachedInstance(host);
  } catch {
    cached = null;
  }
  const net = cached?.networkConfig;
  if (net && (net.format === 'v1' || net.format === 'v2')) parts.push({ kind: 'network-config', type: 'network-config', file: net.source, text: `${JSON.stringify(net.config, null, 1)}\n` });
  return parts;
}

function run(ctx: CliContext, opts: Options): void {
  const fail = (msg: string): void => {
    process.stderr.write(`Error: ${msg}\n`);
    ctx.setExit(1);
  };
  if (opts.docs !== undefined) {
    if (opts.configFile !== undefined || opts.system) return fail('Expected one of --config-file, --system or --docs arguments');
    const r = moduleDocs(opts.docs);
    if ('error' in r) return fail(r.error);
    process.stdout.write(r.text);
    return;
  }
  if ((opts.configFile === undefined) === !opts.system) return fail('Expected one of --config-file, --system or --docs arguments');
  let parts: Part[];
  if (opts.configFile !== undefined) {
    // The user's file, named relative to where the command runs (not under --root).
    const file = opts.configFile;
    let data: Buffer | null = null;
    try {
      data = createHost({ root: '/', exec: 'record' }).fs.read(resolve(process.cwd(), file));
    } catch {
      data = null;
    }
    if (data === null) return fail(`Configfile ${file} does not exist or cannot be read`);
    const type = opts.schemaType ?? 'cloud-config';
    parts = [{ kind: type === 'network-config' ? 'network-config' : 'user-data', type, file, text: data.toString('utf8') }];
  } else {
    if (opts.schemaType !== undefined) process.stdout.write('WARNING: The --schema-type parameter is inapplicable when --system is present\n');
    const found = readSystem(ctx.host());
    if (typeof found === 'string') return fail(found);
    parts = found;
  }
  const nested = parts.length > 1;
  const pre = nested ? '  ' : '';
  if (nested) process.stdout.write(`Found cloud-config data types: ${parts.map((p) => p.kind).join(', ')}\n`);
  const invalid: string[] = [];
  parts.forEach((part, i) => {
    if (nested) process.stdout.write(`\n${i + 1}. ${part.kind} at ${part.file}:\n`);
    if (part.text === null) {
      process.stdout.write(`${pre}Invalid ${part.kind} ${part.file}\n`);
      process.stderr.write(`${pre}Error: ${part.why ?? 'cannot read it'}\n`);
      invalid.push(part.kind);
      return;
    }
    const { problems, empty } = checkText(part.type, part.text, part.file);
    if (opts.annotate) process.stdout.write(annotate(part.text, problems));
    else for (const p of problems) process.stdout.write(`${pre}${formatProblem(p)}\n`);
    const summary = [count(problems, 'error', 'error'), count(problems, 'warning', 'warning'), count(problems, 'deprecated', 'deprecation')].filter((s): s is string => s !== null).join(', ');
    if (problems.some((p) => p.severity === 'error')) {
      if (nested) process.stdout.write(`${pre}Invalid ${part.kind} ${part.file}: ${summary}\n`);
      else process.stderr.write(`Error: Invalid ${part.type} ${part.file}: ${summary}\n`);
      invalid.push(part.kind);
    } else if (empty) process.stdout.write(`${pre}Empty ${part.type} ${part.file}: nothing to validate\n`);
    else if (!opts.annotate || problems.length === 0) process.stdout.write(`${pre}Valid ${part.type}: ${part.file}${summary ? ` (${summary})` : ''}\n`);
  });
  if (invalid.length > 0) {
    if (nested) process.stderr.write(`Error: Invalid schema: ${invalid.join(', ')}\n`);
    ctx.setExit(1);
  }
}

function define(cmd: Command, ctx: CliContext): void {
  cmd
    .description("validate a cloud-config or network-config file, or this instance's user-data, vendor-data and network-config: every error with its line, column and key path")
    .option('-c, --config-file <file>', 'path of the file to validate')
    .option('--system', "validate this instance's user-data, vendor-data, vendor2-data and network-config", false)
    .addOption(new Option('-t, --schema-type <type>', 'what the --config-file is (default: cloud-config)').choices(SCHEMA_TYPES as string[]))
    .option('--annotate', 'print the file with the problems marked beside their lines', false)
    .option('-d, --docs <modules...>', "print the documentation of these modules (or all) from each module's own record")
    .action((opts: Options) => run(ctx, opts));
}

export function registerSchema(program: Command, ctx: CliContext): void {
  define(program.command('schema'), ctx);
  define(develCommand(program).command('schema'), ctx);
}
