// What the package and repository module tests and their reference twins (the
// *-reference.test.ts files, full lane) share: the os-release texts of the distros
// they boot, the package tools a tree pretends to have, zypp.conf's stock head and the
// header yum_add_repo stamps on a repo file.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SUSE = 'NAME="openSUSE Leap"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.5"\n';
export const ALPINE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n';
export const UBUNTU = 'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n';
export const ZYPP = '## zypp.conf\n[main]\n# arch = s390\n';

/** Executables that exit 0, in usr/bin unless the name is an absolute path. */
export function tools(root: string, names: string[]): void {
  for (const n of names) {
    const p = path.join(root, n.includes('/') ? n.slice(1) : `usr/bin/${n}`);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  }
}

export const YUM_HEADER = /^# Created by cloud-init on (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000\n/;
/** A yum repo file without its dated header. */
export const yumBody = (text: string) => text.replace(YUM_HEADER, '');
