// cloud-init modules nimbus does not implement (yet), with the keys that configure
// them. A listed module whose keys are set is reported "not supported" (the boot is
// then degraded: the user asked for something that was not done); one with nothing
// configured is skipped quietly, as there was nothing to do. When a module lands,
// its line here is deleted (test/modules/registry.test.ts fails while a name is both
// here and in registry.ts), so this list only ever shrinks.
export const NOT_IMPLEMENTED: Readonly<Record<string, readonly string[]>> = {
  migrator: [],
  reset_rmc: [],
  refresh_rmc_and_interface: [],
  rightscale_userdata: [],
};
