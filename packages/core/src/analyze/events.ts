// Reads boot events out of a log: nimbus's cloud-init.log and cloud-init's own both
// write `<time> - <where>[LEVEL]: start: <name>: <description>` and
// `... finish: <name>: <RESULT>: <description>`. Boots are split where init-local starts.

export interface BootEvent {
  event_type: 'start' | 'finish';
  name: string;
  description: string;
  /** Seconds since the epoch (the log's time, read as UTC). */
  timestamp: number;
  result?: string;
  origin: 'nimbus' | 'cloudinit';
}

const LINE = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})[,.](\d{3}) - (\S+?)\[[A-Z]+\]: (start|finish): (\S+?): (.*)$/;
const RESULT = /^(SUCCESS|FAIL|WARN|SKIP): (.*)$/;

export function parseEvents(text: string): BootEvent[] {
  const out: BootEvent[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, day, time, ms, where, type, name, rest] = m as unknown as string[];
    const ts = Date.parse(`${day}T${time}.${ms}Z`) / 1000;
    if (!Number.isFinite(ts)) continue;
    const origin = /\.py$/.test(where as string) ? 'cloudinit' : 'nimbus';
    const e: BootEvent = { event_type: type as 'start' | 'finish', name: name as string, description: rest as string, timestamp: ts, origin };
    if (type === 'finish') {
      const r = RESULT.exec(rest as string);
      if (r) {
        e.result = r[1] as string;
        e.description = r[2] as string;
      }
    }
    out.push(e);
  }
  return out;
}

/** Splits events into boots: a boot begins where the init-local stage starts. */
export function splitBoots(events: BootEvent[]): BootEvent[][] {
  const boots: BootEvent[][] = [];
  for (const e of events) {
    if (boots.length === 0 || (e.event_type === 'start' && e.name === 'init-local')) boots.push([]);
    (boots[boots.length - 1] as BootEvent[]).push(e);
  }
  return boots;
}

export interface Span {
  name: string;
  start: number;
  seconds: number;
  result: string;
  description: string;
}

/** Pairs each start with its finish (the latest start of that name still open). */
export function spans(boot: BootEvent[]): Span[] {
  const open = new Map<string, BootEvent[]>();
  const out: Span[] = [];
  for (const e of boot) {
    if (e.event_type === 'start') {
      const list = open.get(e.name) ?? [];
      list.push(e);
      open.set(e.name, list);
    } else {
      const s = open.get(e.name)?.pop();
      // A finish with no start (nimbus logs skipped modules only as finished) lasts 0 s.
      out.push({ name: e.name, start: s?.timestamp ?? e.timestamp, seconds: s ? e.timestamp - s.timestamp : 0, result: e.result ?? '', description: e.description });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}
