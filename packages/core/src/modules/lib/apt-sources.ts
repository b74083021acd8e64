// Pure pieces of apt_configure: mirror choice by architecture, cloud-init's "basic"
// $VAR templates, suites disabled in one-line and deb822 sources, the proxy conf
// lines, and ASCII-armored OpenPGP keys turned into the binary keyring apt reads.
// Every value that lands inside a line is checked so that none can add a line.
import { isDict } from '../../config/merge.js';

export const APT_PROXY_FILE = '/etc/apt/apt.conf.d/90cloud-init-aptproxy';
export const APT_CONF_FILE = '/etc/apt/apt.conf.d/94cloud-init-config';
export const APT_SOURCES_LIST = '/etc/apt/sources.list';
export const APT_SOURCES_DIR = '/etc/apt/sources.list.d/';
export const APT_TRUSTED_DIR = '/etc/apt/trusted.gpg.d/';
export const APT_SIGNED_BY_DIR = '/etc/apt/cloud-init.gpg.d/';
export const DEFAULT_KEYSERVER = 'keyserver.ubuntu.com';
/** cloud-init's default: a source like `ppa:user/repo` goes to add-apt-repository. */
export const ADD_APT_REPO_MATCH = '^[\\w-]+:\\w';

/** Why a value cannot sit inside one line of an apt file, or null. */
export function lineProblem(v: string): string | null {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return 'it contains a line break or a control character';
  }
  return null;
}

/** A mirror or proxy URI: one word, no quote that could close apt's "..." string. */
export function uriProblem(v: unknown): string | null {
  if (typeof v !== 'string' || v === '') return 'expected a URI string';
  const l = lineProblem(v);
  if (l !== null) return l;
  if (/[\s"';{}]/.test(v)) return 'a URI holds no blank, quote, ";" or brace';
  return null;
}

/** dpkg's architecture name for Node's. */
export function dpkgArch(nodeArch: string): string {
  const m: Record<string, string> = { x64: 'amd64', ia32: 'i386', arm64: 'arm64', arm: 'armhf', ppc64: 'ppc64el', s390x: 's390x', riscv64: 'riscv64' };
  return m[nodeArch] ?? nodeArch;
}

export interface MirrorChoice {
  uri?: string;
  /** What was asked that nimbus does not do (search, search_dns). */
  unsupported: string[];
  /** The entry chosen (its index), for keys and messages. */
  index: number;
  entry: Record<string, unknown>;
}

/** The entry of a primary/security list for this architecture, else the `default` one (pure). */
export function pickMirror(list: unknown, arch: string): MirrorChoice | null {
  if (!Array.isArray(list)) return null;
  let dflt: MirrorChoice | null = null;
  for (const [index, e] of list.entries()) {
    if (!isDict(e)) continue;
    const arches = Array.isArray(e.arches) ? e.arches : [];
    const choice = (): MirrorChoice => {
      const unsupported: string[] = [];
      const uri = typeof e.uri === 'string' ? e.uri : undefined;
      if (uri === undefined && Array.isArray(e.search) && e.search.length > 0) unsupported.push('search');
      if (uri === undefined && e.search_dns === true) unsupported.push('search_dns');
      return { ...(uri !== undefined ? { uri } : {}), unsupported, index, entry: e };
    };
    if (arches.includes(arch)) return choice();
    if (arches.includes('default') && dflt === null) dflt = choice();
  }
  return dflt;
}

/** The distro's default mirrors, as cloud-init has them (Debian from its cloud.cfg, Ubuntu by architecture). */
export function defaultMirrors(distroId: string, arch: string, systemInfo: unknown): { PRIMARY: string; SECURITY: string } {
  const si = isDict(systemInfo) ? systemInfo : {};
  if (Array.isArray(si.package_mirrors)) {
    for (const m of si.package_mirrors) {
      if (!isDict(m) || !isDict(m.failsafe)) continue;
      const arches = Array.isArray(m.arches) ? m.arches : [];
      if ((arches.includes(arch) || arches.includes('default')) && typeof m.failsafe.primary === 'string' && typeof m.failsafe.security === 'string')
        return { PRIMARY: m.failsafe.primary, SECURITY: m.failsafe.security };
    }
  }
  if (distroId === 'ubuntu') {
    if (arch === 'amd64' || arch === 'i386') return { PRIMARY: 'http://archive.ubuntu.com/ubuntu/', SECURITY: 'http://security.ubuntu.com/ubuntu/' };
    return { PRIMARY: 'http://ports.ubuntu.com/ubuntu-ports', SECURITY: 'http://ports.ubuntu.com/ubuntu-ports' };
  }
  return { PRIMARY: 'https://deb.debian.org/debian', SECURITY: 'https://deb.debian.org/debian-security' };
}

/**
 * cloud-init's "basic" template: `$NAME` and `${NAME}` replaced by their value. A name
 * with no value is an error naming it, as in cloud-init.
 */
export function renderBasic(text: string, params: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z0-9_.]+)\}|\$([A-Za-z0-9_.]+)/g, (_m, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b) as string;
    const v = params[name];
    if (v === undefined) throw new Error(`the template names $${name}, which has no value (known: ${Object.keys(params).join(', ')})`);
    return v;
  });
}

