// `## template: jinja` user-data parts, rendered with the instance's data the way
// cloud-init renders them (Jinja with trim_blocks, a trailing newline kept, instance
// data keys reachable as v1.*, ds.* and by their top-level v1 aliases). The language is
// the part templates use: {{ }}, {% if/elif/else %}, {% for %}, {% set %}, {# #},
// whitespace control with '-', a few filters and tests. Anything else, and any
// undefined variable, is a JinjaError naming the line: cloud-init prints
// "CI_MISSING_JINJA_VAR/<name>" into the config instead and carries on.
import { ExprError, ExprParser, JinjaError, Undefined, evaluate, isMapping, parseExpr, pyStr, truthy, type Expr, type Value } from './jinja-expr.js';

export { JinjaError } from './jinja-expr.js';

type Node =
  | { k: 'text'; v: string }
  | { k: 'out'; e: Expr; line: number }
  | { k: 'if'; branches: Array<{ cond: Expr; body: Node[]; line: number }>; orelse: Node[] }
  | { k: 'for'; names: string[]; iter: Expr; body: Node[]; orelse: Node[]; line: number }
  | { k: 'set'; name: string; e: Expr; line: number };

interface Tag {
  kind: 'out' | 'tag' | 'comment';
  body: string;
  line: number;
}
type Token = { k: 'text'; v: string } | ({ k: 'tag' } & Tag);

const HEADER = /^##\s*template:\s*jinja\s*$/i;

function lineOf(src: string, offset: number, base: number): number {
  let n = base;
  for (let i = 0; i < offset; i++) if (src.charCodeAt(i) === 10) n++;
  return n;
}

/** Finds the end of a tag starting at `from`, skipping quoted strings; -1 when unterminated. */
function findClose(src: string, from: number, close: string): number {
  let quote = '';
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (src.startsWith(close, i)) return i;
  }
  return -1;
}

