// `dhclient-hook up|down INTERFACE` (cloud-init 22.4; gone in 25.x): dhclient's hook
// records the lease options of its environment (DHCP4_*, new_*) in
// /run/cloud-init/dhclient.hooks/<interface>.json on up and removes the file on down.
import { Argument, type Command } from 'commander';
import { RUN_DIR } from '@nimbus/core';
import type { CliContext } from '../program.js';

/** The lease options of dhclient's environment, keys lower-cased without DHCP4_ / new_. */
export function leaseOptions(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || !(k.startsWith('DHCP4_') || k.startsWith('new_'))) continue;
    out[k.replace('DHCP4_', '').replace('new_', '').toLowerCase()] = v;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function registerDhclientHook(program: Command, ctx: CliContext): void {
  program
    .command('dhclient-hook')
    .description("record dhclient's lease options for an interface (up) or forget them (down)")
    .addArgument(new Argument('<event>', 'what happened to the interface').choices(['up', 'down']))
    .argument('<interface>', 'the network interface being acted upon')
    .action((event: 'up' | 'down', iface: string) => {
      // The name becomes a file name: nothing that could leave the directory.
      if (!/^[A-Za-z0-9_.:@-]+$/.test(iface) || iface === '.' || iface === '..') {
        process.stderr.write(`nimbus dhclient-hook: interface ${JSON.stringify(iface)} is not an interface name\n`);
        ctx.setExit(2);
        return;
      }
      const host = ctx.host();
      const file = `${RUN_DIR}/dhclient.hooks/${iface}.json`;
      if (event === 'up') host.fs.write(file, `${JSON.stringify(leaseOptions(process.env), null, 1)}\n`, { mode: 0o644 });
      else if (host.fs.exists(file)) host.fs.remove(file);
    });
}
