// Running one module on a temp root with commands recorded: a fake machine tree, the
// module's configuration from YAML (so error messages carry line numbers), and the
// log lines and recorded commands afterwards.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHost, type Host } from '../../packages/core/src/host/host.js';
import { Logger } from '../../packages/core/src/log/logger.js';
import { ConfigSource } from '../../packages/core/src/config/source.js';
import { loadYaml } from '../../packages/core/src/yaml/load.js';
import { distroFromOsRelease } from '../../packages/core/src/distro/detect.js';
import { parseOsRelease } from '../../packages/core/src/distro/os-release.js';
import { Paths } from '../../packages/core/src/state/paths.js';
import type { DatasourceResult } from '../../packages/core/src/datasources/types.js';
import type { Module, ModuleContext } from '../../packages/core/src/modules/types.js';
import { distroSkip } from '../../packages/core/src/modules/lib/distro-gate.js';
import { tempDir } from '../helpers/temp-root.js';

export const DEBIAN = 'ID=debian\nVERSION_ID="12"\n';
export const RHEL8 = 'ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.9"\n';
export const CENTOS6 = 'ID=centos\nVERSION_ID=6.10\nID_LIKE="rhel fedora"\n';

export interface Kit {
  root: string;
  host: Host;
  lines: string[];
  logger: Logger;
  run(mod: Module, yaml: string, ds?: Partial<DatasourceResult>): Promise<ModuleContext>;
  read(p: string): string;
  exists(p: string): boolean;
  mode(p: string): number;
  write(p: string, text: string, mode?: number): void;
  commands(): { argv: string[]; stdin?: string; env?: Record<string, string> }[];
  argvs(): string[][];
  errors(): string[];
  warnings(): string[];
}

export function dsOf(over: Partial<DatasourceResult> = {}): DatasourceResult {
  return {
    dsname: 'ConfigDrive',
    description: 'DataSourceConfigDrive [net,ver=2][source=/config-drive]',
    cloudName: 'openstack',
    platform: 'openstack',
    subplatform: 'seed-dir (/config-drive)',
    dsmode: 'net',
    instanceId: 'iid-kit-1',
    localHostname: 'web-1.example.org',
    publicKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMetaKey meta@example'],
    metadata: {},
    userdata: null,
    vendordata: null,
    networkConfig: null,
    ...over,
  };
}

export function makeKit(opts: { osRelease?: string; passwd?: string; group?: string } = {}): Kit {
  const root = tempDir('nimbus-mod-');
  const w = (p: string, text: string, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), text, { mode });
    fs.chmodSync(path.join(root, p), mode);
  };
  w('etc/os-release', opts.osRelease ?? DEBIAN);
  w('etc/passwd', opts.passwd ?? 'root:x:0:0:root:/root:/bin/bash\n');
  w('etc/group', opts.group ?? 'root:x:0:\nadm:x:4:\nsudo:x:27:\n');
  const host = createHost({ root, exec: 'record' });
  const lines: string[] = [];
  const logger = new Logger({ file: (t) => lines.push(t), stderr: () => undefined }, { stage: 'test', debug: true, quiet: true });
  const kit: Kit = {
    root,
    host,
    lines,
    logger,
    async run(mod, yaml, ds) {
      const doc = loadYaml(yaml, 'user-data');
      const cfg = (doc.value ?? {}) as Record<string, unknown>;
      const source = new ConfigSource();
      source.add(Object.keys(cfg), { file: 'user-data', positions: doc.positions });
      const d = dsOf(ds);
      const osr = kit.host.fs.readText('/etc/os-release') ?? '';
      const ctx: ModuleContext = {
        host: kit.host,
        log: logger.child(mod.name),
        cfg,
        source,
        ds: d,
        paths: new Paths(d.instanceId),
        distro: distroFromOsRelease(parseOsRelease(osr)),
        stage: 'modules-config',
        frequency: mod.frequency,
      };
      // The runner's distro check (stages/runner.ts), which a module's own run never sees.
      if (distroSkip(mod, ctx, ctx.log) === null) await mod.run(ctx);
      return ctx;
    },
    read: (p) => fs.readFileSync(path.join(root, p), 'utf8'),
    exists: (p) => fs.existsSync(path.join(root, p)),
    mode: (p) => fs.statSync(path.join(root, p)).mode & 0o7777,
    write: w,
    commands() {
      const p = path.join(root, 'var/log/nimbus-commands.log');
      if (!fs.existsSync(p)) return [];
      return fs
        .readFileSync(p, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { argv: string[]; stdin?: string; env?: Record<string, string> });
    },
    argvs: () => kit.commands().map((c) => c.argv),
    errors: () => logger.report.errors,
    warnings: () => logger.report.recoverable.WARNING,
  };
  return kit;
}
