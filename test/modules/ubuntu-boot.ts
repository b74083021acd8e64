// Booting an Ubuntu image for the distro-agent modules (snap, lxd, ubuntu_pro,
// landscape, ubuntu_drivers, fan): the module lists of cloud-init 25's stock cloud.cfg
// for Ubuntu, limited to the modules nimbus has, and tools given to the tree as files
// (under --exec record nothing in the tree ever runs).
import { bootExample, type Booted } from './boot-example.js';

export const UBUNTU2404 = 'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\nPRETTY_NAME="Ubuntu 24.04 LTS"\n';

const UBUNTU_LISTS = [
  'cloud_config_modules: [snap, ubuntu_autoinstall, ssh_import_id, keyboard, locale, apt_pipelining, apt_configure, ubuntu_pro, ntp, timezone, disable_ec2_metadata, runcmd]',
  'cloud_final_modules: [package_update_upgrade_install, fan, landscape, lxd, ubuntu_drivers, write_files_deferred, scripts_vendor, scripts_per_once, scripts_per_boot, scripts_per_instance, scripts_user, final_message]',
  '',
].join('\n');

/** Boots `userData` on Ubuntu 24.04 with cloud-init's Ubuntu module lists; `tools` are commands the image has. */
export function bootUbuntu(userData: string, opts: { tools?: string[]; files?: Record<string, string | { text: string; mode: number }>; osRelease?: string } = {}): Booted {
  const files: Record<string, string | { text: string; mode: number }> = { 'etc/cloud/cloud.cfg.d/90-ubuntu-lists.cfg': UBUNTU_LISTS, ...opts.files };
  for (const t of opts.tools ?? []) files[`usr/bin/${t}`] = { text: '#!/bin/sh\nexit 0\n', mode: 0o755 };
  return bootExample(userData, { osRelease: opts.osRelease ?? UBUNTU2404, files });
}

/** The recorded commands of the modules' tools (apt's and the boot's own left out). */
export function toolArgvs(b: Booted, tools: readonly string[]): string[][] {
  return b.argvs.filter((a) => tools.includes(a[0] as string) || (a[0] === 'sh' && a[1] === '-c'));
}
