// What a datasource is and what it finds. One file per datasource exports one
// `Datasource` record; the stages only see `DatasourceResult`.
import type { Host } from '../host/host.js';
import type { Logger } from '../log/logger.js';
import type { DetectFacts } from './facts.js';

export type Dsmode = 'local' | 'net' | 'disabled' | 'pass';

export type NetworkConfigFormat = 'network_data.json' | 'v1' | 'v2' | 'eni';

export interface NetworkConfigSource {
  format: NetworkConfigFormat;
  /** Parsed content (network_data.json object, v1/v2 dict, or ENI text). */
  config: unknown;
  /** Where it came from, for messages: "/config-drive/openstack/latest/network_data.json". */
  source: string;
}

export interface DatasourceResult {
  /** The name used in datasource_list: ConfigDrive, NoCloud, OpenStack, Ec2, None. */
  dsname: string;
  /** status.json "datasource": e.g. "DataSourceConfigDrive [net,ver=2][source=/dev/sr0]". */
  description: string;
  /** instance-data v1 fields. */
  cloudName: string;
  platform: string;
  /** e.g. "config-disk (/dev/sr0)", "seed-dir (/var/lib/cloud/seed/nocloud)", "metadata (http://169.254.169.254)". */
  subplatform: string;
  dsmode: Dsmode;
  instanceId: string;
  localHostname?: string;
  availabilityZone?: string;
  region?: string;
  publicKeys: string[];
  /** The source's own metadata, as delivered (instance-data ds.meta_data). */
  metadata: Record<string, unknown>;
  /** Raw user-data and vendor-data bytes as delivered, or null when there are none. */
  userdata: Uint8Array | null;
  vendordata: Uint8Array | null;
  /**
   * A second vendor-data (OpenStack's vendor_data2.json, the dynamic vendor-data of
   * Nova's vendordata services): consumed after vendor-data, above it and below user-data.
   */
  vendordata2?: Uint8Array | null;
  networkConfig: NetworkConfigSource | null;
  /** EC2-style metadata (config drive ec2/latest/meta-data.json, IMDS), incl. block-device-mapping. */
  ec2Metadata?: Record<string, unknown>;
  /** Files the metadata asks to be written (config drive `files` with content_path). */
  files?: { path: string; content: Uint8Array }[];
  /**
   * The datasource's own cloud-config (cloud-init's get_config_obj, e.g. Azure's admin
   * user and ssh_pwauth from ovf-env.xml): above the system configuration, below
   * vendor- and user-data.
   */
  config?: Record<string, unknown>;
  /** Keys that only go to instance-data-sensitive.json. */
  sensitive?: Record<string, unknown>;
}

export interface DatasourceContext {
  host: Host;
  log: Logger;
  /** The merged system configuration (cloud.cfg + cloud.cfg.d + cmdline). */
  cfg: Record<string, unknown>;
  /** cfg.datasource[<name>] or {}. */
  dsCfg: Record<string, unknown>;
  /** Which stage is looking: local sources only in init-local, network ones in init. */
  stage: 'local' | 'net';
}

/** A datasource that is present but whose data cannot be read; names the file and what was wrong. */
export class DatasourceError extends Error {}

/** What a datasource's detection makes of the local facts, with the reason in words. */
export interface Detection {
  verdict: 'found' | 'maybe' | 'not-found';
  reason: string;
}

/** A key a datasource reads from `datasource: {<Name>: {...}}` in cloud.cfg. */
export interface DatasourceOption {
  readonly key: string;
  readonly meaning: string;
  /** nimbus's default, in words ("5", "[http://169.254.169.254]"); absent when there is none. */
  readonly default?: string;
}

/**
 * One datasource, whole: the registry (registry.ts) lists these records and everything
 * else (the default datasource_list, detection, lookups by cloud-init's names, the
 * docs table) derives from them.
 */
export interface Datasource {
  /** As written in datasource_list (cloud-init's spelling). */
  readonly name: string;
  /** Other names cloud-init users write for it: its DataSource class names, `ds=` spellings. */
  readonly aliases: readonly string[];
  /** `local` sources can be read before the network is up; `net` ones need it. */
  readonly needs: 'local' | 'net';
  /** 1-based position in cloud-init's default datasource_list (25.x); the default list is the registry sorted by it. */
  readonly order: number;
  /** When detect says found, in one line for docs/datasources.md. */
  readonly detectedBy: string;
  /** From local facts only (no network, no waiting): can this datasource be here? */
  detect(facts: DetectFacts): Detection;
  /** The network configuration it can bring, and where from; [] means fallback networking applies. */
  readonly network: { readonly formats: readonly NetworkConfigFormat[]; readonly from: string };
  /** The keys it reads from `datasource: {<name>: ...}`. */
  readonly options: readonly DatasourceOption[];
  /** Looks for the data: null when this source is not here; throws DatasourceError when it is but is broken. */
  find(ctx: DatasourceContext): Promise<DatasourceResult | null>;
  /**
   * A cheap look at the instance-id (local stage, cached instance): returns the current
   * id, or null when this source cannot tell cheaply.
   */
  currentInstanceId?(ctx: DatasourceContext): Promise<string | null>;
}
