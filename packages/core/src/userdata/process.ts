// The part handlers: what each kind of part becomes. Cloud-config parts are parsed
// (keeping line numbers) for merging; scripts are stored for scripts_user; kinds
// nimbus does not handle are reported, never silently dropped.
import type { Logger } from '../log/logger.js';
import { loadYaml, YamlError, type PositionMap } from '../yaml/load.js';
import { isDict, type Dict } from '../config/merge.js';
import type { UserPart } from './parts.js';

export interface CloudConfigPart {
  /** For messages: the file the user can open, or the part within it. */
  label: string;
  text: string;
  value: Dict;
  positions: PositionMap;
  mergeType?: string;
}

export interface ScriptPart {
  filename: string;
  body: Uint8Array;
}

export interface HandledUserdata {
  cloudConfigs: CloudConfigPart[];
  scripts: ScriptPart[];
}

const SCRIPT_TYPES = new Set(['text/x-shellscript']);

/** Turns parts into configs and scripts; every part it cannot use is logged as an error or warning. */
export function handleParts(parts: UserPart[], label: (p: UserPart) => string, log: Logger): HandledUserdata {
  const out: HandledUserdata = { cloudConfigs: [], scripts: [] };
  for (const p of parts) {
    const where = label(p);
    if (p.contentType === 'text/cloud-config') {
      const text = Buffer.from(p.body).toString('utf8');
      try {
        const { value, positions } = loadYaml(text, where);
        if (value === null) continue;
        if (!isDict(value)) {
          log.error(`${where}: a cloud-config must be a mapping of keys at the top level, got ${Array.isArray(value) ? 'a list' : typeof value}`);
          continue;
        }
        out.cloudConfigs.push({ label: where, text, value, positions, ...(p.mergeType ? { mergeType: p.mergeType } : {}) });
      } catch (e) {
        log.error(e instanceof YamlError ? `${e.message}; this cloud-config part was not applied` : `${where}: ${(e as Error).message}`);
      }
    } else if (SCRIPT_TYPES.has(p.contentType)) {
      out.scripts.push({ filename: p.filename, body: p.body });
    } else if (p.contentType === 'text/x-not-multipart') {
      log.warn(`${where}: unhandled user-data: the first line is not #cloud-config, #! or another known marker; ignored`);
    } else if (p.contentType.startsWith('multipart/')) {
      continue;
    } else {
      log.error(`${where}: not supported: user-data part of type ${p.contentType}`);
    }
  }
  return out;
}
