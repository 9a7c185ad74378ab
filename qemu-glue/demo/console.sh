#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make console:  console.sh QEMU KERNEL INITRAMFS
# The demo's Linux guest with the human monitor on this terminal and a
# shell on each of its two serial ports, each port on a ring buffer.
set -eu
qemu=$1
kernel=$2
initrd=$3
[ -r "$kernel" ] || {
    echo "console: no readable kernel '$kernel' (install linux-image-amd64)" >&2
    exit 1
}
cat <<'EOF'
The guest boots in the background; its serial ports are the ring
buffer chardevs serial0 (ttyS0, also the kernel console) and serial1.
  (qemu) console serial0     attach: shows the ring, then the guest's
                             output; lines you type go to its shell
  ~.                         on a line of its own: back to (qemu)
  (qemu) info ringbuf        both rings of every device, with counters
  (qemu) quit                stop the guest
EOF
exec "$qemu" -nodefaults -display none -no-reboot \
    -machine q35 -accel tcg -m 256 \
    -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0 panic=-1 cirmem_shell=ttyS0,ttyS1" \
    -chardev ringbuf,id=serial0,size=64k -serial chardev:serial0 \
    -chardev ringbuf,id=serial1,size=64k -serial chardev:serial1 \
    -monitor stdio
