// Networking: sources → one NetworkState → renderers; renames and bring-up.
export * from './model.js';
export { NetConfigError, type Where } from './errors.js';
export { readNics, macToName, type Nic } from './sysfs.js';
export { parseSource, parseText, type InputKind } from './sources/index.js';
export { parseNetworkConfigDoc } from './sources/config.js';
export { parseNetworkDataJson } from './sources/network-data-json.js';
export { parseV1 } from './sources/v1.js';
export { parseV2 } from './sources/v2.js';
export { parseEni, type EniReader } from './sources/eni.js';
export { parseCmdlineNetworkConfig } from './sources/cmdline.js';
export { fallbackNic, fallbackState } from './sources/fallback.js';
export { render, RENDERERS, OWNED } from './renderers/index.js';
export { RenderError, shellAssign } from './renderers/sysconfig.js';
export type { Rendered, RenderedFile } from './renderers/common.js';
export { selectRenderer, rendererMissing, ALL_RENDERERS } from './select.js';
export type { NetRenderer } from '../distro/types.js';