function lex(src: string, file: string, firstLine: number): Token[] {
  const out: Token[] = [];
  let i = 0;
  let lstripNext = false;
  while (i <= src.length) {
    const open = /\{\{|\{%|\{#/g;
    open.lastIndex = i;
    const m = open.exec(src);
    let text = src.slice(i, m ? m.index : src.length);
    if (lstripNext) text = text.replace(/^\s+/, '');
    lstripNext = false;
    if (!m) {
      if (text) out.push({ k: 'text', v: text });
      break;
    }
    const line = lineOf(src, m.index, firstLine);
    const kind = m[0] === '{{' ? 'out' : m[0] === '{%' ? 'tag' : 'comment';
    const closeStr = kind === 'out' ? '}}' : kind === 'tag' ? '%}' : '#}';
    let start = m.index + 2;
    if (src[start] === '-') {
      text = text.replace(/\s+$/, '');
      start++;
    } else if (src[start] === '+' && kind !== 'out') start++;
    if (text) out.push({ k: 'text', v: text });
    const end = kind === 'comment' ? src.indexOf('#}', start) : findClose(src, start, closeStr);
    if (end < 0) throw new JinjaError(file, line, `"${m[0]}" is never closed with "${closeStr}"`);
    let body = src.slice(start, end);
    if (body.endsWith('-')) {
      body = body.slice(0, -1);
      lstripNext = true;
    } else if (body.endsWith('+')) body = body.slice(0, -1);
    i = end + 2;
    // trim_blocks: the newline right after a block tag or comment is not output.
    if (!lstripNext && kind !== 'out' && src[i] === '\n') i++;
    if (kind !== 'comment') out.push({ k: 'tag', kind, body: body.trim(), line });
  }
  return out;
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private toks: Token[],
    private file: string,
  ) {}

  private err(line: number, reason: string): JinjaError {
    return new JinjaError(this.file, line, reason);
  }

  private expr(src: string, line: number): Expr {
    try {
      return parseExpr(src);
    } catch (e) {
      if (e instanceof ExprError) throw this.err(line, e.message);
      throw e;
    }
  }

  /** Parses nodes until one of `stops` (a block keyword) or the end; returns the stop met. */
  nodes(stops: readonly string[], opener: Tag | null): { body: Node[]; stop: (Tag & { word: string; rest: string }) | null } {
    const body: Node[] = [];
    while (this.i < this.toks.length) {
      const t = this.toks[this.i++] as Token;
      if (t.k === 'text') {
        body.push({ k: 'text', v: t.v });
        continue;
      }
      if (t.kind === 'out') {
        body.push({ k: 'out', e: this.expr(t.body, t.line), line: t.line });
        continue;
      }
      const word = /^[A-Za-z_]+/.exec(t.body)?.[0] ?? '';
      const rest = t.body.slice(word.length).trim();
      if (stops.includes(word)) return { body, stop: { ...t, word, rest } };
      body.push(this.block(t, word, rest));
    }
    if (opener)
      throw this.err(
        opener.line,
        `{% ${opener.body} %} is never closed (expected ${stops
          .filter((s) => s.startsWith('end'))
          .map((s) => `{% ${s} %}`)
          .join(' or ')})`,
      );
    return { body, stop: null };
  }

  private block(t: Tag, word: string, rest: string): Node {
    if (this.depth >= 100) throw this.err(t.line, 'blocks nested more than 100 levels deep');
    this.depth++;
    try {
      return this.blockBody(t, word, rest);
    } finally {
      this.depth--;
    }
  }

  private blockBody(t: Tag, word: string, rest: string): Node {
    switch (word) {
      case 'if': {
        const branches: Array<{ cond: Expr; body: Node[]; line: number }> = [];
        let cond = this.expr(rest, t.line);
        let line = t.line;
        for (;;) {
          const { body, stop } = this.nodes(['elif', 'else', 'endif'], t);
          branches.push({ cond, body, line });
          const s = stop as NonNullable<typeof stop>;
          if (s.word === 'elif') {
            cond = this.expr(s.rest, s.line);
            line = s.line;
            continue;
          }
          if (s.word === 'else') {
            if (s.rest) throw this.err(s.line, `unexpected "${s.rest}" after else`);
            const tail = this.nodes(['endif'], t);
            return { k: 'if', branches, orelse: tail.body };
          }
          return { k: 'if', branches, orelse: [] };
        }
      }
      case 'for': {
        const m = /^([A-Za-z_][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*)\s+in\s+([\s\S]+)$/.exec(rest);
        if (!m) throw this.err(t.line, `expected {% for NAME in EXPRESSION %}, found {% ${t.body} %}`);
        const p = new ExprParser(m[2] as string);
        let iter: Expr;
        try {
          iter = p.expr();
          if (p.isName('if') || p.isName('recursive')) throw new ExprError(`not supported: "for ... ${p.peek()?.v}"`);
          p.end();
        } catch (e) {
          if (e instanceof ExprError) throw this.err(t.line, e.message);
          throw e;
        }
        const names = (m[1] as string).split(',').map((s) => s.trim());
        const { body, stop } = this.nodes(['else', 'endfor'], t);
        let orelse: Node[] = [];
        if (stop?.word === 'else') orelse = this.nodes(['endfor'], t).body;
        return { k: 'for', names, iter, body, orelse, line: t.line };
      }
      case 'set': {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=([\s\S]+)$/.exec(rest);
        if (!m) throw this.err(t.line, `expected {% set NAME = EXPRESSION %}, found {% ${t.body} %}`);
        return { k: 'set', name: m[1] as string, e: this.expr(m[2] as string, t.line), line: t.line };
      }
      case 'elif':
      case 'else':
      case 'endif':
      case 'endfor':
        throw this.err(t.line, `{% ${word} %} without a matching {% ${word === 'endfor' ? 'for' : 'if'} %}`);
      default:
        throw this.err(t.line, `not supported: {% ${word || t.body} %} (supported: if, elif, else, endif, for, endfor, set)`);
    }
  }
}

class Scope {
  private vars = new Map<string, Value>();
  constructor(
    private parent: Scope | null,
    private root: Record<string, Value>,
  ) {}
  get(name: string): Value {
    for (let s: Scope | null = this; s; s = s.parent) if (s.vars.has(name)) return s.vars.get(name);
    return Object.hasOwn(this.root, name) ? this.root[name] : new Undefined(name);
  }
  set(name: string, v: Value): void {
    this.vars.set(name, v);
  }
  child(): Scope {
    return new Scope(this, this.root);
  }
}

function run(nodes: Node[], scope: Scope, file: string, out: string[]): void {
  const ev = (e: Expr, line: number): Value => {
    try {
      return evaluate(e, (n) => scope.get(n));
    } catch (err) {
      if (err instanceof ExprError) throw new JinjaError(file, line, err.message);
      throw err;
    }
  };
  const guard = <T>(line: number, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof ExprError) throw new JinjaError(file, line, err.message);
      throw err;
    }
  };
  for (const n of nodes) {
    switch (n.k) {
      case 'text':
        out.push(n.v);
        break;
      case 'out': {
        const v = ev(n.e, n.line);
        out.push(guard(n.line, () => pyStr(v)));
        break;
      }
      case 'set':
        scope.set(n.name, ev(n.e, n.line));
        break;
      case 'if': {
        const hit = n.branches.find((b) => {
          const v = ev(b.cond, b.line);
          return guard(b.line, () => truthy(v));
        });
        run(hit ? hit.body : n.orelse, scope, file, out);
        break;
      }
      case 'for': {
        const v = ev(n.iter, n.line);
        const items = guard(n.line, (): Value[] => {
          if (v instanceof Undefined) pyStr(v);
          if (Array.isArray(v)) return v;
          if (isMapping(v)) return Object.keys(v);
          if (typeof v === 'string') return [...v];
          throw new ExprError(`cannot loop over ${v === null ? 'none' : typeof v}`);
        });
        if (items.length === 0) run(n.orelse, scope, file, out);
        items.forEach((item, idx) => {
          const s = scope.child();
          if (n.names.length === 1) s.set(n.names[0] as string, item);
          else {
            if (!Array.isArray(item) || item.length !== n.names.length) throw new JinjaError(file, n.line, `cannot unpack ${pyStr(item)} into ${n.names.join(', ')}`);
            n.names.forEach((name, k) => s.set(name, item[k]));
          }
          s.set('loop', { index: idx + 1, index0: idx, first: idx === 0, last: idx === items.length - 1, length: items.length, revindex: items.length - idx, revindex0: items.length - idx - 1 });
          run(n.body, s, file, out);
        });
        break;
      }
    }
  }
}

/**
 * Renders template text (without the header line). `firstLine` is the line number of
 * the text's first line in `file`, for errors. Line endings come out as "\n", and a
 * trailing newline is kept, as cloud-init's rendering does.
 */
export function renderJinja(template: string, vars: Record<string, unknown>, file = 'template', firstLine = 1): string {
  const src = template.replace(/\r\n?/g, '\n');
  const body = src.endsWith('\n') ? src.slice(0, -1) : src;
  const nodes = new Parser(lex(body, file, firstLine), file).nodes([], null).body;
  const out: string[] = [];
  run(nodes, new Scope(null, vars), file, out);
  return out.join('') + (template.endsWith('\n') ? '\n' : '');
}

/** Whether text starts with the `## template: jinja` header line. */
export function isJinjaTemplate(text: string): boolean {
  return HEADER.test(text.split('\n', 1)[0] ?? '');
}

/**
 * Renders a `## template: jinja` part: the header line is dropped and the rest rendered
 * with `vars` (see jinjaVariables). Throws JinjaError, with lines counted in the part.
 */
export function renderJinjaPart(payload: string, vars: Record<string, unknown>, file = 'user-data'): string {
  const nl = payload.indexOf('\n');
  const header = nl < 0 ? payload : payload.slice(0, nl);
  if (!HEADER.test(header)) throw new JinjaError(file, 1, `expected "## template: jinja" as the first line, found ${JSON.stringify(header.slice(0, 40))}`);
  return renderJinja(nl < 0 ? '' : payload.slice(nl + 1), vars, file, 2);
}

// The characters Jinja reads as operators; a key holding one gets an alias with '_'
// instead (ds.meta_data.availability_zone for "availability-zone").
const OPERATOR = /\/\/|\*\*|==|!=|>=|<=|[+\-/*%~[\](){}=.:|,;<>]/g;

function decodeB64(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const b = Buffer.from(v, 'base64');
  const s = b.toString('utf8');
  return Buffer.from(s, 'utf8').equals(b) ? s : new Uint8Array(b);
}

function convert(data: Record<string, unknown>, prefix: string, decode: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (k: string, v: unknown): void => {
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  };
  for (const key of Object.keys(data).sort()) {
    const path = prefix ? `${prefix}/${key}` : key;
    let value = data[key];
    if (decode.includes(path)) value = decodeB64(value);
    if (isMapping(value)) {
      const sub = convert(value as Record<string, unknown>, path, decode);
      put(key, sub);
      // v1 (and any vN) keys are also reachable at the top level.
      if (/^v\d+$/.test(key)) for (const [k, v] of Object.entries(sub)) put(k, structuredClone(v));
    } else put(key, value);
    const alias = key.replace(OPERATOR, '_');
    if (alias !== key) put(alias, structuredClone(out[key]));
  }
  return out;
}

/**
 * The variables a template sees, from instance-data.json (the sensitive one): keys with
 * '-' or '.' also under '_' names, v1.* also at the top level, and the keys listed in
 * base64_encoded_keys decoded.
 */
export function jinjaVariables(instanceData: Record<string, unknown>): Record<string, unknown> {
  const listed = instanceData['base64_encoded_keys'] ?? instanceData['base64-encoded-keys'];
  const decode = Array.isArray(listed) ? listed.filter((x): x is string => typeof x === 'string').map((p) => p.replace(/-/g, '_')) : [];
  return convert(instanceData, '', decode);
}
