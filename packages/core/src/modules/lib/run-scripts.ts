// Running every script in a directory, in name order, with output to
// cloud-init-output.log; shared by scripts_user, scripts_per_* and scripts_vendor.
import type { Frequency, Module, ModuleContext } from '../types.js';

export function runScriptsIn(ctx: ModuleContext, dir: string): void {
  const names = ctx.host.fs.list(dir).filter((n) => ctx.host.fs.stat(`${dir}/${n}`)?.isFile === true);
  if (names.length === 0) {
    ctx.log.debug(`no scripts in ${dir}`);
    return;
  }
  const failed: string[] = [];
  for (const name of names) {
    const path = `${dir}/${name}`;
    const st = ctx.host.fs.stat(path);
    if (st !== null && (st.mode & 0o100) === 0) ctx.host.fs.chmod(path, st.mode | 0o700);
    const r = ctx.host.exec.run([ctx.host.exec.pathFor(path)], { output: 'log', env: { INSTANCE_ID: ctx.ds.instanceId } });
    if (r.recorded) ctx.log.info(`recorded ${path}`);
    else if (r.error !== undefined || r.code !== 0) failed.push(`${name} (${r.error ?? `exit ${r.code}`})`);
    else ctx.log.info(`ran ${path}`);
  }
  if (failed.length > 0) throw new Error(`${failed.length} of ${names.length} script(s) in ${dir} failed: ${failed.join(', ')}; their output is in /var/log/cloud-init-output.log`);
}

/** A module that runs the scripts of one directory (the scripts_* family differ only in that and their frequency). */
export function scriptsModule(name: string, frequency: Frequency, dirOf: (ctx: ModuleContext) => string, examples: readonly string[]): Module {
  return { name, frequency, keys: [], alwaysRun: true, schema: (z) => z.object({}), examples, run: (ctx) => runScriptsIn(ctx, dirOf(ctx)) };
}

/**
 * scripts_per_instance, scripts_per_boot, scripts_per_once: the scripts an image or a
 * part handler put in /var/lib/cloud/scripts/per-<kind>, each at its own frequency.
 * Their example shows the one way cloud-config feeds them: write_files placing a script.
 */
export function perDirectoryScriptsModule(kind: 'instance' | 'boot' | 'once', frequency: Frequency, when: string): Module {
  const example = `#cloud-config
# scripts_per_${kind} has no keys of its own: it runs the executables in
# /var/lib/cloud/scripts/per-${kind} ${when}, in name order. This config puts one there.
write_files:
  - path: /var/lib/cloud/scripts/per-${kind}/10-note
    permissions: '0755'
    content: |
      #!/bin/sh
      echo "$INSTANCE_ID" >> /var/log/per-${kind}.log
`;
  return scriptsModule(`scripts_per_${kind}`, frequency, (ctx) => `${ctx.paths.scriptsDir}/per-${kind}`, [example]);
}
