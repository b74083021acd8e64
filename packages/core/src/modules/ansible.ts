// ansible: once per instance, in the final stage, ansible is installed (with the distro's
// package manager, or with pip) and then drives the machine: `ansible-galaxy` actions,
// `ansible-pull` of a playbook repository, and on a controller `git clone` of playbook
// repositories and `ansible-playbook` runs, all as `run_user` when it is set. Keys and
// defaults are cloud-init 25.x's (install_method distro, package_name ansible).
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { argProblem } from './lib/package-manager.js';
import { makeInstaller } from './lib/package-install.js';
import { failure } from './lib/tree-exec.js';
import { commandsReachTree, type RunAs, runAs } from './lib/run-as.js';

type Path = (string | number)[];
type Scalar = string | number | boolean;

const PULL_FLAGS = ['accept_host_key', 'clean', 'full', 'diff', 'verify_commit'] as const;
const PULL_STRINGS = [
  'ssh_common_args',
  'scp_extra_args',
  'sftp_extra_args',
  'private_key',
  'checkout',
  'module_path',
  'timeout',
  'url',
  'connection',
  'vault_id',
  'vault_password_file',
  'inventory',
  'module_name',
  'sleep',
  'tags',
  'skip_tags',
  'playbook_name',
] as const;
const RUN_FLAGS = ['list_hosts', 'syntax_check', 'check', 'diff'] as const;
const RUN_NUMBERS = ['timeout', 'background', 'poll', 'forks'] as const;
const RUN_STRINGS = [
  'playbook_name',
  'playbook_dir',
  'become_password_file',
  'connection_password_file',
  'vault_id',
  'vault_password_file',
  'module_path',
  'args',
  'extra_vars',
  'inventory',
  'scp_extra_args',
  'sftp_extra_args',
  'private_key',
  'connection',
  'module_name',
  'sleep',
  'tags',
  'skip_tags',
] as const;

const ansibleSchema = (z: Z) => {
  const pull = z
    .object({
      ...Object.fromEntries(PULL_FLAGS.map((k) => [k, z.boolean().optional()])),
      ...Object.fromEntries(PULL_STRINGS.map((k) => [k, z.string().optional()])),
    })
    .strict();
  const run = z.object({
    ...Object.fromEntries(RUN_FLAGS.map((k) => [k, z.boolean().optional()])),
    ...Object.fromEntries(RUN_NUMBERS.map((k) => [k, z.number().min(0).optional()])),
    ...Object.fromEntries(RUN_STRINGS.map((k) => [k, z.string().optional()])),
  });
  return z.object({
    ansible: z
      .object({
        install_method: z.enum(['distro', 'pip']).optional(),
        run_user: z.string().optional(),
        ansible_config: z.string().optional(),
        setup_controller: z
          .object({
            repositories: z.array(z.object({ path: z.string(), source: z.string() }).strict()).optional(),
            run_ansible: z.array(run).optional(),
          })
          .strict()
          .optional(),
        galaxy: z
          .object({ actions: z.array(z.array(z.string())) })
          .strict()
          .optional(),
        package_name: z.string().optional(),
        // cloud-init 25.1 reads one mapping; its later documentation shows a list of them.
        pull: z.union([pull, z.array(pull)]).optional(),
      })
      .strict()
      .optional(),
  });
};

/** A problem with its key path, for the error that names the user-data line. */
interface Problem {
  path: Path;
  message: string;
}

export interface PullRun {
  playbook: string;
  /** The options in the order given, `_` spelled `-`, false left out. */
  options: [string, Scalar][];
  diff: boolean;
}

export interface PlaybookRun {
  playbook: string;
  dir: string;
  options: [string, Scalar][];
}

export interface AnsiblePlan {
  installMethod: 'distro' | 'pip';
  packageName: string;
  runUser: string | null;
  ansibleConfig: string | null;
  galaxy: string[][];
  pulls: PullRun[];
  repositories: { source: string; path: string }[];
  playbooks: PlaybookRun[];
}

