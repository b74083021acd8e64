// boot/: unit and rc-order logic, the SysV scripts, and the doctor.
export * from './stages.js';
export * from './rc-links.js';
export * from './rc-order.js';
export * from './rc-tree.js';
export * from './sysv-scripts.js';
export * from './sysv-install.js';
export * from './unit-file.js';
export * from './unit-rules.js';
export * from './systemd-units.js';
export * from './init-system.js';
export * from './fstab.js';
export * from './nm-hostname.js';
export * from './finding.js';
export * from './doctor-systemd.js';
export * from './doctor-sysv.js';
export * from './doctor-traps.js';
export * from './doctor.js';
