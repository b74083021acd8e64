// zypper_add_repo: one <reposdir>/<id>.repo per entry of `zypper.repos` and the
// settings of `zypper.config` added to /etc/zypp/zypp.conf, on every boot as in
// cloud-init. Repo files already there are kept; the zypp.conf block cloud-init adds
// ("# Added via cloud.cfg") is replaced rather than appended again on each boot. Every
// id, key and value is checked so that none can open a section or add a line.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { checkRepoOptions, repoIdProblem, type RepoValue } from './lib/repo-ini.js';
import { hasBlankOrControl } from './lib/package-manager.js';
import { pathProblem } from './lib/validators.js';

export const ZYPP_CONF = '/etc/zypp/zypp.conf';
const BLOCK_HEAD = '# Added via cloud.cfg';

function zypperValue(v: RepoValue): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

/** The .repo file text (pure): `[id]` and `key = value` lines, enabled and autorefresh on unless given. */
export function renderZypperRepo(id: string, options: ReadonlyMap<string, RepoValue>): string {
  const all = new Map(options);
  for (const k of ['enabled', 'autorefresh']) if (!all.has(k)) all.set(k, '1');
  return [`[${id}]`, ...[...all].map(([k, v]) => `${k} = ${zypperValue(v)}`)].join('\n');
}

