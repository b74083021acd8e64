import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distroFromOsRelease } from './detect.js';
import { distroFacts, packageInstallCommand, serviceCommand } from './facts.js';

const of = (osr: Record<string, string>) => distroFacts(distroFromOsRelease(osr));

test('per-family facts: init system, package manager, host name file, ssh, sudoers', () => {
  const deb = of({ ID: 'debian', VERSION_ID: '12' });
  assert.deepEqual(
    [deb.initSystem, deb.packageManager, deb.hostnameFile, deb.hostsTemplate, deb.preferFqdn, deb.sshService, deb.sshdConfigDir, deb.sudoersDir],
    ['systemd', 'apt', '/etc/hostname', 'debian', false, 'ssh', '/etc/ssh/sshd_config.d', '/etc/sudoers.d'],
  );
  assert.equal(of({ ID: 'debian', VERSION_ID: '10' }).sshdConfigDir, null);
  assert.equal(of({ ID: 'ubuntu', VERSION_ID: '18.04' }).sshdConfigDir, null);
  const c6 = of({ ID: 'centos', VERSION_ID: '6.10', ID_LIKE: 'rhel fedora' });
  assert.deepEqual([c6.initSystem, c6.packageManager, c6.hostnameFile, c6.sshService, c6.hostKeyGroup], ['sysvinit', 'yum', '/etc/sysconfig/network', 'sshd', 'ssh_keys']);
  const c7 = of({ ID: 'centos', VERSION_ID: '7' });
  assert.deepEqual([c7.initSystem, c7.packageManager, c7.hostnameFile, c7.preferFqdn], ['systemd', 'yum', '/etc/hostname', true]);
  const r9 = of({ ID: 'rhel', VERSION_ID: '9.4' });
  assert.deepEqual([r9.packageManager, r9.sshdConfigDir, r9.hostKeyGroup], ['dnf', '/etc/ssh/sshd_config.d', null]);
  assert.equal(of({ ID: 'fedora', VERSION_ID: '40' }).packageManager, 'dnf');
  assert.deepEqual(serviceCommand(deb, 'restart', 'ssh'), ['systemctl', 'restart', 'ssh']);
  assert.deepEqual(serviceCommand(c6, 'restart', 'sshd'), ['service', 'sshd', 'restart']);
  assert.deepEqual(packageInstallCommand(r9, ['vim']), ['dnf', '-t', '-y', 'install', 'vim']);
  assert.equal(packageInstallCommand(deb, ['vim']).at(-1), 'vim');
});
