// raspberry_pi: Raspberry Pi OS hardware interfaces from `rpi`, once per instance, on
// raspberry-pi-os only (the distro name its cloud.cfg sets), as cloud-init 25.x does it
// through raspi-config: each of spi, i2c, onewire and remote_gpio switched on or off,
// serial last (a boolean for the console, or {console, hardware}; before the Pi 5
// the console also needs the UART) followed by a reboot to apply it; rpi-connect
// (enable_rpi_connect) and USB gadget mode (enable_usb_gadget, the key later 25.x
// releases use) switched too. A value of the wrong type is a warning and skipped, a
// failing raspi-config call an error, as in cloud-init.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { failure, treeIsRunning } from './lib/tree-exec.js';
import { agentReachesTree } from './lib/agent-target.js';

export const RASPBERRY_PI_DISTROS = ['raspberry-pi-os'] as const;
export const RASPI_CONFIG = '/usr/bin/raspi-config';
export const RPI_USB_GADGET = '/usr/bin/rpi-usb-gadget';
/** The raspi-config function that switches each interface. */
export const RPI_INTERFACES: Readonly<Record<string, string>> = { spi: 'do_spi', i2c: 'do_i2c', serial: 'do_serial', onewire: 'do_onewire', remote_gpio: 'do_rgpio' };

const rpiSchema = (z: Z) =>
  z.object({
    rpi: z
      .object({
        interfaces: z
          .object({
            spi: z.boolean().optional(),
            i2c: z.boolean().optional(),
            serial: z.union([z.boolean(), z.object({ console: z.boolean().optional(), hardware: z.boolean().optional() }).strict()]).optional(),
            onewire: z.boolean().optional(),
            remote_gpio: z.boolean().optional(),
          })
          .strict()
          .optional(),
        enable_rpi_connect: z.boolean().optional(),
        enable_usb_gadget: z.boolean().optional(),
      })
      .strict()
      .optional(),
  });

const onOff = (enable: boolean) => (enable ? '0' : '1');

function raspiConfig(ctx: ModuleContext, fn: string, value?: string): string | null {
  return failure(ctx.host.exec.run([RASPI_CONFIG, 'nonint', fn, ...(value === undefined ? [] : [value])], { output: 'log' }));
}

function serial(ctx: ModuleContext, v: unknown): void {
  let console = false;
  let hardware = false;
  if (typeof v === 'boolean') console = v;
  else if (isDict(v)) {
    for (const f of ['console', 'hardware'] as const) {
      const b = v[f];
      if (b === undefined) continue;
      if (typeof b !== 'boolean') ctx.log.warn(`${ctx.source.where(['rpi', 'interfaces', 'serial', f])}invalid value for rpi.interfaces.serial.${f}: expected true or false`);
      else if (f === 'console') console = b;
      else hardware = b;
    }
  }
  // Only the Pi 5 has two usable UARTs: elsewhere the console takes the hardware UART.
  const pi5 = raspiConfig(ctx, 'is_pifive') === null;
  if (!pi5 && console) hardware = true;
  const why = raspiConfig(ctx, 'do_serial_cons', onOff(console));
  if (why !== null) {
    ctx.log.error(`failed to configure the serial console: ${why}`);
    return;
  }
  const hw = raspiConfig(ctx, 'do_serial_hw', onOff(hardware));
  if (hw !== null) ctx.log.error(`failed to configure the serial hardware: ${hw}`);
  if (!treeIsRunning(ctx)) {
    ctx.log.info('the serial console changes apply at the next boot of this image (it is not the running system: not rebooted)');
    return;
  }
  const reboot = failure(ctx.host.exec.run(['shutdown', '-r', 'now', 'Rebooting to apply serial console changes'], { output: 'log' }));
  if (reboot !== null) ctx.log.error(`failed to configure the serial console: the reboot failed: ${reboot}`);
}

