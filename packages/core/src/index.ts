// @nimbus/core: the shared library of the four stages and the CLI.
export * from './host/index.js';
export * from './log/logger.js';
export * from './yaml/load.js';
export * from './net/index.js';
