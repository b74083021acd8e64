#!/usr/bin/env bash
# `npm run test:vm`: real boots of nimbus in Debian 12 VMs under qemu.
#
#   scripts/vm-test.sh [--variant V[,V...]|all] [--no-build] [--no-kvm] [--keep]
#
# For each variant (default: all = ifupdown, nm, networkd, netplan, sysv-ifupdown; also
# sysv-nm by name; see CHAINS below; the sysv-* ones boot sysvinit-core instead of
# systemd, see test/vm/image/sysv/hooks.sh):
#   1. an image: a Debian 12 tree made by debootstrap (systemd, the network stack of
#      the variant, Debian's nodejs, linux-image-amd64; no cloud-init), cached under
#      /var/tmp/nimbus-vm keyed by its inputs; the .deb of `npm run package` installed
#      into a copy of it with dpkg in a chroot, as an image maker does (never booted; the
#      postinst trains each stage's code cache there); a raw ext4 disk made with `mkfs.ext4 -d`
#      (no loop mount), cached too, keyed by the base and the .deb's contents;
#   2. the variant's chain of boots (CHAINS) on one copy of that disk under
#      qemu-system-x86_64 (KVM when it works, else TCG), each with its instance's
#      config-drive ISO (genisoimage -V config-2, test/vm/config-drive*) on /dev/sr0,
#      and extra disks as the boot's options say, and qemu's user network with restrict=on; a test-only unit powers the VM
#      off once nimbus-final is done;
#   3. after each boot, the disk read with debugfs (journal, /var/lib/cloud, the files
#      the cloud-config asked for, what the test unit saved) and checked by
#      test/vm/assert.mjs.
# Artifacts (serial logs, journals as text, the files read back) stay in
# /var/tmp/nimbus-vm/runs/<time>/ (the disks are removed unless --keep).
#
# Environment: VM_BOOT_TIMEOUT (seconds per boot, default 480), VM_MEM (MiB, 1024),
# VM_JOBS (chains at a time, default 1), VM_FULL_CHAINS=1 (the open scenarios too),
# VM_CACHE (default /var/tmp/nimbus-vm),
# VM_MIRROR (default: this machine's Debian mirror).
set -euo pipefail
cd "$(dirname "$0")/.."

variant=all build=1 kvm=auto keep=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --variant) variant=${2:?--variant needs a variant name or all}; shift 2 ;;
    --variant=*) variant=${1#*=}; shift ;;
    --no-build) build=0; shift ;;
    --no-kvm) kvm=no; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "vm-test: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

CACHE=${VM_CACHE:-/var/tmp/nimbus-vm}
TIMEOUT=${VM_BOOT_TIMEOUT:-480}
MEM=${VM_MEM:-1024}
JOBS=${VM_JOBS:-1}
SUITE=bookworm
COMMON_PKGS=systemd,systemd-sysv,udev,dbus,kmod,iproute2,procps,openssh-server,nodejs,linux-image-amd64,initramfs-tools
# debootstrap resolves no virtual packages: polkitd (for network-manager) needs default-logind, which libpam-systemd provides.
# ifupdown needs a DHCP client for instance C (`iface eth0 inet dhcp`), as a Debian cloud image has.
declare -A VARIANT_PKGS=([ifupdown]="ifupdown,isc-dhcp-client" [nm]="network-manager,libpam-systemd" [networkd]=libpam-systemd [netplan]="netplan.io,libpam-systemd")
# The SysV variants: their packages and the hooks that make their images.
source test/vm/image/sysv/hooks.sh
# polkitd (for network-manager) needs default-logind | logind: libpam-systemd gives it
# with the systemd package, which sysvinit-core leaves installed but not running as PID 1
# (elogind replaces libsystemd0 and breaks dbus-uuidgen in debootstrap).
VARIANT_PKGS+=([sysv-ifupdown]=ifupdown [sysv-nm]="network-manager,libpam-systemd")
base_pkgs() {  # base_pkgs VARIANT -> debootstrap's --include list
  if is_sysv_variant "$1"; then echo "$SYSV_COMMON_PKGS,${VARIANT_PKGS[$1]}"; else echo "$COMMON_PKGS,${VARIANT_PKGS[$1]}"; fi
}

