// `devel hotplug-hook -s net query|handle|enable`: cloud-init's network hotplug hook,
// which udev calls when a NIC comes or goes. nimbus has no datasource that refreshes
// its network config on a hotplug event, so hotplug is disabled: query says so, as
// cloud-init does for such a datasource, and handle and enable say "not supported".
import { Option } from 'commander';
import { develCommand, type Register } from '../program.js';

const WHY = 'no nimbus datasource refreshes its network config on a hotplug event (docs/compat.md)';

export const registerHotplugHook: Register = (program, ctx) => {
  const cmd = develCommand(program)
    .command('hotplug-hook')
    .description('handle a network hotplug event from udev (query, handle, enable)')
    .addOption(new Option('-s, --subsystem <subsystem>', 'subsystem to act on').choices(['net']).makeOptionMandatory());
  cmd
    .command('query')
    .description('say whether hotplug is enabled for the subsystem')
    .action(() => {
      process.stdout.write('disabled\n');
    });
  cmd
    .command('handle')
    .description('handle the hotplug event')
    .requiredOption('-d, --devpath <path>', 'sysfs path to the hotplugged device')
    .addOption(new Option('-u, --udevaction <action>', 'what happened').choices(['add', 'remove']).makeOptionMandatory())
    .action(() => {
      process.stderr.write(`nimbus devel hotplug-hook: not supported: handle: ${WHY}\n`);
      ctx.setExit(1);
    });
  cmd
    .command('enable')
    .description('enable hotplug for the subsystem (installs the udev rule)')
    .action(() => {
      process.stderr.write(`nimbus devel hotplug-hook: not supported: enable: ${WHY}\n`);
      ctx.setExit(1);
    });
};
