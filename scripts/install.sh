#!/usr/bin/env bash
# Installs a built nimbus (dist/) into a tree: /usr/lib/nimbus (bundles), /usr/bin/nimbus,
# the systemd units, the SysV scripts and a default /etc/cloud/cloud.cfg. Run
# `npm run build` first. Used directly (--destdir / for this machine, or an image tree)
# and by scripts/package.sh (--package) to stage the .deb.
#
#   scripts/install.sh --destdir D [--unitdir DIR] [--sysv-style rhel|debian]
#                      [--package] [--allow-missing-stages]
#
#   --unitdir DIR        systemd unit directory inside D (default: /lib/systemd/system,
#                        or /usr/lib/systemd/system when only that exists in D)
#   --sysv-style STYLE   where the SysV scripts go: rhel -> /etc/rc.d/init.d,
#                        debian -> /etc/init.d (default: rhel when D/etc/rc.d/init.d exists)
#   --package            staging for a package: the cloud-init command link and
#                        /etc/cloud/cloud.cfg belong to the admin (and to cloud-init's own
#                        package), so they are not installed; the default cloud.cfg goes
#                        to /usr/share/nimbus/cloud.cfg for the postinst to copy.
#   --family debian|rhel the package's family (with --package): its default cloud.cfg
#                        (module lists, default user) and the per-distro variants
#   --allow-missing-stages  install even when a stage daemon bundle is not built (each
#                        one missing is named; its unit cannot start until it is).
#
# Without --package it also trains the stages' V8 code caches into D/var/cache/nimbus
# (D/usr/lib/nimbus/train-code-cache), as the package's postinst does.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "install.sh: $*" >&2; exit 1; }

destdir='' unitdir='' style='' package=0 allow_missing=0 family=debian
while [[ $# -gt 0 ]]; do
  case $1 in
    --destdir) destdir=${2:?--destdir needs a directory}; shift 2 ;;
    --destdir=*) destdir=${1#*=}; shift ;;
    --unitdir) unitdir=${2:?--unitdir needs a directory}; shift 2 ;;
    --unitdir=*) unitdir=${1#*=}; shift ;;
    --sysv-style) style=${2:?--sysv-style needs rhel or debian}; shift 2 ;;
    --sysv-style=*) style=${1#*=}; shift ;;
    --package) package=1; shift ;;
    --family) family=${2:?--family needs debian or rhel}; shift 2 ;;
    --allow-missing-stages) allow_missing=1; shift ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[[ -n $destdir ]] || die "--destdir is required (use --destdir / to install on this machine)"
mkdir -p "$destdir"
D=$(cd "$destdir" && pwd)
[[ $D == / ]] && D=

[[ -f dist/nimbus.js && -f dist/package.json ]] || die "dist/nimbus.js is not built: run npm run build first"
missing=()
for s in local init config final; do [[ -f dist/nimbus-$s.js ]] || missing+=("nimbus-$s.js"); done
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $allow_missing == 1 ]]; then
    for m in "${missing[@]}"; do echo "install.sh: not supported yet: dist/$m is not built; its unit and init script cannot start" >&2; done
  else
    die "stage daemons not built: ${missing[*]} (run npm run build, or pass --allow-missing-stages)"
  fi
fi

# Bundles, with the package.json that makes Node read them as CommonJS.
install -d -m 0755 "$D/usr/lib/nimbus"
# Where custom modules go: the packaged ones, and the administrator's (root-owned, 0755:
# nimbus refuses module files in a directory others can write).
install -d -m 0755 "$D/usr/lib/nimbus/modules" "$D/etc/cloud/modules.d"
# Each program is its loader (NAME.js) and its code (NAME.bundle.js); the loader keeps
# a V8 code cache in /var/cache/nimbus (docs/performance.md).
for n in nimbus nimbus-local nimbus-init nimbus-config nimbus-final; do
  [[ -f dist/$n.js ]] || continue
  [[ -f dist/$n.bundle.js ]] || die "dist/$n.bundle.js is missing: run npm run build"
  install -m 0644 "dist/$n.js" "dist/$n.bundle.js" "$D/usr/lib/nimbus/"
