// A small, strict XML reader for the two documents Azure hands a VM (ovf-env.xml and
// the wireserver's goal state). No package fits: the npm parsers pull trees of
// dependencies or expand entities. This one never expands a DTD (a DOCTYPE is refused,
// so no entity bombs or external entities), bounds the nesting, resolves namespace
// prefixes, and says line and column when it refuses a document.

export interface XmlElement {
  /** Namespace URI ('' when none). */
  ns: string;
  /** Local name, without the prefix. */
  name: string;
  attrs: Map<string, string>;
  children: XmlElement[];
  /** The element's own text (CDATA included), entities decoded, not trimmed. */
  text: string;
}

export class XmlError extends Error {}

const MAX_DEPTH = 64;
const NAME = /[A-Za-z_][\w.:-]*/y;

function position(src: string, at: number): string {
  const before = src.slice(0, at);
  return `line ${before.split('\n').length} col ${at - before.lastIndexOf('\n')}`;
}

function decodeEntities(s: string, src: string, at: number): string {
  const decoded = s.replace(/&([^;&\s]{1,10});/g, (_m, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    const cp = e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : e.startsWith('#') ? Number.parseInt(e.slice(1), 10) : Number.NaN;
    if (Number.isInteger(cp) && cp > 0 && cp <= 0x10ffff) return String.fromCodePoint(cp);
    // The entity is not quoted: the text around it may be a password.
    throw new XmlError(`${position(src, at)}: an unknown entity ("&" not followed by lt, gt, amp, quot, apos or a character number)`);
  });
  // A bare "&" is not well-formed either.
  if (/&(?![^;&\s]{1,10};)/.test(s)) throw new XmlError(`${position(src, at)}: a bare "&" (write &amp;)`);
  return decoded;
}

/** Parses a document into its root element; XmlError (with line and column) when it is not well-formed. */
export function parseXml(src: string): XmlElement {
  let i = 0;
  const fail = (what: string): never => {
    throw new XmlError(`${position(src, i)}: ${what}`);
  };
  const skipSpace = () => {
    while (i < src.length && /\s/.test(src[i] as string)) i++;
  };
  const readName = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(src);
    if (!m) fail('expected a name');
    i += (m as RegExpExecArray)[0].length;
    return (m as RegExpExecArray)[0];
  };
  // Skips the prolog and misc items: declaration, processing instructions, comments.
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (src.startsWith('<?', i)) {
        const end = src.indexOf('?>', i);
        if (end < 0) fail('processing instruction not closed');
        i = end + 2;
      } else if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4);
        if (end < 0) fail('comment not closed');
        i = end + 3;
      } else if (src.startsWith('<!DOCTYPE', i) || src.startsWith('<!ENTITY', i)) {
        fail('a DOCTYPE is not accepted (no DTDs or entities are expanded)');
      } else return;
    }
  };

  type Scope = Map<string, string>;
  const resolve = (qname: string, scope: Scope, isAttr: boolean): { ns: string; local: string } => {
    const c = qname.indexOf(':');
    if (c < 0) return { ns: isAttr ? '' : (scope.get('') ?? ''), local: qname };
    const prefix = qname.slice(0, c);
    if (prefix === 'xml') return { ns: 'http://www.w3.org/XML/1998/namespace', local: qname.slice(c + 1) };
    const ns = scope.get(prefix);
    if (ns === undefined) fail(`namespace prefix "${prefix}" is not declared`);
    return { ns: ns as string, local: qname.slice(c + 1) };
  };

  const element = (parentScope: Scope, depth: number): XmlElement => {
    if (depth > MAX_DEPTH) fail(`elements nested deeper than ${MAX_DEPTH}`);
    if (src[i] !== '<') fail('expected "<"');
    i++;
    const qname = readName();
    const rawAttrs: [string, string][] = [];
    for (;;) {
      skipSpace();
      if (src.startsWith('/>', i) || src[i] === '>') break;
      if (i >= src.length) fail(`start tag <${qname}> not closed`);
      const an = readName();
      skipSpace();
      if (src[i] !== '=') fail(`expected "=" after attribute ${an}`);
      i++;
      skipSpace();
      const q = src[i];
      if (q !== '"' && q !== "'") fail(`expected a quoted value for attribute ${an}`);
      const end = src.indexOf(q as string, i + 1);
      if (end < 0) fail(`value of attribute ${an} not closed`);
      const raw = src.slice(i + 1, end);
      if (raw.includes('<')) fail(`"<" in the value of attribute ${an}`);
      rawAttrs.push([an, decodeEntities(raw, src, i)]);
      i = end + 1;
    }
    const scope: Scope = new Map(parentScope);
    for (const [k, v] of rawAttrs) {
      if (k === 'xmlns') scope.set('', v);
      else if (k.startsWith('xmlns:')) scope.set(k.slice(6), v);
    }
    const { ns, local } = resolve(qname, scope, false);
    const attrs = new Map<string, string>();
    for (const [k, v] of rawAttrs) if (k !== 'xmlns' && !k.startsWith('xmlns:')) attrs.set(resolve(k, scope, true).local, v);
    const el: XmlElement = { ns, name: local, attrs, children: [], text: '' };
    if (src.startsWith('/>', i)) {
      i += 2;
      return el;
    }
    i++; // '>'
    for (;;) {
      if (i >= src.length) fail(`element <${qname}> not closed`);
      if (src.startsWith('</', i)) {
        i += 2;
        const close = readName();
        if (close !== qname) fail(`closing tag </${close}> does not match <${qname}>`);
        skipSpace();
        if (src[i] !== '>') fail(`expected ">" after </${close}`);
        i++;
        return el;
      }
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4);
        if (end < 0) fail('comment not closed');
        i = end + 3;
      } else if (src.startsWith('<![CDATA[', i)) {
        const end = src.indexOf(']]>', i + 9);
        if (end < 0) fail('CDATA section not closed');
        el.text += src.slice(i + 9, end);
        i = end + 3;
      } else if (src.startsWith('<?', i)) {
        const end = src.indexOf('?>', i);
        if (end < 0) fail('processing instruction not closed');
        i = end + 2;
      } else if (src.startsWith('<!', i)) {
        fail('a declaration is not accepted inside an element');
      } else if (src[i] === '<') {
        el.children.push(element(scope, depth + 1));
      } else {
        const next = src.indexOf('<', i);
        const end = next < 0 ? src.length : next;
        el.text += decodeEntities(src.slice(i, end), src, i);
        i = end;
      }
    }
  };

  if (src.charCodeAt(0) === 0xfeff) i = 1;
  skipMisc();
  if (i >= src.length) fail('no root element');
  const root = element(new Map(), 0);
  skipMisc();
  if (i < src.length) fail('content after the root element');
  return root;
}

/** Children of `el` with a local name (and namespace, when given). */
export function childrenNamed(el: XmlElement, name: string, ns?: string): XmlElement[] {
  return el.children.filter((c) => c.name === name && (ns === undefined || c.ns === ns));
}

/** The element at a path of local names below `el` (first match at each step), or undefined. */
export function findPath(el: XmlElement, path: readonly string[], ns?: string): XmlElement | undefined {
  let cur: XmlElement | undefined = el;
  for (const p of path) {
    cur = cur ? childrenNamed(cur, p, ns)[0] : undefined;
    if (!cur) return undefined;
  }
  return cur;
}