# --- the scenarios -------------------------------------------------------------------------
# Instances: a config drive each (test/vm/config-drive*), and the MAC its network_data.json
# names.
declare -A INSTANCE_DRIVE=([a]=test/vm/config-drive [b]=test/vm/config-drive-b [c]=test/vm/config-drive-c)
declare -A INSTANCE_MAC=([a]=52:54:00:12:34:56 [b]=52:54:00:12:34:78 [c]=52:54:00:12:34:78)
# A variant's boots, in a chain on one disk (a copy of the variant's image), one word a
# boot: INSTANCE[+OPTION...]. Options:
#   grow=SIZE   the disk grown by SIZE (truncate -s +SIZE) before this boot
#   eph         an extra virtio disk (/dev/vdb, ext4, empty) for this boot only
#   repo        the local apt repository ISO as a second CD-ROM (/dev/sr1)
#   dhcpname    qemu's DHCP offers the host name "dhcp-given-name"
# Boot 1 and 2: instance A twice (a second boot skips per-instance work). Boot 3:
# instance B on the disk A left (a snapshot image), with a new MAC, on a grown disk,
# with packages from the local repository and an ephemeral disk. Boot 4: instance C with
# DHCP on the disk B left (B's static config, B's ephemeral disk in fstab, now absent).
#
# The default chains are those that pass in a real boot (docs/vm-test.md, "Status"); with
# VM_FULL_CHAINS=1 ifupdown and nm also boot instance C (DHCP) and nm instance B, whose
# failures are open (#19). sysv-nm is not in `all`: its base does not build yet.
CHAIN_FULL="a a b+grow=1G+eph+repo c+dhcpname"
CHAIN_B="a a b+grow=1G+eph+repo"
declare -A CHAINS=(
  [ifupdown]=$CHAIN_B
  [nm]="a a"
  [networkd]=$CHAIN_B
  [netplan]=$CHAIN_B
  [sysv-ifupdown]="a a"
  [sysv-nm]="a a"
)
if [[ ${VM_FULL_CHAINS:-0} == 1 ]]; then CHAINS[ifupdown]=$CHAIN_FULL; CHAINS[nm]=$CHAIN_FULL; fi
ALL_VARIANTS=(ifupdown nm networkd netplan sysv-ifupdown)
KNOWN_VARIANTS=("${ALL_VARIANTS[@]}" sysv-nm)
case $variant in
  all) variants=("${ALL_VARIANTS[@]}") ;;
  *)
    variants=()
    IFS=, read -ra want <<< "$variant"
    for v in "${want[@]}"; do
      [[ -n ${CHAINS[$v]+x} ]] || { echo "vm-test: --variant must be one of ${KNOWN_VARIANTS[*]} (comma-separated) or all" >&2; exit 2; }
      variants+=("$v")
    done ;;
esac

log() { printf 'vm-test: %s\n' "$*" >&2; }
die() { printf 'vm-test: FAIL: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# Timings go to a file too: chains run in subshells when VM_JOBS > 1.
timing() { printf '%-40s %7ss\n' "$1" "$2" >> "$RUN/timings.txt"; log "$1: $2 s"; }

[[ $(id -u) == 0 ]] || die "needs root (debootstrap, chroot, dpkg in the image tree)"

# --- tools on this machine (installed from Debian's packages when missing) -------------
ensure() {  # ensure COMMAND PACKAGE
  command -v "$1" >/dev/null && return 0
  log "installing $2 (for $1)"
  flock /var/lock/nimbus-test-apt.lock sh -c '
    if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name "*Packages*" -mmin -1440 2>/dev/null | head -1)" ]; then apt-get update -q >/dev/null; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$1" >/dev/null' sh "$2" \
    || die "could not install $2"
  command -v "$1" >/dev/null || die "$2 is installed but $1 is still missing"
}
ensure qemu-system-x86_64 qemu-system-x86
ensure debootstrap debootstrap
ensure genisoimage genisoimage
ensure mkfs.ext4 e2fsprogs
ensure debugfs e2fsprogs
ensure journalctl systemd
ensure dpkg-deb dpkg
ensure flock util-linux
[[ $(mkfs.ext4 2>&1 || true) == *'-d root-directory'* ]] || die "this mkfs.ext4 has no -d (e2fsprogs >= 1.43 needed)"

