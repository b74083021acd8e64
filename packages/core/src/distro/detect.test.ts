import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distroFromOsRelease } from './detect.js';
import { distroFacts, packageInstallCommand } from './facts.js';
import { parseOsRelease, parseRedhatRelease } from './os-release.js';

test('os-release of each family', () => {
  const ubuntu = distroFromOsRelease(parseOsRelease('NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n'));
  assert.deepEqual([ubuntu.id, ubuntu.family, ubuntu.version, ubuntu.defaultUser.name, ubuntu.renderers[0]], ['ubuntu', 'debian', '24.04', 'ubuntu', 'netplan']);
  const alma = distroFromOsRelease(parseOsRelease('ID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n'));
  assert.deepEqual([alma.family, alma.renderers[0]], ['rhel', 'network-manager']);
  const c7 = distroFromOsRelease(parseOsRelease('ID="centos"\nVERSION_ID="7"\n'));
  assert.deepEqual([c7.family, c7.defaultUser.name, c7.renderers[0]], ['rhel', 'centos', 'sysconfig']);
  const derived = distroFromOsRelease(parseOsRelease('ID=mycorp\nID_LIKE="rhel fedora"\n'));
  assert.equal(derived.family, 'rhel');
});

test('CentOS 6 has only /etc/redhat-release', () => {
  const r = parseRedhatRelease('CentOS release 6.10 (Final)\n');
  assert.deepEqual(r, { ID: 'centos', VERSION_ID: '6.10', ID_LIKE: 'rhel fedora' });
  assert.equal(distroFromOsRelease(r ?? {}).renderers[0], 'sysconfig');
  assert.equal(parseRedhatRelease('garbage'), null);
});

test('quoted values with escapes', () => {
  assert.deepEqual(parseOsRelease('PRETTY_NAME="Debian \\"x\\""\n# c\nBAD LINE\n'), { PRETTY_NAME: 'Debian "x"' });
});

test('NetworkManager is preferred to networkd on the debian family (networkd ships with every systemd)', () => {
  for (const id of ['debian', 'ubuntu']) {
    const r = distroFromOsRelease({ ID: id }).renderers;
    assert.ok(r.indexOf('network-manager') < r.indexOf('networkd'), `${id}: ${r.join(', ')}`);
  }
});

test('openSUSE and SLES are the suse family: sysconfig first, zypper, the suse default user', () => {
  const leap = distroFromOsRelease(parseOsRelease('NAME="openSUSE Leap"\nVERSION="15.6"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.6"\n'));
  assert.deepEqual([leap.id, leap.family, leap.version, leap.renderers], ['opensuse-leap', 'suse', '15.6', ['sysconfig', 'netplan', 'network-manager', 'networkd']]);
  assert.deepEqual(leap.defaultUser, { name: 'suse', gecos: 'suse Cloud User', groups: ['cdrom', 'users'], shell: '/bin/bash', sudo: ['ALL=(ALL) NOPASSWD:ALL'], lock_passwd: true });
  for (const id of ['opensuse-tumbleweed', 'opensuse-microos', 'sles', 'sle-micro', 'sle_hpc', 'suse']) assert.equal(distroFromOsRelease({ ID: id }).family, 'suse', id);
  // A derivative known only by ID_LIKE.
  assert.equal(distroFromOsRelease(parseOsRelease('ID="sles_custom"\nID_LIKE="suse"\nVERSION_ID="15.5"\n')).family, 'suse');
  const facts = distroFacts(leap);
  assert.deepEqual([facts.packageManager, facts.sshService, facts.preferFqdn], ['zypper', 'sshd', false]);
  assert.deepEqual(packageInstallCommand(facts, ['vim']), ['zypper', '--non-interactive', 'install', '--auto-agree-with-licenses', 'vim']);
});
