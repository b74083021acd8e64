// `devel hotplug-hook -s net query|handle|enable`: cloud-init's network hotplug hook.
// udev's rule runs the hook (/usr/lib/nimbus/hook-hotplug), which hands
// `--subsystem=net handle --devpath=DEVPATH --udevaction=ACTION` to nimbus-hotplugd
// through its FIFO; the service runs this command with that line. The work is core's
// (stages/hotplug.ts); here are the arguments, cloud-init's messages and exit codes.
import { Option } from 'commander';
import { hotplugEnable, hotplugHandle, hotplugQuery, type HotplugAction, type HotplugOutcome } from '@nimbus/core';
import { develCommand, type Register } from '../program.js';

export const registerHotplugHook: Register = (program, ctx) => {
  const out = (o: HotplugOutcome): void => {
    if (o.stdout !== '') process.stdout.write(o.stdout);
    if (o.stderr !== '') process.stderr.write(o.stderr);
    ctx.setExit(o.code);
  };
  const cmd = develCommand(program)
    .command('hotplug-hook')
    .description('handle a network hotplug event from udev (query, handle, enable)')
    .addOption(new Option('-s, --subsystem <subsystem>', 'subsystem to act on').choices(['net']).makeOptionMandatory());
  cmd
    .command('query')
    .description('say whether hotplug is enabled for the subsystem: "enabled" or "disabled"')
    .action(() => out(hotplugQuery(ctx.host(), ctx.globals().debug)));
  cmd
    .command('handle')
    .description("handle the hotplug event: read the datasource's network config again, render it and bring the device up (add) or down (remove)")
    .requiredOption('-d, --devpath <path>', "sysfs path to the hotplugged device (udev's DEVPATH)")
    .addOption(new Option('-u, --udevaction <action>', 'what happened').choices(['add', 'remove']).makeOptionMandatory())
    .action(async (opts: { devpath: string; udevaction: HotplugAction }) => out(await hotplugHandle(ctx.host(), { devpath: opts.devpath, action: opts.udevaction, debug: ctx.globals().debug })));
  cmd
    .command('enable')
    .description('enable hotplug for the subsystem: record it in /var/lib/cloud/hotplug.enabled and install the udev rule')
    .action(() => {
      const host = ctx.host();
      if (host.root === '/' && typeof process.getuid === 'function' && process.getuid() !== 0) {
        out({ code: 1, stdout: '', stderr: 'Root is required. Try prepending your command with sudo.\n' });
        return;
      }
      out(hotplugEnable(host, ctx.globals().debug));
    });
};
