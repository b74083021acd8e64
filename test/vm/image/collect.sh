#!/bin/sh
# /usr/local/sbin/nimbus-vm-test-collect (test image only): what the boot left, in
# /var/lib/nimbus-vm-test/boot-<n>/, read back from the disk by scripts/vm-test.sh.
base=/var/lib/nimbus-vm-test
mkdir -p "$base"
n=1
while [ -e "$base/boot-$n" ]; do n=$((n + 1)); done
d=$base/boot-$n
mkdir -p "$d"
cat /proc/sys/kernel/random/boot_id > "$d/boot_id"
uname -r > "$d/uname"
cat /proc/cmdline > "$d/cmdline"
hostname > "$d/hostname" 2>&1
ip -j addr > "$d/ip-addr.json" 2>"$d/ip-addr.err"
ip -j route > "$d/ip-route.json" 2>"$d/ip-route.err"
nimbus status --format json > "$d/status.json" 2>"$d/status.err"; echo $? > "$d/status.rc"
systemctl is-active nimbus-local.service nimbus-init.service nimbus-config.service nimbus-final.service > "$d/nimbus-units.txt" 2>&1
systemctl list-units --failed --no-legend --plain > "$d/failed-units.txt" 2>&1
# The real effects of system modules and what the boot reached.
findmnt -J > "$d/findmnt.json" 2>&1
df -B1 --output=size / | tail -1 | tr -d ' ' > "$d/root-fs-bytes"
blockdev --getsize64 "$(findmnt -no SOURCE /)" > "$d/root-dev-bytes" 2>&1
readlink /etc/localtime > "$d/localtime-link" 2>&1
dpkg-query -W -f '${Status} ${Version}\n' nimbus-vm-hello > "$d/dpkg-hello.txt" 2>&1
systemctl show -p ActiveEnterTimestampMonotonic --value multi-user.target > "$d/multi-user-usec" 2>&1
systemctl show -p UserspaceTimestampMonotonic --value > "$d/userspace-usec" 2>&1
echo "done" > "$d/complete"
sync
echo "nimbus-vm-test: results in $d, powering off"
systemctl poweroff --no-block
