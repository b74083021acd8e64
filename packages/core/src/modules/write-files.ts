// write_files: files from cloud-config (content, encodings, owner, permissions,
// append), written atomically; entries with defer: true wait for write_files_deferred.
import type { Module } from './types.js';
import { writeFileEntries, writeFilesSchema } from './lib/write-file-entries.js';

export const writeFiles: Module = {
  name: 'write_files',
  frequency: 'once-per-instance',
  keys: ['write_files'],
  schema: writeFilesSchema,
  run: (ctx) => writeFileEntries(ctx, false),
};
