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
#   --allow-missing-stages  install even when a stage daemon bundle is not built (each
#                        one missing is named; its unit cannot start until it is).
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "install.sh: $*" >&2; exit 1; }

destdir='' unitdir='' style='' package=0 allow_missing=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --destdir) destdir=${2:?--destdir needs a directory}; shift 2 ;;
    --destdir=*) destdir=${1#*=}; shift ;;
    --unitdir) unitdir=${2:?--unitdir needs a directory}; shift 2 ;;
    --unitdir=*) unitdir=${1#*=}; shift ;;
    --sysv-style) style=${2:?--sysv-style needs rhel or debian}; shift 2 ;;
    --sysv-style=*) style=${1#*=}; shift ;;
    --package) package=1; shift ;;
    --allow-missing-stages) allow_missing=1; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
if [[ $package == 0 ]]; then
  if [[ -e $D/usr/bin/cloud-init || -L $D/usr/bin/cloud-init ]]; then
    echo "install.sh: $D/usr/bin/cloud-init exists (cloud-init is installed): not replaced; use nimbus" >&2
  else
    ln -s nimbus "$D/usr/bin/cloud-init"
  fi
fi

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
install -m 0644 units/nimbus-local.service units/nimbus-init.service units/nimbus-config.service units/nimbus-final.service units/nimbus.target "$D$unitdir/"

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

# The default configuration: Debian cloud-init 22.4's datasource and module lists,
# restricted to the datasources nimbus has.
default_cfg() {
  cat <<'CFG'
# /etc/cloud/cloud.cfg installed by nimbus (a cloud-init for Linux).
# The same file and keys as cloud-init's; drop-ins go to /etc/cloud/cloud.cfg.d/*.cfg.
# The module lists are those of Debian's cloud-init 22.4.

users:
  - default
disable_root: true
preserve_hostname: false

# The default user ('default' in users above) and the distro facts, as Debian's
# cloud.cfg has them: without a default_user here, 'default' creates no user.
system_info:
  distro: debian
  default_user:
    name: debian
    lock_passwd: True
    gecos: Debian
    groups: [adm, audio, cdrom, dialout, dip, floppy, netdev, plugdev, sudo, video]
    sudo: ["ALL=(ALL) NOPASSWD:ALL"]
    shell: /bin/bash
  paths:
    cloud_dir: /var/lib/cloud/
    templates_dir: /etc/cloud/templates/
  ssh_svcname: ssh

# Tried in order; the first one with data wins. (The datasources nimbus supports.)
datasource_list: [ NoCloud, ConfigDrive, OpenStack, Ec2, None ]

# The modules that run in the 'init' stage
cloud_init_modules:
  - migrator
  - seed_random
  - bootcmd
  - write-files
  - growpart
  - resizefs
  - disk_setup
  - mounts
  - set_hostname
  - update_hostname
  - update_etc_hosts
  - ca-certs
  - rsyslog
  - users-groups
  - ssh

# The modules that run in the 'config' stage
cloud_config_modules:
  - snap
  - ssh-import-id
  - keyboard
  - locale
  - set-passwords
  - grub-dpkg
  - apt-pipelining
  - apt-configure
  - ntp
  - timezone
  - disable-ec2-metadata
  - runcmd
  - byobu

# The modules that run in the 'final' stage
cloud_final_modules:
  - package-update-upgrade-install
  - fan
  - landscape
  - lxd
  - write-files-deferred
  - puppet
  - chef
  - mcollective
  - salt-minion
  - reset_rmc
  - refresh_rmc_and_interface
  - rightscale_userdata
  - scripts-vendor
  - scripts-per-once
  - scripts-per-boot
  - scripts-per-instance
  - scripts-user
  - ssh-authkey-fingerprints
  - keys-to-console
  - install-hotplug
  - phone-home
  - final-message
  - power-state-change
CFG
}
if [[ $package == 1 ]]; then
  install -d -m 0755 "$D/usr/share/nimbus"
  default_cfg > "$D/usr/share/nimbus/cloud.cfg" && chmod 0644 "$D/usr/share/nimbus/cloud.cfg"
elif [[ -e $D/etc/cloud/cloud.cfg ]]; then
  echo "install.sh: keeping the existing $D/etc/cloud/cloud.cfg" >&2
else
  install -d -m 0755 "$D/etc/cloud" "$D/etc/cloud/cloud.cfg.d"
  default_cfg > "$D/etc/cloud/cloud.cfg.tmp" && chmod 0644 "$D/etc/cloud/cloud.cfg.tmp" && mv "$D/etc/cloud/cloud.cfg.tmp" "$D/etc/cloud/cloud.cfg"
fi

# Documentation the units point at.
install -d -m 0755 "$D/usr/share/doc/nimbus"
for f in README.md docs/*.md; do [[ -f $f ]] && install -m 0644 "$f" "$D/usr/share/doc/nimbus/"; done

echo "install.sh: installed nimbus into ${D:-/} (units in $unitdir, SysV scripts in $initdir)" >&2
if [[ $package == 0 ]]; then
  echo "install.sh: to run it at boot: systemctl enable nimbus-local.service nimbus-init.service nimbus-config.service nimbus-final.service nimbus.target  (systemd), or: nimbus sysvinit install  (SysV)" >&2
fi
