// @nimbus/core: the shared library of the four stages and the CLI.
export * from './host/index.js';
export * from './log/logger.js';
export * from './yaml/load.js';
export * from './userdata/mime.js';
export * from './userdata/mime-compose.js';
export * from './userdata/merge.js';
export * from './userdata/make-mime.js';
export * from './userdata/jinja.js';
