# shellcheck shell=sh
# nimbus %postun: on removal ($1 = 0), the cloud-init and cloud-init-per links %post made
# (only when they are ours) and the code caches.
if [ "$1" -eq 0 ]; then
    if [ -L /usr/bin/cloud-init ] && [ "$(readlink /usr/bin/cloud-init)" = nimbus ]; then
        rm -f /usr/bin/cloud-init
    fi
    if [ -L /usr/bin/cloud-init-per ] && [ "$(readlink /usr/bin/cloud-init-per)" = ../lib/nimbus/cloud-init-per ]; then
        rm -f /usr/bin/cloud-init-per
    fi
    for link in /usr/share/man/man1/cloud-init.1:nimbus.1 /usr/share/bash-completion/completions/cloud-init:nimbus; do
        if [ -L "${link%%:*}" ] && [ "$(readlink "${link%%:*}")" = "${link#*:}" ]; then rm -f "${link%%:*}"; fi
    done
    rm -rf /var/cache/nimbus
    if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
fi
exit 0
