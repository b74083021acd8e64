// What a network renderer is: everything nimbus knows about one network stack, in one
// record, so adding a stack is its own file plus one line in registry.ts. The name and
// bring-up tool types are literal (see defineRenderer) so the registry can derive the
// `NetRenderer` and `UpTool` unions from the records themselves.
import type { Host } from '../../host/host.js';
import type { Iface, NetworkState } from '../model.js';
import type { Rendered, Warn } from './common.js';

/**
 * Files of a renderer's that nimbus may remove: those in `dir` whose name matches
 * `match`. When `match` has a named group `iface`, it names the interface the file
 * configures, so a hand-written file for an interface nimbus now configures is removed
 * too (two files for one interface leave the old IP beside the new one).
 */
export interface OwnedFiles {
  readonly dir: string;
  readonly match: RegExp;
}

/** One command of a bring-up. */
export interface UpStep {
  readonly argv: string[];
  /** Reported in ApplyResult.failed when the command fails; without it a failure is only logged. */
  readonly failure?: string;
}

/** A tool that raises interfaces from the files a renderer wrote. */
export interface BringUp<T extends string = string> {
  /** Shown in the log and in ApplyResult.tool. */
  readonly tool: T;
  /** The command the image must have for this tool to be chosen. */
  readonly needs: string;
  /** Best-effort commands for one interface before nimbus takes it down and flushes it (the tool's own state must forget it too). */
  readonly down?: (iface: string) => string[][];
  /**
   * The commands that raise the configured interfaces, given in creation order (bonds
   * and bridges before VLANs) and the names present in /sys/class/net. Pure: activate.ts runs them.
   */
  readonly up: (ifaces: readonly Iface[], present: ReadonlySet<string>) => UpStep[];
}

export interface Renderer<N extends string = string, T extends string = string> {
  /** The name in `system_info.network.renderers` and net-convert's `-O`. */
  readonly name: N;
  /** Null when the image has this network stack installed, else what it lacks (shown to the user). */
  readonly missing: (host: Host) => string | null;
  /**
   * Pure: the files for this state, by absolute path inside the target root; `distro` (an
   * os-release ID) picks a flavour where the stack has one. Every setting of the state the
   * stack cannot write is told to `warn` (interface, key, why), never dropped silently.
   */
  readonly render: (state: NetworkState, distro?: string, warn?: Warn) => Rendered;
  /** Where its own files live; every renderer's are cleaned of stale files after a render. */
  readonly owned: readonly OwnedFiles[];
  /** Other files it may write (shared with the system or another stack); never removed. */
  readonly alsoWrites: readonly string[];
  /** Tools that raise its interfaces, in order of preference; none installed means the `ip` fallback. */
  readonly bringUp: readonly BringUp<T>[];
  /**
   * Commands the local stage runs when its files changed, before any network manager
   * starts: for a stack whose daemon reads something else than the files written
   * (netplan's YAML becomes networkd's files only through `netplan generate`).
   */
  readonly afterWrite?: readonly string[][];
}

// Identity functions whose `const` type parameters keep the literal name and tool, so
// the unions derived in registry.ts stay exact without each record repeating them.
export function defineRenderer<const N extends string, const T extends string>(r: Renderer<N, T>): Renderer<N, T> {
  return r;
}

export function defineBringUp<const T extends string>(b: BringUp<T>): BringUp<T> {
  return b;
}
