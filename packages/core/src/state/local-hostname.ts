// v1.local_hostname of instance data: the short host name, as cloud-init reports it
// (checked against Debian's 22.4 and 25.1 on the same metadata). Scripts and jinja
// templates written for cloud-init read this key, so it must be the same name even
// where the metadata gives a fully qualified one.

/** A dotted-quad IPv4 address as Python's ipaddress reads one: no leading zeros, each part 0-255. */
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/**
 * The short host name of an instance: the first label of the metadata's local-hostname
 * (a trailing dot and the case are kept as they are, so `WEB1.Example.COM.` gives `WEB1`);
 * an IPv4 address as local-hostname becomes `ip-A-B-C-D` (not resolved), as EC2 names
 * its hosts. Without a local-hostname (absent or empty), the machine's own name
 * `system` is used, shortened the same way, and `localhost` when that is empty too.
 */
export function shortHostname(localHostname: string | undefined, system: string): string {
  if (localHostname !== undefined && localHostname !== '') {
    if (IPV4.test(localHostname)) return `ip-${localHostname.replaceAll('.', '-')}`;
    return firstLabel(localHostname);
  }
  const own = system.trim();
  return own === '' ? 'localhost' : firstLabel(own);
}

function firstLabel(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}
