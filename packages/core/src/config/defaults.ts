// The built-in configuration used when /etc/cloud/cloud.cfg is absent: the module
// lists and system_info that cloud-init's own packages ship for each distro family
// (Debian's cloud-init 22.4 package; RHEL's downstream cloud.cfg for the rhel family).
import type { Distro } from '../distro/types.js';
import type { Dict } from './merge.js';

const DEBIAN_MODULES = {
  cloud_init_modules: [
    'migrator',
    'seed_random',
    'bootcmd',
    'write-files',
    'growpart',
    'resizefs',
    'disk_setup',
    'mounts',
    'set_hostname',
    'update_hostname',
    'update_etc_hosts',
    'ca-certs',
    'rsyslog',
    'users-groups',
    'ssh',
  ],
  cloud_config_modules: ['snap', 'ssh-import-id', 'keyboard', 'locale', 'set-passwords', 'grub-dpkg', 'apt-pipelining', 'apt-configure', 'ntp', 'timezone', 'disable-ec2-metadata', 'runcmd', 'byobu'],
  cloud_final_modules: [
    'package-update-upgrade-install',
    'fan',
    'landscape',
    'lxd',
    'write-files-deferred',
    'puppet',
    'chef',
    'mcollective',
    'salt-minion',
    'reset_rmc',
    'refresh_rmc_and_interface',
    'rightscale_userdata',
    'scripts-vendor',
    'scripts-per-once',
    'scripts-per-boot',
    'scripts-per-instance',
    'scripts-user',
    'ssh-authkey-fingerprints',
    'keys-to-console',
    'install-hotplug',
    'phone-home',
    'final-message',
    'power-state-change',
  ],
};

const RHEL_MODULES = {
  cloud_init_modules: [
    'disk_setup',
    'migrator',
    'bootcmd',
    'write-files',
    'growpart',
    'resizefs',
    'set_hostname',
    'update_hostname',
    'update_etc_hosts',
    'resolv_conf',
    'rsyslog',
    'users-groups',
    'ssh',
  ],
  cloud_config_modules: [
    'mounts',
    'locale',
    'set-passwords',
    'rh_subscription',
    'yum-add-repo',
    'package-update-upgrade-install',
    'timezone',
    'puppet',
    'chef',
    'salt-minion',
    'mcollective',
    'disable-ec2-metadata',
    'runcmd',
  ],
  cloud_final_modules: [
    'write-files-deferred',
    'rightscale_userdata',
    'scripts-vendor',
    'scripts-per-once',
    'scripts-per-boot',
    'scripts-per-instance',
    'scripts-user',
    'ssh-authkey-fingerprints',
    'keys-to-console',
    'phone-home',
    'final-message',
    'power-state-change',
  ],
};

// As the stock cloud.cfg: the default user is created, and root's keys refuse logins.
export function builtinConfig(distro: Distro, datasources: string[]): Dict {
  const u = distro.defaultUser;
  return {
    users: ['default'],
    disable_root: true,
    preserve_hostname: false,
    datasource_list: datasources,
    ...(distro.family === 'rhel' ? RHEL_MODULES : DEBIAN_MODULES),
    system_info: {
      distro: distro.id,
      default_user: { name: u.name, lock_passwd: u.lock_passwd, gecos: u.gecos, groups: [...u.groups], sudo: [...u.sudo], shell: u.shell },
      paths: { cloud_dir: '/var/lib/cloud/', templates_dir: '/etc/cloud/templates/' },
      ssh_svcname: distro.family === 'rhel' ? 'sshd' : 'ssh',
    },
  };
}
