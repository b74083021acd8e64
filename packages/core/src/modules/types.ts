// The shape every module has, built-in or dropped into /etc/cloud/modules.d: its
// metadata (name, frequency, the keys that activate it), its schema and its handler,
// kept together so adding a module touches one file.
import type { ZodType } from 'zod';
import type { Z } from '../schema/zod.js';
import type { Host } from '../host/host.js';
import type { Logger } from '../log/logger.js';
import type { DatasourceResult } from '../datasources/types.js';
import type { Paths } from '../state/paths.js';
import type { Distro } from '../distro/types.js';
import type { ConfigSource } from '../config/source.js';
import type { RunStage } from '../stages/stage-names.js';

export type Frequency = 'always' | 'once-per-instance' | 'once';
export const FREQUENCIES: readonly Frequency[] = ['always', 'once-per-instance', 'once'];

export interface ModuleContext {
  host: Host;
  log: Logger;
  /** The merged configuration: system config overlaid with vendor and user cloud-config. */
  cfg: Record<string, unknown>;
  /** Where each key of cfg came from (file, line, column), for error messages. */
  source: ConfigSource;
  ds: DatasourceResult;
  paths: Paths;
  distro: Distro;
  stage: RunStage;
  /** The frequency this run was made with (the module's own, or one forced by `single`). */
  frequency: Frequency;
}

export type { Z };
export type SchemaBuilder = (z: Z) => ZodType;

export interface Module {
  /** Canonical name with underscores (write_files); cloud.cfg may spell it with dashes. */
  readonly name: string;
  readonly frequency: Frequency;
  /** Top-level keys this module reads; it is skipped when none is set (unless alwaysRun). */
  readonly keys: readonly string[];
  /** Modules that act without any key (scripts_user, final_message). */
  readonly alwaysRun?: boolean;
  /**
   * The distros cloud-init verified this module on (cloud-init's distro names: the
   * os-release ID, or system_info.distro). Elsewhere the runner skips it unless
   * `unverified_modules` lists it. Absent: every distro.
   */
  readonly distros?: readonly string[];
  /**
   * Its commands can run again without harm (a user that exists is not re-created, a
   * host key is replaced, a password set again): killed after its first command, it runs
   * again on the next boot. Without it, such a module is reported as interrupted and not
   * run again, so that no command (a user's script) runs twice.
   */
  readonly rerunAfterInterruption?: boolean;
  /**
   * Builds the schema of this module's keys (an object schema over the top-level
   * config) from zod's z. A builder, not a schema: only validation calls it (through
   * schema/zod.ts), so the stages that never validate never evaluate zod.
   */
  readonly schema: SchemaBuilder;
  /**
   * Cloud-config documents (each starting with #cloud-config) showing the module's
   * keys in use. They are the module's documentation (docs/modules.md is generated
   * from them) and a test: each one passes the full cloud-config schema with no
   * problems. Every built-in has at least one; a custom module may give none.
   */
  readonly examples: readonly string[];
  run(ctx: ModuleContext): void | Promise<void>;
}
