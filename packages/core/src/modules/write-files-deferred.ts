// write_files_deferred: the write_files entries marked defer: true, written in the
// final stage once users and packages exist (so owners can be users created at boot).
import type { Module } from './types.js';
import { writeFileEntries, writeFilesSchema } from './lib/write-file-entries.js';

export const writeFilesDeferred: Module = {
  name: 'write_files_deferred',
  frequency: 'once-per-instance',
  keys: ['write_files'],
  schema: writeFilesSchema,
  examples: [
    `#cloud-config
# An owner created by this same config: the entry waits for the final stage.
users:
  - default
  - name: app
    system: true
write_files:
  - path: /var/lib/app/settings.toml
    owner: app:app
    permissions: '0600'
    defer: true
    content: |
      listen = "127.0.0.1:8080"
`,
  ],
  run: (ctx) => writeFileEntries(ctx, true),
};
