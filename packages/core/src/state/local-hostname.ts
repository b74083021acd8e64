// v1.local_hostname of instance data: the short host name, as cloud-init reports it
// (checked against Debian's 22.4 and 25.1 on the same metadata). Scripts and jinja
// templates written for cloud-init read this key, so it must be the same name even
// where the metadata gives a fully qualified one.

import { isIPv4 } from '../net/ip-syntax.js';

/**
 * The short host name of an instance: the first label of the metadata's local-hostname
 * (a trailing dot and the case are kept as they are, so `WEB1.Example.COM.` gives `WEB1`);
 * an IPv4 address as local-hostname becomes `ip-A-B-C-D` (not resolved), as EC2 names
 * its hosts. Without a local-hostname (absent or empty), the machine's own name
 * `system` is used, shortened the same way, and `localhost` when that is empty too.
 */
export function shortHostname(localHostname: string | undefined, system: string): string {
  if (localHostname !== undefined && localHostname !== '') {
    if (isIPv4(localHostname)) return `ip-${localHostname.replaceAll('.', '-')}`;
    return firstLabel(localHostname);
  }
  const own = system.trim();
  return own === '' ? 'localhost' : firstLabel(own);
}

function firstLabel(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}
