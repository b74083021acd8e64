// Test helpers: a quiet logger that keeps its lines, and temp roots with a fake /sys.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Logger } from '../../packages/core/src/index.js';
import type { Distro } from '../../packages/core/src/distro/types.js';
import { tempDir } from '../helpers/temp-root.js';

export function testLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = new Logger({ file: (t) => lines.push(t), stderr: () => undefined }, { stage: 'test', debug: true, quiet: true });
  return { log, lines };
}

export function tempRoot(prefix = 'nimbus-net-'): string {
  return tempDir(prefix);
}

export interface FakeNic {
  name: string;
  mac: string;
  carrier?: boolean;
  operstate?: string;
  driver?: string;
  /** Extra entries: bridge, bonding, tun_flags (directories), uevent text. */
  kind?: 'bridge' | 'bond' | 'vlan' | 'tun' | 'veth' | 'lo';
}

/** Writes /sys/class/net/<name>/... under root as the kernel shows it. */
export function fakeSysfs(root: string, nics: FakeNic[]): void {
  for (const n of nics) {
    const d = path.join(root, 'sys/class/net', n.name);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'address'), n.mac + '\n');
    fs.writeFileSync(path.join(d, 'carrier'), n.carrier === false ? '0\n' : '1\n');
    fs.writeFileSync(path.join(d, 'operstate'), (n.operstate ?? 'up') + '\n');
    fs.writeFileSync(path.join(d, 'type'), n.kind === 'lo' ? '772\n' : '1\n');
    fs.writeFileSync(path.join(d, 'uevent'), n.kind === 'vlan' ? 'DEVTYPE=vlan\n' : '');
    if (n.kind === 'bridge') fs.mkdirSync(path.join(d, 'bridge'));
    if (n.kind === 'bond') fs.mkdirSync(path.join(d, 'bonding'));
    if (n.kind === 'tun') fs.writeFileSync(path.join(d, 'tun_flags'), '0x1002\n');
    if (n.kind === undefined || n.kind === 'veth') {
      const drv = n.kind === 'veth' ? 'veth' : (n.driver ?? 'virtio_net');
      const dev = path.join(root, 'sys/devices', n.name);
      fs.mkdirSync(path.join(dev, 'driver'), { recursive: true });
      fs.mkdirSync(path.join(root, 'sys/bus/drivers', drv), { recursive: true });
      fs.rmSync(path.join(dev, 'driver'), { recursive: true });
      fs.symlinkSync(`../../bus/drivers/${drv}`, path.join(dev, 'driver'));
      fs.symlinkSync(`../../../devices/${n.name}`, path.join(d, 'device'));
    }
  }
}

export const DEBIAN: Distro = {
  id: 'debian',
  family: 'debian',
  version: '12',
  defaultUser: { name: 'debian', gecos: 'Debian', groups: [], shell: '/bin/bash', sudo: [], lock_passwd: true },
  renderers: ['netplan', 'eni', 'networkd', 'network-manager', 'sysconfig'],
};

export const CENTOS: Distro = { ...DEBIAN, id: 'centos', family: 'rhel', version: '9', renderers: ['sysconfig', 'network-manager', 'eni', 'netplan', 'networkd'] };

/** Makes `cmd` look installed in the root (an executable under /usr/sbin). */
export function fakeCommand(root: string, cmd: string): void {
  fs.mkdirSync(path.join(root, 'usr/sbin'), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr/sbin', cmd), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
}
