// `devel render USER_DATA [-i INSTANCE_DATA]`: a `## template: jinja` user-data file
// rendered with this instance's data, to see what a boot would make of it.
import { resolve } from 'node:path';
import { createHost, isJinjaTemplate, jinjaVariables, loadInstanceData, renderJinjaPart, type QueryFiles } from '@nimbus/core';
import { develCommand, type Register } from '../program.js';

export const registerRender: Register = (program, ctx) => {
  develCommand(program)
    .command('render')
    .description('render a jinja user-data template (## template: jinja) with the instance data')
    .argument('<user_data>', 'the user-data file to render')
    .option('-i, --instance-data <file>', 'read this instance-data.json instead of /run/cloud-init/instance-data(-sensitive).json')
    .option('-d, --debug', 'say more when rendering fails', false)
    .action((userDataFile: string, opts: { instanceData?: string }) => {
      const fail = (msg: string): void => {
        process.stderr.write(`nimbus devel render: ${msg}\n`);
        ctx.setExit(1);
      };
      // The user's files, named relative to where the command runs (not under --root).
      const fs = createHost({ root: '/', exec: 'record' }).fs;
      const readText = (file: string): string | null => {
        try {
          return fs.readText(resolve(process.cwd(), file));
        } catch {
          return null;
        }
      };
      const files: QueryFiles = {};
      if (opts.instanceData !== undefined) {
        const text = readText(opts.instanceData);
        if (text === null) return fail(`Missing instance-data.json file: ${opts.instanceData}`);
        files.instanceData = { file: opts.instanceData, text };
      }
      const userData = readText(userDataFile);
      if (userData === null) return fail(`Missing user-data file: ${userDataFile}`);
      if (!isJinjaTemplate(userData)) return fail(`${userDataFile}: not a jinja template: its first line must be "## template: jinja"`);
      const data = loadInstanceData(ctx.host(), process.getuid?.() === 0, files);
      if (typeof data === 'string') return fail(data);
      let out: string;
      try {
        out = renderJinjaPart(userData, jinjaVariables(data), userDataFile);
      } catch (e) {
        return fail(`Failed to render templated user-data file '${userDataFile}'. ${e instanceof Error ? e.message : String(e)}`);
      }
      if (out === '') return fail(`Unable to render user-data file: ${userDataFile}`);
      process.stdout.write(out);
    });
};
