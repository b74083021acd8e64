// runcmd and bootcmd lists as a shell script. A command in them: a string is a shell
// line, a list is an argv of words (strings, numbers, booleans, each taken as its text,
// each quoted); anything else is refused and reported with its index.

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

export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}

/** The script for a runcmd list, or the items it cannot use with their index. */
export function runcmdScript(list: unknown[]): { script: string; bad: { index: number; got: string }[] } {
  const lines = ['#!/bin/sh'];
  const bad: { index: number; got: string }[] = [];
  list.forEach((item, i) => {
    if (item === null) return;
    const c = commandItem(item);
    if ('shell' in c) lines.push(c.shell);
    else if ('argv' in c) lines.push(c.argv.map(shellQuote).join(' '));
    else bad.push({ index: i, got: c.bad });
  });
  return { script: lines.join('\n') + '\n', bad };
}
