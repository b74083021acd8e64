// set_passwords: passwords from chpasswd.users (text, hash or RANDOM), the older
// chpasswd.list ("user:password" lines) and `password` (for the default user), then
// `passwd --expire` unless expire is false, and ssh_pwauth into sshd's configuration.
// Passwords only ever travel on chpasswd's standard input: no argv, no log line, no
// file. RANDOM ones are shown on the console alone, as cloud-init does.
import { crypto } from '../util/builtin.js';
import type { Module, ModuleContext, Z } from './types.js';
import { chpasswd, isHashedPassword, passwordProblem, randomPassword } from './lib/accounts.js';
import { failure, inTree } from './lib/tree-exec.js';
import { isValidUserName } from './lib/validators.js';
import { normalizeUsers } from './lib/normalize-users.js';
import { restartSshd, setSshdOption } from './lib/sshd-config.js';

export const setPasswordsSchema = (z: Z) =>
  z.object({
    chpasswd: z
      .object({
        expire: z.boolean().optional(),
        users: z.array(z.object({ name: z.string(), type: z.enum(['hash', 'text', 'RANDOM']).optional(), password: z.string().optional() })).optional(),
        list: z.union([z.string(), z.array(z.string())]).optional(),
      })
      .optional(),
    password: z.string().optional(),
    ssh_pwauth: z.union([z.boolean(), z.string()]).optional(),
  });

export interface PasswordPlan {
  text: [string, string][];
  hashed: [string, string][];
  /** Users whose password was made up here (shown on the console only). */
  random: string[];
  problems: { path: (string | number)[]; message: string }[];
  deprecations: { path: (string | number)[]; message: string }[];
}

/** What to set, from the configuration (pure, given a password generator). Messages never hold a password. */
export function planPasswords(cfg: Record<string, unknown>, gen: () => string): PasswordPlan {
  const plan: PasswordPlan = { text: [], hashed: [], random: [], problems: [], deprecations: [] };
  // `line` is set for a chpasswd.list line: the whole line is a password field (a user
  // who swapped the two halves, or forgot the user, has the password in the user part),
  // so its problems name the line's number, never any of its text.
  const add = (user: unknown, pw: unknown, type: 'text' | 'hash' | 'RANDOM' | 'auto', path: (string | number)[], line?: number) => {
    if (!isValidUserName(user)) {
      const message =
        line === undefined
          ? `user name ${JSON.stringify(user)} is not valid; no password set for it`
          : `line ${line}: the part before ":" is not a valid user name; no password set (the line is not shown: it holds a password)`;
      plan.problems.push({ path, message });
      return;
    }
    if (type === 'RANDOM' || (type !== 'hash' && (pw === 'R' || pw === 'RANDOM') && type !== 'text')) {
      plan.text.push([user, gen()]);
      plan.random.push(user);
      return;
    }
    const bad = passwordProblem(pw);
    if (bad !== null) {
      plan.problems.push({ path, message: `${bad}; no password set for ${user}` });
      return;
    }
    const p = pw as string;
    if (type === 'hash' || (type === 'auto' && isHashedPassword(p))) plan.hashed.push([user, p]);
    else plan.text.push([user, p]);
  };
  const ch = cfg.chpasswd;
  const chd = ch !== null && typeof ch === 'object' && !Array.isArray(ch) ? (ch as Record<string, unknown>) : null;
  if (ch !== undefined && ch !== null && chd === null) plan.problems.push({ path: ['chpasswd'], message: 'chpasswd must be a mapping (users, list, expire)' });
  const users = chd?.users;
  if (Array.isArray(users)) {
    users.forEach((u: unknown, i: number) => {
      if (u === null || typeof u !== 'object') {
        plan.problems.push({ path: ['chpasswd', 'users', i], message: 'expected {name, type, password}' });
        return;
      }
      const e = u as Record<string, unknown>;
      const type = e.type === undefined ? 'hash' : e.type;
      if (type !== 'hash' && type !== 'text' && type !== 'RANDOM') {
        plan.problems.push({ path: ['chpasswd', 'users', i, 'type'], message: `type ${JSON.stringify(type)} is not one of hash, text, RANDOM` });
        return;
      }
      add(e.name, e.password === undefined ? 'RANDOM' : e.password, e.password === undefined ? 'RANDOM' : type, ['chpasswd', 'users', i]);
    });
  } else if (users !== undefined && users !== null) plan.problems.push({ path: ['chpasswd', 'users'], message: 'chpasswd.users must be a list' });
  const list = chd?.list;
  if (list !== undefined && list !== null && list !== '') {
    plan.deprecations.push({ path: ['chpasswd', 'list'], message: 'chpasswd.list is deprecated; use chpasswd.users' });
    let lines: unknown[];
    if (typeof list === 'string') {
      plan.deprecations.push({ path: ['chpasswd', 'list'], message: 'chpasswd.list as a multi-line string is deprecated; use chpasswd.users' });
      lines = list.split('\n').filter((l) => l.trim() !== '');
    } else lines = Array.isArray(list) ? list : [];
    lines.forEach((l, i) => {
      const path = typeof list === 'string' ? ['chpasswd', 'list'] : ['chpasswd', 'list', i];
      if (typeof l !== 'string' || !l.includes(':')) {
        plan.problems.push({ path, message: `line ${i + 1} is not "user:password"` });
        return;
      }
      const at = l.indexOf(':');
      add(l.slice(0, at), l.slice(at + 1), 'auto', path, i + 1);
    });
  }
  if (plan.text.length + plan.hashed.length + plan.random.length === 0 && plan.problems.length === 0 && typeof cfg.password === 'string' && cfg.password !== '') {
    const def = normalizeUsers(cfg).defaultUser;
    if (def === null) plan.problems.push({ path: ['password'], message: 'there is no default user to set `password` for' });
    else add(def.name, cfg.password, 'auto', ['password']);
  }
  return plan;
}

