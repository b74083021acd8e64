// `nimbus try USER-DATA [--meta-data F] [--vendor-data F] [--network-config F]
// [--distro NAME | --image DIR] [--second-boot] [--format text|json] [--show-secrets]`:
// what a first boot would do with these inputs, shown before booting anything. USER-DATA
// may also be a seed directory: a config drive tree (openstack/latest/...) or a NoCloud
// seed (user-data, meta-data). Exit code as `status`: 0 done, 1 error, 2 degraded.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { createHost, renderPlanText, runTry, TRY_DISTRO_NAMES, TryError, type TryInput, type TryOptions } from '@nimbus/core';
import type { CliContext } from '../program.js';

interface Options {
  metaData?: string;
  vendorData?: string;
  networkConfig?: string;
  distro?: string;
  image?: string;
  secondBoot: boolean;
  format: 'text' | 'json';
  showSecrets: boolean;
  keep: boolean;
}

export function registerTry(program: Command, ctx: CliContext): void {
  program
    .command('try')
    .description('show what a first boot would do with this user-data, on a throwaway copy of a machine (nothing is run)')
    .argument('<user-data>', 'a user-data file, or a seed directory (a config drive tree or a NoCloud seed)')
    .option('--meta-data <file>', 'NoCloud meta-data (default: instance-id: iid-nimbus-try)')
    .option('--vendor-data <file>', 'vendor-data')
    .option('--network-config <file>', 'network config (v1 or v2), as NoCloud network-config')
    .addOption(new Option('--distro <name>', 'boot a stock cloud image of this distro (default: debian)').choices(TRY_DISTRO_NAMES as string[]))
    .option('--image <dir>', 'boot a copy of this unpacked image tree (the tree itself is never changed)')
    .option('--second-boot', 'also show what a reboot of the same instance would do', false)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--show-secrets', 'show passwords, hashes, private keys and tokens instead of <masked>', false)
    .option('--keep', 'keep the throwaway tree and print where it is', false)
    .action(async (input: string, opts: Options) => {
      const fs = createHost({ root: '/', exec: 'record' }).fs;
      const readInput = (p: string, what: string): TryInput => {
        const bytes = fs.isDir(resolve(p)) ? null : fs.read(resolve(p));
        if (bytes === null) throw new TryError(`${what} ${p}: no such file`);
        return { path: p, bytes };
      };
      try {
        // try makes its own tree; a --root given to it would be silently ignored otherwise.
        if (ctx.globals().root !== '/') throw new TryError(`--root ${ctx.globals().root}: not supported with try, which boots a throwaway copy; --image DIR boots a copy of an image tree`);
        const o: TryOptions = { secondBoot: opts.secondBoot, showSecrets: opts.showSecrets, keep: opts.keep };
        if (fs.isDir(resolve(input))) {
          if (fs.isDir(resolve(input, 'openstack'))) o.seedDir = { path: input, kind: 'config-drive' };
          else if (fs.exists(resolve(input, 'meta-data'))) o.seedDir = { path: input, kind: 'nocloud' };
          else throw new TryError(`${input}: a directory, but neither a config drive (openstack/latest/) nor a NoCloud seed (meta-data)`);
        } else o.userData = readInput(input, 'user-data');
        if (opts.metaData !== undefined) o.metaData = readInput(opts.metaData, '--meta-data');
        if (opts.vendorData !== undefined) o.vendorData = readInput(opts.vendorData, '--vendor-data');
        if (opts.networkConfig !== undefined) o.networkConfig = readInput(opts.networkConfig, '--network-config');
        if (opts.image !== undefined) {
          if (!fs.isDir(resolve(opts.image))) throw new TryError(`--image ${opts.image}: not a directory (an unpacked image tree)`);
          o.image = resolve(opts.image);
        }
        if (opts.distro !== undefined) o.distro = opts.distro;
        const { plan, tree } = await runTry(o);
        process.stdout.write(opts.format === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanText(plan));
        if (tree !== null) process.stderr.write(`the tree is kept at ${tree}\n`);
        ctx.setExit(plan.exitCode);
      } catch (e) {
        if (!(e instanceof TryError)) throw e;
        process.stderr.write(`nimbus try: ${e.message}\n`);
        ctx.setExit(1);
      }
    });
}
