// Each module's schema (read by `schema` and the cloud-config validator) accepts the
// forms cloud-init's documentation shows, and refuses wrong types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_MODULES } from '../../packages/core/src/modules/registry.js';
import { moduleSchema } from '../../packages/core/src/schema/cloud-config.js';
import { checkCloudConfigText } from '../../packages/core/src/schema/check.js';

const GOOD: Record<string, unknown> = {
  users: ['default', { name: 'a', groups: 'x,y', sudo: ['ALL=(ALL) ALL'], ssh_authorized_keys: ['k'], lock_passwd: false, uid: 1000 }, 'b, c'],
  groups: ['g', { h: ['a'] }],
  hostname: 'h',
  fqdn: 'h.example.org',
  prefer_fqdn_over_hostname: true,
  manage_etc_hosts: 'localhost',
  bootcmd: ['echo a', ['echo', 'b']],
  ssh_pwauth: true,
  chpasswd: { expire: false, users: [{ name: 'a', type: 'RANDOM' }], list: ['b:pw'] },
  password: 'pw',
  mounts: [
    ['vdb', '/d'],
    ['swap', null],
    ['ephemeral0', '/mnt', 'auto', 'defaults', '0', '2'],
  ],
  swap: { filename: '/s', size: 'auto', maxsize: '2G' },
  power_state: { mode: 'reboot', delay: '+1', message: 'bye', timeout: 10, condition: ['test', '-f', '/x'] },
  manage_resolv_conf: true,
  resolv_conf: { nameservers: ['1.1.1.1'], searchdomains: ['a.org'], domain: 'a.org', sortlist: ['10.0.0.0/8'], options: { rotate: true, timeout: 1 } },
  ssh_keys: { rsa_private: 'x', ed25519_public: 'y' },
  ssh_genkeytypes: ['rsa', 'ed25519'],
  ssh_authorized_keys: ['ssh-ed25519 AAAA x'],
  disable_root: false,
  vendor_data: { enabled: true, prefix: ['/usr/bin/ltrace'] },
  final_message: 'done after $UPTIME',
};

test('every module schema accepts documented forms', () => {
  for (const m of BUILTIN_MODULES) {
    const r = moduleSchema(m).safeParse(GOOD);
    assert.ok(r.success, `${m.name}: ${r.success ? '' : JSON.stringify(r.error.issues).slice(0, 300)}`);
  }
});

test('module schemas refuse wrong types', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['bootcmd', { bootcmd: 'echo' }],
    ['update_etc_hosts', { manage_etc_hosts: 'yes-please' }],
    ['ssh', { ssh_genkeytypes: ['rsa1'] }],
    ['set_passwords', { chpasswd: { users: [{ name: 'a', type: 'md5' }] } }],
    ['power_state_change', { power_state: { mode: 'explode' } }],
    ['mounts', { mounts: ['vdb /d'] }],
    ['resolv_conf', { resolv_conf: { nameservers: '1.1.1.1' } }],
  ];
  for (const [name, cfg] of bad) {
    const m = BUILTIN_MODULES.find((x) => x.name === name);
    assert.ok(m !== undefined, name);
    assert.equal(moduleSchema(m).safeParse(cfg).success, false, name);
  }
});

// Every top-level key of cloud-init 25.1.4's cloud-config schema
// (schema-cloud-config-v1.json), and `rpi` from 25.2.
const CLOUD_INIT_KEYS = [
  'allow_public_ssh_keys',
  'ansible',
  'apk_repos',
  'apt',
  'apt_pipelining',
  'apt_reboot_if_required',
  'apt_update',
  'apt_upgrade',
  'authkey_hash',
  'autoinstall',
  'bootcmd',
  'byobu_by_default',
  'ca-certs',
  'ca_certs',
  'chef',
  'chpasswd',
  'cloud_config_modules',
  'cloud_final_modules',
  'cloud_init_modules',
  'create_hostname_file',
  'device_aliases',
  'disable_ec2_metadata',
  'disable_root',
  'disable_root_opts',
  'disk_setup',
  'drivers',
  'fan',
  'final_message',
  'fqdn',
  'fs_setup',
  'groups',
  'growpart',
  'grub-dpkg',
  'grub_dpkg',
  'hostname',
  'keyboard',
  'landscape',
  'launch-index',
  'locale',
  'locale_configfile',
  'lxd',
  'manage_etc_hosts',
  'manage_resolv_conf',
  'mcollective',
  'merge_how',
  'merge_type',
  'migrate',
  'mount_default_fields',
  'mounts',
  'no_ssh_fingerprints',
  'ntp',
  'output',
  'package_reboot_if_required',
  'package_update',
  'package_upgrade',
  'packages',
  'password',
  'phone_home',
  'power_state',
  'prefer_fqdn_over_hostname',
  'preserve_hostname',
  'puppet',
  'random_seed',
  'reporting',
  'resize_rootfs',
  'resolv_conf',
  'rh_subscription',
  'rsyslog',
  'runcmd',
  'salt_minion',
  'snap',
  'spacewalk',
  'ssh',
  'ssh_authorized_keys',
  'ssh_deletekeys',
  'ssh_fp_console_blacklist',
  'ssh_genkeytypes',
  'ssh_import_id',
  'ssh_key_console_blacklist',
  'ssh_keys',
  'ssh_publish_hostkeys',
  'ssh_pwauth',
  'ssh_quiet_keygen',
  'swap',
  'system_info',
  'timezone',
  'ubuntu_advantage',
  'ubuntu_pro',
  'updates',
  'user',
  'users',
  'vendor_data',
  'version',
  'wireguard',
  'write_files',
  'yum_repo_dir',
  'yum_repos',
  'zypper',
  'rpi',
];

test('schema knows every key of cloud-init\'s cloud-config schema: none of them is an "unknown key"', () => {
  const text = `#cloud-config\n${CLOUD_INIT_KEYS.map((k) => `${JSON.stringify(k)}: null`).join('\n')}\n`;
  const unknown = checkCloudConfigText(text, 'all.yaml').problems.filter((p) => /unknown/.test(p.message));
  assert.deepEqual(
    unknown.map((p) => p.path.join('.')),
    [],
  );
});
