// VMware's guestinfo, read and written through the guest tools' RPC commands:
// `vmware-rpctool "info-get guestinfo.KEY"` (or `vmtoolsd --cmd "..."` when only
// open-vm-tools' daemon is installed). The tool is the image's, run through host.exec
// like any other command, never a file of the tree run on the host. Values may be
// base64 or gzip+base64 encoded, as `guestinfo.KEY.encoding` says.
import type { DatasourceContext } from './types.js';
import { DatasourceError } from './types.js';
import { gunzipBounded } from '../userdata/gzip.js';
import { MAX_DECOMPRESSED_BYTES } from '../userdata/limits.js';

/** What the tools print (on stderr, exit 1) for a key that is not set. */
const NO_VALUE = 'No value found';
/** What cloud-init writes over a key it was asked to redact: valid, empty YAML. */
export const GUESTINFO_REDACTED = '---';
const RPC_TIMEOUT_MS = 10_000;

export interface Guestinfo {
  /** The tool's name, for messages. */
  readonly tool: string;
  /** The raw value of guestinfo.<key>, trailing whitespace removed; null when unset, empty or redacted. */
  get(key: string): string | null;
  /** Sets guestinfo.<key>; false (with a warning) when the tool refused. */
  set(key: string, value: string): boolean;
}

interface Tool {
  name: string;
  argv(rpc: string): string[];
}

const RPCTOOL: Tool = { name: 'vmware-rpctool', argv: (rpc) => ['vmware-rpctool', rpc] };
const VMTOOLSD: Tool = { name: 'vmtoolsd', argv: (rpc) => ['vmtoolsd', '--cmd', rpc] };

/** Whether the DMI product name says VMware, as cloud-init checks before asking guestinfo. */
export function isVmwarePlatform(productName: string | null): boolean {
  return productName?.toLowerCase().includes('vmware') === true;
}

/**
 * The guestinfo reader of this image, or why there is none: no tool installed, or
 * commands only recorded (--exec record), where no answer can come back.
 */
export function guestinfoOf(ctx: DatasourceContext, who: string): Guestinfo | string {
  if (ctx.host.exec.mode === 'record') return 'commands are only recorded (--exec record), so guestinfo cannot be asked';
  const tools = [RPCTOOL, VMTOOLSD].filter((t) => ctx.host.exec.has(t.name));
  if (tools.length === 0) return 'neither vmware-rpctool nor vmtoolsd is installed';
  let i = 0;
  const run = (rpc: string) => ctx.host.exec.run((tools[i] as Tool).argv(rpc), { timeoutMs: RPC_TIMEOUT_MS });
  return {
    get tool() {
      return (tools[i] as Tool).name;
    },
    get(key: string): string | null {
      const rpc = `info-get guestinfo.${key}`;
      for (;;) {
        const r = run(rpc);
        if (r.code === 0 && r.error === undefined) {
          const v = r.stdout.replace(/\s+$/, '');
          return v === '' || v === GUESTINFO_REDACTED ? null : v;
        }
        if (r.code === 1 && r.stderr.trim() === NO_VALUE) return null;
        const why = `${(tools[i] as Tool).argv(rpc).join(' ')}: ${r.error ?? `exit ${r.code}`}${r.stderr.trim() ? `: ${r.stderr.trim().slice(0, 200)}` : ''}`;
        // vmware-rpctool can fail where vmtoolsd still answers (no backdoor access): try it.
        if (i + 1 < tools.length) {
          ctx.log.warn(`${who}: ${why}; trying ${(tools[i + 1] as Tool).name}`);
          i++;
          continue;
        }
        throw new DatasourceError(why);
      }
    },
    set(key: string, value: string): boolean {
      const r = run(`info-set guestinfo.${key} ${value === '' ? ' ' : value}`);
      if (r.code === 0 && r.error === undefined) return true;
      ctx.log.warn(`${who}: could not set guestinfo.${key} with ${(tools[i] as Tool).name}: ${r.error ?? `exit ${r.code}`} ${r.stderr.trim()}`.trim());
      return false;
    },
  };
}

/** base64 with line breaks and spaces allowed, nothing else; null when it is not. */
function base64Bytes(text: string): Uint8Array | null {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return null;
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

export const GUESTINFO_ENCODINGS = ['base64', 'b64', 'gzip+base64', 'gz+b64'] as const;

/**
 * Decodes a guestinfo value by its encoding key's value (null: plain text). An
 * encoding nimbus does not know is refused rather than taken as plain text.
 */
export function decodeGuestinfo(name: string, encoding: string | null, value: string): Uint8Array {
  const enc = encoding?.trim() ?? '';
  if (enc === '') return new Uint8Array(Buffer.from(value, 'utf8'));
  if (!(GUESTINFO_ENCODINGS as readonly string[]).includes(enc)) {
    throw new DatasourceError(`${name}.encoding: ${JSON.stringify(enc)} is not one of ${GUESTINFO_ENCODINGS.join(', ')}`);
  }
  const raw = base64Bytes(value);
  if (raw === null) throw new DatasourceError(`${name}: not valid base64 (its encoding is ${enc})`);
  if (enc === 'base64' || enc === 'b64') return raw;
  try {
    return gunzipBounded(raw, name, MAX_DECOMPRESSED_BYTES);
  } catch (e) {
    throw new DatasourceError((e as Error).message);
  }
}

/** guestinfo.<key> decoded by guestinfo.<key>.encoding; null when unset. */
export function readGuestinfo(g: Guestinfo, key: string): Uint8Array | null {
  const v = g.get(key);
  if (v === null) return null;
  return decodeGuestinfo(`guestinfo.${key}`, g.get(`${key}.encoding`), v);
}
