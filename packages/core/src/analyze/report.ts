// `analyze show`, `blame` and `dump`, in the shape cloud-init's analyze prints them.
import { parseEvents, spans, splitBoots, type BootEvent } from './events.js';

const STAGE_NAMES = new Set(['init-local', 'init', 'init-network', 'modules-init', 'modules-config', 'modules-final', 'single']);

function f5(n: number): string {
  return n.toFixed(5).padStart(8, '0');
}

export function analyzeShow(text: string): string {
  const boots = splitBoots(parseEvents(text));
  let out = '';
  boots.forEach((boot, i) => {
    out += `-- Boot Record ${String(i + 1).padStart(2, '0')} --\n`;
    out += 'The total time elapsed since completing an event is printed after the "@" character.\nThe time the event takes is printed after the "+" character.\n\n';
    const t0 = boot[0]?.timestamp ?? 0;
    let total = 0;
    for (const s of spans(boot)) {
      if (STAGE_NAMES.has(s.name)) {
        out += `Starting stage: ${s.name}\n`;
        for (const inner of spans(boot).filter((x) => x.name.startsWith(`${s.name}/`) && x.start >= s.start && x.start <= s.start + s.seconds)) {
          // After "@": the time from the boot's first event to the event's start, as cloud-init prints it.
          out += `|\`->${inner.description} @${f5(inner.start - t0)}s +${f5(inner.seconds)}s\n`;
        }
        out += `Finished stage: (${s.name}) ${f5(s.seconds)} seconds\n\n`;
        total += s.seconds;
      }
    }
    out += `Total Time: ${total.toFixed(5)} seconds\n\n`;
  });
  return `${out}${boots.length} boot records analyzed\n`;
}

export function analyzeBlame(text: string): string {
  const boots = splitBoots(parseEvents(text));
  let out = '';
  boots.forEach((boot, i) => {
    out += `-- Boot Record ${String(i + 1).padStart(2, '0')} --\n`;
    const rows = spans(boot)
      .filter((s) => !STAGE_NAMES.has(s.name))
      .sort((a, b) => b.seconds - a.seconds);
    for (const s of rows) out += `     ${f5(s.seconds)}s (${s.name})\n`;
    out += '\n';
  });
  return `${out}${boots.length} boot records analyzed\n`;
}

export function analyzeDump(text: string): string {
  const events: BootEvent[] = parseEvents(text);
  return JSON.stringify(events, null, 4) + '\n';
}
