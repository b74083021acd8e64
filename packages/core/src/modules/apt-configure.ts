// apt_configure: apt's sources, mirrors, keys, proxies and conf from the `apt:` key, once
// per instance, on Debian and Ubuntu. As cloud-init 25.x: the sources are rendered
// from the image's template into deb822 /etc/apt/sources.list.d/<distro>.sources
// (a one-line `sources_list` goes to /etc/apt/sources.list), `sources:` entries are
// written to sources.list.d with inline keys as keyrings, and apt is refreshed after.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { isJinjaTemplate, renderJinjaPart } from '../userdata/jinja.js';
import { treeFamily } from './lib/package-manager.js';
import { makeInstaller } from './lib/package-install.js';
import { parseOsRelease } from '../distro/os-release.js';
import {
  ADD_APT_REPO_MATCH,
  APT_CONF_FILE,
  APT_PROXY_FILE,
  APT_SIGNED_BY_DIR,
  APT_SOURCES_DIR,
  APT_SOURCES_LIST,
  APT_TRUSTED_DIR,
  DEFAULT_KEYSERVER,
  dearmor,
  defaultMirrors,
  disableSuitesDeb822,
  disableSuitesList,
  dpkgArch,
  fileNameProblem,
  isDeb822,
  lineProblem,
  pickMirror,
  proxyConf,
  renderBasic,
  sourceFile,
  suiteName,
  uriProblem,
} from './lib/apt-sources.js';

const NOT_DONE = ['generate_mirrorlists'];

/** cloud-init's pre-22.1 top-level keys and their place under `apt:` (null: the mirror keys, built into `primary`). */
const LEGACY: Record<string, string | null> = {
  apt_sources: 'sources',
  apt_mirror: null,
  apt_mirror_search: null,
  apt_mirror_search_dns: null,
  apt_proxy: 'proxy',
  apt_http_proxy: 'http_proxy',
  apt_https_proxy: 'https_proxy',
  apt_ftp_proxy: 'ftp_proxy',
  apt_preserve_sources_list: 'preserve_sources_list',
  apt_custom_sources_list: 'sources_list',
  add_apt_repo_match: 'add_apt_repo_match',
};

/**
 * The `apt:` config with the deprecated top-level keys folded in (pure), as cloud-init
 * does: a list of sources becomes named entries; `apt:` wins where both are set.
 * Unlike cloud-init 25.1, apt_https_proxy and apt_ftp_proxy keep their own meaning
 * (cloud-init swaps them).
 */
export function foldLegacy(cfg: Record<string, unknown>): { apt: unknown; used: string[] } {
  const used = Object.keys(LEGACY).filter((k) => cfg[k] !== undefined && cfg[k] !== null && cfg[k] !== '');
  if (used.length === 0) return { apt: cfg.apt, used };
  if (cfg.apt !== undefined && !isDict(cfg.apt)) return { apt: cfg.apt, used };
  const apt: Record<string, unknown> = {};
  for (const k of used) {
    const to = LEGACY[k];
    if (to === null || to === undefined) continue;
    let v = cfg[k];
    if (k === 'apt_sources' && Array.isArray(v)) {
      const named: Record<string, unknown> = {};
      v.forEach((e, i) => {
        const ent = isDict(e) ? { ...e } : e;
        const fname = isDict(e) && typeof e.filename === 'string' ? e.filename : 'cloud_config_sources.list';
        if (isDict(ent)) ent.filename = fname;
        named[fname in named ? `${fname}#${i}` : fname] = ent;
      });
      v = named;
    }
    apt[to] = v;
  }
  const mirror: Record<string, unknown> = {};
  if (cfg.apt_mirror !== undefined && cfg.apt_mirror !== null) mirror.uri = cfg.apt_mirror;
  if (cfg.apt_mirror_search !== undefined && cfg.apt_mirror_search !== null) mirror.search = cfg.apt_mirror_search;
  if (cfg.apt_mirror_search_dns !== undefined && cfg.apt_mirror_search_dns !== null) mirror.search_dns = cfg.apt_mirror_search_dns;
  if (Object.keys(mirror).length > 0) apt.primary = [{ arches: ['default'], ...mirror }];
  return { apt: { ...apt, ...(isDict(cfg.apt) ? cfg.apt : {}) }, used };
}

