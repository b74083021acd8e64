// OpenNebula's context.sh, read as data. OpenNebula writes it as shell variable
// assignments (`ETH0_IP='10.0.0.5'`) and cloud-init runs it through `sh` to learn them;
// nimbus never runs it: it parses the assignment subset of shell (single and double
// quotes, backslash escapes, `export`, comments) and refuses anything else (commands,
// `$` expansions, backquotes) with the line and column, so a context disk can never
// make the machine run code.

/** A context.sh that is not plain assignments; the message has file:line:col. */
export class ContextError extends Error {}

/** Shell-internal names cloud-init leaves out of the context even when assigned. */
const EXCLUDED = new Set(['EPOCHREALTIME', 'EPOCHSECONDS', 'RANDOM', 'LINENO', 'SECONDS', '_', 'SRANDOM', '__v']);

/** The variables context.sh assigns, in order (a later assignment wins). */
export function parseContext(text: string, source: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const pos = (at: number): string => {
    const before = text.slice(0, at);
    return `${source}:${before.split('\n').length}:${at - before.lastIndexOf('\n')}`;
  };
  const fail = (at: number, what: string): never => {
    throw new ContextError(`${pos(at)}: ${what} (context.sh is read as variable assignments, never run)`);
  };
  const isBlank = (c: string | undefined) => c === ' ' || c === '\t';
  while (i < text.length) {
    const c = text[i];
    if (isBlank(c) || c === '\n' || c === '\r' || c === ';') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (text.startsWith('export', i) && isBlank(text[i + 6])) {
      i += 6;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*=/.exec(text.slice(i, i + 256));
    if (!m) fail(i, 'expected NAME=value');
    const name = (m as RegExpExecArray)[0].slice(0, -1);
    i += (m as RegExpExecArray)[0].length;
    let value = '';
    for (;;) {
      const ch = text[i];
      if (ch === undefined || isBlank(ch) || ch === '\n' || ch === '\r' || ch === ';') break;
      if (ch === "'") {
        const end = text.indexOf("'", i + 1);
        if (end < 0) fail(i, 'a single quote that is never closed');
        value += text.slice(i + 1, end);
        i = end + 1;
      } else if (ch === '"') {
        const start = i;
        i++;
        for (;;) {
          const d = text[i];
          if (d === undefined) fail(start, 'a double quote that is never closed');
          if (d === '"') break;
          if (d === '$' || d === '`') fail(i, `"${d}" inside double quotes (an expansion) is not supported`);
          if (d === '\\' && ['$', '`', '"', '\\', '\n'].includes(text[i + 1] ?? '')) {
            if (text[i + 1] !== '\n') value += text[i + 1];
            i += 2;
            continue;
          }
          value += d;
          i++;
        }
        i++;
      } else if (ch === '\\') {
        if (text[i + 1] !== '\n' && text[i + 1] !== undefined) value += text[i + 1];
        i += 2;
      } else if ('$`()&|<>{}'.includes(ch)) {
        fail(i, `"${ch}" outside quotes is not supported`);
      } else {
        value += ch;
        i++;
      }
    }
    if (!EXCLUDED.has(name)) out.set(name, value);
  }
  return out;
}
