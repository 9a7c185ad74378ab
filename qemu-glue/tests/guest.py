# SPDX-License-Identifier: GPL-2.0-or-later
"""A Linux guest (Debian's kernel, busybox initramfs) with a shell on each
of its serial ports, every port on a ring buffer chardev, for the
memchar/console checks and the demo.

Chardev ids are serial0, serial1, ...; each also logs to a file, so the
checks can wait for the shell without consuming the ring.
"""

import base64
import os
import re
import socket
import select
import time

from checks import BOOT_TIMEOUT
from qmp import Qemu


class Guest:
    def __init__(self, qemu, kernel, initrd, workdir, ports=1,
                 ring="size=4096", hmp_socket=None, extra=()):
        os.makedirs(workdir, exist_ok=True)
        self.logs = []
        ttys = ",".join("ttyS%d" % i for i in range(ports))
        args = ["-machine", "q35", "-accel", "tcg", "-m", "256",
                "-kernel", kernel, "-initrd", initrd, "-no-reboot",
                "-append", "console=ttyS0 panic=-1 cirmem_shell=" + ttys]
        for i in range(ports):
            log = os.path.join(workdir, "serial%d.log" % i)
            if os.path.exists(log):
                os.unlink(log)
            self.logs.append(log)
            args += ["-chardev", "ringbuf,id=serial%d,logfile=%s,%s"
                     % (i, log, ring), "-serial", "chardev:serial%d" % i]
        if hmp_socket:
            args += ["-monitor", "unix:%s,server=on,wait=off" % hmp_socket]
        self.q = Qemu(qemu, args + list(extra))

    def log(self, port=0):
        try:
            with open(self.logs[port], "rb") as f:
                return f.read()
        except FileNotFoundError:
            return b""

    def shell_ready(self, port=0):
        """True once the shell on serialN has prompted (in its log)."""
        ready = re.compile(rb"cirmem: shell on ttyS%d\r?\n.*guest# " % port,
                           re.S)
        return ready.search(self.log(port)) is not None

    def wait_shell(self, port=0, timeout=BOOT_TIMEOUT):
        """Wait until the shell on serialN prompts (seen in its log)."""
        deadline = time.monotonic() + timeout
        while not self.shell_ready(port):
            if time.monotonic() > deadline or not self.q.alive():
                raise TimeoutError("no shell on ttyS%d after %.0f s"
                                   % (port, timeout))
            time.sleep(0.2)

    def info(self, dev="serial0"):
        return self.q.cmd("query-ringbuf", device=dev)[0]

    def write(self, data, dev="serial0", control="block", timeout=60):
        """memchar-write all of @data (bytes), resending what a full input
        ring did not take; returns the list of results."""
        results = []
        deadline = time.monotonic() + timeout
        while True:
            r = self.q.cmd("memchar-write", chardev=dev, control=control,
                           format="base64",
                           data=base64.b64encode(data).decode())
            results.append(r)
            data = data[r["written"]:]
            if not data:
                return results
            if time.monotonic() > deadline:
                raise TimeoutError("the guest stopped reading its input")
            time.sleep(0.02)

    def read(self, dev="serial0", size=65536, control="block"):
        return self.q.cmd("memchar-read", chardev=dev, size=size,
                          control=control)["data"]

    def read_until(self, pattern, dev="serial0", timeout=60):
        """memchar-read until @pattern (a regex) matches what was read."""
        text = ""
        deadline = time.monotonic() + timeout
        while not re.search(pattern, text):
            if time.monotonic() > deadline:
                raise TimeoutError("%r not seen; got %r"
                                   % (pattern, text[-500:]))
            chunk = self.read(dev)
            text += chunk
            if not chunk:
                time.sleep(0.05)
        return text

    def run(self, command, dev="serial0", timeout=60):
        """Type @command into the shell on @dev; its output up to the next
        prompt (the guest does not echo input)."""
        while self.read(dev):
            pass                      # start after the previous prompt
        self.write(command.encode() + b"\n", dev)
        text = self.read_until(r"guest# $", dev, timeout)
        return text.replace("\r", "")[:-len("guest# ")].rstrip("\n")

    def close(self):
        self.q.close()


class Follower:
    """A reader that follows a ring buffer by position (memchar-read with
    `position`, base64): it consumes nothing and is told what it lost.
    It keeps every (position, bytes) chunk it got, so that its view can
    be checked against the device's logfile."""

    def __init__(self, q, dev):
        self.q, self.dev = q, dev
        self.next = 0
        self.lost = 0
        self.chunks = []

    def step(self, size=65536):
        """One read; returns the number of bytes it got."""
        r = self.q.cmd("memchar-read", chardev=self.dev, size=size,
                       format="base64", position=self.next)
        data = base64.b64decode(r["data"])
        if r["position"] != self.next + r["lost"] or \
           r["next"] != r["position"] + len(data):
            raise AssertionError("memchar-read at %d: inconsistent %r"
                                 % (self.next, r))
        self.lost += r["lost"]
        if data:
            self.chunks.append((r["position"], data))
        self.next = r["next"]
        return len(data)

    def catch_up(self):
        """Read until the end of what the ring has stored."""
        while self.step():
            pass

    def got(self):
        return sum(len(d) for _, d in self.chunks)

    def mismatches(self, log):
        """Chunks that differ from @log (bytes) at their position."""
        return [p for p, d in self.chunks if log[p:p + len(d)] != d]


class _Pipes:
    """A child's stdout/stdin with the socket calls HMPClient uses."""

    def __init__(self, proc):
        self.proc = proc

    def fileno(self):
        return self.proc.stdout.fileno()

    def recv(self, n):
        return os.read(self.proc.stdout.fileno(), n)

    def sendall(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def close(self):
        self.proc.stdin.close()


class HMPClient:
    """A human monitor on a unix socket (or, with @proc, on a child's
    stdio), driven like a person would."""

    def __init__(self, path=None, timeout=30, proc=None):
        deadline = time.monotonic() + timeout
        while proc is None:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        if proc is not None:
            self.s = _Pipes(proc)
        self.seen = ""
        self.expect(r"\(qemu\) ")

    def send(self, line):
        self.s.sendall(line.encode() + b"\n")

    def expect(self, pattern, timeout=60):
        """Read until @pattern matches the unread output; returns that
        output up to the end of the match."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.seen)
            if m:
                got, self.seen = self.seen[:m.end()], self.seen[m.end():]
                return got
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("HMP: %r not seen; got %r"
                                   % (pattern, self.seen[-500:]))
            r, _, _ = select.select([self.s], [], [], left)
            if r:
                data = self.s.recv(65536)
                if not data:
                    raise RuntimeError("HMP connection closed")
                self.seen += data.decode("utf-8", "replace").replace("\r",
                                                                     "")

    def close(self):
        self.s.close()
