#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The input path with a real Linux guest:
    interactive.py QEMU KERNEL INITRAMFS WORKDIR

- memchar-write of `echo cirmem-$RANDOM-<token>` is run by the guest's
  shell (the guest expands $RANDOM) and memchar-read returns the output;
- a burst 40x larger than the input ring, under control=block, arrives
  complete and in order (md5sum in the guest);
- under control=drop, with the guest paused, the dropped count is exact
  and the surviving tail is what the guest runs;
- bad requests are clear errors and the guest is unaffected;
- HMP `console` through a monitor socket: attach to serial0, run a
  command, detach with ~., then the same on serial1; and `make
  console`'s script with its monitor on a pipe.
- two consoles (two monitors) and a QMP reader at a position follow
  serial0 at once: all three see a command's output and the ring is
  not consumed.
"""

import hashlib
import os
import random
import re
import subprocess
import sys
import time

from checks import BOOT_TIMEOUT, check, failures
from guest import Follower, Guest, HMPClient
from qmp import QMPError

QEMU, KERNEL, INITRD, WORK = sys.argv[1:5]
INPUT_SIZE = 64


def test_echo(g):
    token = "%08x" % random.getrandbits(32)
    out = g.run("echo cirmem-$RANDOM-" + token)
    check(re.fullmatch(r"cirmem-\d+-" + token, out) is not None,
          "memchar-write 'echo cirmem-$RANDOM-%s' ran in the guest: %r"
          % (token, out))


def test_burst(g):
    lines = ["%05d the quick brown fox jumps over the lazy cirmem dog" % i
             for i in range(50)]
    payload = ("\n".join(lines) + "\n").encode()
    before = g.info()["input"]
    g.write(b"cat > /burst\n")
    results = g.write(payload)         # resends what the ring refused
    g.write(b"\x04")                   # ^D ends cat's input
    g.read_until(r"guest# $")          # cat is done
    out = g.run("md5sum < /burst; wc -c < /burst")
    want = hashlib.md5(payload).hexdigest()
    after = g.info()["input"]
    check(len(payload) > 40 * INPUT_SIZE,
          "burst of %d bytes, input ring of %d" % (len(payload), INPUT_SIZE))
    check(len(results) > 1 and
          sum(r["written"] for r in results) == len(payload),
          "block: the ring filled; the burst went in %d writes"
          % len(results))
    check(want in out and str(len(payload)) in out,
          "block: the guest got all %d bytes in order (md5 %s): %r"
          % (len(payload), want, out))
    check(after["dropped"] == before["dropped"],
          "block: nothing dropped (input dropped stays %d)"
          % after["dropped"])


def test_drop(g):
    g.run("true")
    g.q.cmd("stop")                    # the guest reads nothing meanwhile
    tail = "\recho dropped-ok-$((40+2))\r"
    data = "X" * 300 + tail
    before = g.info()["input"]
    r = g.q.cmd("memchar-write", chardev="serial0", data=data,
                control="drop")
    after = g.info()["input"]
    delivered = after["delivered"] - before["delivered"]
    check(before["pending"] == 0 and r["written"] == len(data) and
          r["pending"] == INPUT_SIZE - delivered,
          "drop: all %d bytes taken; %d kept, %d of them already in the "
          "UART" % (len(data), INPUT_SIZE, delivered))
    check(r["dropped"] == len(data) - INPUT_SIZE and
          after["dropped"] - before["dropped"] == r["dropped"],
          "drop: dropped %d = %d sent - %d kept (and query-ringbuf agrees)"
          % (r["dropped"], len(data), INPUT_SIZE))
    g.q.cmd("cont")
    text = g.read_until(r"dropped-ok-42")
    check("dropped-ok-42" in text, "drop: the guest ran the surviving tail")
    g.run("true")


def test_bad_input(g):
    bad = [
        ({"chardev": "nope", "data": "x"}, "Device 'nope' not found"),
        ({"chardev": "hmp0", "data": "x"}, "hmp0 is not a ringbuf device"),
        ({"chardev": "serial0", "data": "%%%", "format": "base64"},
         "Base64 data contains invalid characters"),
        ({"chardev": "serial0", "data": "ls\n", "size": 10},
         "size 10 is not between 0 and the 3 bytes of data"),
        ({"chardev": "serial0", "data": "ls\n", "control": "later"},
         "'control' does not accept value 'later'"),
    ]
    before = g.info()["input"]
    for args, want in bad:
        try:
            g.q.cmd("memchar-write", **args)
            check(False, "memchar-write %r fails" % args)
        except QMPError as e:
            check(want in e.desc, "memchar-write %r: %s" % (args, e.desc))
    for args, want in [({"chardev": "serial0", "size": 0},
                        "size must be greater than zero"),
                       ({"chardev": "serial0", "size": 5,
                         "control": "maybe"},
                        "'control' does not accept value 'maybe'")]:
        try:
            g.q.cmd("memchar-read", **args)
            check(False, "memchar-read %r fails" % args)
        except QMPError as e:
            check(want in e.desc, "memchar-read %r: %s" % (args, e.desc))
    check(g.info()["input"] == before, "bad input changed nothing")
    check(g.run("echo still-$((1+1))") == "still-2",
          "the guest is unaffected")


def test_console(g, hmp_path):
    h = HMPClient(hmp_path)
    for port in (0, 1):
        dev = "serial%d" % port
        g.wait_shell(port)
        h.send("console " + dev)
        h.expect(r"console: attached to '%s'" % dev)
        h.send("echo hmp-%d-$((6*7)); tty" % port)
        out = h.expect(r"/dev/ttyS%d\n" % port)
        check("hmp-%d-42" % port in out,
              "console %s: the command ran (hmp-%d-42)" % (dev, port))
        h.send("~.")
        try:
            h.expect(r"console: detached from '%s'\n\(qemu\) " % dev)
            back = True
        except TimeoutError:
            back = False
        check(back, "console %s: ~. gave the (qemu) prompt back" % dev)
    h.send("info ringbuf serial1")
    out = h.expect(r"\(qemu\) ")
    check("input: size=%d pending=0" % INPUT_SIZE in out,
          "info ringbuf shows the input ring: %r"
          % out.strip().split("\n")[-2:])
    h.send("console hmp0")
    out = h.expect(r"\(qemu\) ")
    check("hmp0 is not a ringbuf device" in out,
          "console on a non-ring chardev: an error, the prompt stays")
    # a client that disconnects while attached ends the session: the
    # next one gets the monitor, and the guest's output stays unread
    h.send("console serial0")
    h.expect(r"console: attached to 'serial0'")
    h.close()
    time.sleep(0.5)
    h = HMPClient(hmp_path)
    g.write(b"echo after-$((1+2))\n")
    h.send("info ringbuf serial0")
    out = h.expect(r"\(qemu\) ")
    check("serial0: size=" in out,
          "a client that left while attached: the next one has (qemu)")
    check("after-3" in g.read_until(r"after-3"),
          "and the guest's output waits in the ring, unread")
    h.close()


def test_two_consoles(g, hmp_path, hmp2_path):
    a, b = HMPClient(hmp_path), HMPClient(hmp2_path)
    read_before = g.info()["read"]
    for h in (a, b):
        h.send("console serial0")
        h.expect(r"console: attached to 'serial0' at position \d+")
    reader = Follower(g.q, "serial0")
    reader.next = g.info()["end"]
    a.send("echo two-$((20+2))")
    for name, h in (("the typing", a), ("the other", b)):
        try:
            h.expect(r"two-22\n")
            seen = True
        except TimeoutError:
            seen = False
        check(seen, "two consoles: %s one shows the output" % name)
    reader.catch_up()
    text = b"".join(d for _, d in reader.chunks)
    check(b"two-22" in text and reader.lost == 0,
          "and a QMP reader at a position saw it, losing nothing")
    check(g.info()["read"] == read_before,
          "two consoles and a positioned reader consumed nothing")
    for h in (a, b):
        h.send("~.")
        h.expect(r"console: detached from 'serial0'")
        h.close()


def test_make_console():
    """`make console`'s script, its monitor on stdio driven by a pipe."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "..", "demo", "console.sh")
    proc = subprocess.Popen(["sh", script, QEMU, KERNEL, INITRD],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        h = HMPClient(proc=proc)
        h.send("console serial0")
        h.expect(r"console: attached to 'serial0'")
        h.expect(r"guest# ", timeout=BOOT_TIMEOUT)   # the boot went by
        h.send("echo stdio-$((40+2))")
        check("stdio-42" in h.expect(r"stdio-42\n.*guest# "),
              "make console: a command typed at the console ran")
        h.send("~.")
        h.expect(r"\(qemu\) ")
        h.send("quit")
        check(proc.wait(timeout=30) == 0, "make console: quit exits 0")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main():
    hmp_path = os.path.join(WORK, "hmp.sock")
    hmp2_path = os.path.join(WORK, "hmp2.sock")
    os.makedirs(WORK, exist_ok=True)
    for p in (hmp_path, hmp2_path):
        if os.path.exists(p):
            os.unlink(p)
    g = Guest(QEMU, KERNEL, INITRD, WORK, ports=2,
              ring="size=65536,input-size=%d" % INPUT_SIZE,
              hmp_socket=hmp_path,
              extra=["-chardev", "null,id=hmp0",
                     "-chardev", "socket,id=hmp2,path=%s,server=on,wait=off"
                     % hmp2_path, "-mon", "chardev=hmp2,mode=readline"])
    try:
        print("  booting a shell guest (2 ports on ringbufs, input ring %d)"
              % INPUT_SIZE)
        g.wait_shell(0)
        for t in (test_echo, test_burst, test_drop, test_bad_input):
            print("  %s" % t.__name__)
            t(g)
        print("  test_console")
        test_console(g, hmp_path)
        print("  test_two_consoles")
        test_two_consoles(g, hmp_path, hmp2_path)
    except Exception as e:            # a hang or crash is a failure too
        check(False, "%s: %s" % (type(e).__name__, e))
    finally:
        alive = g.q.alive()
        g.close()
    check(alive, "QEMU survived every check")
    print("  test_make_console")
    try:
        test_make_console()
    except Exception as e:
        check(False, "%s: %s" % (type(e).__name__, e))
    if failures:
        print("interactive: %d FAILED" % len(failures))
        sys.exit(1)
    print("interactive: all passed")


main()
