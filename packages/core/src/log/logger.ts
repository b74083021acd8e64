// The logger: /var/log/cloud-init.log (time, stage/module, level, message) and stderr
// with <N> syslog priority prefixes that journald turns into priorities. Every line is
// written synchronously, so a oneshot that exits right after logging loses nothing.
// It also keeps what a stage must report in status.json: errors, and the recoverable
// warnings that make a finished boot "degraded".

import { escapeControl } from '../util/escape.js';

export type Level = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

const PRIORITY: Record<Level, number> = { DEBUG: 7, INFO: 6, WARNING: 4, ERROR: 3 };

export const LOG_FILE = '/var/log/cloud-init.log';

export interface LogSink {
  /** Appends one or more complete lines to the log file. */
  file(text: string): void;
  /** Writes to standard error (the journal under systemd). */
  stderr(text: string): void;
}

export interface StageReport {
  errors: string[];
  recoverable: { WARNING: string[]; DEPRECATED: string[] };
}

function stamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())},${p(d.getUTCMilliseconds(), 3)}`;
}

export class Logger {
  readonly report: StageReport;

  constructor(
    private readonly sink: LogSink,
    private readonly opts: { stage: string; debug: boolean; module?: string; quiet?: boolean; tty?: boolean },
    report?: StageReport,
  ) {
    this.report = report ?? { errors: [], recoverable: { WARNING: [], DEPRECATED: [] } };
  }

  /** A logger for one module of the same stage, sharing the stage's report. */
  child(module: string): Logger {
    return new Logger(this.sink, { ...this.opts, module }, this.report);
  }

  get stage(): string {
    return this.opts.stage;
  }

  private emit(level: Level, msg: string): void {
    const where = this.opts.module ? `${this.opts.stage}/${this.opts.module}` : this.opts.stage;
    // Metadata strings reach messages: their control characters are shown escaped, and a newline starts a prefixed line.
    const lines = escapeControl(msg).split('\n');
    const t = stamp(new Date());
    this.sink.file(lines.map((l) => `${t} - ${where}[${level}]: ${l}\n`).join(''));
    if (!this.opts.quiet && (level !== 'DEBUG' || this.opts.debug)) {
      // journald reads "<N>" as the priority; a person at a terminal gets the level word instead.
      const line = this.opts.tty ? (l: string) => `${where}: ${level === 'INFO' || level === 'DEBUG' ? '' : `${level}: `}${l}\n` : (l: string) => `<${PRIORITY[level]}>${where}: ${l}\n`;
      this.sink.stderr(lines.map(line).join(''));
    }
  }

  debug(msg: string): void {
    this.emit('DEBUG', msg);
  }
  info(msg: string): void {
    this.emit('INFO', msg);
  }
  /** A problem the boot recovered from: recorded, makes the final status "degraded". */
  warn(msg: string): void {
    this.emit('WARNING', msg);
    this.report.recoverable.WARNING.push(this.prefixed(msg));
  }
  /** A deprecated spelling that still works: recorded as DEPRECATED. */
  deprecated(msg: string): void {
    this.emit('WARNING', msg);
    this.report.recoverable.DEPRECATED.push(this.prefixed(msg));
  }
  /** Something that did not get done: recorded in status.json errors, `status` exits 1. */
  error(msg: string): void {
    this.emit('ERROR', msg);
    this.report.errors.push(this.prefixed(msg));
  }

  private prefixed(msg: string): string {
    const shown = escapeControl(msg);
    return this.opts.module ? `${this.opts.module}: ${shown}` : shown;
  }
}
