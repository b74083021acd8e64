// The file a unit or /usr/bin/nimbus starts (nimbus-init.js, ...): a few lines that run
// the real bundle beside it (nimbus-init.bundle.js) with its V8 code cache
// (code-cache.ts). The build makes one per bundle and fills in the constants below.
import { runBundle } from './code-cache.js';

declare const NIMBUS_BUNDLE: string;
declare const NIMBUS_BUNDLE_NAME: string;
declare const NIMBUS_BUNDLE_HASH: string;
declare const NIMBUS_BUNDLE_BYTES: number;

runBundle({ path: `${__dirname}/${NIMBUS_BUNDLE}`, name: NIMBUS_BUNDLE_NAME, buildId: NIMBUS_BUNDLE_HASH, bytes: NIMBUS_BUNDLE_BYTES }, process.argv.slice(2), require);
