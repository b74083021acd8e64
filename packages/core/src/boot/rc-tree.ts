// Reads a host's SysV rc tree through host.fs: which layout it has and every link in it.
import type { Host } from '../host/host.js';
import { ALL_RC_DIRS, parseLinkName, type RcDir, type RcLink } from './rc-links.js';

export type RcStyle = 'rhel' | 'debian';
export const RC_STYLES: readonly RcStyle[] = ['rhel', 'debian'];

export interface RcLayout {
  style: RcStyle;
  /** Where the init scripts live: /etc/rc.d/init.d or /etc/init.d. */
  initDir: string;
  /** Whether the layout has an rcS.d run at boot before the runlevel (Debian). */
  hasRcS: boolean;
}

export function layoutFor(style: RcStyle): RcLayout {
  return style === 'rhel' ? { style, initDir: '/etc/rc.d/init.d', hasRcS: false } : { style, initDir: '/etc/init.d', hasRcS: true };
}

export function rcDirPath(layout: RcLayout, dir: RcDir): string {
  return layout.style === 'rhel' ? `/etc/rc.d/rc${dir}.d` : `/etc/rc${dir}.d`;
}

/** The link target rc scripts use: relative, so it stays right inside an image tree. */
export function linkTarget(name: string): string {
  return `../init.d/${name}`;
}

/** rhel-style when /etc/rc.d/init.d exists, debian-style when /etc/init.d or /etc/rc3.d does. */
export function detectRcLayout(host: Host): RcLayout | null {
  if (host.fs.isDir('/etc/rc.d/init.d')) return layoutFor('rhel');
  if (host.fs.isDir('/etc/init.d') || host.fs.isDir('/etc/rc3.d')) return layoutFor('debian');
  return null;
}

export function readRcLinks(host: Host, layout: RcLayout): RcLink[] {
  const out: RcLink[] = [];
  for (const dir of ALL_RC_DIRS) {
    if (dir === 'S' && !layout.hasRcS) continue;
    for (const file of host.fs.list(rcDirPath(layout, dir))) {
      const l = parseLinkName(dir, file);
      if (l !== null) out.push(l);
    }
  }
  return out;
}
