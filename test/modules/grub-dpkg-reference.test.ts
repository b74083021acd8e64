// test-lane: full (reference chroot: cloud-init 25.1's own grub_dpkg selections code)
// grub_dpkg against cloud-init 25.1: for the same configuration and boot mode, the
// reference's get_debconf_config gives the text nimbus sends to debconf-set-selections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { grubSelections } from '../../packages/core/src/modules/grub-dpkg.js';
import { referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';

const HARNESS = `
import json, sys
from cloudinit.config import cc_grub_dpkg as m
out = []
for cfg, efi in json.loads(sys.argv[1]):
    m.is_efi_booted = lambda efi=efi: efi
    m.fetch_idevs = lambda: '/dev/disk/by-id/virtio-probed'
    out.append(m.get_debconf_config(cfg))
sys.stdout.write(json.dumps(out))
`;

const CASES: [Record<string, unknown>, boolean][] = [
  [{ enabled: true, 'grub-pc/install_devices': '/dev/sda', 'grub-pc/install_devices_empty': false }, false],
  [{ enabled: true }, false],
  [{ enabled: true, 'grub-pc/install_devices': '' }, false],
  [{ enabled: true, 'grub-pc/install_devices': '/dev/vda', 'grub-pc/install_devices_empty': 'yes' }, false],
  [{ enabled: true, 'grub-pc/install_devices': '/dev/vda', 'grub-pc/install_devices_empty': 'off' }, false],
  [{ enabled: true, 'grub-efi/install_devices': '/dev/vda1' }, true],
  [{ enabled: true }, true],
];

test('grub_dpkg sends debconf the selections cloud-init 25.1 sends, for BIOS and EFI, given and probed devices', (t) => {
  const pkgs = path.join(referenceRoot('trixie'), 'usr/lib/python3/dist-packages');
  if (!fs.existsSync(path.join(pkgs, 'cloudinit/config/cc_grub_dpkg.py'))) {
    t.skip('the trixie reference is not set up (REF_SUITE=trixie bash scripts/reference/cloud-init-ref.sh setup)');
    return;
  }
  const r = spawnSync(PYTHON3, ['-c', HARNESS, JSON.stringify(CASES)], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: pkgs } });
  assert.equal(r.status, 0, r.stderr);
  const want = JSON.parse(r.stdout) as string[];
  assert.deepEqual(
    CASES.map(([cfg, efi]) => grubSelections(cfg, efi, () => '/dev/disk/by-id/virtio-probed')),
    want,
  );
});
