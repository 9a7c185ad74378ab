#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /init of the test initramfs: print a known sequence on ttyS0 from user
# space (the tty layer waits for the UART, so under policy=block no byte
# may go missing), then power off.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# keep kernel messages from interleaving with the sequence
dmesg -n 1
count=$(sed -n 's/.*cirmem_lines=\([0-9]*\).*/\1/p' /proc/cmdline)
{
    echo "CIRMEM-BEGIN"
    i=1
    while [ "$i" -le "${count:-1000}" ]; do
        echo "line $i of the cirmem ring test ...................... $i"
        i=$((i + 1))
    done
    echo "CIRMEM-END"
} > /dev/ttyS0
sync
poweroff -f
