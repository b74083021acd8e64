#!/usr/bin/env bash
# `npm run package`: builds nimbus and makes a .deb with dpkg-deb (Architecture: all,
# Depends: nodejs (>= 18)) and, beside it, an .rpm for the RHEL family with rpmbuild
# (Debian's rpm package, installed when missing). The .deb's maintainer scripts enable
# the units on systemd hosts and make the rc links (`nimbus sysvinit install`) on SysV
# hosts; the .rpm's scriptlets do the same, registering the SysV scripts with
# `chkconfig --add` first. Never installs anything on this machine
# (docs/packaging.md).
#
#   scripts/package.sh [--out DIR] [--no-build] [--no-rpm] [--allow-missing-stages]
#
# Prints the path of each package made, one a line (.deb first).
#
#   --no-build   package the dist/ already built (the tests use this: a build replaces
#                build/, which the running tests are loaded from)
set -euo pipefail
cd "$(dirname "$0")/.."

out=dist allow=() build=1 rpm=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --allow-missing-stages) allow=(--allow-missing-stages); shift ;;
    --no-build) build=0; shift ;;
    --no-rpm) rpm=0; shift ;;
    *) echo "package.sh: unknown argument: $1" >&2; exit 1 ;;
  esac
done
command -v dpkg-deb >/dev/null || { echo "package.sh: dpkg-deb is needed (Debian package dpkg)" >&2; exit 1; }
if [[ $rpm == 1 ]] && ! command -v rpmbuild >/dev/null; then
  # As the tests' apt helper does: one apt-get at a time, lists refreshed once a day.
  echo "package.sh: installing Debian's rpm package for rpmbuild" >&2
  flock /var/lock/nimbus-test-apt.lock sh -c '
    if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name "*Packages*" -mmin -1440 2>/dev/null | head -1)" ]; then apt-get update -q >/dev/null; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends rpm >/dev/null' \
    || { echo "package.sh: rpmbuild is needed (Debian package rpm); or pass --no-rpm" >&2; exit 1; }
fi

if [[ $build == 1 ]]; then
  bash scripts/ensure-deps.sh
  node scripts/build.mjs
fi
version=$(node -p "require('./package.json').version")
stage=$(mktemp -d "${TMPDIR:-/tmp}/nimbus-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"   # the package's ./ entry; mktemp makes it 0700

bash scripts/install.sh --destdir "$stage" --package --unitdir /lib/systemd/system --sysv-style debian "${allow[@]}"

install -d -m 0755 "$stage/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<CONTROL
Package: nimbus
Version: $version
Architecture: all
Maintainer: nimbus developers <nimbus@localhost>
Depends: nodejs (>= 18)
Section: admin
Priority: optional
Installed-Size: $size
Homepage: https://github.com/nimbus/nimbus
Description: cloud-init for Linux, in TypeScript
 nimbus reads an instance's metadata and user-data at boot (config drive,
 OpenStack/EC2 metadata service, NoCloud seed) and configures the machine:
 network first, then files, users, keys, hostname, mounts and user scripts.
 It keeps cloud-init's contracts: /etc/cloud/cloud.cfg, /var/lib/cloud, the
 user-data formats and the command line (installed as cloud-init when
 cloud-init itself is not).
CONTROL

# The SysV scripts are configuration the admin may edit: dpkg keeps their changes.
for s in local init config final; do echo "/etc/init.d/nimbus-$s"; done > "$stage/DEBIAN/conffiles"

cat > "$stage/DEBIAN/postinst" <<'SH'
#!/bin/sh
# nimbus postinst: cloud-init's command name and default configuration when they are
# absent, the code caches, then boot integration for the init system this host runs.
set -e

UNITS="nimbus-local.service nimbus-init.service nimbus-config.service nimbus-final.service nimbus.target nimbus-hotplugd.socket"

uses_systemd() {
    [ -d /run/systemd/system ] && return 0
    case "$(readlink -f /sbin/init 2>/dev/null)" in */systemd) return 0 ;; esac
    # An image tree being built (no init yet) with systemd installed.
    [ ! -e /sbin/init ] && command -v systemctl >/dev/null 2>&1 && return 0
    return 1
}

case "$1" in
    configure)
        # cloud-init's command names, the default cloud.cfg and the code caches: what
        # the .rpm's %post does too (packaging/post-install/post-install).
        /usr/lib/nimbus/post-install
        if uses_systemd; then
            systemctl enable $UNITS
            if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
        else
            # With insserv (Debian's sysv-rc) the scripts are registered through it, as
            # update-rc.d defaults does, so /etc/init.d/.depend.* (what Debian's rc starts
            # from) list them; without it the rc links are numbered from this host's own
            # network manager and sshd links. When no order is possible the package stays
            # installed, and says why.
            if ! /usr/bin/nimbus sysvinit install; then
                echo "nimbus: the SysV boot order could not be set up (see above); run 'nimbus doctor' once it is resolved" >&2
            fi
        fi
        ;;
esac
exit 0
SH

cat > "$stage/DEBIAN/prerm" <<'SH'
#!/bin/sh
# nimbus prerm: takes the stages out of the boot before the files go.
set -e
UNITS="nimbus-local.service nimbus-init.service nimbus-config.service nimbus-final.service nimbus.target nimbus-hotplugd.socket"
case "$1" in
    remove|deconfigure)
        if command -v systemctl >/dev/null 2>&1; then
            systemctl disable $UNITS || true
        fi
        if [ -x /usr/bin/nimbus ] && [ -d /etc/init.d ] && ! [ -d /run/systemd/system ]; then
            /usr/bin/nimbus sysvinit remove --keep-scripts || true
        fi
        ;;
esac
exit 0
SH

cat > "$stage/DEBIAN/postrm" <<'SH'
#!/bin/sh
# nimbus postrm: removes the cloud-init and cloud-init-per links postinst made (only when they are ours).
set -e
case "$1" in
    remove|purge)
        if [ -L /usr/bin/cloud-init ] && [ "$(readlink /usr/bin/cloud-init)" = nimbus ]; then
            rm -f /usr/bin/cloud-init
        fi
        if [ -L /usr/bin/cloud-init-per ] && [ "$(readlink /usr/bin/cloud-init-per)" = ../lib/nimbus/cloud-init-per ]; then
            rm -f /usr/bin/cloud-init-per
        fi
        for link in /usr/share/man/man1/cloud-init.1:nimbus.1 /usr/share/bash-completion/completions/cloud-init:nimbus; do
            if [ -L "${link%%:*}" ] && [ "$(readlink "${link%%:*}")" = "${link#*:}" ]; then rm -f "${link%%:*}"; fi
        done
        # The code caches and parsed configuration the stages kept (docs/performance.md).
        rm -rf /var/cache/nimbus
        if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
        ;;
esac
exit 0
SH
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm" "$stage/DEBIAN/postrm"

mkdir -p "$out"
deb="$out/nimbus_${version}_all.deb"
dpkg-deb --root-owner-group --build "$stage" "$deb" >/dev/null
echo "package.sh: built $deb ($(du -k "$deb" | cut -f1) KiB)" >&2
echo "$deb"

[[ $rpm == 1 ]] || exit 0
bash scripts/package-rpm.sh --out "$out" --version "$version" "${allow[@]}"
