// Text for the person at the machine's console, as cloud-init's multi_log(console=True,
// stderr=False) writes it: to /dev/console where that is a device, else to the stage's
// own stdout (the journal and the console under the units' StandardOutput). Shared by
// ssh_authkey_fingerprints and keys_to_console.
import type { ModuleContext } from '../types.js';

/** Writes `text` to the console; says where it went, for the log line. */
export function writeToConsole(ctx: Pick<ModuleContext, 'host'>, text: string): 'console' | 'stdout' {
  const st = ctx.host.fs.stat('/dev/console');
  // Only a device: a plain file named /dev/console in an image tree is not a console.
  if (st !== null && !st.isFile && !st.isDir && !st.isSymlink) {
    try {
      ctx.host.fs.appendLog('/dev/console', text);
      return 'console';
    } catch {
      // A console that refuses writes (some hypervisors): fall back as cloud-init does.
    }
  }
  ctx.host.console.stdout(text);
  return 'stdout';
}
