// Checking a document given as text, as `nimbus schema` does: the header (a
// cloud-config must start with #cloud-config), the YAML itself (an error with its line
// and column), then the schema. Never throws: any input gives a list of problems.
import { loadYaml, YamlError } from '../yaml/load.js';
import { isDict } from '../config/merge.js';
import { cloudConfigSpec } from './cloud-config.js';
import { networkV1Spec, networkV2Spec } from './network.js';
import { validateDocument } from './validate.js';
import { locateIn, type SchemaProblem } from './problems.js';

export type SchemaType = 'cloud-config' | 'network-config';
export const SCHEMA_TYPES: readonly SchemaType[] = ['cloud-config', 'network-config'];

export interface CheckResult {
  problems: SchemaProblem[];
  /** The document was empty: there was nothing to validate. */
  empty: boolean;
}

const HEADER = '#cloud-config';

function at(file: string, line: number, col: number, message: string): SchemaProblem {
  return { severity: 'error', path: [], message, file, pos: { line, col } };
}

function load(text: string, file: string): { value: unknown; positions: Map<string, { line: number; col: number }> } | SchemaProblem {
  try {
    return loadYaml(text, file);
  } catch (e) {
    if (e instanceof YamlError) return { severity: 'error', path: [], message: `not valid YAML: ${e.reason}`, file, pos: e.pos ?? { line: 1, col: 1 } };
    return at(file, 1, 1, `not valid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function checkCloudConfigText(text: string, file: string): CheckResult {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') return { problems: [], empty: true };
  if (!body.startsWith(HEADER)) {
    const first = body.split('\n', 1)[0] ?? '';
    const why = first.startsWith('## template: jinja')
      ? 'not supported: validating a jinja template; render it first, then validate the result'
      : /mime-version:/i.test(body.slice(0, 4096))
        ? `not supported: validating a MIME multipart message; validate each cloud-config part (they must begin with "${HEADER}")`
        : `a cloud-config must begin with "${HEADER}" on its first line${first.startsWith('#!') ? ' (this is a script, not a cloud-config)' : ''}`;
    return { problems: [at(file, 1, 1, why)], empty: false };
  }
  const doc = load(body, file);
  if ('severity' in doc) return { problems: [doc], empty: false };
  if (doc.value === null) return { problems: [], empty: true };
  return { problems: validateDocument(doc.value, cloudConfigSpec(), locateIn(file, doc.positions)), empty: false };
}

export function checkNetworkConfigText(text: string, file: string): CheckResult {
  if (text.trim() === '') return { problems: [], empty: true };
  const doc = load(text, file);
  if ('severity' in doc) return { problems: [doc], empty: false };
  let value = doc.value;
  let prefix: string[] = [];
  // A network-config may be wrapped in `network:`, as in cloud.cfg.d and NoCloud seeds.
  if (isDict(value) && isDict(value.network) && Object.keys(value).length === 1) {
    value = value.network;
    prefix = ['network'];
  }
  if (value === null) return { problems: [], empty: true };
  const base = locateIn(file, doc.positions);
  const locate = (p: readonly (string | number)[]) => base([...prefix, ...p]);
  const wrap = (ps: SchemaProblem[]) => ps.map((p) => ({ ...p, path: [...prefix, ...p.path] }));
  if (!isDict(value)) return { problems: wrap(validateDocument(value, networkV1Spec(), locate)), empty: false };
  const version = value.version;
  if (version === 1) return { problems: wrap(validateDocument(value, networkV1Spec(), locate)), empty: false };
  if (version === 2) return { problems: wrap(validateDocument(value, networkV2Spec(), locate)), empty: false };
  const message = version === undefined ? 'is required (1 or 2) but missing' : `expected 1 or 2, got ${JSON.stringify(version)}`;
  return { problems: [{ severity: 'error', path: [...prefix, 'version'], message, ...locate(version === undefined ? [] : ['version']) }], empty: false };
}

export function checkText(type: SchemaType, text: string, file: string): CheckResult {
  return type === 'network-config' ? checkNetworkConfigText(text, file) : checkCloudConfigText(text, file);
}

/** Problems of an already merged configuration (the init stage), located by `locate`. */
export { validateDocument } from './validate.js';
