// PyYAML's own resolvers and constructors for ints, floats and nulls, where js-yaml's
// YAML 1.1 tags read a few plain scalars differently ("+.5", "1.0e3" and "00:30" are
// strings to PyYAML; an explicit !!float 1 is 1.0 and !!null x is null), plus the
// !!python/unicode tag cloud-init's loader adds. Found by the PyYAML corpus test
// (test/yaml); each regex is PyYAML's implicit resolver for the tag.
import { defineScalarTag, NOT_RESOLVED, nullYaml11Tag, type ScalarTagDefinition } from 'js-yaml';
import { pyB64Decode } from '../userdata/py-base64.js';

const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

// What Python's int(text, base) and float(text) accept, underscores already removed.
const PY_INT: Record<number, RegExp> = { 2: /^(?:0b)?[01]+$/i, 8: /^(?:0o)?[0-7]+$/i, 10: /^\d+$/, 16: /^(?:0x)?[0-9a-f]+$/i };
const PY_FLOAT = /^(?:\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|inf(?:inity)?|nan)$/i;

function pyInt(text: string, base: number): number | typeof NOT_RESOLVED {
  const t = text.trim();
  if (!(PY_INT[base] as RegExp).test(t)) return NOT_RESOLVED;
  const digits = base === 10 ? t : t.replace(/^0[box]/i, '');
  return parseInt(digits, base);
}

function splitSign(text: string): [number, string] {
  const v = text.replace(/_/g, '');
  if (v.startsWith('-')) return [-1, v.slice(1)];
  return [1, v.startsWith('+') ? v.slice(1) : v];
}

/** PyYAML's construct_yaml_int. */
function constructInt(text: string): number | typeof NOT_RESOLVED {
  const [sign, v] = splitSign(text);
  let n: number | typeof NOT_RESOLVED;
  if (v === '0') n = 0;
  else if (v.startsWith('0b')) n = pyInt(v.slice(2), 2);
  else if (v.startsWith('0x')) n = pyInt(v.slice(2), 16);
  else if (v.startsWith('0')) n = pyInt(v, 8);
  else if (v.includes(':')) {
    n = 0;
    for (const d of v.split(':')) {
      const x = pyInt(d, 10);
      if (x === NOT_RESOLVED) return NOT_RESOLVED;
      n = n * 60 + x;
    }
  } else n = pyInt(v, 10);
  return n === NOT_RESOLVED ? n : sign * n;
}

function pyFloat(text: string): number | typeof NOT_RESOLVED {
  const t = text.trim();
  if (!PY_FLOAT.test(t)) return NOT_RESOLVED;
  const l = t.toLowerCase();
  return l.startsWith('inf') ? Infinity : l === 'nan' ? NaN : Number(t);
}

/** PyYAML's construct_yaml_float. */
function constructFloat(text: string): number | typeof NOT_RESOLVED {
  const [sign, raw] = splitSign(text);
  const v = raw.toLowerCase();
  if (v === '.inf') return sign * Infinity;
  if (v === '.nan') return NaN;
  if (v.includes(':')) {
    let n = 0;
    for (const d of v.split(':')) {
      const x = pyFloat(d);
      if (x === NOT_RESOLVED) return NOT_RESOLVED;
      n = n * 60 + x;
    }
    return sign * n;
  }
  const n = pyFloat(v);
  return n === NOT_RESOLVED ? n : sign * n;
}

const DIGIT_CHARS = ['-', '+', '.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

const intTag = defineScalarTag<number>('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: DIGIT_CHARS,
  resolve: (s, isExplicit) => (isExplicit || INT.test(s) ? constructInt(s) : NOT_RESOLVED),
  identify: (v) => typeof v === 'number' && Number.isInteger(v),
  represent: (v) => String(v),
});

const floatTag = defineScalarTag<number>('tag:yaml.org,2002:float', {
  implicit: true,
  implicitFirstChars: DIGIT_CHARS,
  resolve: (s, isExplicit) => (isExplicit || FLOAT.test(s) ? constructFloat(s) : NOT_RESOLVED),
  identify: (v) => typeof v === 'number' && !Number.isInteger(v),
  represent: (v) => (Number.isNaN(v) ? '.nan' : v === Infinity ? '.inf' : v === -Infinity ? '-.inf' : String(v)),
});

// PyYAML's null constructor ignores the text, so an explicit !!null of anything is null.
const nullTag = defineScalarTag<null>('tag:yaml.org,2002:null', {
  implicit: true,
  implicitFirstChars: nullYaml11Tag.implicitFirstChars,
  resolve: (s, isExplicit, tagName) => (isExplicit ? null : nullYaml11Tag.resolve(s, isExplicit, tagName)),
  identify: nullYaml11Tag.identify,
  represent: nullYaml11Tag.represent,
});

const pyUnicode = defineScalarTag<string>('tag:yaml.org,2002:python/unicode', {
  resolve: (s) => s,
  identify: () => false,
});

// PyYAML's !!binary is base64.decodebytes: stray characters are skipped, not an error.
const pyBinary = defineScalarTag<Uint8Array>('tag:yaml.org,2002:binary', {
  resolve: (s) => {
    try {
      return pyB64Decode(s);
    } catch {
      return NOT_RESOLVED;
    }
  },
  identify: (v) => v instanceof Uint8Array,
  represent: (v) => Buffer.from(v).toString('base64'),
});

export const PYYAML_SCALARS: readonly ScalarTagDefinition<unknown>[] = [nullTag, intTag, floatTag, pyUnicode, pyBinary] as ScalarTagDefinition<unknown>[];
