// The SysV init scripts, one per stage, rendered for a layout. They carry both a
// `# chkconfig:` line (rhel's chkconfig) and an LSB block (insserv, chkconfig's LSB
// mode) describing the same order nimbus computes. The copies under sysvinit/ in the
// repository are this output (a test keeps them equal).
import { STAGE_UNITS, type BootStage } from './stages.js';
import type { RcStyle } from './rc-tree.js';

interface Headers {
  chkconfig: string;
  requiredStart: string | ((style: RcStyle) => string);
  shouldStart: string;
  startBefore: string | ((style: RcStyle) => string);
  defaultStart: (style: RcStyle) => string;
  description: string;
}

const HEADERS: Record<BootStage, Headers> = {
  local: {
    // rhel: network is S10 and NetworkManager S23, so 09 precedes both.
    chkconfig: '2345 09 91',
    // Only names the layout has: chkconfig refuses a script requiring an unknown one.
    requiredStart: (style) => (style === 'debian' ? 'mountkernfs $local_fs' : '$local_fs'),
    shouldStart: 'udev',
    startBefore: (style) => (style === 'debian' ? 'networking NetworkManager' : 'network NetworkManager wicked'),
    // Debian starts `networking` from rcS.d, so the local stage must start there too.
    defaultStart: (style) => (style === 'debian' ? 'S' : '2 3 4 5'),
    description: 'Finds the datasource on local devices (config drive, NoCloud seed) and writes the network configuration before any network manager starts.',
  },
  init: {
    chkconfig: '2345 24 76',
    requiredStart: '$local_fs nimbus-local',
    shouldStart: '$network networking network NetworkManager wicked',
    startBefore: 'ssh sshd',
    defaultStart: () => '2 3 4 5',
    description: 'Brings the network up, reads network datasources and runs the init modules (keys, hostname, users) before sshd starts.',
  },
  config: {
    chkconfig: '2345 25 75',
    requiredStart: 'nimbus-init',
    shouldStart: '$network $remote_fs',
    startBefore: '',
    defaultStart: () => '2 3 4 5',
    description: 'Runs the config modules once the network is up.',
  },
  final: {
    chkconfig: '2345 99 01',
    requiredStart: '$all nimbus-config',
    shouldStart: '',
    startBefore: '',
    defaultStart: () => '2 3 4 5',
    description: 'Runs user scripts and the final message, last in the boot.',
  },
};

export function initScriptName(stage: BootStage): string {
  return STAGE_UNITS[stage].name;
}

// Debian's scripts load the LSB functions, and with them the hooks other packages put in
// /lib/lsb/init-functions.d: on a systemd host, systemd's hook sends
// `/etc/init.d/nimbus-init start` to systemctl, so a stage never runs outside its unit.
const LSB_FUNCTIONS = `
[ -r /lib/lsb/init-functions ] && . /lib/lsb/init-functions
`;

export function renderInitScript(stage: BootStage, style: RcStyle): string {
  const f = STAGE_UNITS[stage];
  const h = HEADERS[stage];
  const requiredStart = typeof h.requiredStart === 'string' ? h.requiredStart : h.requiredStart(style);
  const startBefore = typeof h.startBefore === 'string' ? h.startBefore : h.startBefore(style);
  const lsb = [
    `# Provides:          ${f.name}`,
    `# Required-Start:    ${requiredStart}`,
    '# Required-Stop:',
    ...(h.shouldStart ? [`# Should-Start:      ${h.shouldStart}`] : []),
    ...(startBefore ? [`# X-Start-Before:    ${startBefore}`] : []),
    `# Default-Start:     ${h.defaultStart(style)}`,
    '# Default-Stop:      0 1 6',
    `# Short-Description: nimbus ${f.summary.split(':')[0]}`,
    `# Description:       ${h.description}`,
  ];
  return `#!/bin/sh
# ${f.name}: the nimbus ${f.summary}, for SysV init (${style === 'rhel' ? 'rhel-style /etc/rc.d' : 'debian-style /etc/rc?.d'}).
# Installed and ordered by \`nimbus sysvinit install\`; \`nimbus doctor\` checks the order.
#
# chkconfig: ${h.chkconfig}
# description: ${h.description}
#
### BEGIN INIT INFO
${lsb.join('\n')}
### END INIT INFO
${style === 'debian' ? LSB_FUNCTIONS : ''}
NAME=${f.name}
NODE=/usr/bin/node
DAEMON=${f.bundle}
# A oneshot has no process to ask about: the exit code of this boot's run is kept here.
STATE_DIR=/var/run/nimbus
MARK=$STATE_DIR/$NAME.exit

disabled() {
    [ -e /etc/cloud/cloud-init.disabled ] && return 0
    # cloud-init's kernel switch: cloud-init=disabled on the command line.
    for arg in $(cat /proc/cmdline 2>/dev/null); do
        [ "$arg" = cloud-init=disabled ] && return 0
    done
    return 1
}

start() {
    if disabled; then
        echo "$NAME: disabled (/etc/cloud/cloud-init.disabled or cloud-init=disabled)"
        return 0
    fi
    if [ ! -x "$NODE" ]; then
        echo "$NAME: $NODE not found; nimbus needs nodejs (>= 18)" >&2
        return 5
    fi
    "$NODE" "$DAEMON"
    code=$?
    mkdir -p "$STATE_DIR" && echo "$code" > "$MARK"
    # rhel's rc runs K scripts only for services with a subsys lock.
    [ -d /var/lock/subsys ] && : > "/var/lock/subsys/$NAME"
    return $code
}

case "$1" in
    start)
        start
        ;;
    stop)
        rm -f "$MARK" "/var/lock/subsys/$NAME"
        ;;
    restart|force-reload)
        rm -f "$MARK"
        start
        ;;
    status)
        if [ ! -e "$MARK" ]; then
            echo "$NAME: has not run this boot"
            exit 3
        fi
        code=$(cat "$MARK")
        echo "$NAME: ran this boot, exit code $code"
        [ "$code" = 0 ] || exit 1
        ;;
    *)
        echo "usage: $0 {start|stop|restart|force-reload|status}" >&2
        exit 2
        ;;
esac
`;
}