done
# zod for the config and final stages, which do not bundle it: they load it only for a
# custom module in function form ({ z }) => module (packages/core/src/schema/zod.ts).
if [[ -f dist/nimbus-config.js || -f dist/nimbus-final.js ]]; then
  [[ -f dist/nimbus-zod.js ]] || die "dist/nimbus-zod.js is missing: run npm run build"
  install -m 0644 dist/nimbus-zod.js "$D/usr/lib/nimbus/"
fi
install -d -m 0755 "$D/var/cache/nimbus"
install -m 0644 dist/package.json "$D/usr/lib/nimbus/package.json"

# The example config drive, the seed the code caches are trained with at install time.
install -d -m 0755 "$D/usr/share/nimbus/example-seed"
rm -rf "$D/usr/share/nimbus/example-seed/config-drive"
cp -R examples/config-drive "$D/usr/share/nimbus/example-seed/config-drive"
chmod -R u=rwX,go=rX "$D/usr/share/nimbus/example-seed/config-drive"

# Trains each stage's V8 code cache at install time, as py3compile makes .pyc files: the
# first boot of an image that was never booted then starts as fast as a second boot.
# The postinst runs it (and install.sh below, and bench/run.mjs in its tree).
cat > "$D/usr/lib/nimbus/train-code-cache.tmp" <<'SH'
#!/bin/sh
# nimbus train-code-cache: makes each boot stage's V8 code cache (and zod's) in
# /var/cache/nimbus, as py3compile makes .pyc files, so that the first boot of an image
# that was never booted finds them (docs/performance.md).
#
#   /usr/lib/nimbus/train-code-cache [--prefix DIR]
#
# DIR is the tree nimbus is installed in (default: /): its bundles, its example seed and
# its cache directory are used. The four stage daemons run on a scratch tree (mktemp -d,
# removed after) holding the example config drive, with --exec record: every file they
# write is inside the scratch tree, every command is only recorded there, and the one
# thing written outside it is the cache. The caches are named for the bundles' build ids
# and this Node, so an upgrade (new bundles) or another Node trains new ones; the old
# ones are removed first. A stage that fails here fails nothing: its first boot makes
# its cache instead.
set -u
prefix=
case "${1:-}" in
  '') ;;
  --prefix) prefix=${2:?--prefix needs a directory}; prefix=${prefix%/} ;;
  *) echo "train-code-cache: unknown argument: $1" >&2; exit 2 ;;
esac
lib=$prefix/usr/lib/nimbus
cache=$prefix/var/cache/nimbus
seed=$prefix/usr/share/nimbus/example-seed/config-drive
NODE=/usr/bin/node
[ -x "$NODE" ] || NODE=node
command -v "$NODE" >/dev/null 2>&1 || { echo "train-code-cache: no node: the first boot makes the code caches" >&2; exit 1; }
[ -d "$seed" ] || { echo "train-code-cache: no example seed at $seed" >&2; exit 1; }

mkdir -p "$cache" && chmod 0755 "$cache" || exit 1
# Caches of other builds or another Node are never read again.
rm -f "$cache"/nimbus-*.v8 "$cache"/nimbus-*.v8.*.tmp

