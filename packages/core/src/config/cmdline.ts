// Configuration given on the kernel command line: `cc: <yaml> end_cc`, possibly
// several times; "\n" written literally stands for a newline, as with cloud-init.

export function cmdlineCloudConfig(cmdline: string): string | null {
  const parts: string[] = [];
  const re = /(?:^|\s)cc:\s?(.*?)(?:\s+end_cc(?=\s|$)|$)/g;
  for (const m of cmdline.matchAll(re)) parts.push((m[1] ?? '').replace(/\\n/g, '\n'));
  return parts.length > 0 ? parts.join('\n') : null;
}

/** Whether cloud-init is switched off on the kernel command line. */
export function cmdlineDisabled(cmdline: string): boolean {
  return cmdline.split(/\s+/).includes('cloud-init=disabled');
}
