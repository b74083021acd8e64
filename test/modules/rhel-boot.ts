// Booting a Red Hat Enterprise Linux image for spacewalk and rh_subscription, which
// cloud-init runs on rhel, fedora and openeuler only (not on Rocky or Alma, whose
// distro names differ): the stock rhel module lists with spacewalk added after
// rh_subscription, as cloud-init's cloud.cfg template has them.
import { bootExample, type Booted } from './boot-example.js';

export const RHEL9 = 'ID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\n';

const RHEL_CONFIG_LIST = 'cloud_config_modules: [mounts, locale, set-passwords, rh_subscription, spacewalk, yum-add-repo, package-update-upgrade-install, timezone, disable-ec2-metadata, runcmd]\n';

export function bootRhel(userData: string, opts: { tools?: string[] } = {}): Booted {
  const files: Record<string, string | { text: string; mode: number }> = { 'etc/cloud/cloud.cfg.d/90-rhel-lists.cfg': RHEL_CONFIG_LIST };
  for (const t of opts.tools ?? []) files[`usr/bin/${t}`] = { text: '#!/bin/sh\nexit 0\n', mode: 0o755 };
  return bootExample(userData, { osRelease: RHEL9, files });
}
