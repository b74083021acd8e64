// The sample that make-mime.test.ts and make-mime-reference.test.ts (full lane) both
// compose with `nimbus devel make-mime`: one part of each kind, with non-ASCII text,
// CRLF line ends and a template, and the parts a reader must find in it.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const CLI = resolve('dist/nimbus.js');

export function nimbus(args: string[], cwd: string): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

export interface SamplePart {
  type: string;
  filename: string;
  body: string;
}

/** Writes the sample files into dir and runs make-mime on them there. */
export function composeSample(dir: string): { run: ReturnType<typeof nimbus>; want: SamplePart[] } {
  const files: Array<[string, string, string]> = [
    ['config.yaml', 'cloud-config', '#cloud-config\nruncmd:\n  - [echo, "héllo wörld"]\n'],
    ['script.sh', 'x-shellscript', '#!/bin/sh\necho hi\n'],
    ['boot.sh', 'x-shellscript-per-boot', '#!/bin/sh\r\necho each boot\r\n'],
    ['hook.txt', 'cloud-boothook', '#cloud-boothook\necho "${INSTANCE_ID}"'],
    ['tpl.txt', 'jinja2', '## template: jinja\n#cloud-config\nhostname: {{ v1.local_hostname }}\n'],
  ];
  for (const [f, , body] of files) writeFileSync(join(dir, f), body);
  const run = nimbus(['devel', 'make-mime', ...files.flatMap(([f, ty]) => ['-a', `${f}:${ty}`])], dir);
  return { run, want: files.map(([f, ty, body]) => ({ type: `text/${ty}`, filename: f, body })) };
}
