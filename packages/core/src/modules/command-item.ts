// A command in runcmd or bootcmd: a string is a shell line, a list is an argv of words
// (strings, numbers, booleans, each taken as its text); anything else is refused.

export type CommandItem = { shell: string } | { argv: string[] } | { bad: string };

export function commandItem(item: unknown): CommandItem {
  if (typeof item === 'string') return { shell: item };
  if (Array.isArray(item)) {
    if (item.length === 0) return { bad: 'an empty list' };
    if (item.every((w) => typeof w === 'string' || typeof w === 'number' || typeof w === 'boolean')) return { argv: item.map((w) => String(w)) };
    return { bad: 'a list with a non-scalar item' };
  }
  return { bad: item === null ? 'null' : typeof item };
}
