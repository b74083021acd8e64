// The `users`, `user` and `groups` keys, normalised as cloud-init does: `default`
// stands for system_info.default_user, strings may list several comma-separated
// names, dashed option names mean the underscored ones, and the entry for the default
// user's own name merges into it. Shared by users_groups, ssh and set_passwords.
import { isDict } from '../../config/merge.js';
import { isValidGroupName, isValidUserName } from './validators.js';

export type UserConfig = Record<string, unknown> & { name: string; isDefault: boolean };

export interface NormalizedUsers {
  users: UserConfig[];
  /** groups to create, each with the members to add. */
  groups: { name: string; members: string[] }[];
  /** The default user's configuration when `users` asks for it (or `user` is set). */
  defaultUser: UserConfig | null;
  /** Problems with their key path, for ctx.source.where. */
  problems: { path: (string | number)[]; message: string }[];
  deprecations: { path: (string | number)[]; message: string }[];
}

function splitNames(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

function groupList(v: unknown): string[] {
  if (typeof v === 'string') return splitNames(v);
  if (Array.isArray(v))
    return v
      .filter((x): x is string => typeof x === 'string')
      .map((x) => x.trim())
      .filter(Boolean);
  if (isDict(v)) return Object.keys(v);
  return [];
}

function underscored(d: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) {
    const key = k.replace(/-/g, '_').trim();
    if (key !== '') out[key] = v;
  }
  return out;
}

export function normalizeGroups(v: unknown, problems: NormalizedUsers['problems']): NormalizedUsers['groups'] {
  const out = new Map<string, string[]>();
  const add = (name: string, members: string[], path: (string | number)[]) => {
    if (!isValidGroupName(name)) {
      problems.push({ path, message: `group name ${JSON.stringify(name)} is not valid (letters, digits, '_', '.', '-'; at most 32)` });
      return;
    }
    const have = out.get(name) ?? [];
    out.set(name, [...have, ...members.filter((m) => !have.includes(m))]);
  };
  const items = typeof v === 'string' ? splitNames(v) : Array.isArray(v) ? v : isDict(v) ? [v] : [];
  if (!(typeof v === 'string' || Array.isArray(v) || isDict(v))) problems.push({ path: ['groups'], message: 'groups must be a list of group names or of {group: [members]}' });
  items.forEach((item: unknown, i: number) => {
    const path = typeof v === 'string' || isDict(v) ? ['groups'] : ['groups', i];
    if (typeof item === 'string') for (const n of splitNames(item)) add(n, [], path);
    else if (isDict(item)) {
      for (const [name, members] of Object.entries(item)) add(name, members === null || members === undefined ? [] : groupList(members), [...path, name]);
    } else problems.push({ path, message: `expected a group name or {group: [members]}, got ${item === null ? 'null' : typeof item}` });
  });
  return [...out].map(([name, members]) => ({ name, members }));
}

export function normalizeUsers(cfg: Record<string, unknown>): NormalizedUsers {
  const problems: NormalizedUsers['problems'] = [];
  const deprecations: NormalizedUsers['deprecations'] = [];
  const sys = isDict(cfg.system_info) ? cfg.system_info : {};
  let defaultCfg: Record<string, unknown> | null = isDict(sys.default_user) ? underscored(sys.default_user) : null;
  let wantDefault = false;
  if (cfg.user !== undefined && cfg.user !== null && cfg.user !== '') {
    if (typeof cfg.user === 'string') {
      deprecations.push({ path: ['user'], message: "'user' as a string is deprecated; use the 'users' list" });
      defaultCfg = { ...(defaultCfg ?? {}), name: cfg.user };
      wantDefault = true;
    } else if (isDict(cfg.user)) {
      defaultCfg = { ...(defaultCfg ?? {}), ...underscored(cfg.user) };
      wantDefault = true;
    } else problems.push({ path: ['user'], message: 'user must be a name or a mapping' });
  }
  // name -> config, in first-seen order; "default" stays a placeholder until merged.
  const byName = new Map<string, Record<string, unknown>>();
  const addUser = (name: string, conf: Record<string, unknown>) => byName.set(name, { ...(byName.get(name) ?? {}), ...conf });
  const raw = cfg.users;
  if (typeof raw === 'string') {
    deprecations.push({ path: ['users'], message: "'users' as a string is deprecated; use a list" });
    for (const n of splitNames(raw)) addUser(n, {});
  } else if (isDict(raw)) {
    deprecations.push({ path: ['users'], message: "'users' as a mapping is deprecated; use a list" });
    for (const [k, v] of Object.entries(raw)) {
      if (isDict(v)) addUser(k, underscored(v));
      else if (v === true || v === 'true' || v === 'yes' || v === 1) addUser(k, {});
    }
  } else if (Array.isArray(raw)) {
    raw.forEach((item: unknown, i: number) => {
      if (typeof item === 'string') for (const n of splitNames(item)) addUser(n, {});
      else if (Array.isArray(item)) for (const n of item) typeof n === 'string' && addUser(n, {});
      else if (isDict(item)) {
        const conf = underscored(item);
        const name = conf.name === undefined ? 'default' : conf.name;
        delete conf.name;
        if (typeof name !== 'string') problems.push({ path: ['users', i, 'name'], message: 'name must be a string' });
        else addUser(name, conf);
      } else problems.push({ path: ['users', i], message: `expected a user name or a mapping, got ${item === null ? 'null' : typeof item}` });
    });
  } else if (raw !== undefined && raw !== null) problems.push({ path: ['users'], message: 'users must be a list' });
  if (wantDefault && !byName.has('default')) addUser('default', {});

  let defaultUser: UserConfig | null = null;
  const users: UserConfig[] = [];
  const defConf = byName.get('default');
  if (defConf !== undefined) {
    if (defaultCfg === null || typeof defaultCfg.name !== 'string') {
      problems.push({ path: ['users'], message: "'default' is listed but system_info has no default_user with a name; no default user was created" });
    } else {
      const name = defaultCfg.name;
      const own = byName.get(name) ?? {};
      const groups = [...new Set([...groupList(defaultCfg.groups), ...groupList(defConf.groups), ...groupList(own.groups)])];
      defaultUser = { ...defaultCfg, ...defConf, ...own, name, isDefault: true, ...(groups.length > 0 ? { groups } : {}) };
      byName.delete(name);
    }
    byName.delete('default');
  }
  if (defaultUser !== null) users.push(defaultUser);
  for (const [name, conf] of byName) users.push({ ...conf, name, isDefault: false });
  const groups = cfg.groups === undefined || cfg.groups === null ? [] : normalizeGroups(cfg.groups, problems);
  return { users, groups, defaultUser, problems, deprecations };
}

/** The path of a user's entry in `users`, for error messages (the whole key when it cannot be told). */
export function userPath(cfg: Record<string, unknown>, u: UserConfig, sub?: string): (string | number)[] {
  const raw = cfg.users;
  if (Array.isArray(raw)) {
    const i = raw.findIndex((x: unknown) => (isDict(x) ? (x.name ?? 'default') === u.name || (u.isDefault && (x.name ?? 'default') === 'default') : x === u.name || (u.isDefault && x === 'default')));
    if (i >= 0) return sub !== undefined && isDict(raw[i]) ? ['users', i, sub] : ['users', i];
  }
  return ['users'];
}

export { isValidUserName };