const schema = (z: Z) => {
  const mirror = z
    .object({
      arches: z.array(z.string()).min(1),
      uri: z.string().optional(),
      search: z.array(z.string()).optional(),
      search_dns: z.boolean().optional(),
      keyid: z.string().optional(),
      key: z.string().optional(),
      keyserver: z.string().optional(),
    })
    .strict();
  const source = z
    .object({
      source: z.string().optional(),
      keyid: z.string().optional(),
      key: z.string().optional(),
      keyserver: z.string().optional(),
      filename: z.string().optional(),
      append: z.boolean().optional(),
    })
    .strict();
  const legacySource = z.object({ source: z.string().optional(), keyid: z.string().optional(), key: z.string().optional(), keyserver: z.string().optional(), filename: z.string().optional() });
  return z.object({
    apt_sources: z.union([z.array(legacySource), z.record(z.string(), legacySource)]).optional(),
    apt_mirror: z.string().optional(),
    apt_mirror_search: z.array(z.string()).optional(),
    apt_mirror_search_dns: z.boolean().optional(),
    apt_proxy: z.string().optional(),
    apt_http_proxy: z.string().optional(),
    apt_https_proxy: z.string().optional(),
    apt_ftp_proxy: z.string().optional(),
    apt_preserve_sources_list: z.boolean().optional(),
    apt_custom_sources_list: z.string().optional(),
    add_apt_repo_match: z.string().optional(),
    apt: z
      .object({
        preserve_sources_list: z.boolean().optional(),
        disable_suites: z.array(z.string()).optional(),
        primary: z.array(mirror).optional(),
        security: z.array(mirror).optional(),
        add_apt_repo_match: z.string().optional(),
        debconf_selections: z.record(z.string(), z.string()).optional(),
        sources_list: z.string().optional(),
        conf: z.string().optional(),
        http_proxy: z.string().optional(),
        proxy: z.string().optional(),
        https_proxy: z.string().optional(),
        ftp_proxy: z.string().optional(),
        sources: z.record(z.string(), source).optional(),
        generate_mirrorlists: z.boolean().optional(),
      })
      .strict()
      .optional(),
  });
};

type Path = (string | number)[];

interface Run {
  ctx: ModuleContext;
  apt: Record<string, unknown>;
  where(p: Path): string;
}

