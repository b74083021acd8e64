// cloud-init 25.x's own cloud.cfg template lists the configuration managers for every
// distro, in the final stage: puppet, chef, ansible, mcollective, salt_minion (Debian's
// packaged cloud.cfg, which nimbus's built-in lists follow, leaves ansible out). A tree
// that runs them as the template does carries this drop-in.
export const UPSTREAM_FINAL_MODULES = ['package_update_upgrade_install', 'write_files_deferred', 'puppet', 'chef', 'ansible', 'mcollective', 'salt_minion', 'scripts_user', 'final_message'];

export const UPSTREAM_FINAL_CFG = {
  'etc/cloud/cloud.cfg.d/50-upstream-final.cfg': `cloud_final_modules: [${UPSTREAM_FINAL_MODULES.join(', ')}]\n`,
};
