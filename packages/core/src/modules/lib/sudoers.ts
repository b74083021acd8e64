// Sudo rules for users created from cloud-config, in /etc/sudoers.d/90-cloud-init-users
// (0440). The new file is checked with `visudo -cf` before it replaces the old one, so
// a bad rule can never lock everyone out of sudo; /etc/sudoers gets the includedir
// line when it lacks one.
import type { ModuleContext } from '../types.js';
import { distroFacts } from '../../distro/facts.js';
import { rfc2822 } from './rfc2822.js';
import { NIMBUS_VERSION_STRING } from '../../version.js';
import { failure } from './tree-exec.js';

export const SUDOERS_FILE = '90-cloud-init-users';

/** The rules of `sudo` as a list, or why they cannot be used (a rule must be one line). */
export function sudoRules(v: unknown): string[] | { bad: string } {
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : null;
  if (list === null) return { bad: 'sudo must be a rule string or a list of rules' };
  const out: string[] = [];
  for (const r of list) {
    if (typeof r !== 'string') return { bad: 'each sudo rule must be a string' };
    if (/[\n\r\0]/.test(r)) return { bad: 'a sudo rule must be a single line' };
    if (r.trim() !== '') out.push(r.trim());
  }
  return out;
}

/** The sudoers.d text with each user's block added unless already there (pure). */
export function sudoersText(existing: string | null, blocks: { user: string; rules: string[] }[], header: string): string {
  let text = existing ?? `${header}\n`;
  for (const b of blocks) {
    const block = [`# User rules for ${b.user}`, ...b.rules.map((r) => `${b.user} ${r}`)].join('\n') + '\n';
    if (!text.includes(block)) text += (text.endsWith('\n\n') ? '' : '\n') + block;
  }
  return text;
}

/** /etc/sudoers with `#includedir <dir>` added when no include of it is there (pure); null when unchanged. */
export function sudoersWithInclude(base: string | null, dir: string): string | null {
  if (base?.split('\n').some((l) => new RegExp(`^\\s*[#@]includedir\\s+${dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s*$`).test(l))) return null;
  return `${base ?? ''}${base === null || base.endsWith('\n') ? '' : '\n'}\n# Added by nimbus (cloud-init)\n#includedir ${dir}\n`;
}

export function writeSudoRules(ctx: ModuleContext, blocks: { user: string; rules: string[] }[]): void {
  if (blocks.length === 0) return;
  const facts = distroFacts(ctx.distro);
  const path = `${facts.sudoersDir}/${SUDOERS_FILE}`;
  const header = `# Created by nimbus (cloud-init) v. ${NIMBUS_VERSION_STRING} on ${rfc2822(ctx.host.clock.now())}`;
  const text = sudoersText(ctx.host.fs.readText(path), blocks, header);
  if (ctx.host.fs.exists(path) && ctx.host.fs.readText(path) === text) return;
  // A dotted name is skipped by sudo's includedir, so the candidate is never live before it passed.
  const candidate = `${facts.sudoersDir}/.${SUDOERS_FILE}.nimbus-new`;
  ctx.host.fs.write(candidate, text, { mode: 0o440, dirMode: 0o750 });
  if (ctx.host.exec.has('visudo')) {
    const why = failure(ctx.host.exec.run(['visudo', '-c', '-f', ctx.host.exec.pathFor(candidate)]));
    if (why !== null) {
      ctx.host.fs.remove(candidate);
      throw new Error(`visudo rejected the sudo rules for ${blocks.map((b) => b.user).join(', ')} (${why}); ${path} was left as it was`);
    }
  } else ctx.log.debug('visudo is not installed: the sudo rules were not checked');
  ctx.host.fs.rename(candidate, path);
  const base = sudoersWithInclude(ctx.host.fs.readText(facts.sudoersFile), facts.sudoersDir);
  if (base !== null) ctx.host.fs.write(facts.sudoersFile, base, { mode: 0o440 });
  ctx.log.info(`sudo rules for ${blocks.map((b) => b.user).join(', ')} in ${path}`);
}
