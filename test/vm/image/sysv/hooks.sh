# Sourced by scripts/vm-test.sh: the SysV variants (sysv-ifupdown, sysv-nm), Debian 12
# booted by sysvinit-core (/sbin/init from sysvinit, insserv and startpar ordering the
# rc scripts, Debian's CONCURRENCY=makefile) instead of systemd.

# debootstrap's minbase has no init at all (`init` is Priority: important): the SysV
# one is asked for by name, and systemd-sysv kept out.
SYSV_COMMON_PKGS=sysvinit-core,sysvinit-utils,sysv-rc,initscripts,insserv,startpar,bootlogd,udev,dbus,kmod,iproute2,procps,openssh-server,nodejs,linux-image-amd64,initramfs-tools
SYSV_EXCLUDE=systemd-sysv

is_sysv_variant() { [[ $1 == sysv-* ]]; }

# The test-only files that must be in place before nimbus's .deb is installed: the
# NetworkManager init script (registered as the host registers scripts, with
# update-rc.d, so its links exist when nimbus's postinst orders itself against them).
sysv_before_deb() {  # sysv_before_deb ROOT VARIANT
  local r=$1 v=$2
  if [[ $v == sysv-nm ]]; then
    install -m 0755 test/vm/image/sysv/NetworkManager "$r/etc/init.d/NetworkManager"
    chroot "$r" update-rc.d NetworkManager defaults || return 1
    # NetworkManager alone manages the NIC (no ifupdown: /etc/network/interfaces absent).
    rm -f "$r/etc/network/interfaces"
  fi
}

# After the .deb: the boot-log hook, the collector (last in runlevel 2, it powers the VM
# off) registered with update-rc.d, and a copy of the rc tree as the postinst left it.
sysv_after_deb() {  # sysv_after_deb ROOT VARIANT
  local r=$1
  install -D -m 0644 test/vm/image/sysv/01-nimbus-vm-test-bootlog "$r/lib/lsb/init-functions.d/01-nimbus-vm-test-bootlog"
  install -m 0755 test/vm/image/sysv/nimbus-vm-test-collect "$r/etc/init.d/nimbus-vm-test-collect"
  chroot "$r" update-rc.d nimbus-vm-test-collect defaults || return 1
  # bootlogd keeps the console of the rc scripts in /var/log/boot.
  if [[ -f $r/etc/default/bootlogd ]]; then sed -i 's/^BOOTLOGD_ENABLE=.*/BOOTLOGD_ENABLE=yes/' "$r/etc/default/bootlogd"; fi
  # The serial console logs in root, as the systemd images' serial-getty does.
  grep -q '^T0:' "$r/etc/inittab" || echo 'T0:23:respawn:/sbin/getty -L ttyS0 115200 vt100' >> "$r/etc/inittab"
}
