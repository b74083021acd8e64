// `nimbus try`: what a boot would do with a cloud-config, before booting one.
export { runTry, TryError, type TryInput, type TryOptions } from './run.js';
export { renderPlanText } from './render-text.js';
export { TRY_DISTRO_NAMES } from './distros.js';
export type { TryPlan, BootPlan } from './plan.js';
