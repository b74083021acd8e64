// KEY=value files that shells source (/etc/sysconfig/clock, /etc/locale.conf,
// /etc/default/keyboard): read one variable, or set some and keep every other line.
// The callers validate values to a safe alphabet first; the quoting here is a second
// guard so that a value can never end the assignment and start a command.

/** The value of `key` in a KEY=value text, quotes removed; null when it is not set (pure). */
export function readShellVar(text: string | null, key: string): string | null {
  if (text === null) return null;
  let found: string | null = null;
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m || m[1] !== key) continue;
    let v = (m[2] as string).trim();
    const q = /^"((?:[^"\\]|\\.)*)"\s*(?:#.*)?$/.exec(v) ?? /^'([^']*)'\s*(?:#.*)?$/.exec(v);
    if (q) v = (q[1] as string).replace(/\\(.)/g, '$1');
    else v = v.replace(/\s+#.*$/, '').trim();
    found = v;
  }
  return found === '' ? null : found;
}

/** A value as a shell word: bare when it is only safe characters, else single-quoted (pure). */
export function shellWord(v: string): string {
  if (/^[A-Za-z0-9_.:@%+=,/-]+$/.test(v)) return v;
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/**
 * The text with each `vars` entry set: an existing assignment replaced in place, a new
 * one appended, the other lines kept. `quote` says how a value is written: `bare` as a
 * shell word, `double` in double quotes (as cloud-init writes ZONE="...").
 */
export function setShellVars(text: string | null, vars: Record<string, string>, opts: { header?: string; quote?: 'bare' | 'double' } = {}): string {
  const render = (v: string) => (opts.quote === 'double' && /^[^"\\$`\n]*$/.test(v) ? `"${v}"` : shellWord(v));
  const lines = text === null ? (opts.header !== undefined ? [opts.header] : []) : text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const left = new Map(Object.entries(vars));
  const out = lines.map((l) => {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=/.exec(l);
    const key = m?.[1];
    if (key === undefined || !left.has(key)) return l;
    const v = left.get(key) as string;
    left.delete(key);
    return `${key}=${render(v)}`;
  });
  for (const [k, v] of left) out.push(`${k}=${render(v)}`);
  return out.join('\n') + '\n';
}