/** An inline key written as a binary keyring; returns its path. */
function writeKey(r: Run, key: string, dir: string, name: string, at: Path): string {
  const d = dearmor(key);
  if ('problem' in d) throw new Error(`${r.where(at)}apt.${at.join('.')}: ${d.problem}`);
  const stem = name.replace(/^.*\//, '').replace(/\.[^.]*$/, '');
  const file = `${dir}${stem}.gpg`;
  r.ctx.host.fs.write(file, d.bytes, { mode: 0o644 });
  r.ctx.log.info(`wrote the key of apt.${at.slice(0, -1).join('.')} to ${file}`);
  return file;
}

/** A key by id from a keyserver: gpg's commands, recorded on a tree; the key file only when gpg really ran. */
function fetchKey(r: Run, ent: Record<string, unknown>, dir: string, name: string, at: Path): string | null {
  const id = String(ent.keyid);
  const server = typeof ent.keyserver === 'string' ? ent.keyserver : DEFAULT_KEYSERVER;
  for (const [v, k] of [
    [id, 'keyid'],
    [server, 'keyserver'],
  ] as const) {
    const p = lineProblem(v) ?? (v.startsWith('-') ? 'it must not start with "-"' : null);
    if (p !== null) throw new Error(`${r.where([...at, k])}apt.${[...at, k].join('.')}: ${p}`);
  }
  const ids = id.replace(/\s/g, '');
  const exec = r.ctx.host.exec;
  const recv = exec.run(['gpg', '--no-tty', `--keyserver=${server}`, '--recv-keys', ids]);
  if (recv.recorded) {
    exec.run(['gpg', '--export', '--armour', ids]);
    r.ctx.log.info(`recorded the fetch of key ${ids} from ${server}; no key file is written on a recorded run`);
    return `${dir}${name.replace(/^.*\//, '').replace(/\.[^.]*$/, '')}.gpg`;
  }
  if (recv.code !== 0) throw new Error(`${r.where([...at, 'keyid'])}could not fetch key ${ids} from ${server}: ${(recv.stderr || recv.error || '').trim()}`);
  const out = exec.run(['gpg', '--export', '--armour', ids]);
  if (out.code !== 0 || out.stdout.trim() === '') throw new Error(`${r.where([...at, 'keyid'])}gpg could not export key ${ids}`);
  return writeKey(r, out.stdout, dir, name, [...at, 'keyid']);
}

function addKey(r: Run, ent: Record<string, unknown>, dir: string, name: string, at: Path): string | null {
  if (typeof ent.key === 'string') return writeKey(r, ent.key, dir, name, [...at, 'key']);
  if (typeof ent.keyid === 'string') return fetchKey(r, ent, dir, name, at);
  return null;
}

function mirrors(r: Run, arch: string, distroId: string): { PRIMARY: string; SECURITY: string; keys: Record<string, string> } {
  const found: Record<string, string> = {};
  const keys: Record<string, string> = {};
  for (const kind of ['primary', 'security'] as const) {
    const m = pickMirror(r.apt[kind], arch);
    if (m === null) continue;
    for (const u of m.unsupported) r.ctx.log.warn(`${r.where([kind, m.index, u])}not supported: apt.${kind}[${m.index}].${u} (it needs the network to probe mirrors); the default mirror is used`);
    if (m.uri !== undefined) {
      const p = uriProblem(m.uri);
      if (p !== null) throw new Error(`${r.where([kind, m.index, 'uri'])}apt.${kind}[${m.index}].uri ${JSON.stringify(m.uri)}: ${p}`);
      found[kind] = m.uri;
    }
    if (r.apt.preserve_sources_list !== true) {
      const k = addKey(r, m.entry, APT_TRUSTED_DIR, kind, [kind, m.index]);
      if (k !== null) keys[`${kind}_key`] = k;
    }
  }
  if (found.primary !== undefined) return { PRIMARY: found.primary, SECURITY: found.security ?? found.primary, keys };
  const d = defaultMirrors(distroId, arch, r.ctx.cfg.system_info);
  return { ...d, keys };
}

function template(r: Run, distroId: string): { text: string; file: string } | null {
  if (typeof r.apt.sources_list === 'string') return { text: r.apt.sources_list, file: 'apt.sources_list' };
  for (const f of [`/etc/cloud/templates/sources.list.${distroId}.deb822.tmpl`, `/etc/cloud/templates/sources.list.${distroId}.tmpl`, '/etc/cloud/templates/sources.list.tmpl']) {
    const t = r.ctx.host.fs.readText(f);
    if (t !== null) return { text: t, file: f };
  }
  return null;
}

const ctx = (r: Run) => r.ctx;

/** Debian's deb822 sources as cloud-init 25.x renders them (pure). */
export function debianDeb822(release: string, mirror: string, security: string, primaryKey?: string, securityKey?: string): string {
  const ring = '/usr/share/keyrings/debian-archive-keyring.gpg';
  const secSuite = release === 'buster' || release === 'stretch' ? `${release}/updates` : `${release}-security`;
  return (
    '## Written by nimbus (cloud-init apt_configure) on the first boot of this instance.\n' +
    '## To keep your own sources, set apt: {preserve_sources_list: true} in cloud-config.\n\n' +
    `Types: deb deb-src\nURIs: ${mirror}\nSuites: ${release} ${release}-updates ${release}-backports\nComponents: main\nSigned-By: ${primaryKey || ring}\n\n` +
    `Types: deb deb-src\nURIs: ${security}\nSuites: ${secSuite}\nComponents: main\nSigned-By: ${securityKey || primaryKey || ring}\n`
  );
}

function writeSourcesList(r: Run, release: string, distroId: string, m: { PRIMARY: string; SECURITY: string; keys: Record<string, string> }): void {
  const t = template(r, distroId);
  const deb822File = `${APT_SOURCES_DIR}${distroId}.sources`;
  if (t === null && distroId !== 'debian') {
    r.ctx.log.warn(`no sources.list template in /etc/cloud/templates for ${distroId} and no apt.sources_list; ${deb822File} is not rendered`);
    return;
  }
  const params: Record<string, string> = {
    RELEASE: release,
    codename: release,
    MIRROR: m.PRIMARY,
    PRIMARY: m.PRIMARY,
    SECURITY: m.SECURITY,
    mirror: m.PRIMARY,
    primary: m.PRIMARY,
    security: m.SECURITY,
    ...m.keys,
  };
  let text: string;
  if (t === null) text = debianDeb822(release, m.PRIMARY, m.SECURITY, m.keys.primary_key, m.keys.security_key);
  else
    try {
      text = isJinjaTemplate(t.text) ? renderJinjaPart(t.text, params, t.file) : renderBasic(t.text, params);
    } catch (e) {
      // cloud-init's stock Debian template uses Jinja that nimbus's renderer lacks (tuples,
      // default(x, true)); the built-in template gives the same stanzas.
      if (t.file === 'apt.sources_list' || distroId !== 'debian') throw new Error(`${r.where(['sources_list'])}${t.file}: ${(e as Error).message}`);
      ctx(r).log.info(`${t.file} could not be rendered (${(e as Error).message}); the built-in Debian deb822 template is used`);
      text = debianDeb822(release, m.PRIMARY, m.SECURITY, m.keys.primary_key, m.keys.security_key);
    }
  const deb822 = isDeb822(text);
  const disabled = Array.isArray(r.apt.disable_suites) ? r.apt.disable_suites.map((s) => suiteName(String(s), release)) : [];
  if (disabled.length > 0) text = deb822 ? disableSuitesDeb822(text, disabled) : disableSuitesList(text, disabled);
  const file = deb822 ? deb822File : APT_SOURCES_LIST;
  r.ctx.host.fs.write(file, text, { mode: 0o644 });
  r.ctx.log.info(`rendered ${file} from ${t?.file ?? 'the built-in Debian template'} (mirror ${m.PRIMARY}, security ${m.SECURITY}, release ${release})`);
  if (deb822 && r.ctx.host.fs.exists(APT_SOURCES_LIST)) {
    if (distroId === 'ubuntu') {
      r.ctx.host.fs.write(
        APT_SOURCES_LIST,
        '# Ubuntu sources have moved to the /etc/apt/sources.list.d/ubuntu.sources\n# file, which uses the deb822 format. Use deb822-formatted .sources files\n# to manage package sources in the /etc/apt/sources.list.d/ directory.\n# See the sources.list(5) manual page for details.\n',
        { mode: 0o644 },
      );
    } else {
      r.ctx.host.fs.remove(APT_SOURCES_LIST);
      r.ctx.log.info(`removed ${APT_SOURCES_LIST}: the sources are in ${deb822File}`);
    }
  }
}

function writeConfs(r: Run): void {
  for (const k of ['proxy', 'http_proxy', 'https_proxy', 'ftp_proxy']) {
    const v = r.apt[k];
    if (v === undefined || v === null || v === '') continue;
    const p = uriProblem(v);
    if (p !== null) throw new Error(`${r.where([k])}apt.${k} ${JSON.stringify(v)}: ${p}`);
  }
  const proxies = proxyConf(r.apt);
  const fs = r.ctx.host.fs;
  if (proxies !== null) fs.write(APT_PROXY_FILE, proxies, { mode: 0o644 });
  else if (fs.exists(APT_PROXY_FILE)) fs.remove(APT_PROXY_FILE);
  // `conf` is apt configuration the user writes whole; it is theirs, written as given.
  if (typeof r.apt.conf === 'string' && r.apt.conf !== '') fs.write(APT_CONF_FILE, r.apt.conf, { mode: 0o644 });
  else if (fs.exists(APT_CONF_FILE)) fs.remove(APT_CONF_FILE);
}

function debconf(r: Run): void {
  const sel = r.apt.debconf_selections;
  if (!isDict(sel) || Object.keys(sel).length === 0) return;
  const text = Object.keys(sel)
    .sort()
    .map((k) => String(sel[k]))
    .join('\n');
  const res = r.ctx.host.exec.run(['debconf-set-selections'], { stdin: text.endsWith('\n') ? text : `${text}\n` });
  if (!res.recorded && res.code !== 0) throw new Error(`${r.where(['debconf_selections'])}debconf-set-selections failed: ${(res.stderr || res.error || '').trim()}`);
  r.ctx.log.info(`gave ${Object.keys(sel).length} debconf selection set(s) to debconf-set-selections`);
}

async function addSources(r: Run, params: Record<string, string>, matcher: RegExp | null): Promise<void> {
  const srcs = r.apt.sources;
  if (!isDict(srcs)) return;
  for (const [name, raw] of Object.entries(srcs)) {
    if (!isDict(raw)) throw new Error(`${r.where(['sources', name])}apt.sources.${name} must be a mapping`);
    const ent = raw;
    const at: Path = ['sources', name];
    const fname = typeof ent.filename === 'string' ? ent.filename : name;
    const fp = fileNameProblem(fname);
    if (fp !== null) throw new Error(`${r.where([...at, 'filename'])}apt.sources.${name} file name ${JSON.stringify(fname)}: ${fp}`);
    const src = typeof ent.source === 'string' ? ent.source : undefined;
    const p = { ...params };
    if (src?.includes('$KEY_FILE')) {
      const k = addKey(r, ent, APT_SIGNED_BY_DIR, fname, at);
      p.KEY_FILE = k ?? '/dev/null';
    } else addKey(r, ent, APT_TRUSTED_DIR, fname, at);
    if (src === undefined) continue;
    let line: string;
    try {
      line = isJinjaTemplate(src) ? renderJinjaPart(src, p, `apt.sources.${name}.source`) : renderBasic(src, p);
    } catch (e) {
      throw new Error(`${r.where([...at, 'source'])}apt.sources.${name}.source: ${(e as Error).message}`);
    }
    const lp = lineProblem(line);
    if (lp !== null) throw new Error(`${r.where([...at, 'source'])}apt.sources.${name}.source: ${lp}; a source is one line (use one entry per line)`);
    if (matcher?.test(line)) {
      r.ctx.host.exec.run(['add-apt-repository', '--no-update', line]);
      continue;
    }
    const file = sourceFile(fname);
    const old = ent.append === false ? '' : (r.ctx.host.fs.readText(file) ?? '');
    r.ctx.host.fs.write(file, `${old}${line}\n`, { mode: 0o644 });
    r.ctx.log.info(`wrote apt source ${name} to ${file}`);
  }
  const { installer, problems } = makeInstaller(r.ctx);
  for (const pr of problems) r.ctx.log.warn(pr);
  if (installer !== null) {
    const e = await installer.update();
    if (e !== null) throw new Error(`apt update after adding sources failed: ${e}`);
  }
}

/**
 * The commands the config needs, installed first when the image lacks them, as
 * cloud-init does: add-apt-repository for a matching source, gpg for a key fetched by
 * id. Inline keys need no gpg: nimbus dearmors them itself.
 */
async function ensureTools(r: Run, matcher: RegExp | null): Promise<void> {
  const need = new Set<string>();
  const entries: unknown[] = [];
  if (r.apt.preserve_sources_list !== true) for (const k of ['primary', 'security']) if (Array.isArray(r.apt[k])) entries.push(...(r.apt[k] as unknown[]));
  if (isDict(r.apt.sources)) entries.push(...Object.values(r.apt.sources));
  for (const e of entries) {
    if (!isDict(e)) continue;
    if (typeof e.keyid === 'string' && typeof e.key !== 'string' && !r.ctx.host.exec.has('gpg')) need.add('gnupg');
    if (typeof e.source === 'string' && matcher?.test(e.source) && !r.ctx.host.exec.has('add-apt-repository')) need.add('software-properties-common');
  }
  if (need.size === 0) return;
  const { installer, problems } = makeInstaller(r.ctx);
  for (const p of problems) r.ctx.log.warn(p);
  if (installer === null) throw new Error(`${r.where(['sources'])}the apt config needs ${[...need].join(', ')}, and there is no package manager to install them`);
  const { failed } = await installer.install(
    [...need].sort().map((name) => ({ name })),
    { apt: [], snap: [] },
  );
  if (failed.length > 0) throw new Error(`${r.where(['sources'])}could not install ${failed.join(', ')}, which the apt config needs`);
}

async function run(ctx: ModuleContext): Promise<void> {
  const folded = foldLegacy(ctx.cfg);
  for (const k of folded.used) ctx.log.deprecated(`${ctx.source.where([k])}${k} is deprecated since cloud-init 22.1; use apt: {${LEGACY[k] ?? 'primary'}: ...}`);
  const apt = folded.apt ?? {};
  if (!isDict(apt)) throw new Error(`${ctx.source.where(['apt'])}apt must be a mapping, got ${JSON.stringify(apt)}`);
  if (treeFamily(ctx) !== 'apt') {
    ctx.log.info('apt_configure is for Debian and Ubuntu; this image does not use apt, nothing done');
    return;
  }
  const r: Run = { ctx, apt, where: (p) => ctx.source.where(['apt', ...p]) };
  for (const k of NOT_DONE) if (apt[k] !== undefined) ctx.log.warn(`${r.where([k])}not supported: apt.${k}`);
  debconf(r);
  const osr = parseOsRelease(ctx.host.fs.readText('/etc/os-release') ?? '');
  const distroId = ctx.distro.id === 'ubuntu' ? 'ubuntu' : 'debian';
  const release = osr.VERSION_CODENAME ?? '';
  const arch = dpkgArch(process.arch);
  const m = mirrors(r, arch, distroId);
  let matcher: RegExp | null = null;
  const mc = apt.add_apt_repo_match ?? ADD_APT_REPO_MATCH;
  if (typeof mc === 'string' && mc !== '') {
    try {
      matcher = new RegExp(mc);
    } catch (e) {
      throw new Error(`${r.where(['add_apt_repo_match'])}apt.add_apt_repo_match is not a regular expression: ${(e as Error).message}`);
    }
  }
  await ensureTools(r, matcher);
  if (apt.preserve_sources_list !== true) {
    if (release === '') ctx.log.warn('the image names no VERSION_CODENAME in /etc/os-release; $RELEASE is empty');
    writeSourcesList(r, release, distroId, m);
  }
  writeConfs(r);
  await addSources(r, { RELEASE: release, MIRROR: m.PRIMARY, PRIMARY: m.PRIMARY, SECURITY: m.SECURITY }, matcher);
}

export const aptConfigure: Module = {
  name: 'apt_configure',
  frequency: 'once-per-instance',
  keys: ['apt', ...Object.keys(LEGACY)],
  rerunAfterInterruption: true,
  schema,
  examples: [
    `#cloud-config
apt:
  preserve_sources_list: false
  disable_suites: [backports]
  primary:
    - arches: [default]
      uri: http://mirror.example.org/debian
  security:
    - arches: [default]
      uri: http://security.example.org/debian-security
  proxy: http://proxy.example.org:3128
  conf: |
    APT {
      Get {
        Assume-Yes "true";
        Fix-Broken "true";
      }
    }
  sources:
    example.list:
      source: deb $MIRROR $RELEASE main contrib
  debconf_selections:
    set1: the-package the-package/some-flag boolean true
`,
    `#cloud-config
apt:
  sources:
    nginx:
      source: deb [signed-by=$KEY_FILE] http://nginx.org/packages/debian $RELEASE nginx
      keyid: 573BFD6B3D8FBC641079A6ABABF5BD827BD9BF62
      keyserver: keyserver.ubuntu.com
`,
  ],
  run,
};
