// Small Markdown pieces the generated docs tables share.

/** Names as inline code, comma-separated; `empty` when there are none. */
export function codeList(names: readonly string[], empty = ''): string {
  return names.length === 0 ? empty : names.map((n) => `\`${n}\``).join(', ');
}
