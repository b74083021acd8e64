// `nimbus sysvinit install|remove|show`: the SysV side of boot integration. install
// writes the init scripts and makes rc links numbered from the host's own links.
import { Option, type Command } from 'commander';
import { BOOT_STAGES, RC_STYLES, detectRcLayout, installSysv, layoutFor, removeSysv, renderInitScript, describeChanges, type BootStage, type Host, type RcLayout, type RcStyle } from '@nimbus/core';
import type { CliContext } from '../program.js';

function layoutOf(host: Host, style: RcStyle | undefined): RcLayout | null {
  return style !== undefined ? layoutFor(style) : detectRcLayout(host);
}

function noLayout(ctx: CliContext, host: Host): void {
  process.stderr.write(`nimbus sysvinit: not supported: no SysV rc tree under ${host.root} (neither /etc/rc.d/init.d nor /etc/init.d); pass --style rhel|debian to create one\n`);
  ctx.setExit(1);
}

const styleOption = () => new Option('--style <style>', 'rc layout: rhel (/etc/rc.d) or debian (/etc/rc?.d); default: detected').choices(RC_STYLES as string[]);

export function registerSysvinit(program: Command, ctx: CliContext): void {
  const cmd = program.command('sysvinit').description('install, order and remove the SysV init scripts (hosts without systemd)');

  cmd
    .command('install')
    .description("install the init scripts and make rc links ordered against the host's network managers and sshd")
    .addOption(styleOption())
    .option('--rewrite-scripts', "replace init scripts that differ from this version's (default: keep them, they may be local edits)", false)
    .action((opts: { style?: RcStyle; rewriteScripts: boolean }) => {
      const host = ctx.host();
      const layout = layoutOf(host, opts.style);
      if (layout === null) return noLayout(ctx, host);
      const r = installSysv(host, layout, { rewriteScripts: opts.rewriteScripts });
      if (!r.ok) {
        process.stderr.write(`nimbus sysvinit: cannot order the nimbus scripts on this host; ${r.changed ?? 'nothing was changed'}:\n${r.problems.map((p) => `  ${p}`).join('\n')}\n`);
        ctx.setExit(1);
        return;
      }
      const out = [`SysV (${layout.style} layout): scripts ${r.scripts.join(', ')}`];
      for (const k of r.kept) out.push(`kept ${k}: it differs from this version's (a local edit?); \`nimbus sysvinit show\` prints this version's, --rewrite-scripts replaces it`);
      if (r.insserv !== undefined) {
        // insserv numbers the links and writes /etc/init.d/.depend.*, the order Debian's rc follows.
        out.push(`registered with insserv from the LSB headers: ${r.insserv.argv.join(' ')}${r.insserv.recorded ? ' (recorded, not run)' : ''}`);
        for (const w of r.insserv.warnings) out.push(`  ${w}`);
      }
      const changes = describeChanges(layout, r.changes);
      out.push(
        changes.length > 0
          ? `rc links:\n${changes.map((c) => `  ${c}`).join('\n')}`
          : r.insserv?.recorded
            ? 'rc links: made by insserv when the command runs'
            : 'rc links: already in order, unchanged',
      );
      out.push('boot order:', ...r.order.map((l) => `  ${l}`));
      process.stdout.write(out.join('\n') + '\n');
    });

  cmd
    .command('remove')
    .description('remove every nimbus rc link and the nimbus init scripts')
    .addOption(styleOption())
    .option('--keep-scripts', 'remove only the rc links (the package removes the scripts itself)', false)
    .action((opts: { style?: RcStyle; keepScripts: boolean }) => {
      const host = ctx.host();
      const layout = layoutOf(host, opts.style);
      if (layout === null) return noLayout(ctx, host);
      let removed: string[];
      try {
        removed = removeSysv(host, layout, { keepScripts: opts.keepScripts });
      } catch (e) {
        process.stderr.write(`nimbus sysvinit remove: ${e instanceof Error ? e.message : String(e)}\n`);
        ctx.setExit(1);
        return;
      }
      process.stdout.write(removed.length > 0 ? `removed:\n${removed.map((p) => `  ${p}`).join('\n')}\n` : 'nothing to remove: nimbus is not installed for SysV here\n');
    });

  cmd
    .command('show')
    .description('print an init script as `sysvinit install` writes it')
    .argument('<stage>', `one of ${BOOT_STAGES.join(', ')}`)
    .addOption(styleOption())
    .action((stage: string, opts: { style?: RcStyle }) => {
      if (!(BOOT_STAGES as readonly string[]).includes(stage)) {
        process.stderr.write(`nimbus sysvinit show: unknown stage '${stage}' (expected ${BOOT_STAGES.join(', ')})\n`);
        ctx.setExit(2);
        return;
      }
      const style = opts.style ?? detectRcLayout(ctx.host())?.style ?? 'debian';
      process.stdout.write(renderInitScript(stage as BootStage, style));
    });
}
