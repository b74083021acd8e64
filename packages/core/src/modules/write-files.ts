// write_files: files from cloud-config (content, encodings, owner, permissions,
// append), written atomically; entries with defer: true wait for write_files_deferred.
import type { Module } from './types.js';
import { writeFileEntries, writeFilesSchema } from './lib/write-file-entries.js';

export const writeFiles: Module = {
  name: 'write_files',
  frequency: 'once-per-instance',
  keys: ['write_files'],
  schema: writeFilesSchema,
  examples: [
    `#cloud-config
write_files:
  - path: /etc/sysctl.d/60-forwarding.conf
    content: |
      net.ipv4.ip_forward = 1
    owner: root:root
    permissions: '0644'
  - path: /usr/local/bin/hello
    encoding: b64
    content: IyEvYmluL3NoCmVjaG8gaGVsbG8gZnJvbSB3cml0ZV9maWxlcwo=
    permissions: '0755'
  - path: /etc/motd
    append: true
    content: |
      Managed by nimbus.
`,
  ],
  run: (ctx) => writeFileEntries(ctx, false),
};
