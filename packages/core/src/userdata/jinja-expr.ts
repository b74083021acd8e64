// Expressions inside {{ }} and {% %} of a jinja user-data template: the part of Jinja's
// language cloud-config templates use. Values behave as Python's do (truthiness,
// equality, str()). An undefined variable is a value that errors as soon as it is used,
// except under `is defined` / `is undefined` and the `default` filter, so a typo in a
// key name is reported instead of rendered as an empty or marker string.

export class JinjaError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

/** A variable or key that does not exist, named by the path that led to it. */
export class Undefined {
  constructor(readonly name: string) {}
}

export type Value = unknown;

type Tok = { t: 'name' | 'str' | 'num' | 'op'; v: string; n?: number };

export type Expr =
  | { k: 'lit'; v: Value }
  | { k: 'name'; name: string }
  | { k: 'list'; items: Expr[] }
  | { k: 'attr'; obj: Expr; name: string }
  | { k: 'item'; obj: Expr; key: Expr }
  | { k: 'call'; obj: Expr; method: string; args: Expr[] }
  | { k: 'filter'; arg: Expr; name: string; args: Expr[] }
  | { k: 'test'; arg: Expr; name: string; negate: boolean }
  | { k: 'un'; op: 'not' | '-'; arg: Expr }
  | { k: 'bin'; op: string; l: Expr; r: Expr };

/** Thrown while reading or evaluating an expression; the template adds file and line. */
export class ExprError extends Error {}

const OPS = ['==', '!=', '<=', '>=', '//', '**', '<', '>', '(', ')', '[', ']', '{', '}', '.', ',', '|', '~', '+', '-', '*', '/', '%', ':', '='];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    let m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (m) {
      out.push({ t: 'name', v: m[0] });
      i += m[0].length;
      continue;
    }
    m = /^\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d+)?/.exec(rest);
    if (m) {
      out.push({ t: 'num', v: m[0], n: Number(m[0].replace(/_/g, '')) });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) {
          const e = src[j + 1] as string;
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
          j += 2;
        } else s += src[j++];
      }
      if (j >= src.length) throw new ExprError(`unterminated string starting ${rest.slice(0, 12)}`);
      out.push({ t: 'str', v: s });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => rest.startsWith(o));
    if (!op) throw new ExprError(`unexpected character ${JSON.stringify(c)}`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  return out;
}

const NOT_SUPPORTED_OPS = new Set(['*', '/', '//', '%', '**', '{', '}', ':', '=']);

/** Reads one expression from `src`; with `stopAt`, also returns where it stopped. */
export class ExprParser {
  private toks: Tok[];
  private i = 0;
  private depth = 0;
  constructor(src: string) {
    this.toks = tokenize(src);
  }
  get done(): boolean {
    return this.i >= this.toks.length;
  }
  peek(): Tok | undefined {
    return this.toks[this.i];
  }
  isName(v: string): boolean {
    const t = this.peek();
    return t?.t === 'name' && t.v === v;
  }
  isOp(v: string): boolean {
    const t = this.peek();
    return t?.t === 'op' && t.v === v;
  }
  next(): Tok {
    const t = this.toks[this.i++];
    if (!t) throw new ExprError('the expression ends too early');
    return t;
  }
  expectOp(v: string): void {
    const t = this.next();
    if (t.t !== 'op' || t.v !== v) throw new ExprError(`expected "${v}", found "${t.v}"`);
  }
  name(): string {
    const t = this.next();
    if (t.t !== 'name') throw new ExprError(`expected a name, found "${t.v}"`);
    return t.v;
  }
  end(): void {
    const t = this.peek();
    if (t) throw new ExprError(NOT_SUPPORTED_OPS.has(t.v) ? `not supported: operator "${t.v}"` : `unexpected "${t.v}" after the expression`);
  }