const str = (v: unknown): v is string => typeof v === 'string';
const scalar = (v: unknown): v is Scalar => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** The options of a pull or a playbook run as cloud-init passes them: `_` → `-`, false dropped (pure). */
function options(m: Record<string, unknown>, skip: readonly string[], at: Path, problems: Problem[]): [string, Scalar][] {
  const out: [string, Scalar][] = [];
  for (const [k, v] of Object.entries(m)) {
    if (skip.includes(k) || v === null || v === undefined) continue;
    if (!scalar(v)) {
      problems.push({ path: [...at, k], message: `${[...at, k].join('.')} must be a string, a number or true/false` });
      continue;
    }
    if (!/^[a-z][a-z0-9_]*$/.test(k)) {
      problems.push({ path: [...at, k], message: `${[...at, k].join('.')}: ${JSON.stringify(k)} is not an option name` });
      continue;
    }
    if (v === false) continue;
    out.push([k.replace(/_/g, '-'), v]);
  }
  return out;
}

/** `ansible:` read and checked (pure): the plan, or every problem with its key path. */
export function readAnsible(v: unknown): { plan: AnsiblePlan | null; problems: Problem[] } {
  const problems: Problem[] = [];
  if (!isDict(v)) return { plan: null, problems: [{ path: ['ansible'], message: 'ansible must be a mapping' }] };
  const method = v.install_method ?? 'distro';
  if (method !== 'distro' && method !== 'pip') problems.push({ path: ['ansible', 'install_method'], message: `ansible.install_method ${JSON.stringify(method)} is not distro or pip` });
  const packageName = v.package_name ?? 'ansible';
  if (!str(packageName) || argProblem(packageName) !== null)
    problems.push({ path: ['ansible', 'package_name'], message: `ansible.package_name ${JSON.stringify(packageName)} is not a package name${str(packageName) ? `: ${argProblem(packageName)}` : ''}` });
  const runUser = v.run_user ?? null;
  if (runUser !== null && (!str(runUser) || !/^[a-z_][a-z0-9_.-]*\$?$/i.test(runUser)))
    problems.push({ path: ['ansible', 'run_user'], message: `ansible.run_user ${JSON.stringify(runUser)} is not a user name` });
  const cfgPath = v.ansible_config ?? null;
  if (cfgPath !== null && !str(cfgPath)) problems.push({ path: ['ansible', 'ansible_config'], message: 'ansible.ansible_config must be a path' });

  const galaxy: string[][] = [];
  if (v.galaxy !== undefined && v.galaxy !== null) {
    const actions = isDict(v.galaxy) ? v.galaxy.actions : undefined;
    if (!Array.isArray(actions)) problems.push({ path: ['ansible', 'galaxy'], message: 'ansible.galaxy must be a mapping with actions: a list of commands (each a list of words)' });
    else
      actions.forEach((a: unknown, i: number) => {
        if (Array.isArray(a) && a.length > 0 && a.every(str)) galaxy.push(a);
        else problems.push({ path: ['ansible', 'galaxy', 'actions', i], message: `ansible.galaxy.actions[${i}] must be a command: a list of words` });
      });
  }

  const pulls: PullRun[] = [];
  const pullCfg = v.pull;
  if (pullCfg !== undefined && pullCfg !== null && pullCfg !== false) {
    const list = Array.isArray(pullCfg) ? pullCfg : [pullCfg];
    list.forEach((p: unknown, i: number) => {
      const at: Path = Array.isArray(pullCfg) ? ['ansible', 'pull', i] : ['ansible', 'pull'];
      const name = at.join('.');
      if (!isDict(p)) {
        problems.push({ path: at, message: `${name} must be a mapping` });
        return;
      }
      for (const k of ['url', 'playbook_name']) if (!str(p[k]) || p[k] === '') problems.push({ path: p[k] === undefined ? at : [...at, k], message: `${name}.${k} is required (a string)` });
      if (!str(p.playbook_name) || !str(p.url)) return;
      pulls.push({ playbook: p.playbook_name, options: options(p, ['playbook_name'], at, problems), diff: p.diff === true });
    });
  }

  const repositories: { source: string; path: string }[] = [];
  const playbooks: PlaybookRun[] = [];
  const ctl = v.setup_controller;
  if (ctl !== undefined && ctl !== null) {
    if (!isDict(ctl)) problems.push({ path: ['ansible', 'setup_controller'], message: 'ansible.setup_controller must be a mapping' });
    else {
      const repos = Array.isArray(ctl.repositories) ? ctl.repositories : [];
      const runs = Array.isArray(ctl.run_ansible) ? ctl.run_ansible : [];
      if (repos.length === 0 && runs.length === 0) problems.push({ path: ['ansible', 'setup_controller'], message: 'ansible.setup_controller needs repositories or run_ansible (a non-empty list)' });
      repos.forEach((r: unknown, i: number) => {
        const at: Path = ['ansible', 'setup_controller', 'repositories', i];
        if (isDict(r) && str(r.source) && str(r.path) && r.source !== '' && r.path !== '') repositories.push({ source: r.source, path: r.path });
        else problems.push({ path: at, message: `ansible.setup_controller.repositories[${i}] needs source and path (strings)` });
      });
      runs.forEach((r: unknown, i: number) => {
        const at: Path = ['ansible', 'setup_controller', 'run_ansible', i];
        const name = `ansible.setup_controller.run_ansible[${i}]`;
        if (!isDict(r)) {
          problems.push({ path: at, message: `${name} must be a mapping` });
          return;
        }
        // cloud-init stops on a KeyError without these two.
        if (!str(r.playbook_name) || r.playbook_name === '') problems.push({ path: at, message: `${name}.playbook_name is required (a string)` });
        if (!str(r.playbook_dir) || r.playbook_dir === '') problems.push({ path: at, message: `${name}.playbook_dir is required (a directory)` });
        if (!str(r.playbook_name) || !str(r.playbook_dir)) return;
        playbooks.push({ playbook: r.playbook_name, dir: r.playbook_dir, options: options(r, ['playbook_name', 'playbook_dir'], at, problems) });
      });
    }
  }
  if (problems.length > 0) return { plan: null, problems };
  return {
    plan: {
      installMethod: method as 'distro' | 'pip',
      packageName: packageName as string,
      runUser: runUser as string | null,
      ansibleConfig: cfgPath as string | null,
      galaxy,
      pulls,
      repositories,
      playbooks,
    },
    problems,
  };
}

