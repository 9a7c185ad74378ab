#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Each known defect of the stock ringbuf, run on the stock QEMU and on
the glued one:  defects.py STOCK_QEMU FIXED_QEMU

The fixed binary must give the expected result (else exit 1).  The stock
result is printed next to it; it is not required to fail (a newer stock
build may have fixed some), but the summary says how many reproduced.
"""

import base64
import sys
import time

from qmp import Qemu, QMPError, run

STOCK, FIXED = sys.argv[1], sys.argv[2]


def qemu(binary, size=None, extra=()):
    opt = "ringbuf,id=r" + ("" if size is None else ",size=%s" % size)
    return Qemu(binary, ["-machine", "none", "-chardev", opt] + list(extra))


def write_bytes(q, dev, data):
    q.cmd("ringbuf-write", device=dev, data=base64.b64encode(data).decode(),
          format="base64")


def read_b64(q, dev, size):
    return base64.b64decode(q.cmd("ringbuf-read", device=dev, size=size,
                                  format="base64"))


def add(q, dev, data):
    try:
        q.cmd("chardev-add", id=dev,
              backend={"type": "ringbuf", "data": data})
        return "ok"
    except QMPError as e:
        return "error: " + e.desc


def status(q):
    """alive=True, or how QEMU died"""
    rc = q.proc.poll()
    if rc is None:
        q.cmd("query-status")
        return "alive=True"
    if rc < 0:
        return "QEMU killed by signal %d" % -rc
    return "QEMU exited with %d" % rc


def d_size0(b):
    with qemu(b) as q:
        r = add(q, "z", {"size": 0})
        try:
            q.cmd("ringbuf-write", device="z", data="x")
        except (QMPError, OSError, RuntimeError, TimeoutError):
            pass
        time.sleep(0.2)
        return "%s; %s" % (r.split(",")[0], status(q))


def d_size_min(b):
    with qemu(b) as q:
        try:
            r = add(q, "z", {"size": -9223372036854775808})
        except (OSError, RuntimeError, TimeoutError):
            r = "no reply"
        time.sleep(0.2)
        return "%s; %s" % (r, status(q))


def d_size_cmdline(size):
    def f(b):
        try:
            with qemu(b, size) as q:
                data = bytes(range(256)) * 300     # 76800 bytes
                write_bytes(q, "r", data)
                got = read_b64(q, "r", 1 << 20)
                return "starts; holds %d of %d bytes" % (len(got), len(data))
        except RuntimeError as e:
            return "refused: " + str(e).rsplit(": ", 1)[-1].strip()
    return f


def d_nul_write(b):
    with qemu(b) as q:
        q.cmd("ringbuf-write", device="r", data="a\u0000b")
        return read_b64(q, "r", 100).hex(" ")


def d_nul_read(b):
    with qemu(b) as q:
        write_bytes(q, "r", b"a\0b")
        return repr(q.cmd("ringbuf-read", device="r", size=100))


def d_lost_cont(b):
    with qemu(b, 4) as q:
        write_bytes(q, "r", "héllo".encode())
        return repr(q.cmd("ringbuf-read", device="r", size=100))


def d_split(b):
    with qemu(b) as q:
        write_bytes(q, "r", "éé".encode())
        a = q.cmd("ringbuf-read", device="r", size=1)
        c = q.cmd("ringbuf-read", device="r", size=100)
        return repr(a) + " then " + repr(c)


def d_incomplete(b):
    with qemu(b) as q:
        write_bytes(q, "r", b"a\xe2\x82")
        a = q.cmd("ringbuf-read", device="r", size=100)
        write_bytes(q, "r", b"\xac")
        c = q.cmd("ringbuf-read", device="r", size=100)
        return repr(a) + " then " + repr(c)


def d_invalid(b):
    with qemu(b) as q:
        write_bytes(q, "r", b"x\xffy\xed\xa0\x80z")
        return repr(q.cmd("ringbuf-read", device="r", size=100))


CASES = [
    ("chardev-add size=0, then ringbuf-write", d_size0,
     "error: Failed to add chardev 'z': ringbuf size must be between 1 and"
     " 9223372036854775807 bytes; alive=True"),
    ("chardev-add size=-2^63", d_size_min,
     "error: Failed to add chardev 'z': ringbuf size must be between 1 and"
     " 9223372036854775807 bytes, not -9223372036854775808; alive=True"),
    ("-chardev ringbuf,size=1000", d_size_cmdline(1000),
     "starts; holds 1000 of 76800 bytes"),
    ("-chardev ringbuf,size=3", d_size_cmdline(3),
     "starts; holds 3 of 76800 bytes"),
    ("-chardev ringbuf,size=2G", d_size_cmdline("2G"),
     "starts; holds 76800 of 76800 bytes"),
    ("-chardev ringbuf,size=4G", d_size_cmdline("4G"),
     "starts; holds 76800 of 76800 bytes"),
    ("-chardev ringbuf,size=0", d_size_cmdline(0),
     "refused: ringbuf size must be between 1 and 9223372036854775807 "
     "bytes, not 0"),
    ("-chardev ringbuf,size=9E (above 2^63)", d_size_cmdline("9E"),
     "refused: ringbuf size must be between 1 and 9223372036854775807 "
     "bytes, not 10376293541461622784"),
    ("ringbuf-write \"a\\u0000b\" (stored bytes)", d_nul_write, "61 00 62"),
    ("ringbuf-read of bytes 61 00 62", d_nul_read, "'a\\x00b'"),
    ("size=4 ring after \"héllo\"", d_lost_cont, "'llo'"),
    ("\"éé\": read size=1, then read", d_split, "'é' then 'é'"),
    ("\"a\" E2 82, read; AC, read", d_incomplete, "'a' then '€'"),
    ("x FF y ED A0 80 z (invalid UTF-8)", d_invalid,
     "'x\ufffdy\ufffd\ufffd\ufffdz'"),
]


def main():
    failed = reproduced = 0
    for title, fn, want in CASES:
        try:
            stock = fn(STOCK)
        except Exception as e:            # a stock crash is a result too
            stock = "%s: %s" % (type(e).__name__, e)
        fixed = fn(FIXED)
        ok = fixed == want
        if stock != fixed:
            reproduced += 1
        print("%s %s\n    stock: %s\n    fixed: %s" %
              ("PASS" if ok else "FAIL", title, stock, fixed))
        if not ok:
            print("    want:  %s" % want)
            failed += 1
    print("defects: %d cases, %d fixed as expected, %d differ from stock" %
          (len(CASES), len(CASES) - failed, reproduced))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
