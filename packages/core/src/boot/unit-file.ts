// systemd unit files as data: sections of Key=Value settings, and the effective value of
// a setting across a unit and its drop-ins (list settings accumulate, an empty
// assignment resets the list; other settings: the last one wins).

export interface UnitSetting {
  section: string;
  key: string;
  value: string;
  line: number;
}

export interface UnitFile {
  path: string;
  settings: UnitSetting[];
}

export function parseUnitFile(path: string, text: string): UnitFile {
  const settings: UnitSetting[] = [];
  let section = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!.trim();
    // A trailing backslash continues the setting on the next line.
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + ' ' + lines[++i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec !== null) {
      section = sec[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    settings.push({ section, key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim(), line: start + 1 });
  }
  return { path, settings };
}

/** The effective list of a space-separated list setting (After=, Before=, Wants=, WantedBy=, Alias=). */
export function listSetting(files: readonly UnitFile[], section: string, key: string): string[] {
  let out: string[] = [];
  for (const f of files) {
    for (const s of f.settings) {
      if (s.section !== section || s.key !== key) continue;
      if (s.value === '') out = [];
      else out.push(...s.value.split(/\s+/));
    }
  }
  return out;
}

/** The effective value of a single-valued setting, or null when none of the files sets it. */
export function scalarSetting(files: readonly UnitFile[], section: string, key: string): string | null {
  let v: string | null = null;
  for (const f of files) for (const s of f.settings) if (s.section === section && s.key === key) v = s.value;
  return v;
}

/** systemd's boolean spellings. */
export function parseUnitBool(v: string | null): boolean | null {
  if (v === null) return null;
  const l = v.toLowerCase();
  if (['1', 'yes', 'y', 'true', 't', 'on'].includes(l)) return true;
  if (['0', 'no', 'n', 'false', 'f', 'off'].includes(l)) return false;
  return null;
}
