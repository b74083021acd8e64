// The modules nimbus has, by canonical name.
import type { Module } from './types.js';
import type { Host } from '../host/host.js';
import { CustomModuleError, findCustomModule } from './lib/custom-module-loader.js';
import { writeFiles } from './write-files.js';
import { writeFilesDeferred } from './write-files-deferred.js';
import { runcmd } from './runcmd.js';
import { scriptsUser } from './scripts-user.js';
import { scriptsPerInstance } from './scripts-per-instance.js';
import { scriptsPerBoot } from './scripts-per-boot.js';
import { scriptsPerOnce } from './scripts-per-once.js';
import { finalMessage } from './final-message.js';
import { bootcmd } from './bootcmd.js';
import { setHostnameModule } from './set-hostname.js';
import { updateHostname } from './update-hostname.js';
import { updateEtcHosts } from './update-etc-hosts.js';
import { usersGroups } from './users-groups.js';
import { ssh } from './ssh.js';
import { setPasswords } from './set-passwords.js';
import { resolvConf } from './resolv-conf.js';
import { mounts } from './mounts.js';
import { growpart } from './growpart.js';
import { diskSetup } from './disk-setup.js';
import { resizefs } from './resizefs.js';
import { scriptsVendor } from './scripts-vendor.js';
import { powerStateChange } from './power-state-change.js';
import { packageUpdateUpgradeInstall } from './package-update-upgrade-install.js';
import { aptPipelining } from './apt-pipelining.js';
import { aptConfigure } from './apt-configure.js';
import { yumAddRepo } from './yum-add-repo.js';
import { apkConfigure } from './apk-configure.js';
import { zypperAddRepo } from './zypper-add-repo.js';
import { sshAuthkeyFingerprints } from './ssh-authkey-fingerprints.js';
import { keysToConsole } from './keys-to-console.js';
import { sshImportId } from './ssh-import-id.js';
import { phoneHome } from './phone-home.js';
import { timezone } from './timezone.js';
import { locale } from './locale.js';
import { ntp } from './ntp.js';
import { caCerts } from './ca-certs.js';
import { keyboard } from './keyboard.js';
import { seedRandom } from './seed-random.js';
import { rsyslog } from './rsyslog.js';
import { disableEc2Metadata } from './disable-ec2-metadata.js';
import { ansible } from './ansible.js';
import { puppet } from './puppet.js';
import { chef } from './chef.js';
import { saltMinion } from './salt-minion.js';
import { mcollective } from './mcollective.js';
import { snap } from './snap.js';
import { lxd } from './lxd.js';
import { ubuntuPro } from './ubuntu-pro.js';
import { landscape } from './landscape.js';
import { ubuntuDrivers } from './ubuntu-drivers.js';
import { fan } from './fan.js';
import { spacewalk } from './spacewalk.js';
import { rhSubscription } from './rh-subscription.js';
import { ubuntuAutoinstall } from './ubuntu-autoinstall.js';
import { raspberryPi } from './raspberry-pi.js';
import { grubDpkg } from './grub-dpkg.js';
import { byobu } from './byobu.js';
import { wireguard } from './wireguard.js';
import { installHotplug } from './install-hotplug.js';

export const BUILTIN_MODULES: readonly Module[] = [
  writeFiles,
  writeFilesDeferred,
  runcmd,
  scriptsUser,
  scriptsPerInstance,
  scriptsPerBoot,
  scriptsPerOnce,
  finalMessage,
  bootcmd,
  setHostnameModule,
  updateHostname,
  updateEtcHosts,
  usersGroups,
  ssh,
  setPasswords,
  resolvConf,
  mounts,
  growpart,
  diskSetup,
  resizefs,
  scriptsVendor,
  powerStateChange,
  packageUpdateUpgradeInstall,
  aptConfigure,
  aptPipelining,
  yumAddRepo,
  apkConfigure,
  zypperAddRepo,
  sshAuthkeyFingerprints,
  keysToConsole,
  sshImportId,
  phoneHome,
  timezone,
  locale,
  ntp,
  caCerts,
  keyboard,
  seedRandom,
  rsyslog,
  disableEc2Metadata,
  ansible,
  puppet,
  chef,
  saltMinion,
  mcollective,
  snap,
  lxd,
  ubuntuPro,
  landscape,
  ubuntuDrivers,
  fan,
  spacewalk,
  rhSubscription,
  ubuntuAutoinstall,
  raspberryPi,
  grubDpkg,
  byobu,
  wireguard,
  installHotplug,
];

const byName = new Map(BUILTIN_MODULES.map((m) => [m.name, m]));

export function builtinModule(name: string): Module | undefined {
  return byName.get(name);
}

/**
 * A module by name for the runner: a built-in, else a custom module from
 * /etc/cloud/modules.d or the packaged module directory. `error` says why a custom
 * module that is there could not be used (it names the file).
 */
export function lookupModule(host: Host, name: string): { module: Module | null; error?: string } {
  const builtin = byName.get(name);
  if (builtin !== undefined) return { module: builtin };
  try {
    return { module: findCustomModule(host, name).module };
  } catch (e) {
    if (e instanceof CustomModuleError) return { module: null, error: e.message };
    throw e;
  }
}
