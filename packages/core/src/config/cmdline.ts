// Configuration given on the kernel command line: `cc: <yaml> end_cc`, possibly
// several times; "\n" written literally stands for a newline, as with cloud-init.

export function cmdlineCloudConfig(cmdline: string): string | null {
  // A linear scan: a regex with a lazy body before `\s+end_cc` is quadratic in a long
  // run of spaces, and /proc/cmdline may be up to 64 KiB.
  const parts: string[] = [];
  const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);
  let i = 0;
  for (;;) {
    let at = cmdline.indexOf('cc:', i);
    while (at > 0 && !isSpace(cmdline[at - 1])) at = cmdline.indexOf('cc:', at + 1);
    if (at < 0) break;
    let start = at + 3;
    if (isSpace(cmdline[start])) start++;
    // The body ends at a line end, or before the whitespace ahead of a word `end_cc`.
    const nl = cmdline.indexOf('\n', start);
    const limit = nl < 0 ? cmdline.length : nl;
    let end = limit;
    let next = limit;
    for (let e = cmdline.indexOf('end_cc', start); e >= 0 && e < limit; e = cmdline.indexOf('end_cc', e + 1)) {
      if (e > start && isSpace(cmdline[e - 1]) && (e + 6 === cmdline.length || isSpace(cmdline[e + 6]))) {
        end = e;
        while (end > start && isSpace(cmdline[end - 1])) end--;
        next = e + 6;
        break;
      }
    }
    parts.push(cmdline.slice(start, end).replace(/\\n/g, '\n'));
    i = next;
  }
  return parts.length > 0 ? parts.join('\n') : null;
}

/** Whether cloud-init is switched off on the kernel command line. */
export function cmdlineDisabled(cmdline: string): boolean {
  return cmdline.split(/\s+/).includes('cloud-init=disabled');
}
