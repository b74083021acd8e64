// write_files_deferred: the write_files entries marked defer: true, written in the
// final stage once users and packages exist (so owners can be users created at boot).
import type { Module } from './types.js';
import { writeFileEntries, writeFilesSchema } from './lib/write-file-entries.js';

export const writeFilesDeferred: Module = {
  name: 'write_files_deferred',
  frequency: 'once-per-instance',
  keys: ['write_files'],
  schema: writeFilesSchema,
  run: (ctx) => writeFileEntries(ctx, true),
};
