// Messages of a boot name the copies nimbus stored in the tree
// (/var/lib/cloud/instances/<iid>/user-data.txt line 9 col 5, or .../user-data.txt:9:5);
// the plan names the user's own files instead, as file:line:col. Pure.

export interface Location {
  file: string;
  line: number;
  col: number;
}

export interface LocatedMessage {
  text: string;
  at?: Location;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Rewrites the first in-tree file named in `msg` (a key of `files`, the tree's path ->
 * the user's path) with its line and column into `user-path:line:col`, and returns where.
 */
export function locateMessage(msg: string, files: ReadonlyMap<string, string>): LocatedMessage {
  if (files.size === 0) return { text: msg };
  const names = [...files.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  // A MIME part is named after the file: "<file> part 2 (web.yaml):20:1".
  const re = new RegExp(`(${names.join('|')})( part \\d+(?: \\([^)]*\\))?)?(?: line (\\d+) col (\\d+)|:(\\d+):(\\d+))?`);
  const m = re.exec(msg);
  if (m === null) return { text: msg };
  const file = `${files.get(m[1] as string) as string}${m[2] ?? ''}`;
  const line = m[3] ?? m[5];
  const col = m[4] ?? m[6];
  if (line === undefined || col === undefined) return { text: msg.replace(m[0], file) };
  const at = { file, line: Number(line), col: Number(col) };
  return { text: msg.replace(m[0], `${file}:${line}:${col}`), at };
}
