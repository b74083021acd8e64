// Unified diffs of two texts, as `diff -u` prints them: the plan shows every file a boot
// would change this way. Pure.

export interface DiffOptions {
  context?: number;
  /** Above this many line comparisons the diff is not computed (a summary is given). */
  maxWork?: number;
}

type Op = { kind: ' ' | '-' | '+'; line: string };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The edit script of a and b (longest common subsequence), or null when too large. */
function editScript(a: string[], b: string[], maxWork: number): Op[] | null {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const x = a.slice(pre, a.length - suf);
  const y = b.slice(pre, b.length - suf);
  if (x.length * y.length > maxWork) return null;
  // lcs[i][j]: the LCS length of x[i..] and y[j..], in one flat array.
  const w = y.length + 1;
  const lcs = new Uint32Array((x.length + 1) * w);
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--) lcs[i * w + j] = x[i] === y[j] ? (lcs[(i + 1) * w + j + 1] as number) + 1 : Math.max(lcs[(i + 1) * w + j] as number, lcs[i * w + j + 1] as number);
  const ops: Op[] = a.slice(0, pre).map((line) => ({ kind: ' ', line }));
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      ops.push({ kind: ' ', line: x[i] as string });
      i++;
      j++;
    } else if (i < x.length && (j >= y.length || (lcs[(i + 1) * w + j] as number) >= (lcs[i * w + j + 1] as number))) ops.push({ kind: '-', line: x[i++] as string });
    else ops.push({ kind: '+', line: y[j++] as string });
  }
  for (const line of a.slice(a.length - suf)) ops.push({ kind: ' ', line });
  return ops;
}

/**
 * `diff -u` of two texts, with `---`/`+++` headers naming `from` and `to`; "" when equal.
 * A file that did not exist is diffed against nothing (`from` /dev/null).
 */
export function unifiedDiff(before: string | null, after: string | null, from: string, to: string, opts: DiffOptions = {}): string {
  const ctx = opts.context ?? 3;
  const a = splitLines(before ?? '');
  const b = splitLines(after ?? '');
  const ops = editScript(a, b, opts.maxWork ?? 4_000_000);
  const head = `--- ${before === null ? '/dev/null' : from}\n+++ ${after === null ? '/dev/null' : to}\n`;
  if (ops === null) return `${head}@@ ${a.length} lines before, ${b.length} after: too large to diff here @@\n`;
  if (ops.every((o) => o.kind === ' ') && (before ?? '').endsWith('\n') === (after ?? '').endsWith('\n')) return '';
  const out: string[] = [];
  let k = 0;
  while (k < ops.length) {
    // The next change, and the hunk around it: changes closer than 2*ctx lines share one.
    while (k < ops.length && ops[k]?.kind === ' ') k++;
    if (k >= ops.length) break;
    const start = Math.max(0, k - ctx);
    let end = k;
    for (;;) {
      while (end < ops.length && ops[end]?.kind !== ' ') end++;
      let next = end;
      while (next < ops.length && ops[next]?.kind === ' ') next++;
      if (next < ops.length && next - end <= 2 * ctx) end = next;
      else break;
    }
    const stop = Math.min(ops.length, end + ctx);
    let aStart = 0;
    let bStart = 0;
    for (let n = 0; n < start; n++) {
      if (ops[n]?.kind !== '+') aStart++;
      if (ops[n]?.kind !== '-') bStart++;
    }
    const hunk = ops.slice(start, stop);
    const aLen = hunk.filter((o) => o.kind !== '+').length;
    const bLen = hunk.filter((o) => o.kind !== '-').length;
    const range = (s: number, n: number) => (n === 1 ? `${s + 1}` : `${n === 0 ? s : s + 1},${n}`);
    out.push(`@@ -${range(aStart, aLen)} +${range(bStart, bLen)} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
    k = stop;
  }
  let text = head + out.join('\n') + '\n';
  if (after !== null && after !== '' && !after.endsWith('\n')) text += '\\ No newline at end of file\n';
  return text;
}
