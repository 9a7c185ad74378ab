#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /init of the test initramfs: print a known sequence on ttyS0 from user
# space (the tty layer waits for the UART, so under policy=block no byte
# may go missing), then power off; or, with cirmem_shell=..., run shells.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# keep kernel messages from interleaving with the sequence
dmesg -n 1
# cirmem_shell=ttyS0,ttyS1: an interactive shell on each of these ports
# (the demo, the console and memchar checks) instead of the sequence
shells=$(sed -n 's/.*cirmem_shell=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -n "$shells" ]; then
    export PS1='guest# ' HOME=/ TERM=vt100
    for tty in $(echo "$shells" | tr , ' '); do
        # setsid, then open: each shell owns its port as controlling
        # terminal (so ^C works).  No echo: input comes a line at a time
        # (memchar-write, or QEMU's line editor under HMP console, which
        # shows what is typed), and busybox then reads plain lines
        # without sending terminal queries.
        (while :; do
            setsid sh -c "exec 0<>/dev/$tty 1>&0 2>&0; stty -echo
                          echo 'cirmem: shell on $tty'; exec sh -i"
        done) &
    done
    while :; do sleep 3600; done
fi
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