/** Python's str() of a setting value, as cloud-init writes it. */
function pyStr(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/**
 * zypp.conf with the settings (pure): the block a previous boot added is taken off the
 * end, then `# Added via cloud.cfg` and one `key=value` line per setting with a value.
 */
export function zyppConfWith(current: string, settings: readonly [string, string][]): string {
  const lines = current.split('\n');
  const head = lines.lastIndexOf(BLOCK_HEAD);
  let base = current;
  if (head >= 0 && lines.slice(head + 1).every((l) => l === '' || /^[A-Za-z0-9_.]+=/.test(l))) base = lines.slice(0, head).join('\n');
  if (settings.length === 0) return base;
  if (base !== '' && !base.endsWith('\n')) base += '\n';
  return `${base}${[BLOCK_HEAD, ...settings.map(([k, v]) => `${k}=${v}`)].join('\n')}`;
}

function run(ctx: ModuleContext): void {
  const z = ctx.cfg.zypper;
  if (z === undefined || z === null || (isDict(z) && Object.keys(z).length === 0)) return;
  if (!isDict(z)) throw new Error(`${ctx.source.where(['zypper'])}zypper must be a mapping (repos, config)`);
  const repos = z.repos;
  if (repos === undefined || repos === null || (Array.isArray(repos) && repos.length === 0)) {
    ctx.log.debug('zypper has no repos: nothing written');
    return;
  }
  if (!Array.isArray(repos)) throw new Error(`${ctx.source.where(['zypper', 'repos'])}zypper.repos must be a list of repositories (id, baseurl, ...)`);
  const config = z.config === undefined || z.config === null ? {} : z.config;
  if (!isDict(config)) throw new Error(`${ctx.source.where(['zypper', 'config'])}zypper.config must be a mapping of zypp.conf settings`);
  let dir = '/etc/zypp/repos.d/';
  if (config.reposdir !== undefined) {
    const why = pathProblem(config.reposdir);
    if (why !== null) throw new Error(`${ctx.source.where(['zypper', 'config', 'reposdir'])}zypper.config.reposdir: ${why}; nothing was written`);
    dir = config.reposdir as string;
  }

  const settings: [string, string][] = [];
  for (const [k, v] of Object.entries(config)) {
    if (k === 'configdir') {
      ctx.log.warn(`${ctx.source.where(['zypper', 'config', k])}zypper.config.configdir: moving zypper's configuration is not supported; setting skipped`);
      continue;
    }
    if (v === null || v === false || v === '' || v === 0) continue;
    const s = pyStr(v);
    if (!/^[A-Za-z0-9_.]+$/.test(k) || isDict(v) || Array.isArray(v) || hasBlankOrControl(s.replace(/ /g, ''))) {
      ctx.log.error(`${ctx.source.where(['zypper', 'config', k])}zypper.config.${k}: expected a setting name (letters, digits, "_", ".") with a one-line value; left out of zypp.conf`);
      continue;
    }
    settings.push([k, s]);
  }
  if (settings.length > 0 || ctx.host.fs.exists(ZYPP_CONF)) {
    const current = ctx.host.fs.readText(ZYPP_CONF) ?? '';
    const next = zyppConfWith(current, settings);
    if (next !== current) ctx.host.fs.write(ZYPP_CONF, next, { mode: ctx.host.fs.stat(ZYPP_CONF)?.mode ?? 0o644 });
  }

  const pending = new Map<string, { file: string; options: Map<string, RepoValue> }>();
  repos.forEach((r: unknown, i: number) => {
    if (!isDict(r) || typeof r.id !== 'string' || r.baseurl === undefined) {
      ctx.log.warn(`${ctx.source.where(['zypper', 'repos', i])}zypper.repos[${i}] needs id and baseurl; skipped`);
      return;
    }
    const id = r.id.replace(/ /g, '_');
    const idWhy = repoIdProblem(id);
    if (idWhy !== null) {
      ctx.log.error(`${ctx.source.where(['zypper', 'repos', i, 'id'])}zypper.repos[${i}].id ${JSON.stringify(r.id)}: ${idWhy}; not written`);
      return;
    }
    const file = `${dir.replace(/\/+$/, '')}/${id}.repo`;
    if (ctx.host.fs.exists(file)) {
      ctx.log.info(`repository ${r.id}: ${file} already exists; left as it is`);
      return;
    }
    if (pending.has(id)) {
      ctx.log.info(`repository ${r.id}: ${file} is already written by another entry`);
      return;
    }
    const { options, problems } = checkRepoOptions(r, ['id']);
    const lists = [...options].filter(([, v]) => Array.isArray(v)).map(([k]) => k);
    for (const k of lists) problems.push({ key: k, message: `${k}: a list cannot be written to a zypper repo file; give one value` });
    if (problems.length > 0) {
      for (const p of problems) ctx.log.error(`${ctx.source.where(['zypper', 'repos', i, p.key])}zypper.repos[${i}]: ${p.message}; repository not written`);
      return;
    }
    pending.set(id, { file, options });
  });
  for (const [id, { file, options }] of pending) {
    ctx.host.fs.write(file, renderZypperRepo(id, options), { mode: 0o644 });
    ctx.log.info(`wrote ${file}`);
  }
}

export const zypperAddRepo: Module = {
  name: 'zypper_add_repo',
  frequency: 'always',
  keys: ['zypper'],
  schema: (z: Z) =>
    z.object({
      zypper: z
        .object({
          repos: z
            .array(z.object({ id: z.string(), baseurl: z.string() }).catchall(z.unknown()))
            .min(1)
            .optional(),
          config: z.record(z.string(), z.unknown()).optional(),
        })
        .catchall(z.unknown())
        .optional(),
    }),
  examples: [
    `#cloud-config
zypper:
  repos:
    - id: opensuse-oss
      name: os-oss
      baseurl: http://dl.opensuse.org/dist/leap/v/repo/oss/
      enabled: 1
      autorefresh: 1
    - id: opensuse-oss-update
      name: os-oss-up
      baseurl: http://dl.opensuse.org/dist/leap/v/update
      # any setting per
      # https://en.opensuse.org/openSUSE:Standards_RepoInfo
      # enable and autorefresh are on by default
  config:
    reposdir: /etc/zypp/repos.dir
    servicesdir: /etc/zypp/services.d
    download.use_deltarpm: true
    # any setting in /etc/zypp/zypp.conf
`,
  ],
  run,
};
