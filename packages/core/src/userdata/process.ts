// The part handlers: what each kind of user-data part becomes.
//   cloud-config       parsed (keeping line numbers), merged by its merge_how
//   jinja template     rendered with instance data, then handled as what it renders to
//   x-shellscript      stored for scripts_user; -per-boot|-per-instance|-per-once go to
//                      /var/lib/cloud/scripts/per-*
//   cloud-boothook     run at once in the init stage, with INSTANCE_ID set
//   upstart-job        written to /etc/init/<name>.conf
// Kinds nimbus does not handle are reported, never silently dropped.
import type { Logger } from '../log/logger.js';
import { loadYaml, YamlError, type PositionMap } from '../yaml/load.js';
import { isDict, type Dict } from '../config/merge.js';
import { renderJinjaPart, JinjaError } from './jinja.js';
import { typeByFirstLine, type UserPart } from './parts.js';

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

export type ScriptFrequency = 'per-boot' | 'per-instance' | 'per-once';

export interface HandledUserdata {
  cloudConfigs: CloudConfigPart[];
  /** Instance scripts, run by scripts_user. */
  scripts: ScriptPart[];
  /** Scripts for /var/lib/cloud/scripts/per-*. */
  frequencyScripts: (ScriptPart & { frequency: ScriptFrequency })[];
  boothooks: ScriptPart[];
  upstartJobs: ScriptPart[];
  /** Every part as finally typed (jinja rendered), for user-data.txt.i. */
  processed: UserPart[];
}

const FREQUENCY_TYPES: Record<string, ScriptFrequency> = {
  'text/x-shellscript-per-boot': 'per-boot',
  'text/x-shellscript-per-instance': 'per-instance',
  'text/x-shellscript-per-once': 'per-once',
};

/**
 * Types not handled here. Includes and archives are opened before the handlers run
 * (include.ts); one reaching here came out of a jinja template.
 */
const NOT_HANDLED: Record<string, string> = {
  'text/x-include-url': '#include rendered from a jinja template',
  'text/x-include-once-url': '#include-once rendered from a jinja template',
  'text/cloud-config-archive': '#cloud-config-archive rendered from a jinja template',
  'text/cloud-config-jsonp': '#cloud-config-jsonp',
  'text/part-handler': '#part-handler (custom part handlers run Python code)',
};

export interface HandleOptions {
  /** Variables for jinja templates, built on first use (from instance data). */
  jinjaVars: () => Record<string, unknown>;
  /** Content types whose parts are dropped (vendor_data.disabled_handlers), before and after jinja. */
  excluded?: ReadonlySet<string>;
}

/** Turns parts into configs and scripts; every part it cannot use is logged as an error or warning. */
export function handleParts(parts: UserPart[], label: (p: UserPart) => string, log: Logger, opts: HandleOptions): HandledUserdata {
  const out: HandledUserdata = { cloudConfigs: [], scripts: [], frequencyScripts: [], boothooks: [], upstartJobs: [], processed: [] };
  for (const original of parts) {
    let p = original;
    let where = label(p);
    const skip = (type: string): boolean => {
      if (opts.excluded?.has(type) !== true) return false;
      log.info(`${where}: ${type} is in disabled_handlers; this part was not applied`);
      return true;
    };
    if (skip(p.contentType)) continue;
    if (p.contentType === 'text/jinja2') {
      try {
        const rendered = Buffer.from(renderJinjaPart(Buffer.from(p.body).toString('utf8'), opts.jinjaVars(), where));
        p = { ...p, body: new Uint8Array(rendered), contentType: typeByFirstLine(rendered) ?? 'text/x-not-multipart' };
        where = `${where} (rendered from its jinja template)`;
        if (skip(p.contentType)) continue;
      } catch (e) {
        log.error(`${e instanceof JinjaError ? e.message : `${where}: ${(e as Error).message}`}; this part was not applied`);
        continue;
      }
    }
    out.processed.push(p);
    const frequency = FREQUENCY_TYPES[p.contentType];
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
    } else if (p.contentType === 'text/x-shellscript') {
      out.scripts.push({ filename: p.filename, body: p.body });
    } else if (frequency !== undefined) {
      out.frequencyScripts.push({ filename: p.filename, body: p.body, frequency });
    } else if (p.contentType === 'text/cloud-boothook') {
      out.boothooks.push({ filename: p.filename, body: p.body });
    } else if (p.contentType === 'text/upstart-job') {
      out.upstartJobs.push({ filename: p.filename, body: p.body });
    } else if (p.contentType === 'text/x-not-multipart' || p.contentType === 'text/plain') {
      log.warn(`${where}: unhandled user-data: the first line is not #cloud-config, #! or another known marker; ignored`);
    } else if (NOT_HANDLED[p.contentType] !== undefined) {
      log.error(`${where}: not supported: ${NOT_HANDLED[p.contentType]} user-data; this part was not applied`);
    } else {
      log.warn(`${where}: no handler for content type ${p.contentType}; ignored, as cloud-init ignores it`);
    }
  }
  return out;
}
