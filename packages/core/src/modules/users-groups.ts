// users_groups: creates the groups of `groups` (adding their members) and the users of
// `users` (with `default`, the distro's default user), mapping cloud-init's options to
// useradd's. Passwords go through chpasswd's stdin, never useradd's argv; sudo rules go
// to /etc/sudoers.d/90-cloud-init-users (checked with visudo); each user's
// ssh_authorized_keys to their authorized_keys. An existing user is not re-created:
// only its password, lock, sudo rules and keys are applied, as with cloud-init.
import type { Module, ModuleContext, Z } from './types.js';
import { Accounts, chpasswd, isHashedPassword, lockPasswordArgv, passwordProblem } from './lib/accounts.js';
import { failure, inTree } from './lib/tree-exec.js';
import { cleanKeys, installKeys } from './lib/authorized-keys.js';
import { sudoRules, writeSudoRules } from './lib/sudoers.js';
import { normalizeUsers, userPath, type UserConfig } from './lib/normalize-users.js';
import { isValidGroupName, isValidUserName, pathProblem } from './lib/validators.js';
import { DISABLE_USER_OPTS } from './lib/sshd-config.js';

export const usersGroupsSchema = (z: Z) => {
  const names = z.union([z.string(), z.array(z.string())]);
  const userSchema = z
    .object({
      name: z.string().optional(),
      gecos: z.string().optional(),
      homedir: z.string().optional(),
      primary_group: z.string().optional(),
      groups: z.union([names, z.record(z.string(), z.unknown())]).optional(),
      selinux_user: z.string().optional(),
      lock_passwd: z.boolean().optional(),
      inactive: z.union([z.string(), z.number()]).optional(),
      passwd: z.string().optional(),
      hashed_passwd: z.string().optional(),
      plain_text_passwd: z.string().optional(),
      create_groups: z.boolean().optional(),
      no_create_home: z.boolean().optional(),
      no_user_group: z.boolean().optional(),
      no_log_init: z.boolean().optional(),
      expiredate: z.string().optional(),
      shell: z.string().optional(),
      snapuser: z.string().optional(),
      ssh_authorized_keys: z.union([z.array(z.string()), z.string(), z.record(z.string(), z.string())]).optional(),
      ssh_import_id: z.array(z.string()).optional(),
      ssh_redirect_user: z.boolean().optional(),
      system: z.boolean().optional(),
      sudo: z.union([z.string(), z.array(z.string()), z.boolean(), z.null()]).optional(),
      uid: z.union([z.number().int().nonnegative(), z.string()]).optional(),
    })
    .passthrough();
  return z.object({
    groups: z.union([z.string(), z.array(z.union([z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string()), z.null()]))])), z.record(z.string(), z.unknown())]).optional(),
    user: z.union([z.string(), userSchema]).optional(),
    users: z.union([z.string(), z.array(z.union([z.string(), z.array(z.string()), userSchema])), z.record(z.string(), z.unknown())]).optional(),
  });
};

// cloud-init's option → useradd flag, in key order (cloud-init walks its options sorted by name).
const OPTS: [string, string, 'value' | 'flag'][] = (
  [
    ['expiredate', '--expiredate', 'value'],
    ['gecos', '--comment', 'value'],
    ['groups', '--groups', 'value'],
    ['homedir', '--home', 'value'],
    ['inactive', '--inactive', 'value'],
    ['no_log_init', '--no-log-init', 'flag'],
    ['no_user_group', '--no-user-group', 'flag'],
    ['primary_group', '--gid', 'value'],
    ['selinux_user', '--selinux-user', 'value'],
    ['shell', '--shell', 'value'],
    ['system', '--system', 'flag'],
    ['uid', '--uid', 'value'],
  ] as [string, string, 'value' | 'flag'][]
).sort((a, b) => (a[0] < b[0] ? -1 : 1));

export function groupNames(v: unknown): string[] {
  if (typeof v === 'string')
    return v
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
  if (Array.isArray(v))
    return v
      .filter((g): g is string => typeof g === 'string')
      .map((g) => g.trim())
      .filter(Boolean);
  if (v !== null && typeof v === 'object') return Object.keys(v);
  return [];
}

