// `nimbus devel make-mime -a FILE:TYPE ... [--list-types] [--force]`: the multipart
// user-data message on stdout, with cloud-init's flags.
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { createHost, makeMime, MakeMimeError, MAKE_MIME_TYPES, parseAttachArg, type AttachSpec, type Attachment } from '@nimbus/core';
import { develCommand, type Register } from '../program.js';

interface Options {
  attach: AttachSpec[];
  listTypes: boolean;
  force: boolean;
}

function attachArg(v: string): AttachSpec {
  try {
    return parseAttachArg(v);
  } catch (e) {
    // commander reports it as a usage error with exit code 1.
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
}

export const registerMakeMime: Register = (program, ctx) => {
  develCommand(program)
    .command('make-mime')
    .description('join files into multipart MIME user-data')
    .option('-a, --attach <file:type>', 'attach FILE as content type TYPE (e.g. cloud-config, x-shellscript); repeatable', (v: string, acc: AttachSpec[]) => [...acc, attachArg(v)], [] as AttachSpec[])
    .option('-l, --list-types', 'list the content types nimbus and cloud-init handle', false)
    .option('-f, --force', 'attach even with a content type not in --list-types (warn instead of failing)', false)
    .addHelpText('after', '\nExample: nimbus devel make-mime -a config.yaml:cloud-config -a script.sh:x-shellscript > user-data')
    .action((opts: Options) => {
      if (opts.listTypes) {
        process.stdout.write(`${MAKE_MIME_TYPES.join('\n')}\n`);
        return;
      }
      // The files are the user's, named relative to where the command runs, not under --root.
      const fs = createHost({ root: '/', exec: 'record' }).fs;
      const attachments: Attachment[] = [];
      for (const a of opts.attach) {
        let content: Buffer | null;
        try {
          content = fs.read(resolve(process.cwd(), a.file));
        } catch (e) {
          content = null;
          process.stderr.write(`nimbus devel make-mime: ${a.file}: ${e instanceof Error ? e.message : String(e)}\n`);
        }
        if (content === null) {
          process.stderr.write(`nimbus devel make-mime: ${a.file}: cannot read it\n`);
          ctx.setExit(1);
          return;
        }
        attachments.push({ ...a, content });
      }
      try {
        const { message, unknownTypes } = makeMime(attachments);
        for (const u of unknownTypes) process.stderr.write(`${opts.force ? 'WARNING' : 'ERROR'}: ${u}\n`);
        if (unknownTypes.length > 0 && !opts.force) {
          process.stderr.write('nimbus devel make-mime: unknown content types; --force attaches them anyway\n');
          ctx.setExit(1);
          return;
        }
        process.stdout.write(message);
      } catch (e) {
        if (!(e instanceof MakeMimeError)) throw e;
        process.stderr.write(`nimbus devel make-mime: ${e.message}\n`);
        ctx.setExit(1);
      }
    });
};
