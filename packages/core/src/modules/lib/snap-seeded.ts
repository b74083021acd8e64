// Waiting for snapd to finish seeding before a module uses snap (snap, lxd), once per
// machine as cloud-init's snap_seeded semaphore: only when the image has snap.
import type { ModuleContext } from '../types.js';
import { failure } from './tree-exec.js';

export function waitForSnapSeeded(ctx: ModuleContext): void {
  const sem = `${ctx.paths.semDir}/snap_seeded.once`;
  if (ctx.host.fs.exists(sem)) return;
  if (ctx.host.exec.has('snap')) {
    const why = failure(ctx.host.exec.run(['snap', 'wait', 'system', 'seed.loaded'], { output: 'log' }));
    if (why !== null) throw new Error(`snap wait system seed.loaded failed: ${why}`);
  } else {
    ctx.log.debug('no snap command in this image: not waiting for snapd seeding');
  }
  ctx.host.fs.write(sem, `${process.pid}: ${ctx.host.clock.now()}\n`);
}
