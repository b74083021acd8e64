// `nimbus devel net-convert`: cloud-init's net-convert, with the same flags and output
// paths: reads one network config, renders it for one network stack into DIR.
import * as nodePath from 'node:path';
import { Option, type Command } from 'commander';
import { ALL_RENDERERS, createHost, parseText, renderWithWarnings, type InputKind, type NetRenderer, NetConfigError, RenderError, YamlError } from '@nimbus/core';
import { develCommand, type Register } from '../program.js';

const KINDS: InputKind[] = ['eni', 'network_data.json', 'yaml'];
// The distro names cloud-init's net-convert accepts for -D.
const DISTROS = [
  'almalinux',
  'alpine',
  'amazon',
  'arch',
  'centos',
  'cloudlinux',
  'cos',
  'debian',
  'eurolinux',
  'fedora',
  'freebsd',
  'gentoo',
  'miraclelinux',
  'netbsd',
  'openbsd',
  'openEuler',
  'openmandriva',
  'opensuse',
  'opensuse-leap',
  'opensuse-microos',
  'opensuse-tumbleweed',
  'photon',
  'rhel',
  'rocky',
  'sle_hpc',
  'sle-micro',
  'sles',
  'suse',
  'ubuntu',
  'virtuozzo',
];

interface Opts {
  networkData: string;
  kind: InputKind;
  directory: string;
  distro: string;
  mac: string[];
  outputKind: NetRenderer;
  debug?: boolean;
}

export const registerNetConvert: Register = (program, ctx) => {
  const cmd: Command = develCommand(program)
    .command('net-convert')
    .description('convert a network config (network_data.json, ENI or v1/v2 YAML) to files of one network stack')
    .requiredOption('-p, --network-data <file>', 'the network configuration to read')
    .addOption(new Option('-k, --kind <kind>', 'format of the input').choices(KINDS).makeOptionMandatory())
    .requiredOption('-d, --directory <dir>', 'directory to write the output under (as the root)')
    .addOption(new Option('-D, --distro <name>', 'distro the output is for').choices(DISTROS).makeOptionMandatory())
    .option('-m, --mac <name,mac>', 'interface name to MAC mapping (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .addOption(new Option('-O, --output-kind <kind>', 'network stack to write for').choices(ALL_RENDERERS).makeOptionMandatory())
    .action((opts: Opts) => {
      const reader = createHost({ root: '/', exec: 'record' }).fs;
      const input = nodePath.resolve(opts.networkData);
      const macs = new Map<string, string>();
      for (const m of opts.mac) {
        const [name, mac] = m.split(',', 2);
        if (!name || !mac || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(mac)) {
          process.stderr.write(`nimbus devel net-convert: -m ${m}: expected NAME,MAC\n`);
          ctx.setExit(1);
          return;
        }
        macs.set(mac.toLowerCase(), name);
      }
      try {
        const text = reader.readText(input);
        if (text === null) throw new NetConfigError(input, '(file)', 'expected a readable file');
        const cfg = parseText(opts.kind, text, input, macs, { read: (p) => reader.readText(p), list: (d) => reader.list(d) });
        process.stderr.write(`Read input format '${opts.kind}' from '${input}'.\n`);
        if (cfg.kind === 'disabled') {
          process.stderr.write(`Network configuration is disabled ("config: disabled"); nothing written.\n`);
          return;
        }
        // Keys read but not carried over are said, as the local stage logs them.
        for (const w of cfg.state.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
        const out = createHost({ root: nodePath.resolve(opts.directory), exec: 'record' });
        const { files, messages } = renderWithWarnings(cfg.state, opts.outputKind, opts.distro);
        for (const m of messages) process.stderr.write(`warning: ${m}\n`);
        for (const [path, f] of files) out.fs.write(path, f.content, { mode: f.mode });
        process.stderr.write(`Wrote output format '${opts.outputKind}' to '${nodePath.resolve(opts.directory)}/'\n`);
      } catch (e) {
        if (e instanceof NetConfigError || e instanceof RenderError || e instanceof YamlError) {
          process.stderr.write(`nimbus devel net-convert: ${e.message}\n`);
          ctx.setExit(1);
          return;
        }
        throw e;
      }
    });
  void cmd;
};