  expr(): Expr {
    if (this.i >= this.toks.length) throw new ExprError('an expression was expected');
    // Bounded so that no input can exhaust the stack.
    if (++this.depth > 100) throw new ExprError('expression nested more than 100 levels deep');
    const e = this.or();
    this.depth--;
    if (this.isName('if')) throw new ExprError('not supported: inline "x if c else y" (use {% if %})');
    return e;
  }
  private or(): Expr {
    let l = this.and();
    while (this.isName('or')) {
      this.i++;
      l = { k: 'bin', op: 'or', l, r: this.and() };
    }
    return l;
  }
  private and(): Expr {
    let l = this.not();
    while (this.isName('and')) {
      this.i++;
      l = { k: 'bin', op: 'and', l, r: this.not() };
    }
    return l;
  }
  private not(): Expr {
    if (this.isName('not')) {
      this.i++;
      if (++this.depth > 100) throw new ExprError('expression nested more than 100 levels deep');
      return { k: 'un', op: 'not', arg: this.not() };
    }
    return this.compare();
  }
  private compare(): Expr {
    let l = this.math();
    let chain: Expr | null = null;
    for (;;) {
      let op: string | null = null;
      const t = this.peek();
      if (t?.t === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(t.v)) op = t.v;
      else if (this.isName('in')) op = 'in';
      else if (this.isName('not') && this.toks[this.i + 1]?.t === 'name' && this.toks[this.i + 1]?.v === 'in') op = 'not in';
      if (op === null) return chain ?? l;
      this.i += op === 'not in' ? 2 : 1;
      const r = this.math();
      // a < b < c is (a < b) and (b < c), as in Python.
      const cmp: Expr = { k: 'bin', op, l, r };
      chain = chain === null ? cmp : { k: 'bin', op: 'and', l: chain, r: cmp };
      l = r;
    }
  }
  private math(): Expr {
    let l = this.concat();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().v;
      l = { k: 'bin', op, l, r: this.concat() };
    }
    return l;
  }
  private concat(): Expr {
    let l = this.unary();
    while (this.isOp('~')) {
      this.i++;
      l = { k: 'bin', op: '~', l, r: this.unary() };
    }
    return l;
  }
  private unary(): Expr {
    if (this.isOp('-')) {
      this.i++;
      if (++this.depth > 100) throw new ExprError('expression nested more than 100 levels deep');
      return { k: 'un', op: '-', arg: this.unary() };
    }
    let e = this.postfix(this.primary());
    for (;;) {
      if (this.isOp('|')) {
        this.i++;
        const name = this.name();
        e = { k: 'filter', arg: e, name, args: this.isOp('(') ? this.args() : [] };
        e = this.postfix(e);
      } else if (this.isName('is')) {
        this.i++;
        const negate = this.isName('not');
        if (negate) this.i++;
        e = { k: 'test', arg: e, name: this.name(), negate };
      } else return e;
    }
  }
  private args(): Expr[] {
    this.expectOp('(');
    const out: Expr[] = [];
    while (!this.isOp(')')) {
      const t = this.peek();
      if (t?.t === 'name' && this.toks[this.i + 1]?.v === '=' && this.toks[this.i + 1]?.t === 'op') throw new ExprError(`not supported: keyword argument ${t.v}=`);
      out.push(this.expr());
      if (!this.isOp(')')) this.expectOp(',');
    }
    this.i++;
    return out;
  }
  private postfix(e: Expr): Expr {
    for (;;) {
      if (this.isOp('.')) {
        this.i++;
        const t = this.next();
        if (t.t === 'name') e = { k: 'attr', obj: e, name: t.v };
        else if (t.t === 'num' && /^\d+$/.test(t.v)) e = { k: 'item', obj: e, key: { k: 'lit', v: t.n } };
        else throw new ExprError(`expected a name after ".", found "${t.v}"`);
        if (this.isOp('(')) {
          const method = (e as { name?: string }).name ?? '';
          e = { k: 'call', obj: (e as { obj: Expr }).obj, method, args: this.args() };
        }
      } else if (this.isOp('[')) {
        this.i++;
        const key = this.expr();
        this.expectOp(']');
        e = { k: 'item', obj: e, key };
      } else if (this.isOp('(')) {
        throw new ExprError('not supported: calling a function');
      } else return e;
    }
  }
  private primary(): Expr {
    const t = this.next();
    if (t.t === 'str') {
      let s = t.v;
      while (this.peek()?.t === 'str') s += this.next().v; // "a" "b" joins, as in Jinja
      return { k: 'lit', v: s };
    }
    if (t.t === 'num') return { k: 'lit', v: t.n };
    if (t.t === 'name') {
      if (t.v === 'true' || t.v === 'True') return { k: 'lit', v: true };
      if (t.v === 'false' || t.v === 'False') return { k: 'lit', v: false };
      if (t.v === 'none' || t.v === 'None') return { k: 'lit', v: null };
      return { k: 'name', name: t.v };
    }
    if (t.v === '(') {
      const e = this.expr();
      this.expectOp(')');
      return e;
    }
    if (t.v === '[') {
      const items: Expr[] = [];
      while (!this.isOp(']')) {
        items.push(this.expr());
        if (!this.isOp(']')) this.expectOp(',');
      }
      this.i++;
      return { k: 'list', items };
    }
    throw new ExprError(NOT_SUPPORTED_OPS.has(t.v) ? `not supported: "${t.v}"` : `unexpected "${t.v}"`);
  }
}

