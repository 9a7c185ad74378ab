#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot Debian's kernel with a busybox initramfs on a ringbuf serial
console that also has a logfile:  e2e.py QEMU KERNEL INITRAMFS WORKDIR

- overwrite: the ring holds exactly the last `size` bytes of the logfile
  and dropped = logfile length - size.
- drop-new:  the ring holds exactly the first `size` bytes.
- block:     a reader drains the ring while the guest boots.  The
  oracle is what the guest wrote, not the logfile (which records only
  what the ring accepted): the guest's init prints a numbered sequence
  that this test knows, and exactly that text, CR LF line ends
  included, must arrive, contiguous and in order; also nothing is
  dropped or abandoned, and what was read equals the logfile.
  The kernel's own console is in the stream up to init, but init runs
  `dmesg -n 1` before the sequence: the 8250 console driver waits for
  THRE only a bounded time per byte and then writes anyway, so under
  policy=block with a slow reader the kernel itself would drop bytes
  and interleave its messages with the sequence.  The sequence goes
  through the tty layer, which waits for the UART for as long as it
  takes, which is the path policy=block is for.
- followers: two readers follow the boot by position (memchar-read with
  `position`), one of them slow; each one's chunks, placed at their
  positions, are the logfile byte for byte, its bytes plus the losses it
  was told of add up to the logfile, and the ring is never consumed.
