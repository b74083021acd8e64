# shellcheck shell=sh
# nimbus %preun: takes the stages out of the boot before the files go. $1 is 0 on
# removal, 1 on upgrade (nothing to do then).
if [ "$1" -eq 0 ]; then
    if command -v systemctl >/dev/null 2>&1; then
        systemctl disable nimbus-local.service nimbus-init.service nimbus-config.service nimbus-final.service nimbus.target >/dev/null 2>&1 || true
    fi
    if ! [ -d /run/systemd/system ] && command -v chkconfig >/dev/null 2>&1; then
        for s in local init config final; do chkconfig --del "nimbus-$s" >/dev/null 2>&1 || true; done
    fi
    if [ -x /usr/bin/nimbus ] && ! [ -d /run/systemd/system ]; then
        /usr/bin/nimbus sysvinit remove --keep-scripts || true
    fi
fi
exit 0
