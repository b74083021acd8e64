// The Azure wireserver (168.63.129.16): the goal state names this VM's container,
// role instance and incarnation, and the health report tells the platform that
// provisioning is done ("Ready") or failed ("NotReady" / "ProvisioningFailed"). Without
// the ready report Azure marks the VM as failed. Requests and documents are those of
// cloud-init 25.x's own (agent-less) path, so the platform sees the same thing.
import { HttpError, type MetadataClient, bodyText } from '../http.js';
import { XmlError, findPath, parseXml } from './xml.js';

export const WIRESERVER_ENDPOINT = '168.63.129.16';
/** The headers cloud-init sends to the wireserver (it speaks as WALinuxAgent). */
export const WIRESERVER_HEADERS = { 'x-ms-agent-name': 'WALinuxAgent', 'x-ms-version': '2012-11-30' } as const;
const DESCRIPTION_MAX = 512;

export interface GoalState {
  incarnation: string;
  containerId: string;
  instanceId: string;
}

export class GoalStateError extends Error {}

export const goalStateUrl = (endpoint: string) => `http://${endpoint}/machine/?comp=goalstate`;
export const healthUrl = (endpoint: string) => `http://${endpoint}/machine?comp=health`;

/** Incarnation, ContainerId and the role's InstanceId from the goal state XML. */
export function parseGoalState(text: string, source: string): GoalState {
  let root: ReturnType<typeof parseXml>;
  try {
    root = parseXml(text);
  } catch (e) {
    if (e instanceof XmlError) throw new GoalStateError(`${source}: not well-formed XML: ${e.message}`);
    throw e;
  }
  const get = (path: string[]): string => {
    const el = findPath(root, path);
    if (el === undefined || el.text.trim() === '') throw new GoalStateError(`${source}: ${path.join('/')} is missing from the goal state`);
    return el.text.trim();
  };
  return {
    incarnation: get(['Incarnation']),
    containerId: get(['Container', 'ContainerId']),
    instanceId: get(['Container', 'RoleInstanceList', 'RoleInstance', 'InstanceId']),
  };
}

// xml.sax.saxutils.escape: &, < and > only, as cloud-init escapes the report's values.
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The health report document, byte for byte as cloud-init builds it. */
export function healthReport(gs: GoalState, state: 'Ready' | 'NotReady', failure?: { substatus: string; description: string }): string {
  const detail = failure ? `<Details>\n  <SubStatus>${esc(failure.substatus)}</SubStatus>\n  <Description>${esc(failure.description.slice(0, DESCRIPTION_MAX))}</Description>\n</Details>\n` : '';
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<Health xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n' +
    ' xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n' +
    `  <GoalStateIncarnation>${esc(gs.incarnation)}</GoalStateIncarnation>\n` +
    '  <Container>\n' +
    `    <ContainerId>${esc(gs.containerId)}</ContainerId>\n` +
    '    <RoleInstanceList>\n' +
    '      <Role>\n' +
    `        <InstanceId>${esc(gs.instanceId)}</InstanceId>\n` +
    '        <Health>\n' +
    `          <State>${esc(state)}</State>\n` +
    `          ${detail}\n` +
    '        </Health>\n' +
    '      </Role>\n' +
    '    </RoleInstanceList>\n' +
    '  </Container>\n' +
    '</Health>\n'
  );
}

/**
 * The failure description as cloud-init encodes it: `key=value` fields joined by "|",
 * CSV-quoted with "'" where a field holds "|", "'" or a line break.
 */
export function encodeFailure(fields: readonly [string, string][]): string {
  return fields
    .map(([k, v]) => {
      const f = `${k}=${v}`;
      return /[|'\r\n]/.test(f) ? `'${f.replace(/'/g, "''")}'` : f;
    })
    .join('|');
}

/** Fetches the goal state. */
export async function fetchGoalState(client: MetadataClient, endpoint: string): Promise<GoalState> {
  const url = goalStateUrl(endpoint);
  const res = await client.request(url, { headers: { ...WIRESERVER_HEADERS } });
  return parseGoalState(bodyText(res.body), url);
}

/** Posts a health report built from a fresh goal state. */
export async function sendHealth(client: MetadataClient, endpoint: string, state: 'Ready' | 'NotReady', description?: string): Promise<GoalState> {
  const gs = await fetchGoalState(client, endpoint);
  const doc = healthReport(gs, state, description === undefined ? undefined : { substatus: 'ProvisioningFailed', description });
  const url = healthUrl(endpoint);
  const res = await client.request(url, { method: 'POST', headers: { ...WIRESERVER_HEADERS, 'Content-Type': 'text/xml; charset=utf-8' }, body: doc });
  if (res.status < 200 || res.status >= 300) throw new HttpError(url, 'status', `HTTP ${res.status}`, res.status);
  return gs;
}
