// What nimbus needs to know about the distribution of the tree it configures.
import type { NetRenderer } from '../net/renderers/registry.js';

export type DistroFamily = 'debian' | 'rhel' | 'suse';

export interface Distro {
  /** os-release ID: debian, ubuntu, centos, rhel, rocky, almalinux, fedora, opensuse-leap, sles, ... */
  id: string;
  family: DistroFamily;
  /** os-release VERSION_ID, "" when unknown. */
  version: string;
  /** The user cloud-init creates as `default`. */
  defaultUser: { name: string; gecos: string; groups: string[]; shell: string; sudo: string[]; lock_passwd: boolean };
  /** Network renderers in order of preference for this distro. */
  renderers: NetRenderer[];
}