/** Whether rendered sources are deb822 stanzas (a Types/URIs/Suites/Components field at a line start). */
export function isDeb822(text: string): boolean {
  return /^(Types|URIs|Suites|Components):/m.test(text);
}

const KNOWN_SUITES: Record<string, string> = { updates: '$RELEASE-updates', backports: '$RELEASE-backports', security: '$RELEASE-security', proposed: '$RELEASE-proposed', release: '$RELEASE' };

/** A disable_suites name as the suite it means for this release. */
export function suiteName(s: string, release: string): string {
  return renderBasic(KNOWN_SUITES[s] ?? s, { RELEASE: release });
}

/** One-line sources with the given suites commented out (pure). */
export function disableSuitesList(src: string, suites: readonly string[]): string {
  return src
    .split(/(?<=\n)/)
    .map((line) => {
      if (line.startsWith('#')) return line;
      const cols = line.split(/\s+/).filter(Boolean);
      if (cols.length < 2) return line;
      let p = 2;
      if ((cols[1] as string).startsWith('[')) {
        for (const c of cols.slice(1)) {
          p++;
          if (c.endsWith(']')) break;
        }
      }
      return suites.includes(cols[p] ?? '') ? `# suite disabled by cloud-init: ${line}` : line;
    })
    .join('');
}

/** deb822 stanzas with the given suites taken out of `Suites:`; a stanza left with none is commented out whole (pure). */
export function disableSuitesDeb822(src: string, suites: readonly string[]): string {
  const stanzas = src.split(/\n(?=\n)/);
  return stanzas
    .map((st) => {
      const m = /^Suites:[ \t]*(.*)$/m.exec(st);
      if (m === null) return st;
      const all = (m[1] as string).split(/\s+/).filter(Boolean);
      const kept = all.filter((s) => !suites.includes(s));
      if (kept.length === all.length) return st;
      if (kept.length > 0) return st.replace(/^Suites:.*$/m, `Suites: ${kept.join(' ')}`);
      const lines = st.split('\n');
      const first = lines.findIndex((l) => l !== '' && !l.startsWith('#'));
      return lines.map((l, i) => (l === '' || l.startsWith('#') ? l : `${i === first ? '## Entry disabled by cloud-init, due to disable_suites\n' : ''}# disabled by cloud-init: ${l}`)).join('\n');
    })
    .join('\n');
}

/** The proxy conf text for the proxy keys set, or null when none is (pure). Values are checked URIs. */
export function proxyConf(cfg: Record<string, unknown>): string | null {
  const lines: string[] = [];
  for (const [key, scheme] of [
    ['proxy', 'http'],
    ['http_proxy', 'http'],
    ['ftp_proxy', 'ftp'],
    ['https_proxy', 'https'],
  ] as const) {
    const v = cfg[key];
    if (v === undefined || v === null || v === '' || v === false) continue;
    lines.push(`Acquire::${scheme}::Proxy "${String(v)}";`);
  }
  return lines.length === 0 ? null : `${lines.join('\n')}\n`;
}

/**
 * An ASCII-armored OpenPGP key as the binary packets (what `gpg --dearmor` writes), or
 * why it is not one. The armor's checksum line is left out; the body is base64.
 */
export function dearmor(text: string): { bytes: Uint8Array } | { problem: string } {
  const lines = text.replace(/\r/g, '').split('\n');
  const begin = lines.findIndex((l) => /^-----BEGIN PGP (PUBLIC KEY BLOCK|PRIVATE KEY BLOCK|SIGNATURE|MESSAGE)-----\s*$/.test(l.trim()));
  if (begin < 0) return { problem: 'not an ASCII-armored OpenPGP key (no "-----BEGIN PGP PUBLIC KEY BLOCK-----" line)' };
  const end = lines.findIndex((l, i) => i > begin && /^-----END PGP /.test(l.trim()));
  if (end < 0) return { problem: 'the armored key has no "-----END PGP" line' };
  let i = begin + 1;
  // Armor headers (Version:, Comment:) end at the first blank line, when there are any.
  if (lines.slice(i, end).some((l) => l.trim() === '') && /^[A-Za-z-]+: /.test((lines[i] ?? '').trim())) {
    while (i < end && (lines[i] as string).trim() !== '') i++;
  }
  const body = lines
    .slice(i, end)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^=[A-Za-z0-9+/]{4}$/.test(l))
    .join('');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length === 0) return { problem: 'the armored key body is not base64' };
  return { bytes: new Uint8Array(Buffer.from(body, 'base64')) };
}

/** A sources entry's file path as cloud-init makes it: under sources.list.d unless absolute, ending in .list. */
export function sourceFile(name: string): string {
  let f = name.startsWith('/') ? name : `${APT_SOURCES_DIR}${name}`;
  if (!f.endsWith('.list')) f += '.list';
  return f;
}

/** Why a sources entry name or filename cannot name a file, or null. */
export function fileNameProblem(name: string): string | null {
  if (name === '' || lineProblem(name) !== null) return 'it is empty or holds a control character';
  if (name.split('/').some((p) => p === '..')) return 'it must not contain ".."';
  return null;
}
