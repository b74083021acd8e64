// @nimbus/core: the shared library of the four stages and the CLI.
export * from './host/index.js';
export * from './log/logger.js';
export * from './yaml/load.js';
export * from './datasources/iso9660.js';
export * from './datasources/http.js';
export * from './datasources/blockdev.js';
export * from './datasources/detect.js';
export * from './datasources/openstack.js';
export * from './datasources/ec2.js';
