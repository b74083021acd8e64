// The one door to the machine: a rooted file system, command execution, the kernel's
// views and a clock. Nothing outside host/ touches fs or child_process.
import { Exec, type ExecMode } from './exec.js';
import { RootFs, type ScratchTree } from './rootfs.js';
import { Sysfs } from './sysfs.js';
import { systemClock, type Clock } from './clock.js';
import { Console } from './console.js';

export interface Host {
  readonly root: string;
  readonly fs: RootFs;
  readonly exec: Exec;
  readonly sysfs: Sysfs;
  readonly clock: Clock;
  /** This process's stdout and stderr. */
  readonly console: Console;
}

export interface HostOptions {
  root?: string;
  /** Default: `host` for "/", `record` for any other root. */
  exec?: ExecMode;
  clock?: Clock;
  /** Where stdout and stderr go: this process's descriptors unless a caller collects them. */
  console?: Console;
  /** A throwaway tree (`nimbus try`): no fsync, owners that cannot be given noted (see RootFs). */
  scratch?: ScratchTree;
}

export function defaultExecMode(root: string): ExecMode {
  return root === '/' ? 'host' : 'record';
}

export function createHost(opts: HostOptions = {}): Host {
  const fs = new RootFs(opts.root ?? '/', opts.scratch);
  return {
    root: fs.root,
    fs,
    exec: new Exec(opts.exec ?? defaultExecMode(fs.root), fs),
    sysfs: new Sysfs(fs),
    clock: opts.clock ?? systemClock,
    console: opts.console ?? new Console(),
  };
}
