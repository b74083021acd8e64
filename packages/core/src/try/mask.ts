// Secrets kept out of the plan unless --show-secrets: password hashes (shadow files,
// `$6$...` anywhere), values of keys named like a password, secret or token, and the
// bodies of private keys. What is masked keeps its shape (the key, the user, the PEM
// header), so the plan still says *that* a secret is set, and where. Pure.

export const MASK = '<masked>';

const PEM = /(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----)/g;
const CRYPT = /\$(?:1|2[abxy]?|5|6|y|gy|7|sha1|md5)\$[^\s:'",]+/g;
// key: value, key = value, key="value", "key": "value" (YAML, INI, shell, JSON).
const SECRET_KEY = /^(\s*(?:-\s+)?["']?[\w.-]*(?:passw(?:or)?d|passwd|secret|token|api[_-]?key|private[_-]?key|credential)[\w.-]*["']?\s*[:=]\s*)(?!\s*$)(?!\|\s*$)(?!>\s*$)(.+)$/gim;
// user:password lines of a chpasswd list.
const SHADOW_FIELD = /^([^:\n]+):([^:\n]*)(:.*)?$/gm;

function maskShadow(text: string): string {
  return text.replace(SHADOW_FIELD, (line, user: string, pw: string, rest: string | undefined) => {
    if (rest === undefined) return line;
    // Locked, empty and "no password" markers say nothing secret; keep them.
    if (pw === '' || /^[!*x]+$/.test(pw)) return line;
    const lock = pw.startsWith('!') ? '!' : '';
    return `${user}:${lock}${MASK}${rest}`;
  });
}

/** `text` with every secret replaced by <masked>. `path` picks the shadow-file rule. */
export function maskSecrets(text: string, path = ''): string {
  let out = text;
  if (/(^|\/)g?shadow-?$/.test(path)) out = maskShadow(out);
  out = out.replace(PEM, (_m, begin: string, end: string) => `${begin}\n${MASK}\n${end}`);
  out = out.replace(SECRET_KEY, (_m, key: string, value: string) => `${key}${value.startsWith('"') ? `"${MASK}"` : value.startsWith("'") ? `'${MASK}'` : MASK}`);
  out = out.replace(CRYPT, MASK);
  return out;
}

/** An argv with hashes and `--password X` style values masked. */
export function maskArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const prev = argv[i - 1];
    if (i > 0 && prev !== undefined && /^(-p|--password|--passwd|--token)$/.test(prev)) out.push(MASK);
    else out.push(maskSecrets(a));
  }
  return out;
}
