// Validation of the names that metadata and user-data put into files and argv: user
// and group names, host names, absolute paths. Anything that fails is refused before
// it reaches a command line or a configuration file.

/** useradd's portable rule: letters, digits, _ . -, not starting with - or a digit-only name, at most 32. */
export function isValidUserName(name: unknown): name is string {
  return typeof name === 'string' && /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/.test(name) && !/^\d+$/.test(name);
}

export const isValidGroupName = isValidUserName;

/** One DNS label: 1-63 of letters, digits and -, not starting or ending with -. */
function isLabel(s: string): boolean {
  return /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(s);
}

/** Why `name` is not a usable host name (RFC 1123, at most 253 characters, no trailing dot), or null when it is. */
export function hostnameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return `expected a string, got ${name === null ? 'null' : typeof name}`;
  if (name === '') return 'it is empty';
  if (name.length > 253) return `it is ${name.length} characters long (at most 253)`;
  const labels = name.replace(/\.$/, '').split('.');
  const bad = labels.find((l) => !isLabel(l));
  if (bad !== undefined) return `${JSON.stringify(bad)} is not a valid label (letters, digits and '-', 1 to 63 characters, not starting or ending with '-')`;
  if (/^\d+$/.test(labels[labels.length - 1] as string) && labels.length > 1) return 'its last label is all digits (that is an IP address, not a host name)';
  return null;
}

/** The kernel keeps at most 64 characters of host name. */
export const MAX_KERNEL_HOSTNAME = 64;

/** An absolute, normalised path without NUL or newline (it lands in files such as fstab). */
export function pathProblem(p: unknown): string | null {
  if (typeof p !== 'string' || p === '') return 'expected a non-empty path';
  if (!p.startsWith('/')) return `${JSON.stringify(p)} is not an absolute path`;
  if (/[\0\n\r]/.test(p)) return `${JSON.stringify(p)} contains a control character`;
  if (p.split('/').some((c) => c === '..')) return `${JSON.stringify(p)} contains '..'`;
  return null;
}

/** A word that may stand in a whitespace-separated file (fstab, resolv.conf): no blanks, no control characters. */
export function isPlainWord(s: unknown): s is string {
  return typeof s === 'string' && s !== '' && !/[\s\0#]/.test(s);
}

export function quoteJson(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}
