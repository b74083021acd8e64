// Every generated file in the repository: `npm run generate` rewrites them all, and a
// test fails when one differs from what its generator gives (an edit by hand, or a
// registry change without a regenerate).
import type { GeneratedFile } from './types.js';
import { SYSV_SCRIPT_FILES } from './sysv-scripts.js';
import { MODULES_DOC_FILE } from './modules-doc.js';
import { DATASOURCES_DOC } from './datasources-doc.js';

export const GENERATED_FILES: readonly GeneratedFile[] = [...SYSV_SCRIPT_FILES, MODULES_DOC_FILE, DATASOURCES_DOC];
