// Parses /etc/os-release (shell-style KEY=value with optional quotes) and the
// /etc/redhat-release line of hosts too old to have os-release (CentOS 6).

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2] as string;
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) {
      v = v.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
    }
    out[m[1] as string] = v;
  }
  return out;
}

/** "CentOS release 6.10 (Final)" → {ID: centos, VERSION_ID: 6.10}. */
export function parseRedhatRelease(text: string): Record<string, string> | null {
  const m = /^(.*?) (?:Linux )?release (\d+(?:\.\d+)*)/.exec(text.trim());
  if (!m) return null;
  const name = (m[1] as string).toLowerCase();
  const id = name.startsWith('centos')
    ? 'centos'
    : name.startsWith('red hat')
      ? 'rhel'
      : name.startsWith('rocky')
        ? 'rocky'
        : name.startsWith('alma')
          ? 'almalinux'
          : name.startsWith('fedora')
            ? 'fedora'
            : 'rhel';
  return { ID: id, VERSION_ID: m[2] as string, ID_LIKE: 'rhel fedora' };
}
