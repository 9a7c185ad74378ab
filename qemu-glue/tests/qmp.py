# SPDX-License-Identifier: GPL-2.0-or-later
"""A minimal QMP client and QEMU launcher for the ringbuf checks.

Every wait has a timeout and every QEMU started here is killed on exit,
so no process is left behind whatever happens.
"""

import atexit
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time

_children = []


def _reap_all():
    for proc in _children:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


atexit.register(_reap_all)
signal.signal(signal.SIGTERM, lambda *_: (_reap_all(), os._exit(143)))


class QMPError(Exception):
    def __init__(self, desc):
        super().__init__(desc)
        self.desc = desc


class Qemu:
    """QEMU with a QMP socket; args are extra command-line arguments."""

    def __init__(self, binary, args, timeout=30.0):
        self.dir = tempfile.mkdtemp(prefix="cirmem-qemu-")
        self.sock_path = os.path.join(self.dir, "qmp.sock")
        self.stderr_path = os.path.join(self.dir, "stderr")
        cmd = [binary, "-nodefaults", "-display", "none",
               "-qmp", "unix:%s,server=on,wait=off" % self.sock_path] + args
        self.errf = open(self.stderr_path, "w+")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=self.errf)
        _children.append(self.proc)
        self.sock = None
        self.buf = b""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("QEMU exited with %d: %s" %
                                   (self.proc.returncode, self.stderr()))
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.sock_path)
                self.sock = s
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise RuntimeError("QMP socket did not appear")
                time.sleep(0.05)
        self.timeout = timeout
        self._recv()                      # greeting
        self.cmd("qmp_capabilities")

    def stderr(self):
        self.errf.flush()
        with open(self.stderr_path) as f:
            return f.read()

    def _recv(self):
        deadline = time.monotonic() + self.timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no QMP reply")
            r, _, _ = select.select([self.sock], [], [], left)
            if r:
                try:
                    data = self.sock.recv(1 << 20)
                except ConnectionResetError:
                    data = b""      # QEMU exited (e.g. refused an option)
                if not data:
                    raise RuntimeError("QMP connection closed: " +
                                       self.stderr())
                self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd_raw(self, name, **args):
        """The reply dict (events skipped)."""
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._recv()
            if "event" in reply:
                self.events.append(reply)
                continue
            return reply

    events = []

    def cmd(self, name, **args):
        reply = self.cmd_raw(name, **args)
        if "error" in reply:
            raise QMPError(reply["error"]["desc"])
        return reply["return"]

    def hmp(self, line):
        return self.cmd("human-monitor-command", **{"command-line": line})

    def alive(self):
        return self.proc.poll() is None

    def close(self):
        if self.proc.poll() is None:
            try:
                self.cmd_raw("quit")
            except Exception:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.sock:
            self.sock.close()
        self.errf.close()
        # make qemu-san-check looks for sanitizer reports in these
        keep = os.environ.get("CIRMEM_QEMU_STDERR_DIR")
        if keep:
            os.makedirs(keep, exist_ok=True)
            shutil.copy(self.stderr_path, os.path.join(
                keep, "qemu-%d.err" % self.proc.pid))
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def run(binary, args, timeout=30):
    """Run QEMU to completion: (exit status, stderr text)."""
    p = subprocess.run([binary, "-nodefaults", "-display", "none"] + args,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stderr.decode(errors="replace")
