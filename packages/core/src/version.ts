// nimbus's version, set by the build (esbuild define); "0.0.0-dev" when run from tsc output.
declare const NIMBUS_VERSION: string;
export const NIMBUS_VERSION_STRING = typeof NIMBUS_VERSION === 'string' ? NIMBUS_VERSION : '0.0.0-dev';
