#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What a hostile or careless client can do to the glued QEMU:
    hardening.py QEMU WORKDIR

The guest is bench/qemu/guest.S: a 64 KiB BIOS that copies RAM to the
16550's THR with `rep outsb` (a Linux guest would need minutes to print
256 MiB through its tty layer).

1. A 256 MiB ring filled by the guest, read with size 2^40 while QEMU's
   address space is limited (RLIMIT_AS, i.e. `ulimit -v`) to what it
   uses plus 128 MiB: the read answers (read-max bytes, 16 MiB), utf8
   and base64, and QEMU stays up.  A second device (64 MiB, also filled
   by the guest) whose read-max lets one read ask for more than the
   limit allows gets a clear error and loses nothing.  (Not filled over
   QMP: QEMU's QMP takes about a minute per 4 MiB string here.)
2. A client of an HMP `console` that stops reading for 30 s while the
   guest prints at full speed: QEMU's RSS stays bounded, QMP answers
   promptly all the while, the console consumes nothing, and once the
   client reads again the console goes on and says how many bytes the
   ring overwrote before it could show them.
"""

import base64
import os
import re
import shutil
import resource
import socket
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench", "qemu"))

from bench_qemu import (GUEST_BLOCK, build_guest, guest_args,  # noqa: E402
                        guest_load, guest_start, guest_wait, start)
from checks import check, failures  # noqa: E402

QEMU, WORK = sys.argv[1:3]
MiB = 1024 * 1024
TiB = 1 << 40


def vm_kib(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def pattern(n):
    """Printable ASCII, so that utf8 and JSON add nothing."""
    return bytes(0x21 + (i * 7) % 90 for i in range(n))


def test_big_read(bios):
    print("hardening: a 256 MiB ring filled by the guest, read with 2^40")
    args = guest_args(bios) + [
        "-accel", "tcg,tb-size=64",
        "-chardev", "ringbuf,id=big,size=256M", "-serial", "chardev:big",
        "-chardev", "ringbuf,id=loose,size=64M,read-max=1G",
        "-serial", "chardev:loose"]
    with start(QEMU, args, qtest=True) as q:
        q.timeout = 600
        guest_load(q, pattern(8 * GUEST_BLOCK))
        t0 = time.monotonic()
        guest_start(q, 8, 128, [0x2f8])       # 64 MiB into loose
        ok = guest_wait(q, 600)
        guest_start(q, 8, 512, [0x3f8])       # 256 MiB into big
        ok = guest_wait(q, 600) and ok
        check(ok, "the guest sent 64 + 256 MiB (%.0f s)"
              % (time.monotonic() - t0))
        info = q.cmd("query-ringbuf", device="big")[0]
        check(info["used"] == 256 * MiB and info["read-max"] == 16 * MiB,
              "big holds 256 MiB; read-max 16 MiB (the default)")
        vm = vm_kib(q.pid, "VmSize")
        limit = (vm + 128 * 1024) * 1024
        resource.prlimit(q.pid, resource.RLIMIT_AS,
                         (limit, resource.RLIM_INFINITY))
        print("    QEMU VmSize %d MiB; RLIMIT_AS set to %d MiB"
              % (vm // 1024, limit // MiB))
        t0 = time.monotonic()
        text = q.cmd("ringbuf-read", device="big", size=TiB)
        # the guest sends its 512 KiB of pattern() again and again
        want = pattern(8 * GUEST_BLOCK) * (16 * MiB // (8 * GUEST_BLOCK))
        check(text.encode() == want,
              "utf8 ringbuf-read size 2^40: the first 16 MiB (%.2f s)"
              % (time.monotonic() - t0))
        data = base64.b64decode(q.cmd("memchar-read", chardev="big",
                                      size=TiB, format="base64")["data"])
        check(data == want,
              "base64 memchar-read size 2^40: the next 16 MiB")
        try:
            q.cmd("ringbuf-read", device="loose", size=TiB)
            err = None
        except RuntimeError as e:
            err = str(e)
        print("    loose (read-max 1G): %s" % err)
        check(err is not None and "cannot allocate memory" in err,
              "a read beyond the memory limit is a clear error")
        info = q.cmd("query-ringbuf", device="loose")[0]
        check(info["used"] == 64 * MiB and info["read"] == 0,
              "and it lost nothing (used %d)" % info["used"])
        info = q.cmd("query-ringbuf", device="big")[0]
        check(info["used"] == 224 * MiB, "big still holds 224 MiB")
        check(q.proc.poll() is None, "QEMU is up")


def hmp_connect(path, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def recv_until(s, marker, timeout=30):
    got = b""
    s.settimeout(timeout)
    while marker not in got:
        data = s.recv(65536)
        if not data:
            raise RuntimeError("HMP closed")
        got += data
    return got


def test_stalled_console(bios, seconds=30):
    print("hardening: an HMP console client that stops reading for %d s"
          % seconds)
    sockdir = tempfile.mkdtemp(prefix="cirmem-hmp-")
    sock = os.path.join(sockdir, "hmp.sock")
    args = guest_args(bios) + [
        "-accel", "tcg",
        "-chardev", "ringbuf,id=r,size=1M", "-serial", "chardev:r",
        "-monitor", "unix:%s,server=on,wait=off" % sock]
    with start(QEMU, args, qtest=True) as q:
        guest_load(q, pattern(8 * GUEST_BLOCK))
        h = hmp_connect(sock)
        recv_until(h, b"(qemu) ")
        h.sendall(b"console r\n")
        recv_until(h, b"console: attached")
        rss0 = vm_kib(q.pid, "VmRSS")
        guest_start(q, 8, 0xffff, [0x3f8])          # ~32 GiB: prints all along
        worst, rss_max, reads = 0.0, rss0, []
        t_end = time.monotonic() + seconds
        while time.monotonic() < t_end:     # the client reads nothing
            t0 = time.perf_counter()
            info = q.cmd("query-ringbuf", device="r")[0]
            worst = max(worst, time.perf_counter() - t0)
            reads.append(info["read"])
            rss_max = max(rss_max, vm_kib(q.pid, "VmRSS"))
            time.sleep(0.5)
        print("    RSS %d KiB before, at most %d KiB while stalled; worst"
              " query-ringbuf %.1f ms; the ring's read counter %d"
              % (rss0, rss_max, worst * 1000, reads[-1]))
        check(rss_max - rss0 < 32 * 1024,
              "QEMU's RSS grew by %d KiB (< 32 MiB) while the client"
              " stalled" % (rss_max - rss0))
        check(worst < 1.0, "QMP answered within %.1f ms all along"
              % (worst * 1000))
        check(reads[-1] == 0, "the console consumed nothing (read %d)"
              % reads[-1])
        # the client reads again: the console goes on, from where it
        # stopped, and says what the ring overwrote meanwhile
        stop = threading.Event()
        got = bytearray()
        end0 = q.cmd("query-ringbuf", device="r")[0]["end"]

        def drain():
            h.settimeout(0.2)
            while not stop.is_set():
                try:
                    data = h.recv(1 << 20)
                    if not data:
                        return
                    got.extend(data)
                except socket.timeout:
                    pass
        t = threading.Thread(target=drain)
        t.start()
        time.sleep(3)
        stop.set()
        t.join()
        missed = sum(int(m) for m in
                     re.findall(rb"console: (\d+) bytes missed", bytes(got)))
        print("    after the client read again: %d bytes in 3 s; the"
              " console reported %d bytes missed; the guest had printed %d"
              % (len(got), missed, end0))
        check(len(got) > 512 << 10, "reading again resumes the console (%d"
              " bytes in 3 s)" % len(got))
        # Before the stall the console showed at most what its client's
        # socket and the monitor's 64 KiB backlog hold, far below 2 MiB;
        # the rest of what the guest printed was overwritten in the 1 MiB
        # ring, and only a console that read again can report it.
        check(missed >= end0 - (2 << 20),
              "the console reported what it missed (%d >= %d - 2 MiB)"
              % (missed, end0))
        h.close()
        check(q.proc.poll() is None, "QEMU is up")
    shutil.rmtree(sockdir, ignore_errors=True)


def main():
    os.makedirs(WORK, exist_ok=True)
    bios = build_guest(os.path.join(HERE, "..", "..", "bench", "qemu",
                                    "guest.S"), WORK)
    test_big_read(bios)
    test_stalled_console(bios)
    print("hardening: %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