mkdir -p "$CACHE/runs"
RUN=$CACHE/runs/$(date -u +%Y%m%dT%H%M%SZ)-$$
mkdir -p "$RUN"
log "artifacts: $RUN"
# Keep the artifacts of the last 5 runs, and of any run still going (its name ends in its pid).
ls -1d "$CACHE"/runs/*/ 2>/dev/null | sort | head -n -5 | while read -r old; do
  old=${old%/}; kill -0 "${old##*-}" 2>/dev/null || rm -rf "$old"
done

# --- the .deb ----------------------------------------------------------------------------
t0=$(now)
pkgargs=(--out "$RUN" --no-rpm)   # the VM image is Debian: the .deb only
[[ $build == 0 ]] && pkgargs+=(--no-build)
DEB=$(bash scripts/package.sh "${pkgargs[@]}" | grep "\.deb$")
[[ -f $DEB ]] || die "npm run package made no .deb"
# The .deb's contents (not its bytes: mtimes change with every build): file data, modes
# and the control files.
debx=$RUN/deb-contents
rm -rf "$debx"; mkdir -p "$debx"
dpkg-deb -x "$DEB" "$debx/root"; dpkg-deb -e "$DEB" "$debx/DEBIAN"
DEB_HASH=$( (cd "$debx" && find . -type f -print0 | sort -z | xargs -0 sha256sum; find . -printf '%M %u %g %p %l\n' | sort) | sha256sum | cut -c1-16)
rm -rf "$debx"
timing "package (.deb)" "$(secs "$t0" "$(now)")"

# --- the base image tree, per variant ----------------------------------------------------
mirror() {
  if [[ -n ${VM_MIRROR:-} ]]; then echo "$VM_MIRROR"; return; fi
  awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null \
    || true
}
MIRROR=$(mirror); MIRROR=${MIRROR:-http://deb.debian.org/debian}

# Everything the base tree is made of goes into its key: this function's text, the
# package list and the suite.
configure_base() {  # configure_base ROOT VARIANT
  local r=$1 v=$2
  echo nimbus-vm-base > "$r/etc/hostname"
  printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > "$r/etc/hosts"
  printf '/dev/vda\t/\text4\trw,errors=remount-ro\t0\t1\n' > "$r/etc/fstab"
  chroot "$r" passwd -d root >/dev/null          # serial-console login, for debugging
  # A cloud image: no machine-id until the first boot; a persistent journal the test reads.
  : > "$r/etc/machine-id"; rm -f "$r/var/lib/dbus/machine-id"
  mkdir -p "$r/var/log/journal" "$r/etc/systemd/journald.conf.d"
  printf '[Journal]\nStorage=persistent\n' > "$r/etc/systemd/journald.conf.d/nimbus-vm-test.conf"
  if [[ $v == nm ]]; then
    # NetworkManager alone manages the NIC (no ifupdown: /etc/network/interfaces absent).
    rm -f "$r/etc/network/interfaces"
  fi
  # As a cloud image: no host keys (the ssh module makes them at the first boot).
  rm -f "$r"/etc/ssh/ssh_host_*
  rm -f "$r"/var/cache/apt/archives/*.deb
}

# What a variant adds to configure_base, after it (a function per variant, in that
# variant's key only: the other variants' cached bases stay valid).
configure_variant_networkd() {  # ROOT: systemd-networkd alone manages the NIC
  local r=$1
  rm -f "$r/etc/network/interfaces"
  chroot "$r" systemctl enable systemd-networkd.service >/dev/null 2>&1
  [[ -L $r/etc/systemd/system/multi-user.target.wants/systemd-networkd.service ]]
}
configure_variant_netplan() {  # ROOT: netplan.io, rendering to systemd-networkd
  local r=$1
  rm -f "$r/etc/network/interfaces" "$r"/etc/netplan/*.yaml
  chroot "$r" systemctl enable systemd-networkd.service >/dev/null 2>&1
  [[ -L $r/etc/systemd/system/multi-user.target.wants/systemd-networkd.service && -x $r/usr/sbin/netplan ]]
}
variant_hook() { declare -F "configure_variant_$1" >/dev/null && echo "configure_variant_$1"; return 0; }

base_key() {  # base_key VARIANT
  local hook
  hook=$(variant_hook "$1")
  { echo "$SUITE $(base_pkgs "$1")"; declare -f configure_base build_base ${hook:+"$hook"}; } | sha256sum | cut -c1-16
}

# The layer on top of the base: nimbus's .deb, and the test-only files of test/vm/image
# (the unit that saves the results and powers the VM off; a per-boot script).
install_layer() {  # install_layer ROOT LOG VARIANT
  local r=$1
  : > "$2"
  if is_sysv_variant "$3"; then sysv_before_deb "$r" "$3" >> "$2" 2>&1 || return 1; fi
  cp "$DEB" "$r/tmp/nimbus.deb"
  chroot "$r" dpkg -i /tmp/nimbus.deb >> "$2" 2>&1 || return 1
  rm -f "$r/tmp/nimbus.deb"
  if is_sysv_variant "$3"; then sysv_after_deb "$r" "$3" >> "$2" 2>&1 || return 1; fi
  install -m 0644 test/vm/image/nimbus-vm-test.service "$r/etc/systemd/system/nimbus-vm-test.service"
  install -D -m 0755 test/vm/image/collect.sh "$r/usr/local/sbin/nimbus-vm-test-collect"
  mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
  ln -sf /etc/systemd/system/nimbus-vm-test.service "$r/etc/systemd/system/multi-user.target.wants/nimbus-vm-test.service"
  install -D -m 0755 test/vm/image/per-boot.sh "$r/var/lib/cloud/scripts/per-boot/50-nimbus-vm-test"
}
layer_key() {
  { declare -f install_layer sysv_before_deb sysv_after_deb; find test/vm/image -type f | sort | xargs cat; echo "$DEB_HASH"; } | sha256sum | cut -c1-16
}

build_base() {  # build_base VARIANT DIR: debootstrap, configure, kernel and initrd out
  local v=$1 dir=$2 tmp=$2.tmp.$$
  rm -rf "$tmp"; mkdir -p "$tmp"
  log "[$v] debootstrap $SUITE from $MIRROR (a few minutes; cached afterwards)"
  # In a private mount namespace: the mounts debootstrap makes in the tree (proc, sys)
  # never show on this machine and go away with it.
  local exclude=()
  if is_sysv_variant "$v"; then exclude=(--exclude="$SYSV_EXCLUDE"); fi
  if ! unshare --mount --propagation private debootstrap --variant=minbase "${exclude[@]}" \
      --include="$(base_pkgs "$v")" "$SUITE" "$tmp/root" "$MIRROR" > "$tmp/debootstrap.log" 2>&1; then
    tail -30 "$tmp/debootstrap.log" >&2
    die "[$v] debootstrap failed (log: $tmp/debootstrap.log)"
  fi
  configure_base "$tmp/root" "$v"
  local k i
  k=$(ls "$tmp"/root/boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
  i=$(ls "$tmp"/root/boot/initrd.img-* 2>/dev/null | sort -V | tail -1)
  [[ -n $k && -n $i ]] || die "[$v] no kernel or initrd in the image's /boot"
  cp "$k" "$tmp/vmlinuz"; cp "$i" "$tmp/initrd.img"
  rm -rf "$dir"; mv "$tmp" "$dir"
}

build_variant_base() {  # build_variant_base VARIANT DIR: build_base, then the variant's own hook
  local hook
  hook=$(variant_hook "$1")
  build_base "$1" "$2"
  if [[ -n $hook ]]; then
    "$hook" "$2/root" || { rm -rf "$2"; die "[$1] $hook failed"; }
  fi
  touch "$2/complete"
}
base_ready() { [[ -f $1/root/etc/os-release && -f $1/vmlinuz && ( -z $(variant_hook "$2") || -f $1/complete ) ]]; }

# image VARIANT -> sets IMG_DIR (vmlinuz, initrd.img, disk.raw: the pristine disk)
image() {
  local v=$1 bkey base ikey t
  bkey=$(base_key "$v")
  base=$CACHE/base-$v-$bkey
  ikey=$bkey-$(layer_key)
  IMG_DIR=$CACHE/image-$v-$ikey
  t=$(now)
  if [[ -f $IMG_DIR/disk.raw ]]; then
    log "[$v] image with this .deb cached: $IMG_DIR"
  else
    for old in "$CACHE"/image-"$v"-*; do [[ -e $old ]] && rm -rf "$old"; done
    local tmp=$IMG_DIR.tmp.$$
    rm -rf "$tmp"; mkdir -p "$tmp"
    cp -a "$base/root" "$tmp/root"
    if ! install_layer "$tmp/root" "$tmp/dpkg.log" "$v"; then
      cat "$tmp/dpkg.log" >&2; die "[$v] dpkg -i of the .deb failed in the image tree"
    fi
    ! [[ -e $tmp/root/usr/bin/cloud-init && ! -L $tmp/root/usr/bin/cloud-init ]] || die "[$v] cloud-init itself is in the image"
    # As an image maker's tree: installed, never booted, and the postinst trained each
    # stage's code cache (and zod's) for the image's own Node, so the first boot finds them.
    local c cached=()
    for c in nimbus-local nimbus-init nimbus-config nimbus-final nimbus-zod; do
      compgen -G "$tmp/root/var/cache/nimbus/$c-*.v8" >/dev/null || { cat "$tmp/dpkg.log" >&2; die "[$v] the postinst trained no code cache for $c"; }
    done
    cached=("$tmp"/root/var/cache/nimbus/*.v8)
    log "[$v] code caches made at install time: ${cached[*]##*/}"
    # Their names and bytes, for the check that the first boot reused them as they are.
    mkdir -p "$tmp/root/var/lib/nimbus-vm-image"
    (cd "$tmp/root/var/cache/nimbus" && sha256sum -- *.v8) > "$tmp/root/var/lib/nimbus-vm-image/code-cache.sha256"
    local mb
    mb=$(du -sm "$tmp/root" | cut -f1)
    mkfs.ext4 -q -F -L nimbus-root -d "$tmp/root" "$tmp/disk.raw" "$((mb * 2 + 1024))M" >/dev/null \
      || die "[$v] mkfs.ext4 -d failed"
    rm -rf "$tmp/root"
    cp "$base/vmlinuz" "$base/initrd.img" "$tmp/"
    mv "$tmp" "$IMG_DIR"
  fi
  timing "[$v] image with the .deb" "$(secs "$t" "$(now)")"
}

