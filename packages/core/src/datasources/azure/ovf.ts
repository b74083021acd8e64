// ovf-env.xml, the provisioning document Azure puts on the provisioning ISO (or a seed
// directory): hostname, admin user, password, SSH keys, custom data (the user-data) and
// whether SSH password login is off. Parsed as cloud-init 25.x reads it (one value per
// key, UserName and HostName required, CustomData base64). The password is a secret:
// it is only ever hashed (sha512-crypt) and never appears in a message.
import { XmlError, childrenNamed, parseXml, type XmlElement } from './xml.js';

export const WA_NS = 'http://schemas.microsoft.com/windowsazure';
/** The value Azure puts in place of a password it has already handed over. */
export const REDACTED_PASSWORD = 'REDACTED';

export interface OvfPublicKey {
  fingerprint: string | null;
  path: string | null;
  value: string;
}

export interface OvfEnv {
  hostname: string;
  username: string;
  /** Secret: never logged, only hashed. */
  password: string | null;
  disableSshPasswordAuth: boolean | null;
  /** CustomData, base64-decoded: the user-data. */
  customData: Uint8Array | null;
  publicKeys: OvfPublicKey[];
  preprovisionedVm: boolean;
  preprovisionedVmType: string | null;
  provisionGuestProxyAgent: boolean;
}

/** An ovf-env.xml that is Azure's but cannot be used; the message names the file and key. */
export class OvfError extends Error {}

// cloud-init's translate_bool: these words are true, anything else false.
function bool(v: string | null): boolean | null {
  if (v === null) return null;
  return ['true', '1', 'on', 'yes'].includes(v.trim().toLowerCase());
}

/**
 * Parses ovf-env.xml. Returns null when the document has no Azure ProvisioningSection
 * (not Azure's: cloud-init ignores it too); throws OvfError naming `source` when it is
 * Azure's but malformed or missing a required key.
 */
export function parseOvfEnv(text: string, source: string): OvfEnv | null {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (e) {
    if (e instanceof XmlError) throw new OvfError(`${source}: not well-formed XML: ${e.message}`);
    throw e;
  }
  const one = (node: XmlElement, name: string, required: boolean): XmlElement | null => {
    const found = childrenNamed(node, name, WA_NS);
    if (found.length > 1) throw new OvfError(`${source}: ${name}: ${found.length} values where one is allowed`);
    if (found.length === 0 && required) throw new OvfError(`${source}: ${name}: missing`);
    return found[0] ?? null;
  };
  // An empty element is an absent value, as cloud-init has it.
  const prop = (node: XmlElement, name: string, required: boolean): string | null => {
    const el = one(node, name, required);
    if (el === null || el.text === '') return null;
    return el.text;
  };
  // A flag that is absent is null; one that is there but empty is false (cloud-init translates the missing text).
  const flag = (node: XmlElement, name: string): boolean | null => (one(node, name, false) === null ? null : (bool(prop(node, name, false)) ?? false));
  if (childrenNamed(root, 'ProvisioningSection', WA_NS).length === 0) return null;
  const prov = one(root, 'ProvisioningSection', true) as XmlElement;
  const set = one(prov, 'LinuxProvisioningConfigurationSet', true) as XmlElement;
  const username = prop(set, 'UserName', true);
  const hostname = prop(set, 'HostName', true);
  if (username === null) throw new OvfError(`${source}: UserName: empty`);
  if (hostname === null) throw new OvfError(`${source}: HostName: empty`);
  let customData: Uint8Array | null = null;
  const cd = prop(set, 'CustomData', false);
  if (cd !== null) {
    const compact = cd.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw new OvfError(`${source}: CustomData: not base64 (${compact.length} characters)`);
    customData = new Uint8Array(Buffer.from(compact, 'base64'));
  }
  const publicKeys: OvfPublicKey[] = [];
  const ssh = one(set, 'SSH', false);
  const keys = ssh ? one(ssh, 'PublicKeys', false) : null;
  for (const k of keys ? childrenNamed(keys, 'PublicKey', WA_NS) : []) {
    publicKeys.push({ fingerprint: prop(k, 'Fingerprint', false), path: prop(k, 'Path', false), value: prop(k, 'Value', false) ?? '' });
  }
  const pss = one(root, 'PlatformSettingsSection', true) as XmlElement;
  const ps = one(pss, 'PlatformSettings', true) as XmlElement;
  return {
    hostname: hostname.trim(),
    username: username.trim(),
    password: prop(set, 'UserPassword', false),
    disableSshPasswordAuth: flag(set, 'DisableSshPasswordAuthentication'),
    customData,
    publicKeys,
    preprovisionedVm: flag(ps, 'PreprovisionedVm') ?? false,
    preprovisionedVmType: prop(ps, 'PreprovisionedVMType', false),
    provisionGuestProxyAgent: flag(ps, 'ProvisionGuestProxyAgent') ?? false,
  };
}

/**
 * The configuration cloud-init derives from ovf-env.xml (its datasource config): the
 * default user's name, an unlocked and hashed password, and ssh_pwauth.
 */
export function ovfConfig(ovf: OvfEnv, hash: (password: string) => string): Record<string, unknown> {
  const cfg: Record<string, unknown> = {};
  if (ovf.disableSshPasswordAuth !== null) cfg['ssh_pwauth'] = !ovf.disableSshPasswordAuth;
  else if (ovf.password) cfg['ssh_pwauth'] = true;
  const user: Record<string, unknown> = { name: ovf.username };
  if (ovf.password) {
    user['lock_passwd'] = false;
    if (ovf.password !== REDACTED_PASSWORD) user['hashed_passwd'] = hash(ovf.password);
  }
  cfg['system_info'] = { default_user: user };
  return cfg;
}
