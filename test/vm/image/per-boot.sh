#!/bin/sh
# Installed in the test image as /var/lib/cloud/scripts/per-boot/50-nimbus-vm-test:
# scripts-per-boot runs it on every boot, so the log has one line per boot.
mkdir -p /var/lib/nimbus-vm
echo "per-boot boot=$(cat /proc/sys/kernel/random/boot_id)" >> /var/lib/nimbus-vm/per-boot.log