# --- the config drives and the local apt repository ---------------------------------------
iso_for() {  # iso_for INSTANCE -> path of its config-drive ISO (made once per run)
  local iso=$RUN/config-2-$1.iso drive=$RUN/config-drive-$1
  if [[ ! -f $iso ]]; then
    rm -rf "$drive"; cp -a "${INSTANCE_DRIVE[$1]}" "$drive"
    # The same data under a dated version too, as OpenStack writes it.
    cp -a "$drive/openstack/latest" "$drive/openstack/2018-08-27"
    genisoimage -quiet -o "$iso.tmp" -V config-2 -r -J "$drive" || die "genisoimage failed for instance $1"
    mv "$iso.tmp" "$iso"
  fi
  echo "$iso"
}

# A flat apt repository (Packages, Release) with one tiny package, nimbus-vm-hello, on an
# ISO labelled nimbus-repo: what instance B's `packages:` installs with no network.
make_repo_iso() {
  local d=$RUN/repo pkg=$RUN/repo-pkg
  rm -rf "$d" "$pkg"; mkdir -p "$d" "$pkg/DEBIAN" "$pkg/usr/share/nimbus-vm-hello"
  printf 'installed by packages: from the local repository\n' > "$pkg/usr/share/nimbus-vm-hello/hello.txt"
  cat > "$pkg/DEBIAN/control" <<'CONTROL'
Package: nimbus-vm-hello
Version: 1.0
Architecture: all
Maintainer: nimbus VM test <nimbus@example.invalid>
Description: test package of npm run test:vm
 Installed from a local apt repository on an ISO by the packages module.
CONTROL
  dpkg-deb --root-owner-group -b "$pkg" "$d/nimbus-vm-hello_1.0_all.deb" >/dev/null || die "dpkg-deb -b failed"
  local deb=$d/nimbus-vm-hello_1.0_all.deb size md5 sha
  size=$(stat -c %s "$deb"); md5=$(md5sum "$deb" | cut -d' ' -f1); sha=$(sha256sum "$deb" | cut -d' ' -f1)
  { dpkg-deb -f "$deb"; printf 'Filename: ./%s\nSize: %s\nMD5sum: %s\nSHA256: %s\n\n' "${deb##*/}" "$size" "$md5" "$sha"; } > "$d/Packages"
  { printf 'Origin: nimbus-vm-test\nLabel: nimbus-vm-test\nSuite: local\nCodename: local\nArchitectures: all amd64\nDate: %s\nSHA256:\n' "$(date -u -R)"
    printf ' %s %s Packages\n' "$(sha256sum "$d/Packages" | cut -d' ' -f1)" "$(stat -c %s "$d/Packages")"; } > "$d/Release"
  genisoimage -quiet -o "$RUN/repo.iso" -V nimbus-repo -r -J "$d" || die "genisoimage failed for the repository"
  rm -rf "$pkg"
}

