// The eight SysV init scripts under sysvinit/, one per stage and rc layout.
import { BOOT_STAGES } from '../boot/stages.js';
import { renderInitScript } from '../boot/sysv-scripts.js';
import type { RcStyle } from '../boot/rc-tree.js';
import type { GeneratedFile } from './types.js';

const STYLES: readonly RcStyle[] = ['debian', 'rhel'];

export const SYSV_SCRIPT_FILES: readonly GeneratedFile[] = STYLES.flatMap((style) =>
  BOOT_STAGES.map((stage) => ({ path: `sysvinit/${style}/nimbus-${stage}`, mode: 0o755, render: () => renderInitScript(stage, style) })),
);
