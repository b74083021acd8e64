// Updating, upgrading and installing with the distro's package manager, as cloud-init's
// distro classes do it, shared by every module that installs packages: the package
// indexes refreshed at most once per instance (the `update_sources` semaphore
// cloud-init keeps), apt's availability check (`apt-cache pkgnames`) so one unknown
// name does not stop the others, and snap for the `snap:` lists and, on Ubuntu, for
// what apt does not know.
import type { ExecResult } from '../../host/exec.js';
import type { ModuleContext } from '../types.js';
import { type Manager, type PackageSpec, chooseManager, expandSpec, failure, installArgv, runPackageCommand, type RunDeps, updateArgv, upgradeArgv, APT_LOCK_BUDGET_MS } from './package-manager.js';

export interface Installer {
  manager: Manager;
  /** Refreshes the package indexes once per instance (`force`: again). Returns the failure or null. */
  update(force?: boolean): Promise<string | null>;
  upgrade(): Promise<string | null>;
  /** Installs; returns the packages that could not be installed (as words) and why. */
  install(generic: readonly PackageSpec[], byManager: { apt: PackageSpec[]; snap: PackageSpec[] }): Promise<{ failed: string[]; problems: string[] }>;
}

export function defaultDeps(ctx: ModuleContext): RunDeps {
  return {
    run: (argv, opts) => ctx.host.exec.run(argv, opts),
    keepOutput(argv, r) {
      if (r.recorded || (r.stdout === '' && r.stderr === '')) return;
      ctx.host.fs.appendLog('/var/log/cloud-init-output.log', `${r.stdout}${r.stderr}`, 0o640);
      if (r.code !== 0) ctx.log.debug(`${argv.join(' ')}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    },
    sleep: (ms) => new Promise((res) => setTimeout(res, ms)),
    lockBudgetMs: APT_LOCK_BUDGET_MS,
    now: () => ctx.host.clock.monotonicMs(),
  };
}

function snapArgv(p: PackageSpec): string[] {
  // cloud-init splits `name=version` back into two words: the second is given to snap
  // as it is, which is how `[juju, --edge]` picks a channel.
  return p.version === undefined || p.version === '' ? ['snap', 'install', p.name] : ['snap', 'install', p.name, p.version];
}

/** The installer of the tree's package manager, or the reason there is none. */
export function makeInstaller(ctx: ModuleContext, deps: RunDeps = defaultDeps(ctx)): { installer: Installer | null; problems: string[] } {
  const { manager, problems } = chooseManager(ctx);
  if (manager === null) return { installer: null, problems };
  const m = manager;
  const run = async (argv: string[]): Promise<ExecResult> => {
    const { result, lockRetries } = await runPackageCommand(m, argv, deps);
    if (lockRetries > 0) ctx.log.info(`${argv[0]}: waited for the package lock held by another process (${lockRetries} retries)`);
    return result;
  };
  const sem = ctx.paths.instance('sem/update_sources');
  const isUbuntu = ctx.distro.id === 'ubuntu';
  const hasSnap = () => ctx.host.exec.has('snap');

  const installer: Installer = {
    manager: m,
    async update(force = false) {
      if (!force && ctx.host.fs.exists(sem)) {
        ctx.log.debug('package indexes already refreshed for this instance');
        return null;
      }
      const r = await run(updateArgv(m));
      ctx.host.fs.write(sem, `${process.pid}: ${ctx.host.clock.now()}\n`);
      const why = failure(r);
      return why === null ? null : `${updateArgv(m).join(' ')}: ${why}`;
    },
    async upgrade() {
      const argv = upgradeArgv(m);
      const why = failure(await run(argv));
      if (why !== null) return `${argv.join(' ')}: ${why}`;
      if (isUbuntu && hasSnap()) {
        // Ubuntu refreshes the snaps too, unless the system holds their refreshes forever.
        const held = ctx.host.exec.run(['snap', 'get', 'system', '-d']);
        let hold: unknown = null;
        try {
          hold = (JSON.parse(held.stdout) as { refresh?: { hold?: unknown } }).refresh?.hold;
        } catch {
          hold = null;
        }
        if (hold === 'forever') ctx.log.info("snap refresh skipped: the system's refresh.hold is forever");
        else {
          const s = failure(ctx.host.exec.run(['snap', 'refresh']));
          if (s !== null) return `snap refresh: ${s}`;
        }
      }
      return null;
    },
    async install(generic, byManager) {
      const failed: string[] = [];
      const problems: string[] = [];
      let leftover: PackageSpec[] = [];
      if (m.tool === 'apt') {
        // One word once, as cloud-init's set of apt and plain names has it.
        const wanted = [...new Map([...byManager.apt, ...generic].map((p) => [expandSpec('apt', p), p])).values()];
        if (wanted.length > 0) {
          const u = await installer.update();
          if (u !== null) problems.push(u);
          let unknown = new Set<string>();
          const names = ctx.host.exec.run(['apt-cache', 'pkgnames']);
          if (!names.recorded) {
            if (failure(names) !== null) problems.push(`apt-cache pkgnames: ${failure(names)}; every package is tried`);
            else {
              const known = new Set(names.stdout.split('\n'));
              // apt's suffixes: name- (remove), name^ (task), name/release, name=version.
              unknown = new Set(wanted.filter((p) => !known.has(p.name.split(/[/=]/)[0]!.replace(/[-^]+$/, ''))).map((p) => p.name));
            }
          }
          const go = wanted.filter((p) => !unknown.has(p.name));
          if (unknown.size > 0) ctx.log.info(`apt does not know ${[...unknown].join(', ')}; not asked to install them`);
          if (go.length > 0) {
            const argv = installArgv(m, go);
            const why = failure(await run(argv));
            if (why !== null) {
              problems.push(`${argv.join(' ')}: ${why}`);
              failed.push(...go.map((p) => expandSpec('apt', p)));
            }
          }
          // What apt did not know may be a snap on Ubuntu (cloud-init's second manager there).
          leftover = generic.filter((p) => unknown.has(p.name));
          for (const p of byManager.apt.filter((x) => unknown.has(x.name))) failed.push(expandSpec('apt', p));
        }
      } else {
        if (byManager.apt.length > 0) {
          problems.push(`packages listed under apt: cannot be installed here: this distro's package manager is ${m.tool}`);
          failed.push(...byManager.apt.map((p) => expandSpec('apt', p)));
        }
        if (generic.length > 0) {
          if (m.tool === 'apk') {
            const u = await installer.update();
            if (u !== null) problems.push(u);
          }
          const argv = installArgv(m, generic);
          const why = failure(await run(argv));
          if (why !== null) {
            problems.push(`${argv.join(' ')}: ${why}`);
            failed.push(...generic.map((p) => expandSpec(m.tool, p)));
          }
        }
      }
      const snaps = [...byManager.snap, ...(isUbuntu && hasSnap() ? leftover : [])];
      if (!(isUbuntu && hasSnap())) failed.push(...leftover.map((p) => expandSpec('apt', p)));
      if (snaps.length > 0 && !hasSnap()) {
        problems.push('snap is not installed in this image');
        failed.push(...snaps.map((p) => p.name));
      } else {
        // snap reports nothing about a batch: one package at a time, as cloud-init does.
        for (const p of snaps) {
          const argv = snapArgv(p);
          const why = failure(ctx.host.exec.run(argv));
          if (why !== null) {
            problems.push(`${argv.join(' ')}: ${why}`);
            failed.push(p.name);
          }
        }
      }
      return { failed, problems };
    },
  };
  return { installer, problems };
}