/** Writes to the machine's console, where the device exists; false when there is none. */
function toConsole(ctx: ModuleContext, text: string): boolean {
  const st = ctx.host.fs.stat('/dev/console');
  // Only a device: on a tree without one, a plain file would keep the secret.
  if (st === null || st.isFile || st.isDir || st.isSymlink) return false;
  try {
    ctx.host.fs.appendLog('/dev/console', text);
    return true;
  } catch {
    return false;
  }
}

function pwauth(ctx: ModuleContext): void {
  const v = ctx.cfg.ssh_pwauth;
  if (v === undefined || v === null) return;
  let value: string | null;
  if (typeof v === 'string') {
    ctx.log.deprecated(`${ctx.source.where(['ssh_pwauth'])}ssh_pwauth as a string is deprecated; use true or false`);
    const s = v.toLowerCase();
    value = ['yes', 'true', 'on', '1'].includes(s) ? 'yes' : ['no', 'false', 'off', '0'].includes(s) ? 'no' : null;
    if (value === null) {
      if (s !== 'unchanged') ctx.log.warn(`${ctx.source.where(['ssh_pwauth'])}ssh_pwauth ${JSON.stringify(v)} is not true, false or "unchanged"; PasswordAuthentication left unchanged`);
      return;
    }
  } else value = v === true ? 'yes' : 'no';
  const changed = setSshdOption(ctx, 'PasswordAuthentication', value);
  if (changed === null) return;
  ctx.log.info(`PasswordAuthentication ${value} in ${changed}`);
  restartSshd(ctx);
}

function run(ctx: ModuleContext): void {
  const plan = planPasswords(ctx.cfg, () => randomPassword((n) => crypto().randomInt(n)));
  for (const d of plan.deprecations) ctx.log.deprecated(`${ctx.source.where(d.path)}${d.message}`);
  for (const p of plan.problems) ctx.log.error(`${ctx.source.where(p.path)}${p.message}`);
  const done: string[] = [];
  for (const [pairs, hashed] of [
    [plan.text, false],
    [plan.hashed, true],
  ] as const) {
    if (pairs.length === 0) continue;
    const names = pairs.map(([u]) => u);
    const why = chpasswd(ctx, pairs, hashed);
    if (why !== null) ctx.log.error(`chpasswd${hashed ? ' -e' : ''} failed for ${names.join(', ')}: ${why}`);
    else {
      done.push(...names);
      ctx.log.info(`${hashed ? 'hashed ' : ''}password(s) set for ${names.join(', ')}`);
    }
  }
  if (plan.random.length > 0) {
    const lines = plan.text.filter(([u]) => plan.random.includes(u)).map(([u, p]) => `${u}:${p}`);
    if (toConsole(ctx, `Set the following 'random' passwords\n${lines.join('\n')}\n`)) ctx.log.info(`random password(s) for ${plan.random.join(', ')} shown on the console`);
    else ctx.log.warn(`random password(s) were set for ${plan.random.join(', ')} but this machine has no console to show them on; set new ones to log in with a password`);
  }
  const ch = ctx.cfg.chpasswd;
  const expire = !(ch !== null && typeof ch === 'object' && (ch as Record<string, unknown>).expire === false);
  if (expire) {
    for (const u of done) {
      const why = failure(ctx.host.exec.run(inTree(ctx, ['passwd', '--expire', u])));
      if (why !== null) ctx.log.error(`expiring the password of ${u} failed: ${why}`);
    }
  }
  pwauth(ctx);
}

export const setPasswords: Module = {
  name: 'set_passwords',
  frequency: 'once-per-instance',
  rerunAfterInterruption: true,
  keys: ['chpasswd', 'password', 'ssh_pwauth'],
  schema: setPasswordsSchema,
  examples: [
    `#cloud-config
ssh_pwauth: false
chpasswd:
  expire: true
  users:
    - name: alice
      type: RANDOM
    - name: bob
      type: hash
      password: $6$exsalt$L8zVb0a3NEXAMPLEONLYnotarealhash0
`,
  ],
  run,
};