export function isMapping(v: Value): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Undefined) && !(v instanceof Uint8Array);
}

function pyStrRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

function pyNum(n: number): string {
  if (Number.isInteger(n)) return String(n);
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n);
}

function pyRepr(v: Value): string {
  if (typeof v === 'string') return pyStrRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (isMapping(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  return pyStr(v);
}

/** Python's str() of a value, as Jinja prints it. */
export function pyStr(v: Value): string {
  if (v instanceof Undefined) throw new ExprError(`undefined variable "${v.name}" (test it with "is defined" or give "| default(...)")`);
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pyNum(v);
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) throw new ExprError('not supported: printing binary data');
  return pyRepr(v);
}

function defined(v: Value): Value {
  if (v instanceof Undefined) pyStr(v);
  return v;
}

export function truthy(v: Value): boolean {
  v = defined(v);
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMapping(v)) return Object.keys(v).length > 0;
  return true;
}

function pyEq(a: Value, b: Value): boolean {
  if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean')) return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  if (isMapping(a) && isMapping(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && pyEq(a[k], b[k]));
  }
  return a === b;
}

function typeName(v: Value): string {
  if (v === null) return 'none';
  if (Array.isArray(v)) return 'list';
  if (isMapping(v)) return 'mapping';
  return typeof v;
}

