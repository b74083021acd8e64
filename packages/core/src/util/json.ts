// JSON.parse with errors that name the file, line and column instead of a byte offset.
// The position and reason come from our own scan of the text, not from V8's message:
// V8 gives no position for an unexpected token, and it quotes the input, which must not
// reach a log (metadata holds passwords and credentials).

export class JsonError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly col: number | null,
    readonly reason: string,
  ) {
    super(`${file}${line !== null ? ` line ${line} col ${col}` : ''}: ${reason}`);
  }
}

/**
 * How deep JSON may nest, as the YAML loader bounds YAML: V8's JSON.parse takes any depth,
 * but the code that walks the value afterwards (merging, copying, instance-data) recurses,
 * and 3,000 levels of metadata would end the boot with a stack overflow.
 */
export const MAX_JSON_DEPTH = 200;

/**
 * Where JSON text first opens a container deeper than `max` (the offset of that bracket),
 * or null. Brackets inside strings do not count. Only text JSON.parse accepted is given.
 */
export function jsonTooDeepAt(text: string, max = MAX_JSON_DEPTH): number | null {
  if (text.length <= max * 2) return null;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return null;
}

/** Line and column (1-based) of an offset. */
export function lineColAt(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, col: offset - before.lastIndexOf('\n') };
}

/** The depth problem of JSON text, as a reason naming line and column, or null. */
export function jsonDepthProblem(text: string, max = MAX_JSON_DEPTH): { line: number; col: number; reason: string } | null {
  const at = jsonTooDeepAt(text, max);
  if (at === null) return null;
  return { ...lineColAt(text, at), reason: `nested more than ${max} levels deep (the limit for JSON input)` };
}

export function parseJson(text: string, file: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const { offset, reason } = jsonErrorAt(text);
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const col = offset - before.lastIndexOf('\n');
    throw new JsonError(file, line, col, `not valid JSON: ${reason}`);
  }
  const deep = jsonDepthProblem(text);
  if (deep !== null) throw new JsonError(file, deep.line, deep.col, deep.reason);
  return value;
}

function describe(text: string, i: number): string {
  if (i >= text.length) return 'end of input';
  const c = text.codePointAt(i) as number;
  return c >= 0x20 && c < 0x7f ? `'${String.fromCodePoint(c)}'` : `character U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Where JSON text first goes wrong (RFC 8259): the offset and what was expected there.
 * Iterative, so deep nesting cannot overflow the stack. Only called on text JSON.parse refused.
 */
export function jsonErrorAt(text: string): { offset: number; reason: string } {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = (expected: string) => ({ offset: i, reason: `expected ${expected}, found ${describe(text, i)}` });
  // Stack of open containers: '[' or '{'. `want` is what the grammar needs next.
  const stack: string[] = [];
  type Want = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'end';
  let want: Want = 'value';
  for (;;) {
    ws();
    const c = text[i];
    if (want === 'end') {
      if (i >= text.length) return { offset: i, reason: 'JSON.parse refused the text' };
      return fail('end of input');
    }
    if (want === 'colon') {
      if (c !== ':') return fail("':'");
      i++;
      want = 'value';
      continue;
    }
    if (want === 'comma-or-close') {
      const top = stack[stack.length - 1];
      if (c === ',') {
        i++;
        want = top === '{' ? 'key' : 'value';
        continue;
      }
      if ((top === '[' && c === ']') || (top === '{' && c === '}')) {
        i++;
        stack.pop();
        want = stack.length === 0 ? 'end' : 'comma-or-close';
        continue;
      }
      return fail(top === '[' ? "',' or ']'" : "',' or '}'");
    }
    if (want === 'key' || want === 'key-or-close') {
      if (want === 'key-or-close' && c === '}') {
        i++;
        stack.pop();
        want = stack.length === 0 ? 'end' : 'comma-or-close';
        continue;
      }
      if (c !== '"') return fail(want === 'key' ? 'a double-quoted property name' : "a double-quoted property name or '}'");
      const bad = scanString();
      if (bad !== null) return bad;
      want = 'colon';
      continue;
    }
    // A value.
    if (want === 'value-or-close' && c === ']') {
      i++;
      stack.pop();
      want = stack.length === 0 ? 'end' : 'comma-or-close';
      continue;
    }
    if (c === '[' || c === '{') {
      stack.push(c);
      i++;
      want = c === '[' ? 'value-or-close' : 'key-or-close';
      continue;
    }
    if (c === '"') {
      const bad = scanString();
      if (bad !== null) return bad;
    } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 4096));
      if (m === null || m[0] === '-') {
        i += c === '-' ? 1 : 0;
        return fail('a digit');
      }
      i += m[0].length;
      if (text[i] === '.' || text[i] === 'e' || text[i] === 'E') {
        i++;
        return fail('a digit');
      }
    } else {
      const lit = ['true', 'false', 'null'].find((l) => text.startsWith(l, i));
      if (lit === undefined) {
        const partial = ['true', 'false', 'null'].find((l) => c !== undefined && l.startsWith(c));
        if (partial !== undefined) {
          let k = 0;
          while (i + k < text.length && k < partial.length && text[i + k] === partial[k]) k++;
          i += k;
          return fail(`'${partial}'`);
        }
        return fail(want === 'value-or-close' ? "a value or ']'" : 'a value');
      }
      i += lit.length;
    }
    want = stack.length === 0 ? 'end' : 'comma-or-close';
  }

  function scanString(): { offset: number; reason: string } | null {
    i++; // opening quote
    while (i < text.length) {
      const ch = text.charCodeAt(i);
      if (ch === 0x22) {
        i++;
        return null;
      }
      if (ch < 0x20) return { offset: i, reason: `control character U+${ch.toString(16).toUpperCase().padStart(4, '0')} in a string` };
      if (ch === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i += 2;
            return { offset: i, reason: 'bad \\u escape: expected 4 hex digits' };
          }
          i += 6;
          continue;
        }
        if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
          continue;
        }
        i++;
        return { offset: i, reason: e === undefined ? 'unterminated string' : `bad escape \\${describe(text, i).replace(/^'|'$/g, '')}` };
      }
      i++;
    }
    return { offset: i, reason: 'unterminated string' };
  }
}
