// INI-style files (systemd units, NetworkManager keyfiles): sections in order, each a
// list of key=value lines, so repeated keys and repeated sections both stay possible.
export type IniSection = [name: string, entries: [string, string][]];

export function emitIni(sections: IniSection[]): string {
  return sections.map(([name, entries]) => `[${name}]\n` + entries.map(([k, v]) => `${k}=${v}\n`).join('')).join('\n');
}
