// scripts_vendor: the vendor-data scripts (instances/<iid>/scripts/vendor), once per
// instance in the final stage, each optionally behind vendor_data.prefix (an argv the
// user chooses, e.g. [/usr/bin/ltrace]); vendor_data.enabled false (or no, off, 0) turns them off.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { isTrue } from '../config/vendor-data.js';

export const scriptsVendorSchema = (z: Z) =>
  z.object({
    vendor_data: z
      .object({
        enabled: z.union([z.boolean(), z.string()]).optional(),
        prefix: z.union([z.string(), z.array(z.union([z.string(), z.number()]))]).optional(),
        disabled_handlers: z.union([z.string(), z.array(z.string())]).optional(),
      })
      .optional(),
  });

/** The prefix argv from vendor_data.prefix (a string is one word, as cloud-init takes it), or why it is unusable. */
export function vendorPrefix(v: unknown): string[] | { bad: string } {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return v === '' ? [] : [v];
  if (Array.isArray(v) && v.every((w) => typeof w === 'string' || typeof w === 'number')) return v.map(String);
  return { bad: 'vendor_data.prefix must be a command: a string or a list of words' };
}

function run(ctx: ModuleContext): void {
  const raw = ctx.cfg.vendor_data;
  const vd = isDict(raw) ? raw : {};
  // The same truthiness as the init stage's decision (config/vendor-data.ts): 'no', 'off', 0 and a non-mapping are off.
  if ((raw !== undefined && raw !== null && !isDict(raw)) || ('enabled' in vd && !isTrue(vd.enabled))) {
    ctx.log.info('vendor_data is disabled: vendor scripts are not run');
    return;
  }
  const prefix = vendorPrefix(vd.prefix);
  if (!Array.isArray(prefix)) {
    ctx.log.error(`${ctx.source.where(['vendor_data', 'prefix'])}${prefix.bad}; vendor scripts were not run`);
    return;
  }
  const dir = ctx.paths.instance('scripts/vendor');
  const names = ctx.host.fs.list(dir).filter((n) => ctx.host.fs.stat(`${dir}/${n}`)?.isFile === true);
  const failed: string[] = [];
  for (const name of names) {
    const path = `${dir}/${name}`;
    const st = ctx.host.fs.stat(path);
    if (st !== null && (st.mode & 0o100) === 0) ctx.host.fs.chmod(path, st.mode | 0o700);
    const r = ctx.host.exec.run([...prefix, ctx.host.exec.pathFor(path)], { output: 'log', env: { INSTANCE_ID: ctx.ds.instanceId } });
    if (r.recorded) ctx.log.info(`recorded ${path}`);
    else if (r.error !== undefined || r.code !== 0) failed.push(`${name} (${r.error ?? `exit ${r.code}`})`);
    else ctx.log.info(`ran ${path}`);
  }
  if (failed.length > 0) throw new Error(`${failed.length} of ${names.length} vendor script(s) failed: ${failed.join(', ')}; their output is in /var/log/cloud-init-output.log`);
}

export const scriptsVendor: Module = {
  name: 'scripts_vendor',
  frequency: 'once-per-instance',
  keys: ['vendor_data'],
  alwaysRun: true,
  schema: scriptsVendorSchema,
  examples: [
    `#cloud-config
vendor_data:
  enabled: true
  prefix: [/usr/bin/timeout, '300']
`,
  ],
  run,
};