# --- qemu ------------------------------------------------------------------------------------
ACCEL=tcg
kvm_works() {  # a kernel with no root panics within seconds under KVM (TCG needs ~10 s just to get there): if it does, use KVM
  [[ -r /dev/kvm && -w /dev/kvm ]] || return 1
  local out=$RUN/kvm-probe.log
  timeout 20 qemu-system-x86_64 -accel kvm -m 256 -nodefaults -display none -monitor none -no-reboot \
    -serial "file:$out" -kernel "$1" -append "console=ttyS0 panic=-1" >/dev/null 2>"$out.err" || true
  grep -q 'Kernel panic' "$out" 2>/dev/null
}

# boot VARIANT N DISK INSTANCE [OPTION...] (options as in CHAINS; IMG_DIR set by image).
# Serial log and qemu's messages in $RUN/VARIANT/boot-N; BOOT_SECS set.
boot() {
  local v=$1 n=$2 disk=$3 inst=$4 out=$RUN/$1/boot-$2
  shift 4
  mkdir -p "$out"
  local extra=() netopts="" o
  for o in "$@"; do
    case $o in
      grow=*) truncate -s "+${o#grow=}" "$disk" ;;
      eph)
        local eph=$out/ephemeral.raw
        truncate -s 64M "$eph"; mkfs.ext4 -q -F -L ephemeral0 "$eph" >/dev/null
        extra+=(-drive "file=$eph,format=raw,if=virtio") ;;
      repo) extra+=(-drive "file=$RUN/repo.iso,format=raw,if=ide,index=1,media=cdrom,readonly=on") ;;
      dhcpname) netopts+=",hostname=dhcp-given-name" ;;
      *) die "[$v] boot $n: unknown boot option $o" ;;
    esac
  done
  local iso t rc=0
  iso=$(iso_for "$inst")
  t=$(now)
  log "[$v] boot $n: instance $inst${*:+ ($*)} ($ACCEL, timeout ${TIMEOUT}s)"
  timeout --kill-after=10 "$TIMEOUT" qemu-system-x86_64 \
    -accel "$ACCEL" -m "$MEM" -smp 2 -nodefaults -display none -monitor none -no-reboot \
    -serial "file:$out/serial.log" \
    -kernel "$IMG_DIR/vmlinuz" -initrd "$IMG_DIR/initrd.img" \
    -append "root=/dev/vda rw console=ttyS0,115200 panic=-1" \
    -drive "file=$disk,format=raw,if=virtio" \
    "${extra[@]}" \
    -drive "file=$iso,format=raw,if=ide,index=0,media=cdrom,readonly=on" \
    -netdev "user,id=n0,restrict=on,net=192.0.2.0/24,host=192.0.2.1,dns=192.0.2.3,dhcpstart=192.0.2.100$netopts" \
    -device "virtio-net-pci,netdev=n0,mac=${INSTANCE_MAC[$inst]},romfile=" \
    > "$out/qemu.log" 2>&1 || rc=$?
  BOOT_SECS=$(secs "$t" "$(now)")
  rm -f "$out/ephemeral.raw"
  timing "[$v] boot $n (instance $inst)" "$BOOT_SECS"
  if [[ $rc == 124 || $rc == 137 ]]; then
    log "[$v] boot $n did not power off within ${TIMEOUT}s: qemu killed. Serial console:"
    tail -80 "$out/serial.log" >&2
    return 1
  fi
  if [[ $rc != 0 ]] || ! grep -q 'reboot: Power down' "$out/serial.log"; then
    log "[$v] boot $n: qemu exit $rc without a clean power-off. qemu: $(cat "$out/qemu.log")"
    log "serial console:"; tail -80 "$out/serial.log" >&2
    return 1
  fi
}

