// power_state_change: power off, reboot or halt at the end of the boot. The condition
// (true, false, or the user's own command: a list is an argv, a string a shell line)
// decides; then a background waiter lets this nimbus process finish (result.json
// written) for at most `timeout` seconds before running shutdown. The waiter is a
// fixed shell loop: the user's values reach it only as arguments, never as code.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { treeIsRunning } from './lib/tree-exec.js';

export const powerStateSchema = (z: Z) =>
  z.object({
    power_state: z
      .object({
        delay: z.union([z.string(), z.number()]).optional(),
        mode: z.enum(['poweroff', 'reboot', 'halt']),
        message: z.string().optional(),
        timeout: z.number().optional(),
        condition: z.union([z.boolean(), z.string(), z.array(z.union([z.string(), z.number()]))]).optional(),
      })
      .optional(),
  });

const MODE_FLAG = { poweroff: '-P', reboot: '-r', halt: '-H' } as const;

/**
 * In the background, waits while pid $2 lives (at most $1 seconds), then runs the rest
 * of its arguments; the shell itself returns at once.
 */
export const WAITER = 't=$1; p=$2; shift 2; ( i=0; while [ "$i" -lt "$t" ] && kill -0 "$p" 2>/dev/null; do sleep 1; i=$((i+1)); done; exec "$@" ) </dev/null >/dev/null 2>&1 &';

export interface PowerPlan {
  argv: string[];
  timeout: number;
  condition: boolean | string[];
}

/** The shutdown argv, timeout and condition from power_state, or the problems found (pure). */
export function planPowerState(ps: unknown): PowerPlan | { problems: { key: string; message: string }[] } {
  if (!isDict(ps)) return { problems: [{ key: '', message: 'power_state must be a mapping with mode (poweroff, reboot or halt)' }] };
  const problems: { key: string; message: string }[] = [];
  const mode = ps.mode;
  if (mode !== 'poweroff' && mode !== 'reboot' && mode !== 'halt') problems.push({ key: 'mode', message: `mode ${JSON.stringify(mode)} is not poweroff, reboot or halt` });
  let delay = 'now';
  const d = ps.delay;
  if (typeof d === 'number' && Number.isInteger(d) && d >= 0) delay = `+${d}`;
  else if (typeof d === 'string' && /^(now|\+?\d+)$/.test(d.trim())) delay = d.trim() === 'now' ? 'now' : `+${d.trim().replace(/^\+/, '')}`;
  else if (d !== undefined && d !== null) problems.push({ key: 'delay', message: `delay ${JSON.stringify(d)} is not "now", a number of minutes or "+N"` });
  const msg = ps.message;
  if (msg !== undefined && msg !== null && (typeof msg !== 'string' || /[\0]/.test(msg))) problems.push({ key: 'message', message: 'message must be text' });
  let timeout = 30;
  if (ps.timeout !== undefined && ps.timeout !== null) {
    const t = Number(ps.timeout);
    if (!Number.isFinite(t) || t < 0) problems.push({ key: 'timeout', message: `timeout ${JSON.stringify(ps.timeout)} is not a number of seconds` });
    else timeout = Math.ceil(t);
  }
  let condition: boolean | string[] = true;
  const c = ps.condition;
  if (typeof c === 'boolean') condition = c;
  else if (typeof c === 'string') condition = ['sh', '-c', c];
  else if (Array.isArray(c) && c.length > 0 && c.every((w) => typeof w === 'string' || typeof w === 'number')) condition = c.map(String);
  else if (c !== undefined && c !== null) problems.push({ key: 'condition', message: 'condition must be true, false, a command list or a shell line' });
  if (problems.length > 0) return { problems };
  const argv = ['shutdown', MODE_FLAG[mode as keyof typeof MODE_FLAG], delay, ...(typeof msg === 'string' && msg !== '' ? [msg] : [])];
  return { argv, timeout, condition };
}

function run(ctx: ModuleContext): void {
  const plan = planPowerState(ctx.cfg.power_state);
  if ('problems' in plan) {
    for (const p of plan.problems) ctx.log.error(`${ctx.source.where(p.key === '' ? ['power_state'] : ['power_state', p.key])}power_state: ${p.message}; nothing was done`);
    return;
  }
  if (!treeIsRunning(ctx)) {
    ctx.log.warn(`power_state: ${ctx.host.root} is not the running system; this machine is not shut down`);
    return;
  }
  if (plan.condition === false) {
    ctx.log.info('power_state: condition is false; nothing done');
    return;
  }
  if (Array.isArray(plan.condition)) {
    const r = ctx.host.exec.run(plan.condition, { output: 'log' });
    if (!r.recorded) {
      if (r.error !== undefined) {
        ctx.log.warn(`power_state: the condition could not run (${r.error}); nothing done`);
        return;
      }
      if (r.code !== 0) {
        if (r.code !== 1) ctx.log.warn(`power_state: the condition exited ${r.code} (0 means go, 1 means do not); nothing done`);
        else ctx.log.info('power_state: the condition said no; nothing done');
        return;
      }
    }
  }
  const argv = ['sh', '-c', WAITER, 'nimbus-power-state', String(plan.timeout), String(process.pid), ...plan.argv];
  const r = ctx.host.exec.run(argv, { output: 'log' });
  if (!r.recorded && (r.error !== undefined || r.code !== 0)) {
    ctx.log.error(`power_state: could not start the waiter (${r.error ?? `exit ${r.code}`}); the machine was not shut down`);
    return;
  }
  ctx.log.info(`power_state: ${plan.argv.join(' ')} once nimbus has finished (at most ${plan.timeout} s from now)`);
}

export const powerStateChange: Module = {
  name: 'power_state_change',
  frequency: 'once-per-instance',
  keys: ['power_state'],
  schema: powerStateSchema,
  examples: [
    `#cloud-config
power_state:
  mode: reboot
  delay: now
  message: rebooting into the new kernel
  timeout: 60
  condition: [test, -f, /var/run/reboot-required]
`,
  ],
  run,
};
