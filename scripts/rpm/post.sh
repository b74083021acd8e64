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
# cloud-init's command names, the default cloud.cfg and the code caches: what the
# .deb's postinst does too (packaging/post-install/post-install).
/usr/lib/nimbus/post-install
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
