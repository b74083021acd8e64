// A small YAML emitter for netplan files: block style, keys in the order given, and
// every string that a YAML 1.1 reader could take for something else (a MAC like
// 52:54:00:12:34:00 reads as a base-60 number, "no" as false) single-quoted.
export type Yaml = string | number | boolean | Yaml[] | { [k: string]: Yaml };

const PLAIN = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/;
const RESERVED = /^(y|n|yes|no|on|off|true|false|null|~)$/i;

function scalar(v: string | number | boolean): string {
  if (typeof v !== 'string') return String(v);
  return PLAIN.test(v) && !RESERVED.test(v) ? v : `'${v.replace(/'/g, "''")}'`;
}

export function emitYaml(v: Yaml, indent = 0): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return ' []\n';
    return '\n' + v.map((x) => (typeof x === 'object' ? `${pad}- ${emitYaml(x, indent + 2).replace(/^\n\s*/, '')}` : `${pad}- ${scalar(x)}\n`)).join('');
  }
  if (typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0) return ' {}\n';
    return (
      '\n' +
      keys
        .map((k) => {
          const x = v[k] as Yaml;
          return typeof x === 'object' ? `${pad}${scalar(k)}:${emitYaml(x, indent + 4)}` : `${pad}${scalar(k)}: ${scalar(x)}\n`;
        })
        .join('')
    );
  }
  return ` ${scalar(v)}\n`;
}
