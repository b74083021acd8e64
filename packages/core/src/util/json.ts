// JSON.parse with errors that name the file, line and column instead of a byte offset.

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

export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /at position (\d+)/.exec(msg);
    let offset = m ? Number(m[1]) : null;
    if (offset === null && /end of (JSON )?input|Unterminated/i.test(msg)) offset = text.length;
    const reason = `not valid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '')}`;
    if (offset === null) return raise(file, null, null, reason);
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const col = offset - before.lastIndexOf('\n');
    return raise(file, line, col, reason);
  }
}

function raise(file: string, line: number | null, col: number | null, reason: string): never {
  throw new JsonError(file, line, col, reason);
}