/** `--key=value`, or `--key` for true (pure). */
export function optionArgs(opts: readonly [string, Scalar][]): string[] {
  return opts.map(([k, v]) => (v === true ? `--${k}` : `--${k}=${String(v)}`));
}

/** The version `ansible-pull --version` prints on its first line, as [major, minor, patch], or null (pure). */
export function ansibleVersion(stdout: string): [number, number, number] | null {
  const first = stdout.split('\n')[0] ?? '';
  const m = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(first);
  if (!m) return null;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

const PYTHON = '/usr/bin/python3';

/** Whether the tree's Python has pip (cloud-init tries `import pip` in its own Python). */
function hasPip(ctx: ModuleContext): boolean {
  const dirs: string[] = [];
  for (const base of ['/usr/lib', '/usr/local/lib', '/usr/lib64']) {
    for (const d of ctx.host.fs.isDir(base) ? ctx.host.fs.list(base) : []) {
      if (d === 'python3') dirs.push(`${base}/python3/dist-packages`);
      else if (/^python3\.\d+$/.test(d)) dirs.push(`${base}/${d}/site-packages`, `${base}/${d}/dist-packages`);
    }
  }
  return dirs.some((d) => ctx.host.fs.isDir(`${d}/pip`));
}

/** Whether the tree's Python is marked EXTERNALLY-MANAGED (PEP 668): pip then needs --break-system-packages. */
function externallyManaged(ctx: ModuleContext): boolean {
  const lib = ctx.host.fs.isDir('/usr/lib') ? ctx.host.fs.list('/usr/lib') : [];
  return lib.some((d) => /^python3\.\d+$/.test(d) && ctx.host.fs.exists(`/usr/lib/${d}/EXTERNALLY-MANAGED`));
}

async function installWithDistro(ctx: ModuleContext, names: string[], key: Path): Promise<boolean> {
  const { installer, problems } = makeInstaller(ctx);
  for (const p of problems) ctx.log.warn(p);
  if (installer === null) throw new Error(`${ctx.source.where(key)}ansible: cannot install ${names.join(', ')}: ${problems.join('; ')}`);
  const { failed, problems: why } = await installer.install(
    names.map((name) => ({ name })),
    { apt: [], snap: [] },
  );
  for (const p of why) ctx.log.warn(p);
  if (failed.length > 0) throw new Error(`${ctx.source.where(key)}ansible: failed to install ${failed.join(', ')} (see /var/log/cloud-init-output.log)`);
  return ctx.host.exec.mode === 'record';
}

function mustRun(ctx: ModuleContext, argv: readonly string[], as: RunAs, opts: { cwd?: string; output?: 'log' } = {}): string {
  const r = runAs(ctx, argv, as, opts);
  const why = failure(r);
  if (why !== null) throw new Error(`ansible: ${argv.join(' ')} failed${as.user === null ? '' : ` (as ${as.user})`}: ${why}`);
  return r.stdout;
}

async function run(ctx: ModuleContext): Promise<void> {
  const raw = ctx.cfg.ansible;
  if (isDict(raw) && Object.keys(raw).length === 0) {
    ctx.log.debug('ansible is empty: nothing to do');
    return;
  }
  const { plan, problems } = readAnsible(raw);
  if (plan === null) {
    for (const p of problems.slice(0, -1)) ctx.log.error(`${ctx.source.where(p.path)}${p.message}`);
    const last = problems[problems.length - 1] as Problem;
    throw new Error(`${ctx.source.where(last.path)}${last.message}; ansible did not run`);
  }
  if (!commandsReachTree(ctx)) {
    ctx.log.warn(`the tree under ${ctx.host.root} is not this machine and commands run here (--exec host): ansible is not installed or run`);
    return;
  }
  const user = plan.runUser;
  // ansible modules read HOME, which a boot service may not have.
  const env: Record<string, string> = { HOME: process.env.HOME ?? '/root' };
  if (plan.ansibleConfig !== null) env.ANSIBLE_CONFIG = plan.ansibleConfig;
  const userEnv: Record<string, string> = plan.ansibleConfig !== null ? { ANSIBLE_CONFIG: plan.ansibleConfig } : {};
  const as: RunAs = { user, env, userEnv };

  // Install, then check that ansible is there (a recorded install cannot be checked).
  let recorded = false;
  if (plan.installMethod === 'distro') {
    if (!ctx.host.exec.has('ansible')) recorded = await installWithDistro(ctx, [plan.packageName], ['ansible', 'package_name']);
    if (!recorded && !ctx.host.exec.has('ansible'))
      throw new Error(`${ctx.source.where(['ansible', 'package_name'])}ansible: the ansible command is not installed after installing ${plan.packageName}`);
  } else {
    if (user !== null) {
      // pip --user puts ansible-pull into the user's base; its bin/ goes on PATH.
      const base = mustRun(ctx, [PYTHON, '-c', 'import site; print(site.getuserbase())'], as).trim();
      if (base !== '') as.extraPath = `${base}/bin/`;
    }
    const listArgv = [PYTHON, '-m', 'pip', 'list', ...(user !== null ? ['--user'] : [])];
    const pipHasAnsible = () => mustRun(ctx, listArgv, as).includes('ansible');
    if (!pipHasAnsible()) {
      if (!hasPip(ctx)) {
        const pipPackage = ctx.distro.id === 'alpine' ? 'py3-pip' : 'python3-pip';
        await installWithDistro(ctx, [pipPackage], ['ansible', 'install_method']);
      }
      const pip = [PYTHON, '-m', 'pip', 'install', ...(externallyManaged(ctx) ? ['--break-system-packages'] : []), ...(user !== null ? ['--user'] : [])];
      mustRun(ctx, [...pip, '--upgrade', 'pip'], as, { output: 'log' });
      mustRun(ctx, [...pip, plan.packageName], as, { output: 'log' });
      recorded = ctx.host.exec.mode === 'record';
      if (!recorded && !pipHasAnsible()) throw new Error(`${ctx.source.where(['ansible', 'package_name'])}ansible: pip does not list ansible after installing ${plan.packageName}`);
    }
  }
  for (const action of plan.galaxy) mustRun(ctx, action, as, { output: 'log' });

  for (const p of plan.pulls) {
    const out = runAs(ctx, ['ansible-pull', '--version'], as);
    const v = failure(out) === null ? ansibleVersion(out.stdout) : null;
    if (v === null) ctx.log.warn(`ansible: cannot read the version of ansible-pull${out.recorded ? ' (the command was only recorded)' : ''}`);
    else if (p.diff && (v[0] < 2 || (v[0] === 2 && v[1] < 7)))
      throw new Error(`${ctx.source.where(['ansible', 'pull'])}ansible ${v.join('.')} does not support --diff (2.7 or later does); ansible-pull was not run`);
    mustRun(ctx, ['ansible-pull', ...optionArgs(p.options), p.playbook], as, { output: 'log' });
    ctx.log.info(`ansible-pull ran ${p.playbook}`);
  }

  for (const r of plan.repositories) mustRun(ctx, ['git', 'clone', r.source, r.path], as, { output: 'log' });
  for (const pb of plan.playbooks) mustRun(ctx, ['ansible-playbook', pb.playbook, ...optionArgs(pb.options)], as, { cwd: pb.dir, output: 'log' });
}

export const ansible: Module = {
  name: 'ansible',
  frequency: 'once-per-instance',
  keys: ['ansible'],
  schema: ansibleSchema,
  examples: [
    `#cloud-config
# Install ansible-core from the distro's packages and run two playbooks of a repository with ansible-pull.
ansible:
  package_name: ansible-core
  install_method: distro
  pull:
    url: https://github.com/holmanb/vmboot.git
    playbook_name: ubuntu.yml watermark.yml
`,
    `#cloud-config
# Install ansible-core with pip and run one playbook with ansible-pull.
ansible:
  package_name: ansible-core
  install_method: pip
  pull:
    url: https://github.com/holmanb/vmboot.git
    playbook_name: ubuntu.yml
`,
    `#cloud-config
# A controller: ansible as the user ansible, collections from galaxy, playbook repositories cloned and run.
ansible:
  install_method: pip
  package_name: ansible
  run_user: ansible
  galaxy:
    actions:
      - [ansible-galaxy, collection, install, community.general]
  setup_controller:
    repositories:
      - path: /home/ansible/public/
        source: https://github.com/holmanb/ansible-lxd-public.git
    run_ansible:
      - playbook_dir: /home/ansible/public
        playbook_name: start-lxd.yml
        timeout: 200
        forks: 1
        private_key: /home/ansible/.ssh/id_rsa
      - playbook_dir: /home/ansible/public
        playbook_name: retrieve-lxd-config.yml
        inventory: /home/ansible/my/inventory
`,
  ],
  run,
};