/** Checks every value that reaches useradd's argv; returns [key, problem] pairs. */
export function userProblems(u: UserConfig): [string, string][] {
  const p: [string, string][] = [];
  if (!isValidUserName(u.name)) p.push(['name', `user name ${JSON.stringify(u.name)} is not valid (letters, digits, '_', '.', '-'; not starting with '-'; at most 32)`]);
  if (u.gecos !== undefined && (typeof u.gecos !== 'string' || /[:\n\r\0]/.test(u.gecos))) p.push(['gecos', 'gecos must be a string without ":" or line breaks']);
  for (const k of ['homedir', 'shell'] as const) {
    if (u[k] === undefined) continue;
    const why = pathProblem(u[k]);
    if (why !== null) p.push([k, `${k}: ${why}`]);
  }
  if (u.primary_group !== undefined && !isValidGroupName(u.primary_group)) p.push(['primary_group', `primary_group ${JSON.stringify(u.primary_group)} is not a valid group name`]);
  for (const g of groupNames(u.groups)) if (!isValidGroupName(g)) p.push(['groups', `group ${JSON.stringify(g)} is not a valid group name`]);
  if (u.uid !== undefined && !/^\d+$/.test(String(u.uid))) p.push(['uid', `uid ${JSON.stringify(u.uid)} is not a non-negative integer`]);
  if (u.inactive !== undefined && !/^-?\d+$/.test(String(u.inactive))) p.push(['inactive', `inactive ${JSON.stringify(u.inactive)} is not a number of days`]);
  if (u.expiredate !== undefined && !(typeof u.expiredate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(u.expiredate))) p.push(['expiredate', 'expiredate must be a date YYYY-MM-DD']);
  if (u.selinux_user !== undefined && !(typeof u.selinux_user === 'string' && /^[A-Za-z0-9_.]+$/.test(u.selinux_user)))
    p.push(['selinux_user', 'selinux_user must be an SELinux user name such as staff_u']);
  return p;
}

/** useradd's argv for a user (pure; passwords are never in it). */
export function useraddArgv(u: UserConfig): string[] {
  const argv = ['useradd', u.name];
  for (const [key, flag, kind] of OPTS) {
    const v = u[key];
    if (kind === 'flag') {
      if (v === true) argv.push(flag);
    } else if (key === 'groups') {
      const gs = groupNames(v);
      if (gs.length > 0) argv.push(flag, gs.join(','));
    } else if ((typeof v === 'string' && v !== '') || (typeof v === 'number' && (key === 'uid' || key === 'inactive'))) argv.push(flag, String(v));
  }
  argv.push(u.no_create_home === true || u.system === true ? '-M' : '-m');
  return argv;
}

function createGroup(ctx: ModuleContext, acc: Accounts, name: string): boolean {
  if (acc.groupExists(name)) return true;
  const why = failure(ctx.host.exec.run(inTree(ctx, ['groupadd', name])));
  if (why !== null) {
    ctx.log.error(`groupadd ${name} failed: ${why}`);
    return false;
  }
  acc.notedGroup(name);
  ctx.log.info(`created group ${name}`);
  return true;
}

function keysOf(v: unknown): unknown[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v;
  if (v !== null && typeof v === 'object') return Object.values(v);
  return [];
}

