# shellcheck shell=bash disable=SC2034
# (SC2034: the variables are read by scripts/vm-test.sh, which sources this file.)
# Sourced by scripts/vm-test.sh: the SysV variants (sysv-ifupdown, sysv-nm), Debian 12
# booted by sysvinit-core (/sbin/init from sysvinit, insserv and startpar ordering the
# rc scripts, Debian's CONCURRENCY=makefile) instead of systemd.

# debootstrap's minbase has no init at all (`init` is Priority: important): the SysV
# one is asked for by name, and systemd-sysv kept out.
SYSV_COMMON_PKGS=sysvinit-core,sysvinit-utils,sysv-rc,initscripts,insserv,startpar,bootlogd,udev,dbus,kmod,iproute2,procps,openssh-server,nodejs,linux-image-amd64,initramfs-tools
SYSV_EXCLUDE=systemd-sysv

is_sysv_variant() { [[ $1 == sysv-* ]]; }

# The test-only files, all in place and registered (update-rc.d, i.e. insserv) before
# nimbus's .deb is installed, so that the postinst's own registration is the last thing
# that orders the rc tree: had it made links insserv does not know (.depend files
# without nimbus), the boot would show it. For sysv-nm, the NetworkManager init script,
# as on a host where NetworkManager was there first.
sysv_before_deb() {  # sysv_before_deb ROOT VARIANT
  local r=$1 v=$2
  install -D -m 0644 test/vm/image/sysv/01-nimbus-vm-test-bootlog "$r/lib/lsb/init-functions.d/01-nimbus-vm-test-bootlog"
  install -m 0755 test/vm/image/sysv/nimbus-vm-test-collect "$r/etc/init.d/nimbus-vm-test-collect"
  chroot "$r" update-rc.d nimbus-vm-test-collect defaults || return 1
  if [[ $v == sysv-nm ]]; then
    install -m 0755 test/vm/image/sysv/NetworkManager "$r/etc/init.d/NetworkManager"
    chroot "$r" update-rc.d NetworkManager defaults || return 1
    # NetworkManager alone manages the NIC (no ifupdown: /etc/network/interfaces absent).
    rm -f "$r/etc/network/interfaces"
  fi
}

# After the .deb: nothing that reorders the rc tree. bootlogd keeps the console of the
# rc scripts in /var/log/boot; the serial console gets a getty for debugging.
sysv_after_deb() {  # sysv_after_deb ROOT VARIANT
  local r=$1
  if [[ -f $r/etc/default/bootlogd ]]; then sed -i 's/^BOOTLOGD_ENABLE=.*/BOOTLOGD_ENABLE=yes/' "$r/etc/default/bootlogd"; fi
  grep -q '^T0:' "$r/etc/inittab" || echo 'T0:23:respawn:/sbin/getty -L ttyS0 115200 vt100' >> "$r/etc/inittab"
  # What the postinst left, for the artifacts.
  { ls -l "$r"/etc/rcS.d "$r"/etc/rc2.d; cat "$r"/etc/init.d/.depend.boot "$r"/etc/init.d/.depend.start; } 2>&1 || true
}
