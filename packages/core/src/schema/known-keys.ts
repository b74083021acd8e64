// Top-level keys that are valid in a cloud-config beyond the ones nimbus's modules
// declare: the system-configuration keys (cloud.cfg may be given in user-data too) and
// the keys of cloud-init modules nimbus does not have. A key in none of these lists,
// nor in a module's schema, is unknown and gets a warning.
import { NOT_IMPLEMENTED } from '../modules/not-implemented.js';

/** Keys the configuration layer itself reads (cloud.cfg, merging, logging, datasources). */
export const SYSTEM_KEYS: readonly string[] = [
  'cloud_init_modules',
  'cloud_config_modules',
  'cloud_final_modules',
  'datasource_list',
  'datasource',
  'system_info',
  'network',
  'merge_how',
  'merge_type',
  'vendor_data',
  'vendor_data2',
  'launch-index',
  '_log',
  'log_cfgs',
  'output',
  'def_log_file',
  'syslog_fix_perms',
  'reporting',
  'manual_cache_clean',
  'preserve_hostname',
  'prefer_fqdn_over_hostname',
  'disable_root_opts',
  'allow_public_ssh_keys',
  'ssh_quiet_keygen',
  'ssh_fp_console_blacklist',
  'ssh_key_console_blacklist',
  'authkey_hash',
  'mount_default_fields',
  'device_aliases',
  'locale_configfile',
  'user',
  'package_reboot_if_required',
  'apt_reboot_if_required',
  'yum_repo_dir',
  'migrate',
  'apk_repos',
  'zypper',
  // Modules to run on distros they are not verified on (modules/lib/distro-gate.ts).
  'unverified_modules',
  // In cloud-init's schema at the top level with no module of its own.
  'version',
];

/**
 * Old spellings cloud-init still honours, with the key that replaces them. They are
 * reported as deprecations (not errors): the configuration still works today.
 */
export const DEPRECATED_KEYS: Readonly<Record<string, string>> = {
  'manage-resolv-conf': 'manage_resolv_conf',
  'ca-certs': 'ca_certs',
  'grub-dpkg': 'grub_dpkg',
  apt_update: 'package_update',
  apt_upgrade: 'package_upgrade',
  apt_reboot_if_required: 'package_reboot_if_required',
};

/** Keys of cloud-init modules nimbus does not implement (known, so not "unknown"). */
export function catalogKeys(): string[] {
  return Object.values(NOT_IMPLEMENTED).flat();
}

/**
 * Old spellings below the top level, as dotted patterns ("*" is any list index or
 * key), with what replaces them.
 */
export const DEPRECATED_PATHS: Readonly<Record<string, string>> = {
  'users.*.lock-passwd': 'lock_passwd',
  'user.lock-passwd': 'lock_passwd',
  'chpasswd.list': 'chpasswd.users',
};
