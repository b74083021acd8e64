// nimbus's version, set by the build (esbuild define); "0.0.0-dev" when run from tsc output.
declare const NIMBUS_VERSION: string;
export const NIMBUS_VERSION_STRING = typeof NIMBUS_VERSION === 'string' ? NIMBUS_VERSION : '0.0.0-dev';

// A hash of the sources and the lock file, set by the build: answers kept from one build
// (the init stage's schema check) are not taken by another of the same version.
declare const NIMBUS_BUILD_ID: string;
export const NIMBUS_BUILD_ID_STRING = typeof NIMBUS_BUILD_ID === 'string' ? NIMBUS_BUILD_ID : 'dev';
