// The names a boot stage goes by, declared once: the four daemons (and their units and
// SysV scripts), the module lists the `modules --mode` command runs, and cloud-init's
// names in status.json. Every other stage type derives from these.

/** The four oneshot daemons: nimbus-local, nimbus-init, nimbus-config, nimbus-final. */
export const BOOT_STAGES = ['local', 'init', 'config', 'final'] as const;
export type BootStage = (typeof BOOT_STAGES)[number];

/** `modules --mode M` runs cloud_M_modules. */
export const MODULES_MODES = ['init', 'config', 'final'] as const;
export type ModulesMode = (typeof MODULES_MODES)[number];

/** cloud-init's stage names, the keys of status.json's v1. */
export const STATUS_STAGES = ['init-local', 'init', ...MODULES_MODES.map((m) => `modules-${m}` as const)] as const;
export type StatusStage = (typeof STATUS_STAGES)[number];

/** What a module run belongs to: a stage, or `single` outside any stage. */
export type RunStage = StatusStage | 'single';

/** The status.json stage each daemon reports as. */
export const STATUS_STAGE_OF: Readonly<Record<BootStage, StatusStage>> = { local: 'init-local', init: 'init', config: 'modules-config', final: 'modules-final' };

export function modulesStage(mode: ModulesMode): StatusStage {
  return `modules-${mode}`;
}
