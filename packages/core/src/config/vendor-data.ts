// Whether vendor-data is used, decided as cloud-init decides it: from the system config
// (cloud.cfg, cloud.cfg.d, the kernel command line) with the user's cloud-config laid
// over it — never from vendor-data itself. `vendor_data` that is not a mapping turns it
// off; `enabled` counts only when cloud-init would call it true (true, or the strings
// true/1/on/yes in any case); absent, it is on (cloud-init's built-in default).
// `disabled_handlers` names content types whose parts are dropped from vendor-data.
import { isDict, mergeConfig, type Dict } from './merge.js';

export interface VendorDataPolicy {
  enabled: boolean;
  /** Content types (text/cloud-boothook, text/x-shellscript, ...) not handled. */
  disabledHandlers: ReadonlySet<string>;
  /** Why vendor-data is off, for the log. */
  why: string;
  /** Values that could not be used, for the log. */
  problems: string[];
}

const TRUE_STRINGS = new Set(['true', '1', 'on', 'yes']);

/** cloud-init's util.is_true: a boolean as it is; anything else true only when its text is true/1/on/yes. */
export function isTrue(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === null || v === undefined) return false;
  if (typeof v !== 'string' && typeof v !== 'number') return false;
  return TRUE_STRINGS.has(String(v).trim().toLowerCase());
}

/** `key`: vendor_data, or vendor_data2 for the second vendor-data, which has its own switch. */
export function vendorDataPolicy(systemCfg: Dict, userCfg: Dict, key: 'vendor_data' | 'vendor_data2' = 'vendor_data'): VendorDataPolicy {
  const problems: string[] = [];
  const merged = mergeConfig(systemCfg, userCfg);
  const vd = merged[key];
  const on = (disabledHandlers: ReadonlySet<string>): VendorDataPolicy => ({ enabled: true, disabledHandlers, why: '', problems });
  if (vd === undefined || vd === null) return on(new Set());
  if (!isDict(vd)) return { enabled: false, disabledHandlers: new Set(), why: `${key} is ${JSON.stringify(vd)}, not a mapping: vendor-data is off, as cloud-init takes it`, problems };
  if ('enabled' in vd && !isTrue(vd.enabled)) return { enabled: false, disabledHandlers: new Set(), why: `${key}.enabled is ${JSON.stringify(vd.enabled)}`, problems };
  const dh = vd.disabled_handlers;
  let disabled: string[] = [];
  if (typeof dh === 'string') disabled = [dh];
  else if (Array.isArray(dh) && dh.every((t) => typeof t === 'string')) disabled = dh as string[];
  else if (dh !== undefined && dh !== null) {
    // A list we cannot read must not quietly let every handler run: vendor-data is off.
    return {
      enabled: false,
      disabledHandlers: new Set(),
      why: `${key}.disabled_handlers is not a list of content types`,
      problems: [`${key}.disabled_handlers must be a list of content types (text/cloud-boothook, text/x-shellscript, ...)`],
    };
  }
  return on(new Set(disabled.map((t) => t.trim().toLowerCase())));
}
