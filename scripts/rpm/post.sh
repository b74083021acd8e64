# shellcheck shell=sh
# nimbus %post (the .rpm; the .deb's postinst does the same): cloud-init's command name
# and default configuration when they are absent, the code caches, then boot
# integration for the init system this host runs. $1 is 1 on install, 2 on upgrade.
UNITS="nimbus-local.service nimbus-init.service nimbus-config.service nimbus-final.service nimbus.target"
uses_systemd() {
    [ -d /run/systemd/system ] && return 0
    case "$(readlink -f /sbin/init 2>/dev/null)" in */systemd) return 0 ;; esac
    # An image tree being built (no init yet) with systemd installed.
    [ ! -e /sbin/init ] && command -v systemctl >/dev/null 2>&1 && return 0
    return 1
}
if [ ! -e /usr/bin/cloud-init ] && [ ! -L /usr/bin/cloud-init ]; then
    ln -s nimbus /usr/bin/cloud-init
fi
if [ "$(readlink /usr/bin/cloud-init 2>/dev/null)" = nimbus ]; then
    for link in /usr/share/man/man1/cloud-init.1:nimbus.1 /usr/share/bash-completion/completions/cloud-init:nimbus; do
        if [ ! -e "${link%%:*}" ] && [ ! -L "${link%%:*}" ]; then ln -s "${link#*:}" "${link%%:*}"; fi
    done
fi
# The default cloud.cfg with RHEL's module lists, naming the default user of the distro
# it lands on (centos, rocky, almalinux, fedora, else cloud-user), unless one is there.
/usr/lib/nimbus/default-cloud-cfg || echo "nimbus: no default /etc/cloud/cloud.cfg could be made" >&2
# Each stage's V8 code cache, as py3compile makes .pyc files (docs/packaging.md); on an
# upgrade the old build's caches go and the new ones are made.
if ! /usr/lib/nimbus/train-code-cache; then
    echo "nimbus: the code caches could not all be trained (see above); the first boot makes the missing ones" >&2
fi
if uses_systemd; then
    systemctl enable $UNITS || true
    if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
else
    # chkconfig's links from each script's "# chkconfig:" line, then the S-numbers
    # checked (and moved when needed) against this host's own network manager and sshd.
    for s in local init config final; do
        chkconfig --add "nimbus-$s" || echo "nimbus: chkconfig --add nimbus-$s failed" >&2
    done
    if ! /usr/bin/nimbus sysvinit install; then
        echo "nimbus: the SysV boot order could not be set up (see above); run 'nimbus doctor' once it is resolved" >&2
    fi
fi
exit 0
