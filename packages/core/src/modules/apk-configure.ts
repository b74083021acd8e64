// apk_configure: /etc/apk/repositories from `apk_repos` on Alpine, once per instance,
// laid out byte for byte as cloud-init's template renders it: the release's main
// repository, community and edge/testing when enabled, and a local repository. Every
// URL and the version are checked to be one word, so none can add a line of its own.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { hasBlankOrControl } from './lib/package-manager.js';

export const APK_REPOSITORIES = '/etc/apk/repositories';
export const DEFAULT_ALPINE_MIRROR = 'https://alpine.global.ssl.fastly.net/alpine';

export interface ApkRepos {
  baseUrl: string;
  version: string;
  community: boolean;
  testing: boolean;
  localRepo: string;
}

/** The file text (pure). */
export function renderApkRepositories(r: ApkRepos): string {
  let out = '#\n# Created by cloud-init\n#\n# This file is written on first boot of an instance\n#\n\n';
  out += `${r.baseUrl}/${r.version}/main\n`;
  if (r.community) out += `${r.baseUrl}/${r.version}/community\n`;
  if (r.testing) {
    if (r.version !== 'edge') out += '#\n# Testing - using with non-Edge installation may cause problems!\n#\n';
    out += `${r.baseUrl}/edge/testing\n`;
  }
  if (r.localRepo !== '') out += `\n#\n# Local repo\n#\n${r.localRepo}/${r.version}\n`;
  return `${out}\n`;
}

/** Why a value cannot start a repositories line (a URL or an absolute path, one word), or null. */
export function repoUrlProblem(v: unknown): string | null {
  if (typeof v !== 'string' || v === '') return 'expected a URL';
  if (hasBlankOrControl(v)) return 'it contains a blank, a line break or a control character';
  if (!/^([a-z][a-z0-9+.-]*:\/\/|\/)/i.test(v)) return 'expected a URL (scheme://...) or an absolute path';
  return null;
}

/** Jinja's truthiness for the two switches, as the template tests them. */
function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  return v !== undefined && v !== null && v !== false && v !== 0 && v !== '';
}

function run(ctx: ModuleContext): void {
  const section = ctx.cfg.apk_repos;
  if (!truthy(section)) {
    ctx.log.debug('no apk_repos configuration');
    return;
  }
  if (!isDict(section)) throw new Error(`${ctx.source.where(['apk_repos'])}apk_repos must be a mapping (preserve_repositories, alpine_repo, local_repo_base_url)`);
  if (section.preserve_repositories === true) {
    ctx.log.debug('apk_repos.preserve_repositories is true: /etc/apk/repositories is left as it is');
    return;
  }
  const repo = section.alpine_repo;
  if (!truthy(repo)) {
    ctx.log.info('apk_repos has no alpine_repo: /etc/apk/repositories is left as it is');
    return;
  }
  if (!isDict(repo)) throw new Error(`${ctx.source.where(['apk_repos', 'alpine_repo'])}apk_repos.alpine_repo must be a mapping (version, base_url, community_enabled, testing_enabled)`);
  const version = repo.version;
  if (!truthy(version)) {
    ctx.log.warn(`${ctx.source.where(['apk_repos', 'alpine_repo'])}apk_repos.alpine_repo has no version; /etc/apk/repositories is left as it is`);
    return;
  }
  if ((typeof version !== 'string' && typeof version !== 'number') || hasBlankOrControl(String(version)) || String(version).includes('/'))
    throw new Error(
      `${ctx.source.where(['apk_repos', 'alpine_repo', 'version'])}apk_repos.alpine_repo.version ${JSON.stringify(version)} is not a release name such as v3.19 or edge; /etc/apk/repositories is left as it is`,
    );
  const baseUrl = repo.base_url ?? DEFAULT_ALPINE_MIRROR;
  const bw = repoUrlProblem(baseUrl);
  if (bw !== null)
    throw new Error(`${ctx.source.where(['apk_repos', 'alpine_repo', 'base_url'])}apk_repos.alpine_repo.base_url ${JSON.stringify(baseUrl)}: ${bw}; /etc/apk/repositories is left as it is`);
  const local = section.local_repo_base_url ?? '';
  if (local !== '') {
    const lw = repoUrlProblem(local);
    if (lw !== null) throw new Error(`${ctx.source.where(['apk_repos', 'local_repo_base_url'])}apk_repos.local_repo_base_url ${JSON.stringify(local)}: ${lw}; /etc/apk/repositories is left as it is`);
  }
  if (ctx.distro.id !== 'alpine') ctx.log.info(`apk_repos is for Alpine; this image is ${ctx.distro.id}, the file is written as asked`);
  const text = renderApkRepositories({
    baseUrl: baseUrl as string,
    version: String(version),
    community: truthy(repo.community_enabled),
    testing: truthy(repo.testing_enabled),
    localRepo: local as string,
  });
  ctx.host.fs.write(APK_REPOSITORIES, text, { mode: 0o644 });
  ctx.log.info(`wrote ${APK_REPOSITORIES} for Alpine ${String(version)}`);
}

export const apkConfigure: Module = {
  name: 'apk_configure',
  frequency: 'once-per-instance',
  keys: ['apk_repos'],
  schema: (z: Z) =>
    z.object({
      apk_repos: z
        .object({
          preserve_repositories: z.boolean().optional(),
          alpine_repo: z
            .object({
              base_url: z.string().optional(),
              community_enabled: z.boolean().optional(),
              testing_enabled: z.boolean().optional(),
              version: z.string(),
            })
            .strict()
            .nullable()
            .optional(),
          local_repo_base_url: z.string().optional(),
        })
        .strict()
        .optional(),
    }),
  examples: [
    '#cloud-config\napk_repos:\n  preserve_repositories: true\n',
    "#cloud-config\napk_repos:\n  alpine_repo:\n    version: 'v3.19'\n",
    '#cloud-config\napk_repos:\n  alpine_repo:\n    base_url: https://some-alpine-mirror/alpine\n    community_enabled: true\n    testing_enabled: true\n    version: edge\n  local_repo_base_url: https://my-local-server/local-alpine\n',
  ],
  run,
};