# --- reading the disk back (debugfs; nothing is mounted) --------------------------------------
extract() {  # extract DISK DEST
  local disk=$1 dest=$2/fs
  mkdir -p "$dest"
  local d
  for d in /var/log/journal /var/lib/cloud /var/lib/nimbus-vm-test /var/lib/nimbus-vm /var/lib/nimbus-vm-image /etc/nimbus-vm /var/cache/nimbus \
           /home /root /etc/network /etc/NetworkManager /etc/systemd/network /etc/netplan /etc/cloud /etc/sudoers.d \
           /etc/apt/sources.list.d /var/lib/apt/lists /usr/share/nimbus-vm-hello; do
    mkdir -p "$dest$(dirname "$d")"
    debugfs -R "rdump $d $dest$(dirname "$d")" "$disk" >/dev/null 2>>"$2/debugfs.err" || true
  done
  for f in /etc/passwd /etc/group /etc/shadow /etc/hostname /etc/hosts /etc/fstab /etc/timezone /etc/default/locale \
           /etc/apt/sources.list /var/log/cloud-init.log /var/log/cloud-init-output.log; do
    mkdir -p "$dest$(dirname "$f")"
    debugfs -R "dump -p $f $dest$f" "$disk" >/dev/null 2>>"$2/debugfs.err" || true
  done
  local jdir
  jdir=$(find "$dest/var/log/journal" -name '*.journal' -printf '%h\n' 2>/dev/null | sort -u | head -1)
  if [[ -n $jdir ]]; then
    journalctl -D "$jdir" -o json --no-pager > "$2/journal.json" 2>"$2/journal.err" || true
    journalctl -D "$jdir" -o short-monotonic --no-pager > "$2/journal.txt" 2>>"$2/journal.err" || true
  fi
}

