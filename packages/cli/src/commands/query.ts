// query [varname] [-a] [-l] [-f FORMAT] [-i FILE] [-u FILE] [-v FILE]: instance data,
// by a dotted key or through a jinja template, as cloud-init's query answers it. Root
// reads the sensitive copy (with user-data and vendor-data); anyone else the redacted one.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createHost, isJinjaTemplate, jinjaVariables, loadInstanceData, queryInstanceData, renderJinjaPart, type QueryFiles } from '@nimbus/core';
import type { CliContext } from '../program.js';

interface Options {
  name?: string;
  all: boolean;
  listKeys: boolean;
  format?: string;
  instanceData?: string;
  userData?: string;
  vendorData?: string;
  debug: boolean;
}

/** The files the user named, read from this machine (not under --root), as schema -c does. */
function readFiles(opts: Options): QueryFiles | string {
  const fs = createHost({ root: '/', exec: 'record' }).fs;
  const read = (file: string): Buffer | string => {
    let b: Buffer | null = null;
    try {
      b = fs.read(resolve(process.cwd(), file));
    } catch (e) {
      return `${file}: ${e instanceof Error ? e.message : String(e)}`;
    }
    return b ?? `${file}: no such file`;
  };
  const files: QueryFiles = {};
  if (opts.instanceData !== undefined) {
    const b = read(opts.instanceData);
    if (typeof b === 'string') return `Missing instance-data file: ${b}`;
    files.instanceData = { file: opts.instanceData, text: b.toString('utf8') };
  }
  for (const [key, file] of [
    ['userData', opts.userData],
    ['vendorData', opts.vendorData],
  ] as const) {
    if (file === undefined) continue;
    const b = read(file);
    if (typeof b === 'string') return b;
    files[key] = b;
  }
  return files;
}

export function registerQuery(program: Command, ctx: CliContext): void {
  program
    .command('query')
    .description('query instance data: a dotted key such as v1.local_hostname, or a jinja template with --format')
    .argument('[varname]', 'dotted key to print')
    .option('-n, --name <varname>', 'dotted key to print (same as the argument)')
    .option('-a, --all', 'print all instance data', false)
    .option('-l, --list-keys', 'list the keys at the top, or under varname', false)
    .option('-f, --format <template>', 'render this jinja template with the instance data, e.g. "{{ v1.cloud_name }} {{ ds.meta_data.uuid }}"')
    .option('-i, --instance-data <file>', 'read this instance-data.json instead of /run/cloud-init/instance-data(-sensitive).json')
    .option('-u, --user-data <file>', 'take user-data from this file (default: the instance cache, root only)')
    .option('-v, --vendor-data <file>', 'take vendor-data from this file (default: the instance cache, root only)')
    .option('-d, --debug', 'say more when a template fails', false)
    .action((varname: string | undefined, opts: Options) => {
      const fail = (msg: string): void => {
        process.stderr.write(`nimbus query: ${msg}\n`);
        ctx.setExit(1);
      };
      const key = opts.name ?? varname;
      if (!opts.all && !opts.listKeys && key === undefined && opts.format === undefined) return fail('expected one of --all, --format, --list-keys or a varname');
      const files = readFiles(opts);
      if (typeof files === 'string') return fail(files);
      const privileged = process.getuid?.() === 0;
      if (opts.format !== undefined) {
        const data = loadInstanceData(ctx.host(), privileged, files);
        if (typeof data === 'string') return fail(data);
        const payload = `## template: jinja\n${opts.format}`;
        if (!isJinjaTemplate(payload)) return fail('--format: not a template');
        let out: string;
        try {
          out = renderJinjaPart(payload, jinjaVariables(data), 'query command line');
        } catch (e) {
          return fail(`Failed to render templated data. ${e instanceof Error ? e.message : String(e)}`);
        }
        // cloud-init prints nothing and fails when the template renders to nothing.
        if (out === '') return ctx.setExit(1);
        process.stdout.write(`${out}\n`);
        return;
      }
      const r = queryInstanceData(ctx.host(), { key, all: opts.all, listKeys: opts.listKeys, privileged, files });
      if (r.error !== undefined) return fail(r.error);
      process.stdout.write(r.output);
    });
}
