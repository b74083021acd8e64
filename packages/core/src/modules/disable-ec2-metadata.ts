// disable_ec2_metadata: with `disable_ec2_metadata: true`, every boot, the metadata
// address 169.254.169.254 is made unreachable for the rest of the boot's life, as
// cloud-init does: a prohibit route with `ip` (a reject route with `route` where only
// net-tools is installed). The route lives in the running kernel, so nothing is done for
// an image tree that is not running.
import type { Module, ModuleContext } from './types.js';
import { failure, treeIsRunning } from './lib/tree-exec.js';

function run(ctx: ModuleContext): void {
  const v = ctx.cfg.disable_ec2_metadata;
  if (typeof v !== 'boolean') throw new Error(`${ctx.source.where(['disable_ec2_metadata'])}disable_ec2_metadata must be true or false`);
  if (!v) {
    ctx.log.debug('disable_ec2_metadata is false: the metadata service stays reachable');
    return;
  }
  if (!treeIsRunning(ctx)) {
    ctx.log.info(`the tree under ${ctx.host.root} is not running: no route added`);
    return;
  }
  // `replace`, not cloud-init's `add`: a second run in the same boot (`single`, a re-run
  // stage) then succeeds instead of failing on the route it added before.
  const argv = ctx.host.exec.has('ip') ? ['ip', 'route', 'replace', 'prohibit', '169.254.169.254'] : ctx.host.exec.has('ifconfig') ? ['route', 'add', '-host', '169.254.169.254', 'reject'] : null;
  if (argv === null) throw new Error('disable_ec2_metadata: neither ip nor route is installed; the metadata service stays reachable');
  const why = failure(ctx.host.exec.run(argv, { output: 'log' }));
  if (why !== null) throw new Error(`disable_ec2_metadata: ${argv.join(' ')} failed: ${why}`);
  ctx.log.info('the EC2 metadata address 169.254.169.254 is now unreachable');
}

export const disableEc2Metadata: Module = {
  name: 'disable_ec2_metadata',
  frequency: 'always',
  keys: ['disable_ec2_metadata'],
  schema: (z) => z.object({ disable_ec2_metadata: z.boolean().optional() }),
  examples: ['#cloud-config\ndisable_ec2_metadata: true\n'],
  run,
};
