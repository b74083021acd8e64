// yum_add_repo: one /etc/yum.repos.d/<id>.repo per entry of `yum_repos` (or under
// `yum_repo_dir`), laid out as cloud-init's ConfigParser writes it, once per instance.
// A repo file that is already there is left as it is; an entry without baseurl,
// metalink or mirrorlist is skipped with a warning, as in cloud-init.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { rfc2822 } from './lib/rfc2822.js';
import { checkRepoOptions, repoIdProblem, type RepoValue } from './lib/repo-ini.js';
import { pathProblem } from './lib/validators.js';

const REQUIRED = ['baseurl', 'metalink', 'mirrorlist'];

/** A value as yum wants it: true/false as 1/0, a list one item per line (pure). */
function yumValue(v: RepoValue): string {
  if (Array.isArray(v)) return v.map((x) => yumValue(x)).join('\n');
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

/** The .repo file text (pure): cloud-init's header, then the section as Python's ConfigParser writes it. */
export function renderYumRepo(id: string, options: ReadonlyMap<string, RepoValue>, epochSeconds: number): string {
  let out = `# Created by cloud-init on ${rfc2822(epochSeconds)}\n[${id}]\n`;
  for (const [k, v] of options) out += `${k} = ${yumValue(v).replace(/\n/g, '\n\t')}\n`;
  return `${out}\n`;
}

function run(ctx: ModuleContext): void {
  const repos = ctx.cfg.yum_repos;
  if (repos === undefined || repos === null || (isDict(repos) && Object.keys(repos).length === 0)) {
    ctx.log.debug('no yum_repos configuration');
    return;
  }
  if (!isDict(repos)) throw new Error(`${ctx.source.where(['yum_repos'])}yum_repos must be a mapping of repository ids to their options`);
  let dir = '/etc/yum.repos.d/';
  if (ctx.cfg.yum_repo_dir !== undefined && ctx.cfg.yum_repo_dir !== null) {
    const why = pathProblem(ctx.cfg.yum_repo_dir);
    if (why !== null) throw new Error(`${ctx.source.where(['yum_repo_dir'])}yum_repo_dir: ${why}; no repository was written`);
    dir = ctx.cfg.yum_repo_dir as string;
  }
  const pending = new Map<string, { file: string; options: Map<string, RepoValue> }>();
  for (const [rawId, cfg] of Object.entries(repos)) {
    // cloud-init's canonical id: blanks become dashes.
    const id = rawId.replace(/ /g, '-');
    const idWhy = repoIdProblem(id);
    if (idWhy !== null) {
      ctx.log.error(`${ctx.source.where(['yum_repos', rawId])}yum_repos: repository id ${JSON.stringify(rawId)}: ${idWhy}; not written`);
      continue;
    }
    const file = `${dir.replace(/\/+$/, '')}/${id}.repo`;
    if (ctx.host.fs.exists(file)) {
      ctx.log.info(`repository ${rawId}: ${file} already exists; left as it is`);
      continue;
    }
    if (pending.has(id)) {
      ctx.log.info(`repository ${rawId}: ${file} is already written by another entry`);
      continue;
    }
    const { options, problems } = checkRepoOptions(cfg);
    if (problems.length > 0) {
      for (const p of problems) ctx.log.error(`${ctx.source.where(p.key === '' ? ['yum_repos', rawId] : ['yum_repos', rawId, p.key])}yum_repos.${rawId}: ${p.message}; repository not written`);
      continue;
    }
    if (!REQUIRED.some((k) => options.has(k))) {
      ctx.log.warn(`${ctx.source.where(['yum_repos', rawId])}repository ${rawId} has none of ${REQUIRED.join(', ')}; skipped`);
      continue;
    }
    pending.set(id, { file, options });
  }
  for (const [id, { file, options }] of pending) {
    ctx.host.fs.write(file, renderYumRepo(id, options, ctx.host.clock.now()), { mode: 0o644 });
    ctx.log.info(`wrote ${file}`);
  }
}

export const yumAddRepo: Module = {
  name: 'yum_add_repo',
  frequency: 'once-per-instance',
  keys: ['yum_repos'],
  schema: (z: Z) => {
    const value = z.union([z.number().int(), z.boolean(), z.string()]);
    return z.object({
      yum_repo_dir: z.string().optional(),
      yum_repos: z
        .record(
          z.string(),
          z
            .object({ baseurl: z.string().optional(), metalink: z.string().optional(), mirrorlist: z.string().optional(), name: z.string().optional(), enabled: z.boolean().optional() })
            .catchall(value),
        )
        .optional(),
    });
  },
  examples: [
    '#cloud-config\nyum_repos:\n  my_repo:\n    baseurl: http://blah.org/pub/epel/testing/5/$basearch/\nyum_repo_dir: /store/custom/yum.repos.d\n',
    `#cloud-config
yum_repos:
  cloud-init-daily:
    name: Copr repo for cloud-init-dev owned by @cloud-init
    baseurl: https://download.copr.fedorainfracloud.org/results/@cloud-init/cloud-init-dev/epel-8-$basearch/
    type: rpm-md
    skip_if_unavailable: true
    gpgcheck: true
    gpgkey: https://download.copr.fedorainfracloud.org/results/@cloud-init/cloud-init-dev/pubkey.gpg
    enabled_metadata: 1
`,
    `#cloud-config
yum_repos:
  epel-testing:
    baseurl: https://download.example.org/pub/epel/testing/5/$basearch
    enabled: false
    failovermethod: priority
    gpgcheck: true
    gpgkey: file:///etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL
    name: Extra Packages for Enterprise Linux 5 - Testing
`,
    `#cloud-config
yum_repos:
  my package stream:
    baseurl: http://blah.org/pub/epel/testing/5/$basearch/
    mirrorlist: http://some-url-to-list-of-baseurls
    repo_gpgcheck: 1
    enable_gpgcheck: true
    gpgkey: https://url.to.ascii-armored-gpg-key
`,
  ],
  run,
};