function interfaces(ctx: ModuleContext, v: unknown): boolean {
  if (!isDict(v)) {
    ctx.log.warn(`${ctx.source.where(['rpi', 'interfaces'])}invalid value for rpi.interfaces: expected a mapping of interface names to true or false`);
    return false;
  }
  if (Object.keys(v).length === 0) return false;
  // serial last: it ends with a reboot.
  const names = [...Object.keys(v).filter((k) => k !== 'serial'), ...('serial' in v ? ['serial'] : [])];
  for (const name of names) {
    const fn = RPI_INTERFACES[name];
    if (fn === undefined) {
      ctx.log.warn(`${ctx.source.where(['rpi', 'interfaces', name])}invalid key for rpi.interfaces: ${name} (${Object.keys(RPI_INTERFACES).join(', ')})`);
      continue;
    }
    const enable = v[name];
    if (name === 'serial') {
      if (typeof enable === 'boolean' || isDict(enable)) serial(ctx, enable);
      else ctx.log.warn(`${ctx.source.where(['rpi', 'interfaces', name])}invalid value for rpi.interfaces.serial: expected true, false or {console, hardware}`);
      continue;
    }
    if (typeof enable !== 'boolean') {
      ctx.log.warn(`${ctx.source.where(['rpi', 'interfaces', name])}invalid value for rpi.interfaces.${name}: expected true or false`);
      continue;
    }
    const why = raspiConfig(ctx, fn, onOff(enable));
    if (why !== null) ctx.log.error(`failed to configure ${name}: ${why}`);
  }
  return true;
}

function run(ctx: ModuleContext): void {
  if (!agentReachesTree(ctx, 'raspberry_pi')) return;
  const rpi = ctx.cfg.rpi;
  if (!isDict(rpi)) {
    ctx.log.warn(`${ctx.source.where(['rpi'])}invalid value for rpi: expected a mapping (interfaces, enable_rpi_connect, enable_usb_gadget)`);
    return;
  }
  for (const key of Object.keys(rpi)) {
    const v = rpi[key];
    if (key === 'interfaces') {
      // As cloud-init: interfaces that are not a mapping, or empty, end the module.
      if (!interfaces(ctx, v)) return;
    } else if (key === 'enable_rpi_connect') {
      if (typeof v !== 'boolean') ctx.log.warn(`${ctx.source.where(['rpi', key])}invalid value for enable_rpi_connect: expected true or false`);
      else {
        const why = failure(ctx.host.exec.run([RASPI_CONFIG, 'do_rpi_connect', onOff(v)], { output: 'log' }));
        if (why !== null) ctx.log.error(`failed to configure rpi-connect: ${why}`);
      }
    } else if (key === 'enable_usb_gadget') {
      if (typeof v !== 'boolean') throw new Error(`${ctx.source.where(['rpi', key])}invalid value for enable_usb_gadget: expected true or false`);
      if (!ctx.host.fs.exists(RPI_USB_GADGET)) ctx.log.error(`rpi-usb-gadget script not found: ${RPI_USB_GADGET}`);
      else {
        const why = failure(ctx.host.exec.run([RPI_USB_GADGET, v ? 'on' : 'off'], { output: 'log', timeoutMs: 15_000 }));
        if (why !== null) ctx.log.error(`failed to configure rpi-usb-gadget: ${why}`);
      }
    } else ctx.log.warn(`${ctx.source.where(['rpi', key])}unsupported key: rpi.${key}`);
  }
}

export const raspberryPi: Module = {
  name: 'raspberry_pi',
  frequency: 'once-per-instance',
  distros: RASPBERRY_PI_DISTROS,
  keys: ['rpi'],
  schema: rpiSchema,
  examples: [
    '#cloud-config\nrpi:\n  interfaces:\n    spi: true\n    i2c: true\n    onewire: true\n    serial: true\n',
    '#cloud-config\nrpi:\n  interfaces:\n    serial:\n      console: true\n      hardware: true\n',
    '#cloud-config\nrpi:\n  enable_rpi_connect: true\n  interfaces:\n    remote_gpio: true\n',
  ],
  run,
};