"""

import base64
import os
import sys
import time

from checks import BOOT_TIMEOUT, check, failures
from guest import Follower
from qmp import Qemu

QEMU, KERNEL, INITRD, WORK = sys.argv[1:5]
LINES = 400


def boot(name, ring_opts):
    log = os.path.join(WORK, name + ".log")
    if os.path.exists(log):
        os.unlink(log)
    args = ["-machine", "q35", "-accel", "tcg", "-m", "256",
            "-kernel", KERNEL, "-initrd", INITRD,
            "-append", "console=ttyS0 panic=-1 cirmem_lines=%d" % LINES,
            "-no-reboot", "-no-shutdown",
            "-chardev", "ringbuf,id=ring,logfile=%s,%s" % (log, ring_opts),
            "-serial", "chardev:ring"]
    return Qemu(QEMU, args), log


def wait_shutdown(q, t0, reader=None):
    while True:
        if reader:
            reader()
        else:
            time.sleep(0.2)
        if q.cmd("query-status")["status"] == "shutdown":
            return True
        if time.monotonic() - t0 > BOOT_TIMEOUT:
            return False


def info(q):
    return q.cmd("query-ringbuf", device="ring")[0]


def read_all(q, size):
    return base64.b64decode(q.cmd("ringbuf-read", device="ring", size=size,
                                  format="base64"))


def expected_lines():
    return ["line %d of the cirmem ring test ...................... %d"
            % (i, i) for i in range(1, LINES + 1)]


def test_overwrite(size, policy):
    print("boot: policy=%s size=%d" % (policy, size))
    t0 = time.monotonic()
    q, log = boot(policy, "size=%d,policy=%s" % (size, policy))
    with q:
        done = wait_shutdown(q, t0)
        check(done, "guest powered off within %.0f s (took %.1f s)" %
              (BOOT_TIMEOUT, time.monotonic() - t0))
        st = info(q)
        ring = read_all(q, size)
        hmp = q.hmp("info ringbuf ring")
    with open(log, "rb") as f:
        data = f.read()
    print("    logfile %d bytes; query-ringbuf %s" % (len(data), st))
    check(b"CIRMEM-END" in data, "guest output reached its end marker")
    check(len(data) > size, "boot log (%d) larger than the ring (%d)" %
          (len(data), size))
    check(st["written"] == len(data), "written == logfile length")
    check(st["used"] == size and st["free"] == 0, "ring full")
    check(st["dropped"] == len(data) - size,
          "dropped == logfile length - size (%d)" % (len(data) - size))
    check(st["read"] == 0 and st["data-lost"], "read 0, data-lost true")
    if policy == "overwrite":
        check(ring == data[-size:], "ring == last %d bytes of logfile" % size)
    else:
        check(ring == data[:size], "ring == first %d bytes of logfile" % size)
    check(("dropped=%d" % st["dropped"]) in hmp, "info ringbuf agrees")


def test_block(size):
    print("boot: policy=block size=%d, reader draining" % size)
    t0 = time.monotonic()
    q, log = boot("block", "size=%d,policy=block" % size)
    got = bytearray()
    peak = [0]

    def reader():
        st = info(q)
        peak[0] = max(peak[0], st["used"])
        # Let the boot log fill the ring once (backpressure on the
        # guest), then drain it as fast as QMP allows.
        if peak[0] == size:
            got.extend(read_all(q, 4096))
        time.sleep(0.002)

    with q:
        done = wait_shutdown(q, t0, reader)
        check(done, "guest powered off within %.0f s (took %.1f s)" %
              (BOOT_TIMEOUT, time.monotonic() - t0))
        got.extend(read_all(q, 1 << 20))
        st = info(q)
    with open(log, "rb") as f:
        data = f.read()
    print("    logfile %d bytes, read %d; peak fill %d; query-ringbuf %s" %
          (len(data), len(got), peak[0], st))
    check(len(data) > size, "boot log (%d) larger than the ring (%d)" %
          (len(data), size))
    check(peak[0] == size, "the ring was full at times (backpressure)")
    check(bytes(got) == data, "bytes read == logfile, byte for byte")
    check(st["dropped"] == 0 and not st["data-lost"], "nothing dropped")
    check(st["written"] == st["read"] == len(data), "written == read")
    want = ("CIRMEM-BEGIN\r\n" + "".join(l + "\r\n" for l in expected_lines())
            + "CIRMEM-END\r\n").encode()
    check(want in bytes(got), "the guest's %d-line sequence (%d bytes)"
          " arrived exactly, contiguous and in order" % (LINES, len(want)))
    check(st.get("abandoned", 0) == 0, "nothing abandoned")


def test_followers(size):
    """Two readers follow the booting guest by position, one of them
    slow; joined with the gaps they were told of, each view is the
    logfile byte for byte, and the ring is never consumed."""
    print("boot: policy=overwrite size=%d, two readers by position" % size)
    t0 = time.monotonic()
    q, log = boot("followers", "size=%d" % size)
    fast, slow = Follower(q, "ring"), Follower(q, "ring")
    ticks = [0]

    def reader():
        fast.step()
        ticks[0] += 1
        if ticks[0] % 50 == 0:          # the slow one: 256 bytes per second
            slow.step(256)
        time.sleep(0.02)

    with q:
        done = wait_shutdown(q, t0, reader)
        check(done, "guest powered off within %.0f s (took %.1f s)" %
              (BOOT_TIMEOUT, time.monotonic() - t0))
        fast.catch_up()
        slow.catch_up()
        late = Follower(q, "ring")      # asks for position 0 after the boot
        late.catch_up()
        st = info(q)
    with open(log, "rb") as f:
        data = f.read()
    for name, r in (("fast", fast), ("slow", slow), ("late", late)):
        print("    %s reader: %d bytes in %d reads, %d lost; logfile %d"
              % (name, r.got(), len(r.chunks), r.lost, len(data)))
        check(r.next == st["end"] == len(data),
              "%s reader ends at the end of the log" % name)
        check(not r.mismatches(data),
              "%s reader: every chunk is the logfile at its position" % name)
    check(late.lost == len(data) - size and late.got() == size and
          not late.mismatches(data),
          "a reader that starts after the boot is told it lost exactly"
          " %d bytes and gets the last %d" % (len(data) - size, size))
    check(st["read"] == 0 and st["used"] == size,
          "the ring was never consumed (read 0, used %d)" % st["used"])


def main():
    os.makedirs(WORK, exist_ok=True)
    test_overwrite(4096, "overwrite")
    test_overwrite(3001, "drop-new")
    test_block(1000)
    test_followers(4096)
    print("e2e: %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
