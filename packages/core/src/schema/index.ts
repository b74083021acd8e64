// Schema validation of cloud-config and network-config, errors with line:col.
export * from './problems.js';
export * from './check.js';
export * from './annotate.js';
export * from './cloud-config.js';
export type { SchemaSpec } from './validate.js';
export { didYouMean } from './suggest.js';
export * from './merged.js';
export * from './docs.js';
