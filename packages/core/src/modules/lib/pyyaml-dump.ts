// YAML written the way PyYAML's `yaml.dump(data, default_flow_style=False)` writes it,
// for the files cloud-init dumps (puppet's csr_attributes.yaml, salt's grains): keys
// sorted, mappings indented two spaces, a list inside a mapping not indented, and a
// string quoted when PyYAML would read it back as something else. Strings holding a
// line break, a control or a non-ASCII character are written double-quoted with escapes
// (PyYAML folds or escapes them differently; the data read back is the same).
import { isDict } from '../../config/merge.js';

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const NULL = /^(?:~|null|Null|NULL)$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const TIMESTAMP = /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)?|[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9])/;

/** Whether PyYAML writes the string plain (unquoted). */
function plainOk(s: string): boolean {
  if (s === '' || s !== s.trim()) return false;
  if (BOOL.test(s) || NULL.test(s) || INT.test(s) || FLOAT.test(s) || TIMESTAMP.test(s) || s === '<<' || s === '=') return false;
  if (/^[[\]{}#&*!|>'"%@`,]/.test(s)) return false;
  if (/^[-?:](\s|$)/.test(s)) return false;
  if (/: |:$| #|[\t]/.test(s)) return false;
  if (s.startsWith('---') || s.startsWith('...')) return false;
  return /^[\x20-\x7e]+$/.test(s);
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf';
  const s = String(v);
  if (plainOk(s)) return s;
  if (/^[\x20-\x7e]*$/.test(s)) return `'${s.replace(/'/g, "''")}'`;
  return JSON.stringify(s);
}

function block(v: unknown, indent: number, step: number): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return ' []\n';
    const item = (x: unknown): string => {
      if ((isDict(x) && Object.keys(x).length > 0) || (Array.isArray(x) && x.length > 0)) return `${' '.repeat(step - 1)}${block(x, indent + step, step).trimStart()}`;
      return isDict(x) || Array.isArray(x) ? block(x, indent, step) : ` ${scalar(x)}\n`;
    };
    return `\n${v.map((x) => `${pad}-${item(x)}`).join('')}`;
  }
  if (isDict(v)) {
    const keys = Object.keys(v).sort();
    if (keys.length === 0) return ' {}\n';
    return `\n${keys
      .map((k) => {
        const x = v[k];
        if (isDict(x) && Object.keys(x).length > 0) return `${pad}${scalar(k)}:${block(x, indent + step, step)}`;
        // PyYAML does not indent a list that is a mapping's value.
        if (Array.isArray(x) && x.length > 0) return `${pad}${scalar(k)}:${block(x, indent, step)}`;
        return `${pad}${scalar(k)}:${isDict(x) || Array.isArray(x) ? block(x, indent, step) : ` ${scalar(x)}\n`}`;
      })
      .join('')}`;
  }
  return ` ${scalar(v)}\n`;
}

/**
 * The document PyYAML's dump(default_flow_style=False) gives for a mapping (pure);
 * `indent` and `explicit` (--- and ...) as cloud-init's safeyaml.dumps passes them.
 */
export function pyyamlDump(v: Record<string, unknown>, opts: { indent?: number; explicit?: boolean } = {}): string {
  const step = opts.indent ?? 2;
  const body = Object.keys(v).length === 0 ? '{}\n' : block(v, 0, step).slice(1);
  if (opts.explicit !== true) return body;
  return Object.keys(v).length === 0 ? '--- {}\n...\n' : `---\n${body}...\n`;
}
