export { createHost, defaultExecMode, type Host, type HostOptions } from './host.js';
export { RootFs, PathEscapeError, sleepSync, type Owner, type WriteOptions, type FileStat, type ScratchTree } from './rootfs.js';
export { Exec, EXEC_MODES, COMMAND_RECORD, OUTPUT_LOG, type ExecMode, type ExecOptions, type ExecResult, type RecordedCommand } from './exec.js';
export { Sysfs } from './sysfs.js';
export { systemClock, type Clock } from './clock.js';
export { resolveOwner, uidOf, gidOf } from './passwd.js';
