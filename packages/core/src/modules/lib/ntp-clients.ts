// The NTP clients cloud-init knows, per distro, and the configuration each is given.
// The file texts carry the same directives, in the same order, as cloud-init's stock
// templates render (its chrony.conf.*, ntp.conf.*, ntpd.conf.openbsd and timesyncd.conf),
// with a short header of nimbus's own instead of the templates' comments. An image that
// keeps cloud-init's templates in /etc/cloud/templates gets those rendered instead.
import type { Distro } from '../../distro/types.js';

export const NTP_CLIENTS = ['chrony', 'systemd-timesyncd', 'ntp', 'ntpdate', 'openntpd'] as const;
export type NtpClientName = (typeof NTP_CLIENTS)[number];

export interface NtpClient {
  /** The executable whose presence says the client is installed: a name looked up in the usual bin dirs, or a path. */
  checkExe: string;
  confpath: string;
  packages: string[];
  serviceName: string;
  /** cloud-init's template name; {distro} becomes the distro's name. */
  templateName: string;
}

/** cloud-init's order of preference when ntp_client is auto and nothing is installed: the first. */
export const PREFERRED: readonly NtpClientName[] = ['chrony', 'systemd-timesyncd', 'ntp', 'ntpdate'];

export function clientsFor(distro: Distro): Record<NtpClientName, NtpClient> {
  const debian = distro.family === 'debian';
  return {
    chrony: {
      checkExe: 'chronyd',
      confpath: debian ? '/etc/chrony/chrony.conf' : '/etc/chrony.conf',
      packages: ['chrony'],
      serviceName: debian ? 'chrony' : 'chronyd',
      templateName: 'chrony.conf.{distro}',
    },
    ntp: { checkExe: 'ntpd', confpath: '/etc/ntp.conf', packages: ['ntp'], serviceName: debian ? 'ntp' : 'ntpd', templateName: 'ntp.conf.{distro}' },
    ntpdate: { checkExe: 'ntpdate', confpath: '/etc/ntp.conf', packages: ['ntpdate'], serviceName: 'ntpdate', templateName: 'ntp.conf.{distro}' },
    openntpd: { checkExe: 'ntpd', confpath: '/etc/ntpd.conf', packages: [], serviceName: 'ntpd', templateName: 'ntpd.conf.{distro}' },
    'systemd-timesyncd': {
      checkExe: '/lib/systemd/systemd-timesyncd',
      confpath: '/etc/systemd/timesyncd.conf.d/cloud-init.conf',
      packages: [],
      serviceName: 'systemd-timesyncd',
      templateName: 'timesyncd.conf',
    },
  };
}

export interface NtpLists {
  servers: string[];
  pools: string[];
  peers: string[];
  allow: string[];
}

/** cloud-init's default pools when neither servers nor pools are given: {0-3}.<distro>.pool.ntp.org. */
export function defaultPools(distroName: string): string[] {
  return [0, 1, 2, 3].map((n) => `${n}.${distroName}.pool.ntp.org`);
}

const HEADER = '# Written by nimbus (cloud-init) from the ntp key of cloud-config.\n';

function sources(l: NtpLists, suffix: string): string {
  let out = '';
  if (l.pools.length > 0) out += '# pools\n' + l.pools.map((p) => `pool ${p}${suffix}\n`).join('');
  if (l.servers.length > 0) out += '# servers\n' + l.servers.map((s) => `server ${s}${suffix}\n`).join('');
  out += l.peers.map((p) => `peer ${p}\n`).join('');
  return out;
}

/**
 * The configuration file for a client (pure). `flavour` is the template family:
 * debian (Debian and Ubuntu), rhel (the rhel family) or fedora.
 */
export function renderNtpConfig(client: NtpClientName, flavour: 'debian' | 'rhel' | 'fedora', l: NtpLists): string {
  switch (client) {
    case 'chrony': {
      const allow = l.allow.map((a) => `allow ${a}\n`).join('');
      const tail =
        flavour === 'debian'
          ? 'keyfile /etc/chrony/chrony.keys\ndriftfile /var/lib/chrony/chrony.drift\nlogdir /var/log/chrony\nmaxupdateskew 100.0\nrtcsync\nmakestep 1 3\n'
          : `driftfile /var/lib/chrony/drift\nmakestep 1.0 3\nrtcsync\n${flavour === 'fedora' ? 'leapsectz right/UTC\n' : ''}logdir /var/log/chrony\n`;
      return HEADER + sources(l, ' iburst') + allow + tail;
    }
    case 'ntp':
    case 'ntpdate':
      if (flavour === 'debian') {
        return (
          HEADER +
          'driftfile /var/lib/ntp/ntp.drift\nstatistics loopstats peerstats clockstats\nfilegen loopstats file loopstats type day enable\nfilegen peerstats file peerstats type day enable\nfilegen clockstats file clockstats type day enable\n' +
          sources(l, ' iburst') +
          'restrict -4 default kod notrap nomodify nopeer noquery limited\nrestrict -6 default kod notrap nomodify nopeer noquery limited\nrestrict 127.0.0.1\nrestrict ::1\nrestrict source notrap nomodify noquery\n'
        );
      }
      return (
        HEADER +
        'driftfile /var/lib/ntp/drift\nrestrict default kod nomodify notrap nopeer noquery\nrestrict -6 default kod nomodify notrap nopeer noquery\nrestrict 127.0.0.1\nrestrict -6 ::1\n' +
        sources(l, ' iburst') +
        'includefile /etc/ntp/crypto/pw\nkeys /etc/ntp/keys\n'
      );
    case 'openntpd': {
      let out = HEADER;
      if (l.pools.length > 0) out += '# pools\n' + l.pools.map((p) => `servers ${p}\n`).join('');
      if (l.servers.length > 0) out += '# servers\n' + l.servers.map((s) => `server ${s}\n`).join('');
      out += l.peers.map((p) => `peer ${p}\n`).join('');
      return out + 'sensor *\nconstraint from "9.9.9.9"\nconstraint from "2620:fe::fe"\nconstraints from "www.google.com"\n';
    }
    case 'systemd-timesyncd': {
      const hosts = [...l.servers, ...l.pools];
      return HEADER + '[Time]\n' + (hosts.length > 0 ? `NTP=${hosts.join(' ')}\n` : '');
    }
  }
}
