// fan: Ubuntu's fan networking from `fan` (config, config_path), once per instance, on
// Ubuntu, as cloud-init 25.x sets it up: the configuration written to config_path
// (/etc/network/fan), ubuntu-fan installed when fanctl is missing, then the service
// stopped, the file written again (ending in a newline), started and enabled. A
// service that does not stop or start is a warning, as in cloud-init.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { distroFacts, serviceCommand } from '../distro/facts.js';
import { failure } from './lib/tree-exec.js';
import { agentReachesTree } from './lib/agent-target.js';
import { makeInstaller } from './lib/package-install.js';
import { pathProblem } from './lib/validators.js';

export const FAN_DISTROS = ['ubuntu'] as const;
export const FAN_CONFIG_PATH = '/etc/network/fan';
const SERVICE = 'ubuntu-fan';

const fanSchema = (z: Z) => z.object({ fan: z.object({ config: z.string(), config_path: z.string().optional() }).strict().optional() });

async function run(ctx: ModuleContext): Promise<void> {
  if (!agentReachesTree(ctx, 'fan')) return;
  const cfg = ctx.cfg.fan ?? {};
  if (!isDict(cfg)) throw new Error(`${ctx.source.where(['fan'])}fan must be a mapping (config, config_path)`);
  const extra = Object.keys(cfg).filter((k) => k !== 'config' && k !== 'config_path');
  if (extra.length > 0) throw new Error(`${ctx.source.where(['fan', extra[0] as string])}fan.${extra[0]} is not a fan key (config, config_path); nothing was done`);
  const config = cfg.config;
  if (config === undefined || config === null || config === '') {
    ctx.log.debug('fan: no fan.config: nothing to set up');
    return;
  }
  if (typeof config !== 'string') throw new Error(`${ctx.source.where(['fan', 'config'])}fan.config must be the configuration text; nothing was done`);
  const file = cfg.config_path ?? FAN_CONFIG_PATH;
  const bad = pathProblem(file);
  if (bad !== null) throw new Error(`${ctx.source.where(['fan', 'config_path'])}fan.config_path: ${bad}; nothing was done`);
  const path = file as string;
  ctx.host.fs.write(path, config, { mode: 0o644 });
  if (!ctx.host.exec.has('fanctl')) {
    const { installer, problems } = makeInstaller(ctx);
    const r = installer === null ? { failed: [SERVICE], problems } : await installer.install([{ name: SERVICE }], { apt: [], snap: [] });
    if (r.failed.length > 0) throw new Error(`fan: failed to install ubuntu-fan: ${r.problems.join('; ')}`);
  }
  const facts = distroFacts(ctx.distro);
  const service = (action: string) => failure(ctx.host.exec.run(serviceCommand(facts, action, SERVICE), { output: 'log' }));
  const stopFailed = service('stop');
  if (stopFailed !== null) ctx.log.warn(`fan: failed to stop ${SERVICE}: ${stopFailed}`);
  ctx.host.fs.write(path, config.endsWith('\n') ? config : `${config}\n`, { mode: 0o644 });
  const startFailed = service('start');
  if (startFailed !== null) ctx.log.warn(`fan: failed to start ${SERVICE}: ${startFailed}`);
  else if (stopFailed !== null) ctx.log.warn(`fan: success: ${SERVICE} started`);
  const enable = facts.initSystem === 'systemd' ? ['systemctl', 'enable', SERVICE] : ['update-rc.d', SERVICE, 'defaults'];
  const why = failure(ctx.host.exec.run(enable, { output: 'log' }));
  if (why !== null) throw new Error(`fan: ${enable.join(' ')} failed: ${why}`);
}

export const fan: Module = {
  name: 'fan',
  frequency: 'once-per-instance',
  distros: FAN_DISTROS,
  keys: ['fan'],
  schema: fanSchema,
  examples: [
    '#cloud-config\nfan:\n  config: |\n    # fan 240\n    10.0.0.0/8 eth0/16 dhcp\n    10.0.0.0/8 eth1/16 dhcp off\n    # fan 241\n    241.0.0.0/8 eth0/16 dhcp\n  config_path: /etc/network/fan\n',
  ],
  run,
};
