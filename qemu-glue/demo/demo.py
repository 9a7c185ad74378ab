#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make demo:  demo.py QEMU KERNEL INITRAMFS WORKDIR

Boots Debian's kernel and a busybox shell under the glued QEMU with the
serial console on a 4 KiB cirmem ring, then talks to it over QMP the way
a cloud operator's tooling would: two readers follow the boot by
position (one of them slow, told exactly what it lost; the ring is not
consumed), the end of the boot log, the ring's accounting, a command
sent with memchar-write and its output read back.  QMP exchanges are
printed.
"""

import json
import os
import sys
import time

from guest import Follower, Guest

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


def follow_boot(g, t0):
    print("\n== two readers follow the boot by position: a fast one every"
          " 20 ms, a slow one\n   reading 256 bytes every second"
          " (memchar-read with position consumes nothing)")
    fast, slow = Follower(g.q, "serial0"), Follower(g.q, "serial0")
    ticks = 0
    while not g.shell_ready():
        if time.monotonic() - t0 > 300 or not g.q.alive():
            sys.exit("demo: no shell after %.0f s" % (time.monotonic() - t0))
        fast.step()
        ticks += 1
        if ticks % 50 == 0:
            slow.step(256)
        time.sleep(0.02)
    fast.catch_up()
    slow.catch_up()
    log = g.log()
    print("   shell ready after %.1f s; the guest printed %d bytes"
          % (time.monotonic() - t0, len(log)))
    for name, r in (("fast", fast), ("slow", slow)):
        ok = (r.got() + r.lost == r.next <= len(log) and
              not r.mismatches(log))
        print("   %s reader: %6d bytes read in %4d reads, %6d lost; read +"
              " lost = the log, every chunk at its place: %s"
              % (name, r.got(), len(r.chunks), r.lost,
                 "yes" if ok else "NO"))
        if not ok:
            sys.exit("demo: the %s reader's view is not the log" % name)
        last = r.chunks[-1][1].decode(errors="replace").replace("\r", "")
        print("   %s reader's last line: %r"
              % (name, last.rstrip("\n").split("\n")[-1]))
    print("\n== a third reader asks for position 0 now: it starts at the"
          " oldest byte still stored,\n   and is told how many it lost")
    qmp(g, "memchar-read", chardev="serial0", size=40, position=0)


def main():
    if not KERNEL or not os.access(KERNEL, os.R_OK):
        sys.exit("demo: no readable /boot/vmlinuz-*-amd64 "
                 "(install linux-image-amd64)")
    print("== boot: Linux + busybox, serial console on a %d-byte ring "
          "(-chardev ringbuf,id=serial0,size=%d)" % (RING, RING))
    t0 = time.monotonic()
    g = Guest(QEMU, KERNEL, INITRD, WORK, ring="size=%d" % RING)
    try:
        follow_boot(g, t0)

        print("\n== the ring kept the newest %d bytes and counted the rest;"
              " nothing was read (consumed) yet" % RING)
        qmp(g, "query-ringbuf", device="serial0")

        print("\n== the end of the boot log (memchar-read, control=drop: "
              "the newest 700 bytes)")
        r = qmp(g, "memchar-read", quiet_reply=True, chardev="serial0",
                size=700, control="drop")
        print("<- position %d, next %d, lost %d (the first consuming read:"
              " all it never saw)" % (r["position"], r["next"], r["lost"]))
        text = r["data"]
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
