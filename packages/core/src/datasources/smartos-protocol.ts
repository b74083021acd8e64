// Version 2 of the Joyent (SmartOS) metadata protocol, as cloud-init speaks it: after
// "NEGOTIATE V2" / "V2_OK", each request is one line
//   V2 <length of body> <crc32 of body, 8 hex digits> <body>
// with body "<request id> GET <base64 key>" (or "<id> KEYS"), and each answer one line
// of the same shape with body "<id> SUCCESS <base64 value>" or "<id> NOTFOUND". On the
// serial port the guest first clears the line: it drops what is pending and sends a bare
// newline until the host says "invalid command". The framing is pure; `JoyentClient`
// drives a LineChannel within one time budget.
import type { LineChannel } from '../host/line-channel.js';
import { SerialError } from '../host/serial.js';
import { DatasourceError } from './types.js';

let CRC_TABLE: Uint32Array | undefined;

/** CRC-32 (IEEE, zlib's) of the UTF-8 bytes of `text`. */
export function crc32(text: string): number {
  if (CRC_TABLE === undefined) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of Buffer.from(text, 'utf8')) crc = (CRC_TABLE[(crc ^ b) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** One request line (with its newline). */
export function encodeRequest(id: string, type: 'GET' | 'KEYS', param?: string): string {
  let body = `${id} ${type}`;
  if (param !== undefined && param !== '') body += ` ${Buffer.from(param, 'utf8').toString('base64')}`;
  return `V2 ${body.length} ${hex8(crc32(body))} ${body}\n`;
}

const FRAME = /^V2 (\d+) ([0-9a-f]+) (([0-9a-f]+) (SUCCESS|NOTFOUND)(?: (.+))?)$/;

/**
 * The value an answer line carries: a string (SUCCESS with a payload), null (NOTFOUND,
 * or SUCCESS without one). Throws a message when the line is not a well-formed answer
 * to request `id`.
 */
export function decodeAnswer(line: string, id: string): string | null {
  const m = FRAME.exec(line);
  if (m === null) throw new Error(`not a V2 answer: ${JSON.stringify(line.slice(0, 80))}`);
  const [, length, sum, body, rid, status, payload] = m as unknown as [string, string, string, string, string, string, string | undefined];
  if (Number(length) !== body.length) throw new Error(`frame length ${length} is not the body's ${body.length}`);
  if (sum !== hex8(crc32(body))) throw new Error(`checksum ${sum} is not the body's ${hex8(crc32(body))}`);
  if (rid !== id) throw new Error(`answer to request ${rid}, expected ${id}`);
  if (status === 'NOTFOUND' || payload === undefined || payload === '') return null;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) throw new Error('the value is not base64');
  return Buffer.from(payload, 'base64').toString('utf8');
}

export interface JoyentClientOptions {
  label: string;
  /** When the whole conversation must be over (ms since the epoch). */
  deadline: number;
  /** The serial port's line clearing (not on the zone socket). */
  flush: boolean;
  /** Request ids; random in use, fixed in tests. */
  nextId?: () => string;
  warn: (msg: string) => void;
}

/** A conversation on an open channel: open() clears the line and negotiates V2; get() asks for one key. */
export class JoyentClient {
  private readonly nextId: () => string;

  constructor(
    private readonly ch: LineChannel,
    private readonly o: JoyentClientOptions,
  ) {
    this.nextId = o.nextId ?? (() => hex8(Math.floor(Math.random() * 0x100000000)));
  }

  private left(): number {
    const ms = this.o.deadline - Date.now();
    if (ms <= 0) throw new DatasourceError(`${this.o.label}: the metadata conversation did not finish within its time budget (serial_timeout)`);
    return ms;
  }

  private async line(what: string): Promise<string> {
    try {
      return await this.ch.readLine(this.left());
    } catch (e) {
      if (e instanceof SerialError) throw new DatasourceError(`${e.message} (waiting for the answer to ${what})`);
      throw e;
    }
  }

  async open(): Promise<void> {
    if (this.o.flush) {
      await this.ch.discardPending(100, Math.min(2000, this.left()));
      // A host whose metadata service is not up yet stays silent: ask again every 5 s
      // until the budget is spent (cloud-init asks forever).
      for (;;) {
        this.ch.send('\n');
        let answer: string;
        try {
          answer = await this.ch.readLine(Math.min(5000, this.left()));
        } catch (e) {
          if (e instanceof SerialError && e.kind === 'timeout') {
            this.o.warn(`${this.o.label}: no answer to a newline; is the host's metadata service running?`);
            continue;
          }
          throw new DatasourceError((e as Error).message);
        }
        if (answer === 'invalid command') break;
        if (answer !== 'FAILURE') this.o.warn(`${this.o.label}: unexpected ${JSON.stringify(answer.slice(0, 80))} while clearing the line`);
      }
    }
    this.ch.send('NEGOTIATE V2\n');
    const answer = await this.line('NEGOTIATE V2');
    if (answer !== 'V2_OK') throw new DatasourceError(`${this.o.label}: the host answered ${JSON.stringify(answer.slice(0, 80))} to "NEGOTIATE V2", not V2_OK`);
  }

  private async request(type: 'GET' | 'KEYS', key?: string): Promise<string | null> {
    const id = this.nextId();
    this.ch.send(encodeRequest(id, type, key));
    const what = key === undefined ? type : `${type} ${key}`;
    const answer = await this.line(what);
    try {
      return decodeAnswer(answer, id);
    } catch (e) {
      throw new DatasourceError(`${this.o.label}: ${what}: ${(e as Error).message}`);
    }
  }

  get(key: string): Promise<string | null> {
    return this.request('GET', key);
  }

  async keys(): Promise<string[]> {
    const v = await this.request('KEYS');
    return v === null || v === '' ? [] : v.split('\n');
  }
}