function applyUser(ctx: ModuleContext, acc: Accounts, u: UserConfig, sudoBlocks: { user: string; rules: string[] }[]): void {
  const at = (sub?: string) => ctx.source.where(userPath(ctx.cfg, u, sub));
  const problems = userProblems(u);
  if (problems.length > 0) {
    for (const [k, m] of problems) ctx.log.error(`${at(k)}users: ${m}; user ${JSON.stringify(u.name)} was not created`);
    return;
  }
  if (u.snapuser !== undefined) {
    ctx.log.warn(`${at('snapuser')}not supported: snapuser (snap create-user) for ${u.name}; the user was not created`);
    return;
  }
  // cloud-init 25.x writes doas.conf rules for it; nimbus does not yet, and says so.
  if (u.doas !== undefined && u.doas !== null) ctx.log.warn(`${at('doas')}not supported: doas rules for ${u.name}; none were written (sudo rules are)`);
  if (acc.userExists(u.name)) {
    ctx.log.info(`user ${u.name} already exists: only its password, lock, sudo rules and keys are applied`);
  } else {
    if (u.create_groups !== false) {
      const wanted = [...groupNames(u.groups), ...(typeof u.primary_group === 'string' ? [u.primary_group] : [])];
      for (const g of wanted) if (!createGroup(ctx, acc, g)) return;
    }
    const why = failure(ctx.host.exec.run(inTree(ctx, useraddArgv(u))));
    if (why !== null) {
      ctx.log.error(`${at()}useradd ${u.name} failed: ${why}`);
      return;
    }
    acc.notedUser(u.name);
    ctx.log.info(`created user ${u.name}${u.isDefault ? ' (the default user)' : ''}`);
  }
  // Passwords: on chpasswd's stdin only.
  for (const [key, hashed] of [
    ['passwd', true],
    ['hashed_passwd', true],
    ['plain_text_passwd', false],
  ] as const) {
    const v = u[key];
    if (v === undefined || v === null || v === '') continue;
    const bad = passwordProblem(v);
    if (bad !== null) {
      ctx.log.error(`${at(key)}users: ${key} of ${u.name}: ${bad}; not set`);
      continue;
    }
    if (hashed && !isHashedPassword(v as string)) ctx.log.warn(`${at(key)}users: ${key} of ${u.name} does not look like a crypt(3) hash; it was set as given, so logging in with it will not work`);
    const why = chpasswd(ctx, [[u.name, v as string]], hashed);
    if (why !== null) ctx.log.error(`setting the password of ${u.name} failed: ${why}`);
  }
  if (u.lock_passwd !== false) {
    const why = failure(ctx.host.exec.run(inTree(ctx, lockPasswordArgv(ctx, u.name))));
    if (why !== null) ctx.log.error(`locking the password of ${u.name} failed: ${why}`);
  }
  if (u.sudo === false) ctx.log.deprecated(`${at('sudo')}users: sudo: false for ${u.name} is deprecated; use null`);
  else if (u.sudo !== undefined && u.sudo !== null) {
    const rules = sudoRules(u.sudo);
    if (!Array.isArray(rules)) ctx.log.error(`${at('sudo')}users: ${rules.bad}; no sudo rules for ${u.name}`);
    else if (rules.length > 0) sudoBlocks.push({ user: u.name, rules });
  }
  const entry = acc.user(u.name);
  const home = entry?.home ?? (typeof u.homedir === 'string' ? u.homedir : `/home/${u.name}`);
  if (u.ssh_authorized_keys !== undefined && u.ssh_authorized_keys !== null) {
    const { keys, bad } = cleanKeys(keysOf(u.ssh_authorized_keys));
    for (const i of bad) ctx.log.error(`${at('ssh_authorized_keys')}users: ssh_authorized_keys[${i}] of ${u.name} is not a one-line key; left out`);
    installKeys(ctx, u.name, entry, home, keys);
  }
  if (u.ssh_redirect_user === true) {
    const cloudKeys = cleanKeys(ctx.ds.publicKeys).keys;
    const def = normalizeUsers(ctx.cfg).defaultUser;
    if (cloudKeys.length === 0 || def === null) {
      ctx.log.warn(`${at('ssh_redirect_user')}ssh_redirect_user for ${u.name}: ${cloudKeys.length === 0 ? 'the metadata has no public keys' : 'there is no default user'}; nothing was written`);
    } else {
      installKeys(ctx, u.name, entry, home, cloudKeys, DISABLE_USER_OPTS.replace('$USER', def.name).replace('$DISABLE_USER', u.name));
    }
  }
}

function run(ctx: ModuleContext): void {
  const n = normalizeUsers(ctx.cfg);
  for (const d of n.deprecations) ctx.log.deprecated(`${ctx.source.where(d.path)}${d.message}`);
  for (const p of n.problems) ctx.log.error(`${ctx.source.where(p.path)}${p.message}`);
  const acc = new Accounts(ctx);
  for (const g of n.groups) {
    if (!createGroup(ctx, acc, g.name)) continue;
    for (const m of g.members) {
      if (!isValidUserName(m) || !acc.userExists(m)) {
        ctx.log.warn(`${ctx.source.where(['groups'])}groups: cannot add ${JSON.stringify(m)} to ${g.name}: no such user`);
        continue;
      }
      const why = failure(ctx.host.exec.run(inTree(ctx, ['usermod', '-a', '-G', g.name, m])));
      if (why !== null) ctx.log.error(`adding ${m} to ${g.name} failed: ${why}`);
    }
  }
  const sudoBlocks: { user: string; rules: string[] }[] = [];
  for (const u of n.users) {
    try {
      applyUser(ctx, acc, u, sudoBlocks);
    } catch (e) {
      ctx.log.error(`user ${u.name}: ${(e as Error).message}`);
    }
  }
  writeSudoRules(ctx, sudoBlocks);
}

export const usersGroups: Module = {
  name: 'users_groups',
  frequency: 'once-per-instance',
  rerunAfterInterruption: true,
  keys: ['users', 'groups', 'user'],
  schema: usersGroupsSchema,
  examples: [
    `#cloud-config
groups:
  - deploy
  - admins: [root]
users:
  - default
  - name: alice
    gecos: Alice Example
    groups: [admins, deploy]
    shell: /bin/bash
    sudo: ALL=(ALL) NOPASSWD:ALL
    lock_passwd: true
    ssh_authorized_keys:
      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExampleExample alice@laptop
`,
  ],
  run,
};