# --- run -----------------------------------------------------------------------------------------
# chain VARIANT: the variant's boots (CHAINS) on one copy of its image, each read back and
# checked. Its log in $RUN/VARIANT/chain.log; exit 1 when a boot or a check failed.
chain() {
  local v=$1 disk=$RUN/$1/disk.raw n=0 ok=1 word inst opts
  mkdir -p "$RUN/$v"
  if ! wait_base "$v"; then echo "[$v] its base image could not be built" >> "$RUN/failed.txt"; return 1; fi
  image "$v"
  cp --sparse=always "$IMG_DIR/disk.raw" "$disk"
  for word in ${CHAINS[$v]}; do
    n=$((n + 1))
    IFS=+ read -ra opts <<< "$word"
    inst=${opts[0]}; opts=("${opts[@]:1}")
    if ! boot "$v" "$n" "$disk" "$inst" "${opts[@]}"; then ok=0; echo "[$v] boot $n did not complete" >> "$RUN/failed.txt"; break; fi
    extract "$disk" "$RUN/$v/boot-$n"
    if [[ $n == 1 ]]; then
      # Per-instance work must not come back: remove a file write_files made (a
      # once-per-instance module); the second boot must leave it absent.
      debugfs -w -R "rm /etc/nimbus-vm/hello.txt" "$disk" >/dev/null 2>&1 || true
    fi
    if ! node test/vm/assert.mjs --variant "$v" --boot "$n" --chain "${CHAINS[$v]}" --dir "$RUN/$v"; then
      ok=0; echo "[$v] boot $n: assertions failed" >> "$RUN/failed.txt"
    fi
  done
  [[ $keep == 1 ]] || rm -f "$disk"
  if [[ $ok == 1 ]]; then log "[$v] passed"; else log "[$v] FAILED (artifacts: $RUN/$v)"; return 1; fi
}

