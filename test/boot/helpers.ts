// Shared by the boot tests: temp roots, the repository's files, and the built CLI.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/temp-root.js';
import { cli } from '../helpers/boot.js';

/** The repository (tests run from build/test/boot). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = path.join(REPO, 'dist', 'nimbus.js');

export function tempRoot(tag: string): string {
  return tempDir(`nimbus-${tag}-`);
}

export function write(root: string, rel: string, text: string, mode = 0o644): void {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text, { mode });
}

export function link(root: string, rel: string, target: string): void {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.symlinkSync(target, p);
}

export function ls(root: string, rel: string): string[] {
  try {
    return fs.readdirSync(path.join(root, rel)).sort();
  } catch {
    return [];
  }
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI's command with --root (in the test worker: test/helpers/boot.ts); never on "/". */
export function nimbus(root: string, ...args: string[]): Run {
  if (root === '/' || root === '') throw new Error('tests never run nimbus on /');
  return cli(root, ...args);
}

/** rc links "S10network" in the rc directories of a layout. */
export function rcLinks(root: string, style: 'rhel' | 'debian', dirs: readonly string[], ...names: string[]): void {
  for (const d of dirs) {
    for (const n of names) {
      const svc = n.slice(3);
      const dir = style === 'rhel' ? `etc/rc.d/rc${d}.d` : `etc/rc${d}.d`;
      link(root, `${dir}/${n}`, `../init.d/${svc}`);
    }
  }
}

/** A root with an empty rc tree of the given layout. */
export function sysvRoot(style: 'rhel' | 'debian'): string {
  const root = tempRoot(`sysv-${style}`);
  const base = style === 'rhel' ? 'etc/rc.d' : 'etc';
  fs.mkdirSync(path.join(root, base, 'init.d'), { recursive: true });
  for (const d of [...(style === 'debian' ? ['S'] : []), '0', '1', '2', '3', '4', '5', '6']) fs.mkdirSync(path.join(root, base, `rc${d}.d`), { recursive: true });
  return root;
}
