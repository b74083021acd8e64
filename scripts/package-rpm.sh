#!/usr/bin/env bash
# The .rpm for the RHEL family (CentOS 6/7 and their successors), made by
# scripts/package.sh beside the .deb from the dist/ already built, with rpmbuild from
# Debian's rpm package. Never installs anything on this machine.
#
#   scripts/package-rpm.sh --out DIR --version V [--allow-missing-stages]
#
# The same files as the .deb, with the RHEL family's places: units in
# /usr/lib/systemd/system, the rhel-style SysV scripts in /etc/rc.d/init.d, the default
# cloud.cfg with RHEL's module lists and default user (docs/packaging.md). Prints the
# path of the .rpm.
set -euo pipefail
cd "$(dirname "$0")/.."

out='' version='' allow=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --version) version=${2:?--version needs a version}; shift 2 ;;
    --allow-missing-stages) allow=(--allow-missing-stages); shift ;;
    *) echo "package-rpm.sh: unknown argument: $1" >&2; exit 1 ;;
  esac
done
[[ -n $out && -n $version ]] || { echo "package-rpm.sh: --out and --version are required" >&2; exit 1; }
command -v rpmbuild >/dev/null || { echo "package-rpm.sh: rpmbuild is needed (Debian package rpm)" >&2; exit 1; }
# rpm versions may not hold '-': a pre-release 1.2.0-rc.1 becomes 1.2.0~rc.1 (sorts before 1.2.0).
rpmversion=${version//-/\~}

work=$(mktemp -d "${TMPDIR:-/tmp}/nimbus-rpm.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage=$work/stage
mkdir -p "$stage" "$work/top/RPMS" "$work/top/BUILD" "$work/top/tmp"
bash scripts/install.sh --destdir "$stage" --package --family rhel --unitdir /usr/lib/systemd/system --sysv-style rhel "${allow[@]}"

# %files from the staged tree: every file and link; the directories that are nimbus's
# own (the rest, /usr/bin or /etc/rc.d/init.d, belong to the system's filesystem package).
files() {
  (cd "$stage" && find . -mindepth 1 \( -type f -o -type l \) | sed 's|^\.||' | sort) | while read -r f; do
    case $f in
      /etc/rc.d/init.d/*) echo "%config(noreplace) $f" ;; # the admin's edits survive upgrades, as the .deb's conffiles
      *) echo "$f" ;;
    esac
  done
  for d in /usr/lib/nimbus /usr/lib/nimbus/modules /etc/cloud/modules.d /usr/share/nimbus /var/cache/nimbus /usr/share/doc/nimbus; do
    [[ -d $stage$d ]] && echo "%dir $d"
  done
  (cd "$stage" && find ./usr/share/nimbus -mindepth 1 -type d | sed 's|^\.|%dir |' | sort)
}

cat > "$work/nimbus.spec" <<SPEC
Name: nimbus
Version: $rpmversion
Release: 1
Summary: cloud-init for Linux, in TypeScript
License: see /usr/share/doc/nimbus
URL: https://github.com/nimbus/nimbus
BuildArch: noarch
# The stages are JavaScript run by the distro's Node (18 or later).
Requires: nodejs >= 18
Requires(post): /bin/sh
Requires(preun): /bin/sh
Requires(postun): /bin/sh
# Nothing to scan: the bundles are JavaScript, the scripts name their own interpreters.
AutoReqProv: no

# Built on Debian: no brp-* scripts (they would also gzip the man page, which the .deb
# ships as is); an xz payload and no build-id links, which rpm 4.8 (CentOS 6) reads.
%global __os_install_post %{nil}
%define _build_id_links none
%define _binary_payload w6.xzdio

%description
nimbus reads an instance's metadata and user-data at boot (config drive,
OpenStack/EC2 metadata service, NoCloud seed) and configures the machine:
network first, then files, users, keys, hostname, mounts and user scripts.
It keeps cloud-init's contracts: /etc/cloud/cloud.cfg, /var/lib/cloud, the
user-data formats and the command line (installed as cloud-init when
cloud-init itself is not).

%install
mkdir -p %{buildroot}
cp -a $stage/. %{buildroot}/

%post
$(sed 's/%/%%/g' scripts/rpm/post.sh)

%preun
$(sed 's/%/%%/g' scripts/rpm/preun.sh)

%postun
$(sed 's/%/%%/g' scripts/rpm/postun.sh)

%files
%defattr(-,root,root,-)
$(files)
SPEC

rpmbuild -bb --quiet \
  --define "_topdir $work/top" --define "_tmppath $work/top/tmp" --define "_rpmdir $work/top/RPMS" \
  --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
  "$work/nimbus.spec" >&2
mkdir -p "$out"
rpm=$out/nimbus-$rpmversion-1.noarch.rpm
mv "$work/top/RPMS/nimbus-$rpmversion-1.noarch.rpm" "$rpm"
echo "package-rpm.sh: built $rpm ($(du -k "$rpm" | cut -f1) KiB)" >&2
echo "$rpm"
