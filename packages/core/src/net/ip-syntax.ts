// IPv4 and IPv6 address syntax, as node:net's isIPv4/isIPv6 accept it. Ours because
// loading node:net for two string checks pulls sockets and streams into the local
// stage's start (about 5 ms), and these run on every rendered network config.

const OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;
const ZONE = /^[0-9a-zA-Z\-.:]+$/;

/** Dotted quad, four decimal octets without leading zeros. */
export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => OCTET.test(p));
}

/** Eight hextets, or fewer with one `::`; an IPv4 tail counts as two; an optional %zone. */
export function isIPv6(s: string): boolean {
  const pct = s.indexOf('%');
  if (pct !== -1 && !ZONE.test(s.slice(pct + 1))) return false;
  const addr = pct === -1 ? s : s.slice(0, pct);
  const halves = addr.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  // An IPv4 tail ends the address: "1.2.3.4::" is not one.
  const endsWithGroup = !addr.endsWith(':');
  let count = groups.length;
  for (const [i, g] of groups.entries()) {
    if (i === groups.length - 1 && endsWithGroup && g.includes('.')) {
      if (!isIPv4(g)) return false;
      count += 1;
    } else if (!HEXTET.test(g)) return false;
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** 4, 6 or 0, as node:net's isIP. */
export function isIP(s: string): 0 | 4 | 6 {
  return isIPv4(s) ? 4 : isIPv6(s) ? 6 : 0;
}
