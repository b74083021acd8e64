// `--annotate`: the file as written, each line with a problem marked at its end
// (# E1, # W1, # D1) and the problems listed below the file, as cloud-init's annotate
// does (it has E and D; nimbus adds W for unknown keys).
import type { SchemaProblem, Severity } from './problems.js';
import { pathText } from './problems.js';

const LABEL: Record<Severity, string> = { error: 'E', warning: 'W', deprecated: 'D' };
const TITLE: Record<Severity, string> = { error: 'Errors', warning: 'Warnings', deprecated: 'Deprecations' };

export function annotate(text: string, problems: readonly SchemaProblem[]): string {
  if (problems.length === 0) return text;
  const lines = text.split('\n');
  // A final newline would otherwise show as one more empty line.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const marks = new Map<number, string[]>();
  const footers: Record<Severity, string[]> = { error: [], warning: [], deprecated: [] };
  const count: Record<Severity, number> = { error: 0, warning: 0, deprecated: 0 };
  for (const p of problems) {
    const label = `${LABEL[p.severity]}${++count[p.severity]}`;
    // Problems without a line (never expected) are put on the first line.
    const line = Math.min(Math.max(p.pos?.line ?? 1, 1), Math.max(lines.length, 1));
    marks.set(line, [...(marks.get(line) ?? []), label]);
    const col = p.pos ? `line ${p.pos.line} column ${p.pos.col}: ` : '';
    footers[p.severity].push(`# ${label}: ${col}${pathText(p.path)}: ${p.message}`);
  }
  const out = lines.map((l, i) => {
    const m = marks.get(i + 1);
    return m ? `${l}\t\t# ${m.join(',')}` : l;
  });
  for (const s of ['error', 'warning', 'deprecated'] as const) {
    if (footers[s].length > 0) out.push('', `# ${TITLE[s]}: -------------`, ...footers[s]);
  }
  return `${out.join('\n')}\n`;
}
