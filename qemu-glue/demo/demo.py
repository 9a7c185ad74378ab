#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make demo:  demo.py QEMU KERNEL INITRAMFS WORKDIR

Boots Debian's kernel and a busybox shell under the glued QEMU with the
serial console on a 4 KiB cirmem ring, then talks to it over QMP the way
a cloud operator's tooling would: the end of the boot log, the ring's
accounting, a command sent with memchar-write and its output read back.
Every QMP exchange is printed.
"""

import json
import os
import sys
import time

from guest import Guest

QEMU, KERNEL, INITRD, WORK = sys.argv[1:5]
RING = 4096


def qmp(g, name, quiet_reply=False, **args):
    msg = {"execute": name}
    if args:
        msg["arguments"] = args
    print("-> " + json.dumps(msg))
    reply = g.q.cmd(name, **args)
    if not quiet_reply:
        print("<- " + json.dumps({"return": reply}))
    return reply


def show(text):
    for line in text.replace("\r", "").rstrip("\n").split("\n"):
        print("   | " + line)


def main():
    if not KERNEL or not os.access(KERNEL, os.R_OK):
        sys.exit("demo: no readable /boot/vmlinuz-*-amd64 "
                 "(install linux-image-amd64)")
    print("== boot: Linux + busybox, serial console on a %d-byte ring "
          "(-chardev ringbuf,id=serial0,size=%d)" % (RING, RING))
    t0 = time.monotonic()
    g = Guest(QEMU, KERNEL, INITRD, WORK, ring="size=%d" % RING)
    try:
        g.wait_shell()
        print("   shell ready after %.1f s; the guest printed %d bytes"
              % (time.monotonic() - t0, len(g.log())))

        print("\n== the ring kept the newest %d bytes and counted the rest"
              % RING)
        qmp(g, "query-ringbuf", device="serial0")

        print("\n== the end of the boot log (memchar-read, control=drop: "
              "the newest 700 bytes)")
        text = qmp(g, "memchar-read", quiet_reply=True, chardev="serial0",
                   size=700, control="drop")["data"]
        show(text[text.find("\n") + 1:])    # from the first whole line

        print("\n== a command for the guest's shell (memchar-write "
              "through the input ring)")
        qmp(g, "memchar-write", chardev="serial0",
            data="uname -sr; echo cirmem-$RANDOM; cat /proc/loadavg\n",
            control="block")
        out = g.read_until(r"guest# $")
        print("-> memchar-read until the next prompt")
        show(out)

        print("\n== the ring afterwards")
        info = qmp(g, "query-ringbuf", device="serial0")[0]
        ok = (info["written"] == info["read"] + info["dropped"] +
              info["used"])
        print("   written %d = read %d + dropped %d + used %d: %s"
              % (info["written"], info["read"], info["dropped"],
                 info["used"], "holds" if ok else "BROKEN"))
        print("\n== quit")
        qmp(g, "quit")
        g.q.proc.wait(timeout=30)
        print("   QEMU exited with status %d" % g.q.proc.returncode)
        if not ok or g.q.proc.returncode != 0:
            sys.exit(1)
    finally:
        g.close()


main()