# The base trees that are not cached are built in the background, in parallel (debootstrap
# is mostly downloads and dpkg); a chain waits only for its own base (the marker
# $RUN/base-VARIANT.rc), so a variant whose base is cached boots meanwhile.
for v in "${variants[@]}"; do
  base=$CACHE/base-$v-$(base_key "$v")
  if base_ready "$base" "$v"; then
    log "[$v] base image cached: $base"
    echo 0 > "$RUN/base-$v.rc"
  else
    for old in "$CACHE"/base-"$v"-*; do [[ -e $old ]] && rm -rf "$old"; done
    { ( t=$(now); build_variant_base "$v" "$base"
        timing "[$v] base image" "$(secs "$t" "$(now)")"; echo 0 > "$RUN/base-$v.rc" ) || echo 1 > "$RUN/base-$v.rc"; } &
  fi
done
wait_base() {  # wait_base VARIANT: until its base is built; fails when the build failed
  while [[ ! -s $RUN/base-$1.rc ]]; do sleep 5; done
  [[ $(cat "$RUN/base-$1.rc") == 0 ]]
}

make_repo_iso
if [[ $kvm == auto ]]; then
  # Any kernel will do for the probe: the first base that is ready.
  until compgen -G "$RUN/base-*.rc" >/dev/null; do sleep 5; done
  for v in "${variants[@]}"; do
    b0=$CACHE/base-$v-$(base_key "$v")
    if [[ -f $b0/vmlinuz ]]; then kvm_works "$b0/vmlinuz" && ACCEL=kvm; break; fi
  done
fi

# The chains, VM_JOBS at a time (each VM has 2 vCPUs; on 2 cores, 1 is the default).
: >> "$RUN/failed.txt"
t=$(now)
running=0
for v in "${variants[@]}"; do
  if [[ $JOBS -le 1 ]]; then
    chain "$v" || true
  else
    if [[ $running -ge $JOBS ]]; then wait -n || true; running=$((running - 1)); fi
    log "[$v] chain started (log: $RUN/$v/chain.log)"
    mkdir -p "$RUN/$v"
    ( chain "$v" > "$RUN/$v/chain.log" 2>&1 ) &
    running=$((running + 1))
  fi
done
wait || true
if [[ $JOBS -gt 1 ]]; then
  for v in "${variants[@]}"; do echo "--- [$v]"; cat "$RUN/$v/chain.log"; done
fi
timing "all chains (VM_JOBS=$JOBS)" "$(secs "$t" "$(now)")"

echo
echo "vm-test timings ($ACCEL):"
sed 's/^/  /' "$RUN/timings.txt"
echo "artifacts: $RUN"
if [[ -s $RUN/failed.txt ]]; then
  sed 's/^/vm-test: FAIL: /' "$RUN/failed.txt" >&2
  exit 1
fi
echo "vm-test: PASS (${variants[*]})"