function contains(container: Value, item: Value): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw new ExprError(`"in <string>" needs a string on the left, found ${typeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => pyEq(x, item));
  if (isMapping(container)) return typeof item === 'string' && Object.hasOwn(container, item);
  throw new ExprError(`"in" needs a string, list or mapping on the right, found ${typeName(container)}`);
}

function order(op: string, a: Value, b: Value): boolean {
  const num = (x: Value): boolean => typeof x === 'number' || typeof x === 'boolean';
  if (!((num(a) && num(b)) || (typeof a === 'string' && typeof b === 'string'))) throw new ExprError(`cannot compare ${typeName(a)} ${op} ${typeName(b)}`);
  const x = num(a) ? Number(a) : (a as string);
  const y = num(b) ? Number(b) : (b as string);
  return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y;
}

function length(v: Value): number {
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (isMapping(v)) return Object.keys(v).length;
  throw new ExprError(`${typeName(v)} has no length`);
}

function applyFilter(name: string, input: Value, args: Value[]): Value {
  const arity = (min: number, max: number): void => {
    if (args.length < min || args.length > max) throw new ExprError(`filter "${name}" takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`);
  };
  switch (name) {
    case 'default':
    case 'd': {
      arity(0, 2);
      const useIt = input instanceof Undefined || (args[1] !== undefined && truthy(args[1]) && !truthy(input));
      return useIt ? (args[0] ?? '') : input;
    }
    case 'lower':
      arity(0, 0);
      return pyStr(input).toLowerCase();
    case 'upper':
      arity(0, 0);
      return pyStr(input).toUpperCase();
    case 'trim':
      arity(0, 0);
      return pyStr(input).trim();
    case 'string':
      arity(0, 0);
      return pyStr(input);
    case 'length':
    case 'count':
      arity(0, 0);
      return length(defined(input));
    case 'int': {
      arity(0, 1);
      const v = defined(input);
      const n = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : typeof v === 'string' && /^\s*[+-]?\d+(\.\d*)?\s*$/.test(v) ? Number(v) : NaN;
      return Number.isNaN(n) ? (args[0] ?? 0) : Math.trunc(n);
    }
    case 'join': {
      arity(0, 1);
      const v = defined(input);
      if (!Array.isArray(v)) throw new ExprError(`filter "join" needs a list, found ${typeName(v)}`);
      return v.map(pyStr).join(args[0] === undefined ? '' : pyStr(args[0]));
    }
    case 'replace': {
      arity(2, 2);
      return pyStr(input).split(pyStr(args[0])).join(pyStr(args[1]));
    }
    case 'first':
    case 'last': {
      arity(0, 0);
      const v = defined(input);
      if (!Array.isArray(v) && typeof v !== 'string') throw new ExprError(`filter "${name}" needs a list or string, found ${typeName(v)}`);
      const items = typeof v === 'string' ? [...v] : v;
      if (items.length === 0) return new Undefined(`(${name} of an empty ${typeName(v)})`);
      return name === 'first' ? items[0] : items[items.length - 1];
    }
    default:
      throw new ExprError(`not supported: filter "${name}" (supported: default, d, lower, upper, trim, string, length, count, int, join, replace, first, last)`);
  }
}

function applyTest(name: string, v: Value): boolean {
  switch (name) {
    case 'defined':
      return !(v instanceof Undefined);
    case 'undefined':
      return v instanceof Undefined;
    case 'none':
      return defined(v) === null;
    case 'string':
      return typeof defined(v) === 'string';
    case 'number':
      return typeof defined(v) === 'number';
    case 'mapping':
      return isMapping(defined(v));
    default:
      throw new ExprError(`not supported: test "is ${name}" (supported: defined, undefined, none, string, number, mapping)`);
  }
}

function pathOf(e: Expr): string {
  if (e.k === 'name') return e.name;
  if (e.k === 'attr') return `${pathOf(e.obj)}.${e.name}`;
  if (e.k === 'item') return `${pathOf(e.obj)}[${e.key.k === 'lit' ? JSON.stringify(e.key.v) : '...'}]`;
  return '(expression)';
}

export type Scope = (name: string) => Value;

function getItem(obj: Value, key: Value, path: string): Value {
  obj = defined(obj);
  if (isMapping(obj)) return typeof key === 'string' && Object.hasOwn(obj, key) ? obj[key] : new Undefined(path);
  if (Array.isArray(obj) || typeof obj === 'string') {
    if (typeof key !== 'number' || !Number.isInteger(key)) return new Undefined(path);
    const items = typeof obj === 'string' ? [...obj] : obj;
    const i = key < 0 ? items.length + key : key;
    return i >= 0 && i < items.length ? items[i] : new Undefined(path);
  }
  return new Undefined(path);
}

export function evaluate(e: Expr, scope: Scope): Value {
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'name':
      return scope(e.name);
    case 'list':
      return e.items.map((x) => defined(evaluate(x, scope)));
    case 'attr':
      return getItem(evaluate(e.obj, scope), e.name, pathOf(e));
    case 'item':
      return getItem(evaluate(e.obj, scope), defined(evaluate(e.key, scope)), pathOf(e));
    case 'call': {
      const obj = defined(evaluate(e.obj, scope));
      const args = e.args.map((a) => evaluate(a, scope));
      if (isMapping(obj)) {
        if (e.method === 'items' && args.length === 0) return Object.entries(obj);
        if (e.method === 'keys' && args.length === 0) return Object.keys(obj);
        if (e.method === 'values' && args.length === 0) return Object.values(obj);
        if (e.method === 'get' && (args.length === 1 || args.length === 2)) {
          const k = defined(args[0]);
          return typeof k === 'string' && Object.hasOwn(obj, k) ? obj[k] : (args[1] ?? null);
        }
      }
      throw new ExprError(`not supported: calling ${pathOf(e.obj)}.${e.method}() (supported: items(), keys(), values(), get() on mappings)`);
    }
    case 'filter':
      return applyFilter(
        e.name,
        evaluate(e.arg, scope),
        e.args.map((a) => evaluate(a, scope)),
      );
    case 'test':
      return applyTest(e.name, evaluate(e.arg, scope)) !== e.negate;
    case 'un': {
      const v = evaluate(e.arg, scope);
      if (e.op === 'not') return !truthy(v);
      const n = defined(v);
      if (typeof n !== 'number') throw new ExprError(`cannot negate ${typeName(n)}`);
      return -n;
    }
    case 'bin': {
      if (e.op === 'and') {
        const l = evaluate(e.l, scope);
        return truthy(l) ? evaluate(e.r, scope) : l;
      }
      if (e.op === 'or') {
        const l = evaluate(e.l, scope);
        return truthy(l) ? l : evaluate(e.r, scope);
      }
      const l = defined(evaluate(e.l, scope));
      const r = defined(evaluate(e.r, scope));
      switch (e.op) {
        case '==':
          return pyEq(l, r);
        case '!=':
          return !pyEq(l, r);
        case 'in':
          return contains(r, l);
        case 'not in':
          return !contains(r, l);
        case '~':
          return pyStr(l) + pyStr(r);
        case '+':
          if (typeof l === 'number' && typeof r === 'number') return l + r;
          if (typeof l === 'string' && typeof r === 'string') return l + r;
          if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
          throw new ExprError(`cannot add ${typeName(l)} and ${typeName(r)}`);
        case '-':
          if (typeof l === 'number' && typeof r === 'number') return l - r;
          throw new ExprError(`cannot subtract ${typeName(r)} from ${typeName(l)}`);
        default:
          return order(e.op, l, r);
      }
    }
  }
}

/** Parses a whole expression (nothing may follow it). */
export function parseExpr(src: string): Expr {
  const p = new ExprParser(src);
  const e = p.expr();
  p.end();
  return e;
}