# A TMPDIR from outside a chroot (dpkg -i in an image tree) may not exist inside it.
tmp=${TMPDIR:-/tmp}
[ -d "$tmp" ] || tmp=/tmp
scratch=$(mktemp -d "$tmp/nimbus-train.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
trap 'exit 1' INT TERM HUP
root=$scratch/root
# A machine as a cloud image is: os-release (this system's, read only), passwd, ifupdown,
# a virtio NIC with the MAC the example drive's network_data.json names, and the seed.
mkdir -p "$root/etc/network/interfaces.d" "$root/usr/sbin" "$root/var/lib/cloud/seed"   "$root/sys/class/net/eth0" "$root/sys/devices/pci0000:00/0000:00:03.0/virtio0/driver"
if [ -f "$prefix/etc/os-release" ]; then cp "$prefix/etc/os-release" "$root/etc/os-release"
else printf 'ID=debian\nVERSION_ID="12"\n' > "$root/etc/os-release"; fi
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
printf 'root:x:0:\nadm:x:4:\n' > "$root/etc/group"
printf 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n' > "$root/etc/network/interfaces"
# Files only, never run: under --exec record nothing in the tree runs.
for t in ifup ifdown; do printf '#!/bin/sh\nexit 0\n' > "$root/usr/sbin/$t"; chmod 0755 "$root/usr/sbin/$t"; done
n=$root/sys/class/net/eth0
echo 52:54:00:12:34:56 > "$n/address"; echo 1 > "$n/type"; echo up > "$n/operstate"
echo 1 > "$n/carrier"; echo 1500 > "$n/mtu"; echo INTERFACE=eth0 > "$n/uevent"
ln -s "$root/sys/devices/pci0000:00/0000:00:03.0/virtio0" "$n/device"
cp -R "$seed" "$root/var/lib/cloud/seed/config_drive"

failed=
for s in local init config final; do
  [ -f "$lib/nimbus-$s.js" ] || continue
  # The same Node flags as the units (none): V8 refuses a cache made under other flags.
  if ! env -u NODE_OPTIONS NIMBUS_CODE_CACHE_DIR="$cache" "$NODE" "$lib/nimbus-$s.js" \
      --root "$root" --exec record > "$scratch/nimbus-$s.log" 2>&1; then
    failed="$failed nimbus-$s"
    tail -5 "$scratch/nimbus-$s.log" | sed "s/^/train-code-cache: nimbus-$s: /" >&2
  fi
done
made=$(ls "$cache" | grep -c '^nimbus-.*\.v8$')
echo "train-code-cache: $made code caches in $cache${failed:+ (failed on the scratch tree:$failed)}" >&2
[ -z "$failed" ]
SH
chmod 0755 "$D/usr/lib/nimbus/train-code-cache.tmp" && mv "$D/usr/lib/nimbus/train-code-cache.tmp" "$D/usr/lib/nimbus/train-code-cache"

# Puts the default cloud.cfg of the distro the package lands on in place when there is
# none: the package's maintainer scripts run it (the .deb's postinst, the .rpm's %post).
cat > "$D/usr/lib/nimbus/default-cloud-cfg.tmp" <<'SH'
#!/bin/sh
# nimbus default-cloud-cfg: when DIR/etc/cloud/cloud.cfg does not exist, copies the
# package's default for this distro there: /usr/share/nimbus/cloud.cfg.ID when the
# package has one for the os-release ID (ubuntu; centos, rocky, almalinux, fedora),
# else /usr/share/nimbus/cloud.cfg (the family's: debian, or RHEL's cloud-user).
# CentOS 6 has no os-release: its /etc/redhat-release names it. An existing cloud.cfg
# (cloud-init's, or the admin's) is never touched.
#
#   /usr/lib/nimbus/default-cloud-cfg [--prefix DIR]
set -u
prefix=
case "${1:-}" in
  '') ;;
  --prefix) prefix=${2:?--prefix needs a directory}; prefix=${prefix%/} ;;
  *) echo "default-cloud-cfg: unknown argument: $1" >&2; exit 2 ;;
esac
[ -e "$prefix/etc/cloud/cloud.cfg" ] && exit 0
id=
if [ -f "$prefix/etc/os-release" ]; then
  id=$(sed -n 's/^ID=//p' "$prefix/etc/os-release" | tr -d "\"'" | tr 'A-Z' 'a-z')
elif [ -f "$prefix/etc/redhat-release" ]; then
  id=$(awk '{ n = tolower($1); print (n == "red" ? "rhel" : n); exit }' "$prefix/etc/redhat-release")
