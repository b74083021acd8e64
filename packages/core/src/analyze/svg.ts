// `analyze show --svg FILE`: the last boot of a cloud-init.log on a timeline, as
// `systemd-analyze plot` draws services: one row per stage and per module inside it,
// a box from its start to its finish, failures red, warnings amber, skips grey. The scale is written on the
// <svg> element (data-px-per-second, data-origin) so a reader can map boxes to times.
import { parseEvents, spans, splitBoots, type Span } from './events.js';

const STAGES = new Set(['init-local', 'init', 'init-network', 'modules-init', 'modules-config', 'modules-final', 'single']);
const ROW = 22;
const LEFT = 20;
const TOP = 60;
const LABEL_ROOM = 420;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r3 = (n: number) => Math.round(n * 1000) / 1000;

export interface TimelineRow {
  kind: 'stage' | 'module';
  span: Span;
}

/** The rows of the last boot: each stage, then the events inside it, in start order. */
export function timelineRows(text: string): { rows: TimelineRow[]; origin: number } | null {
  const boots = splitBoots(parseEvents(text));
  const boot = boots[boots.length - 1];
  if (boot === undefined || boot.length === 0) return null;
  const all = spans(boot);
  const rows: TimelineRow[] = [];
  for (const s of all.filter((x) => STAGES.has(x.name))) {
    rows.push({ kind: 'stage', span: s });
    for (const inner of all.filter((x) => x.name.startsWith(`${s.name}/`) && x.start >= s.start && x.start <= s.start + s.seconds)) rows.push({ kind: 'module', span: inner });
  }
  return { rows, origin: boot[0]!.timestamp };
}

export function analyzeSvg(text: string): string | null {
  const t = timelineRows(text);
  if (t === null) return null;
  const { rows, origin } = t;
  const end = Math.max(...rows.map((r) => r.span.start + r.span.seconds), origin + 0.001);
  const total = end - origin;
  // About 1000 px for the whole boot, whatever its length.
  const pxPerSecond = Math.max(1, Math.round(1000 / total));
  const width = LEFT * 2 + total * pxPerSecond + LABEL_ROOM;
  const height = TOP + rows.length * ROW + 40;
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${height}" viewBox="0 0 ${Math.ceil(width)} ${height}" data-px-per-second="${pxPerSecond}" data-origin="${origin.toFixed(3)}" data-left="${LEFT}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<title>nimbus boot timeline</title>`);
  out.push(`<style>.stage rect{fill:#7a9cc6}.module rect{fill:#c6dbef}.failed rect{fill:#e06666}.warned rect{fill:#f1c232}.skipped rect{fill:#d9d9d9}.grid{stroke:#ddd}text.label{fill:#222}</style>`);
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(`<text x="${LEFT}" y="20" font-size="16">Boot timeline: ${rows.filter((r) => r.kind === 'stage').length} stages, ${r3(total)} s from ${esc(new Date(origin * 1000).toISOString())}</text>`);
  // A grid line a second (or a tenth, for a short boot).
  const step = total > 20 ? 5 : total > 2 ? 1 : 0.1;
  for (let s = 0; s <= total + 1e-9; s += step) {
    const x = LEFT + s * pxPerSecond;
    out.push(`<line class="grid" x1="${x.toFixed(2)}" y1="${TOP - 10}" x2="${x.toFixed(2)}" y2="${TOP + rows.length * ROW}"/>`);
    out.push(`<text x="${x.toFixed(2)}" y="${TOP - 14}" font-size="10" text-anchor="middle">${r3(s)}s</text>`);
  }
  rows.forEach((row, i) => {
    const s = row.span;
    const x = LEFT + (s.start - origin) * pxPerSecond;
    const w = Math.max(s.seconds * pxPerSecond, 1);
    const y = TOP + i * ROW;
    const mark = s.result === 'FAIL' ? ' failed' : s.result === 'WARN' ? ' warned' : s.result === 'SKIP' ? ' skipped' : '';
    const label = row.kind === 'stage' ? s.name : s.name.slice(s.name.indexOf('/') + 1);
    out.push(
      `<g class="${row.kind}${mark}" data-name="${esc(s.name)}" data-start="${r3(s.start - origin)}" data-seconds="${r3(s.seconds)}" data-result="${esc(s.result)}">` +
        `<title>${esc(s.name)}: ${r3(s.seconds)} s${s.result ? ` (${esc(s.result)})` : ''}${s.description ? ` - ${esc(s.description)}` : ''}</title>` +
        `<rect x="${x.toFixed(3)}" y="${y}" width="${w.toFixed(3)}" height="${ROW - 4}"/>` +
        `<text class="label" x="${(x + w + 4).toFixed(3)}" y="${y + ROW - 9}">${esc(label)} (${r3(s.seconds)}s)</text></g>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