fi
cfg=$prefix/usr/share/nimbus/cloud.cfg
case $id in
  ''|*/*|.*) ;;
  *) if [ -f "$cfg.$id" ]; then cfg=$cfg.$id; fi ;;
esac
mkdir -p "$prefix/etc/cloud/cloud.cfg.d" || exit 1
cp "$cfg" "$prefix/etc/cloud/cloud.cfg.tmp" && chmod 0644 "$prefix/etc/cloud/cloud.cfg.tmp" && mv "$prefix/etc/cloud/cloud.cfg.tmp" "$prefix/etc/cloud/cloud.cfg"
SH
chmod 0755 "$D/usr/lib/nimbus/default-cloud-cfg.tmp" && mv "$D/usr/lib/nimbus/default-cloud-cfg.tmp" "$D/usr/lib/nimbus/default-cloud-cfg"

# The command, and cloud-init's name for it when cloud-init itself is not installed.
install -d -m 0755 "$D/usr/bin"
cat > "$D/usr/bin/nimbus.tmp" <<'SH'
#!/bin/sh
# nimbus (also cloud-init): the CLI bundle run by the distro's Node.
NODE=/usr/bin/node
[ -x "$NODE" ] || NODE=node
exec "$NODE" /usr/lib/nimbus/nimbus.js "$@"
SH
chmod 0755 "$D/usr/bin/nimbus.tmp" && mv "$D/usr/bin/nimbus.tmp" "$D/usr/bin/nimbus"
# cloud-init-per (bootcmd examples call it): `nimbus per` under cloud-init's name. The
# script lives in /usr/lib/nimbus and /usr/bin/cloud-init-per links to it while no
# cloud-init owns that name (a package's postinst makes the link: cloud-init's package
# ships the same path).
cat > "$D/usr/lib/nimbus/cloud-init-per.tmp" <<'SH'
#!/bin/sh
# cloud-init-per FREQUENCY NAME CMD [ARG...]: nimbus's, as `nimbus per` (once, instance,
# always; semaphores in /var/lib/cloud/sem and /var/lib/cloud/instance/sem).
NODE=/usr/bin/node
[ -x "$NODE" ] || NODE=node
exec "$NODE" /usr/lib/nimbus/nimbus.js per "$@"
SH
chmod 0755 "$D/usr/lib/nimbus/cloud-init-per.tmp" && mv "$D/usr/lib/nimbus/cloud-init-per.tmp" "$D/usr/lib/nimbus/cloud-init-per"
if [[ $package == 0 ]]; then
  if [[ -e $D/usr/bin/cloud-init || -L $D/usr/bin/cloud-init ]]; then
    echo "install.sh: $D/usr/bin/cloud-init exists (cloud-init is installed): not replaced; use nimbus" >&2
  else
    ln -s nimbus "$D/usr/bin/cloud-init"
  fi
  if [[ -e $D/usr/bin/cloud-init-per || -L $D/usr/bin/cloud-init-per ]]; then
    echo "install.sh: $D/usr/bin/cloud-init-per exists: not replaced; use nimbus per" >&2
  else
    ln -s ../lib/nimbus/cloud-init-per "$D/usr/bin/cloud-init-per"
  fi
fi

# What both packages' maintainer scripts do after the files are in place (links,
# default cloud.cfg, code caches).
install -m 0755 packaging/post-install/post-install "$D/usr/lib/nimbus/post-install"

# Network hotplug: the hook the udev rule of install_hotplug runs (it hands the event to
# nimbus-hotplugd.socket, below).
install -m 0755 packaging/hotplug/hook-hotplug "$D/usr/lib/nimbus/hook-hotplug"

# The man page and the shell completions (packaging/, written by `npm run generate` from
# the commands' own help), also under cloud-init's names when the cloud-init command is
# nimbus's. (For a package, postinst makes those links.)
install -d -m 0755 "$D/usr/share/man/man1" "$D/usr/share/bash-completion/completions" "$D/usr/share/zsh/vendor-completions"
install -m 0644 packaging/man/nimbus.1 "$D/usr/share/man/man1/nimbus.1"
install -m 0644 packaging/completion/nimbus.bash "$D/usr/share/bash-completion/completions/nimbus"
install -m 0644 packaging/completion/_nimbus "$D/usr/share/zsh/vendor-completions/_nimbus"
if [[ $package == 0 && -L $D/usr/bin/cloud-init && $(readlink "$D/usr/bin/cloud-init") == nimbus ]]; then
  for link in man/man1/cloud-init.1:nimbus.1 bash-completion/completions/cloud-init:nimbus; do
    [[ -e $D/usr/share/${link%%:*} || -L $D/usr/share/${link%%:*} ]] || ln -s "${link#*:}" "$D/usr/share/${link%%:*}"
  done
fi

# systemd units.
if [[ -z $unitdir ]]; then
  unitdir=/lib/systemd/system
  [[ ! -d $D/lib/systemd/system && -d $D/usr/lib/systemd/system ]] && unitdir=/usr/lib/systemd/system
fi
install -d -m 0755 "$D$unitdir"
install -m 0644 units/nimbus-local.service units/nimbus-init.service units/nimbus-config.service units/nimbus-final.service units/nimbus.target \
  units/nimbus-hotplugd.socket units/nimbus-hotplugd.service "$D$unitdir/"

# SysV scripts (rc links are made on the host by `nimbus sysvinit install`, which
# numbers them from the host's own links).
if [[ -z $style ]]; then
  style=debian
  [[ -d $D/etc/rc.d/init.d && ! -L $D/etc/rc.d/init.d ]] && style=rhel
fi
case $style in
  rhel) initdir=/etc/rc.d/init.d ;;
  debian) initdir=/etc/init.d ;;
  *) die "--sysv-style must be rhel or debian, not $style" ;;
esac
install -d -m 0755 "$D$initdir"
for s in local init config final; do install -m 0755 "sysvinit/$style/nimbus-$s" "$D$initdir/nimbus-$s"; done

# The default configuration, as the distro's own cloud-init package ships it: the module
# lists of the family (Debian's cloud-init 22.4; RHEL's downstream cloud.cfg) and the
# default user of the distro (packages/core/src/config/defaults.ts and distro/detect.ts
# hold the same facts for a tree with no cloud.cfg; test/boot/default-cfg.test.ts keeps
# the two equal). default_cfg ID FAMILY.
default_cfg() {
  local id=$1 family=$2 user gecos groups svc
  case $family in
    debian)
      user=$id gecos=Debian svc=ssh
      groups='adm, audio, cdrom, dialout, dip, floppy, netdev, plugdev, sudo, video'
      if [[ $id == ubuntu ]]; then gecos=Ubuntu groups='adm, audio, cdrom, dialout, dip, floppy, lxd, netdev, plugdev, sudo, video'; fi ;;
    rhel)
      gecos='Cloud User' svc=sshd groups='adm, systemd-journal'
      case $id in centos|rocky|almalinux|fedora) user=$id ;; *) user=cloud-user ;; esac ;;
    *) die "default_cfg: unknown family $family" ;;
  esac
  cat <<CFG
# /etc/cloud/cloud.cfg installed by nimbus (a cloud-init for Linux) for $id.
# The same file and keys as cloud-init's; drop-ins go to /etc/cloud/cloud.cfg.d/*.cfg.
# The module lists are those of $( [[ $family == rhel ]] && echo "RHEL's cloud-init package" || echo "Debian's cloud-init 22.4" ).

users:
  - default
disable_root: true
preserve_hostname: false

# The default user ('default' in users above) and the distro facts, as the distro's
# cloud.cfg has them: without a default_user here, 'default' creates no user.
system_info:
  distro: $id
  default_user:
    name: $user
    lock_passwd: True
    gecos: $gecos
    groups: [$groups]
    sudo: ["ALL=(ALL) NOPASSWD:ALL"]
    shell: /bin/bash
  paths:
    cloud_dir: /var/lib/cloud/
    templates_dir: /etc/cloud/templates/
  ssh_svcname: $svc

# Tried in order; the first one with data wins. (The datasources nimbus supports.)
datasource_list: [ NoCloud, ConfigDrive, OpenStack, Ec2, None ]

CFG
  if [[ $family == rhel ]]; then
    module_list init disk_setup migrator bootcmd write-files growpart resizefs set_hostname update_hostname update_etc_hosts resolv_conf rsyslog users-groups ssh
    module_list config mounts locale set-passwords rh_subscription yum-add-repo package-update-upgrade-install timezone puppet chef salt-minion mcollective disable-ec2-metadata runcmd
    module_list final write-files-deferred rightscale_userdata scripts-vendor scripts-per-once scripts-per-boot scripts-per-instance scripts-user ssh-authkey-fingerprints keys-to-console phone-home final-message power-state-change
  else
    module_list init migrator seed_random bootcmd write-files growpart resizefs disk_setup mounts set_hostname update_hostname update_etc_hosts ca-certs rsyslog users-groups ssh
    module_list config snap ssh-import-id keyboard locale set-passwords grub-dpkg apt-pipelining apt-configure ntp timezone disable-ec2-metadata runcmd byobu
    module_list final package-update-upgrade-install fan landscape lxd write-files-deferred puppet chef mcollective salt-minion reset_rmc refresh_rmc_and_interface rightscale_userdata scripts-vendor scripts-per-once scripts-per-boot scripts-per-instance scripts-user ssh-authkey-fingerprints keys-to-console install-hotplug phone-home final-message power-state-change
  fi
}
module_list() {
  local stage=$1; shift
  printf "# The modules that run in the '%s' stage\ncloud_%s_modules:\n" "$stage" "$stage"
  printf '  - %s\n' "$@"
  [[ $stage == final ]] || echo
}
# The distro of the tree: its os-release ID (CentOS 6 has only /etc/redhat-release).
tree_distro() {
  local id='' like=''
  if [[ -f $D/etc/os-release ]]; then
    id=$(sed -n 's/^ID=//p' "$D/etc/os-release" | tr -d '"' | tr 'A-Z' 'a-z')
    like=$(sed -n 's/^ID_LIKE=//p' "$D/etc/os-release" | tr -d '"' | tr 'A-Z' 'a-z')
  elif [[ -f $D/etc/redhat-release ]]; then
    id=$(tr 'A-Z' 'a-z' < "$D/etc/redhat-release" | awk '{print ($1 == "red" ? "rhel" : $1)}')
  fi
  case " $id $like " in
    *" rhel "*|*" centos "*|*" fedora "*|*" rocky "*|*" almalinux "*) echo "${id:-rhel} rhel" ;;
    *) echo "${id:-debian} debian" ;;
  esac
}
if [[ $package == 1 ]]; then
  # The family's default, and one variant per distro whose default user differs; the
  # maintainer scripts copy the one for the distro the package lands on.
  install -d -m 0755 "$D/usr/share/nimbus"
  case $family in
    rhel) base=rhel variants=(centos rocky almalinux fedora) ;;
    *) base=debian variants=(ubuntu) ;;
  esac
  default_cfg "$base" "$family" > "$D/usr/share/nimbus/cloud.cfg" && chmod 0644 "$D/usr/share/nimbus/cloud.cfg"
  for v in "${variants[@]}"; do default_cfg "$v" "$family" > "$D/usr/share/nimbus/cloud.cfg.$v" && chmod 0644 "$D/usr/share/nimbus/cloud.cfg.$v"; done
elif [[ -e $D/etc/cloud/cloud.cfg ]]; then
  echo "install.sh: keeping the existing $D/etc/cloud/cloud.cfg" >&2
else
  install -d -m 0755 "$D/etc/cloud" "$D/etc/cloud/cloud.cfg.d"
  # shellcheck disable=SC2046  # two words: ID and family
  default_cfg $(tree_distro) > "$D/etc/cloud/cloud.cfg.tmp" && chmod 0644 "$D/etc/cloud/cloud.cfg.tmp" && mv "$D/etc/cloud/cloud.cfg.tmp" "$D/etc/cloud/cloud.cfg"
fi

# The code caches, made now so the first boot finds them. A package does it in its
# postinst instead (on the system it lands on). Into an image tree this machine's node
# trains them: their names carry its version, so an image whose Node differs ignores
# them and makes its own at its first boot.
if [[ $package == 0 ]]; then
  if [[ -z $D ]]; then train=(/usr/lib/nimbus/train-code-cache); else train=(sh "$D/usr/lib/nimbus/train-code-cache" --prefix "$D"); fi
  "${train[@]}" || echo "install.sh: the code caches could not all be trained (see above); the first boot makes the missing ones" >&2
fi

# Documentation the units point at.
install -d -m 0755 "$D/usr/share/doc/nimbus"
for f in README.md docs/*.md; do [[ -f $f ]] && install -m 0644 "$f" "$D/usr/share/doc/nimbus/"; done

echo "install.sh: installed nimbus into ${D:-/} (units in $unitdir, SysV scripts in $initdir)" >&2
if [[ $package == 0 ]]; then
  echo "install.sh: to run it at boot: systemctl enable nimbus-local.service nimbus-init.service nimbus-config.service nimbus-final.service nimbus.target nimbus-hotplugd.socket  (systemd), or: nimbus sysvinit install  (SysV)" >&2
fi
