#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end benchmarks of the ringbuf chardev: Debian's stock QEMU (10.0 from bookworm-backports)
next to the glued one (cirmem core), measured in the same run with the
same options.  Standard library only.

  bench_qemu.py [--stock BIN] [--glued BIN] [--out DIR] [--quick]

Parts (see bench/RESULTS-qemu.md for the method and what limits them):
  read    QMP ringbuf-read of a full ring (64 KiB, 1 MiB; utf8, base64;
          ASCII and mixed UTF-8 text); the ring is refilled, untimed, by
          a tiny guest (guest.S, the -bios of a pc machine) through the
          16550, since QMP ringbuf-write reads its input a byte at a time
  serial  bytes into a 16550 at 0x3f8 on -serial chardev:r, written by
          qtest `outb` lines or by the guest's `rep outsb`, next to the
          same writes with no serial device and with a 16550 on a null
          chardev; the ring is read back and compared
  memory  VmRSS / VmHWM with 0 and 100 rings of 1 MiB, and on a pc
          machine with 100 UARTs (pci-serial-4x) before and after the
          guest filled the rings
  --profile RING,FORMAT,TEXT  perf samples of the timed reads of a cell

Writes CSV files and RESULTS-qemu-section.md into --out and prints a
table.  Every QEMU is started with a timeout on each wait and killed on
exit.
"""

import argparse
import atexit
import base64
import csv
import json
import math
import os
import platform
import random
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

KiB = 1024
MiB = 1024 * 1024

_children = []


def _reap():
    for p in _children:
        if p.poll() is None:
            p.kill()
            p.wait()


atexit.register(_reap)
signal.signal(signal.SIGTERM, lambda *_: (_reap(), os._exit(143)))


# ---------------------------------------------------------------- QEMU

class Qemu:
    """A QEMU with a QMP socket and, when qtest=True, qtest on stdio."""

    def __init__(self, binary, args, qtest=False, timeout=60.0):
        self.timeout = timeout
        self.dir = tempfile.mkdtemp(prefix="cirmem-bench-")
        path = os.path.join(self.dir, "qmp.sock")
        cmd = [binary, "-nodefaults", "-display", "none",
               "-qmp", "unix:%s,server=on,wait=off" % path]
        if qtest:
            cmd += ["-qtest", "stdio", "-qtest-log", "none"]
        cmd += args
        self.errf = open(os.path.join(self.dir, "stderr"), "w+")
        pipe = subprocess.PIPE if qtest else subprocess.DEVNULL
        self.proc = subprocess.Popen(cmd, stdin=pipe, stdout=pipe,
                                     stderr=self.errf)
        _children.append(self.proc)
        self.pid = self.proc.pid
        self.buf = bytearray()
        self.sock = None
        deadline = time.monotonic() + timeout
        while self.sock is None:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %d: %s" %
                                   (binary, self.proc.returncode,
                                    self.stderr()))
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                self.sock = s
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise RuntimeError("QMP socket did not appear")
                time.sleep(0.02)
        self._line()                                   # greeting
        self.cmd("qmp_capabilities")

    def stderr(self):
        self.errf.flush()
        self.errf.seek(0)
        return self.errf.read()

    def _line(self):
        """One reply line (bytes, without the newline); events skipped."""
        deadline = time.monotonic() + self.timeout
        while True:
            i = self.buf.find(b"\n")
            while i < 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no QMP reply")
                r, _, _ = select.select([self.sock], [], [], left)
                if not r:
                    continue
                start = len(self.buf)
                data = self.sock.recv(1 << 20)
                if not data:
                    raise RuntimeError("QMP closed: " + self.stderr())
                self.buf += data
                i = self.buf.find(b"\n", start)
            line = bytes(self.buf[:i])
            del self.buf[:i + 1]
            if line.startswith((b'{"return"', b'{"error"', b'{"QMP"')):
                return line

    @staticmethod
    def request(name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        return json.dumps(msg).encode() + b"\n"

    def send_timed(self, req):
        """Send a prebuilt request: (seconds to the end of the reply,
        raw reply line).  Only the round trip is inside the clock."""
        t0 = time.perf_counter()
        self.sock.sendall(req)
        line = self._line()
        t1 = time.perf_counter()
        return t1 - t0, line

    def cmd(self, name, **args):
        reply = json.loads(self.send_timed(self.request(name, **args))[1])
        if "error" in reply:
            raise RuntimeError("%s: %s" % (name, reply["error"]["desc"]))
        return reply["return"]

    def status(self):
        """VmRSS and VmHWM of the QEMU process, in KiB."""
        out = {}
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM"):
                    out[k] = int(v.split()[0])
        return out

    # qtest on the process's stdin/stdout
    def qtest_run(self, batches, replies_len):
        """Write each batch of qtest lines, then read its replies before
        the next one.  Returns (seconds, all reply bytes)."""
        fin = self.proc.stdin.fileno()
        fout = self.proc.stdout.fileno()
        got = bytearray()
        deadline = time.monotonic() + self.timeout
        t0 = time.perf_counter()
        for batch, want in zip(batches, replies_len):
            view = memoryview(batch)
            while view:
                view = view[os.write(fin, view):]
            need = len(got) + want
            while len(got) < need:
                r, _, _ = select.select([fout], [], [], 1.0)
                if r:
                    data = os.read(fout, need - len(got))
                    if not data:
                        raise RuntimeError("qtest closed: " + self.stderr())
                    got += data
                elif time.monotonic() > deadline:
                    raise TimeoutError("no qtest reply")
        return time.perf_counter() - t0, bytes(got)

    def qtest(self, line):
        """One qtest command, its reply line (str)."""
        _, got = self.qtest_run([line.encode() + b"\n"], [1])
        fout = self.proc.stdout.fileno()
        deadline = time.monotonic() + self.timeout
        while not got.endswith(b"\n"):
            r, _, _ = select.select([fout], [], [], 1.0)
            if r:
                data = os.read(fout, 4096)
                if not data:
                    raise RuntimeError("qtest closed: " + self.stderr())
                got += data
            elif time.monotonic() > deadline:
                raise TimeoutError("no qtest reply")
        return got.decode().strip()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.sock.sendall(self.request("quit"))
                self.proc.wait(timeout=10)
            except Exception:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            if f:
                f.close()
        if self.sock:
            self.sock.close()
        self.errf.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def start(binary, args, qtest=False, tries=5):
    """Start QEMU; retry while the binary is briefly missing (rebuilt)."""
    for i in range(tries):
        if os.path.exists(binary):
            try:
                return Qemu(binary, args, qtest)
            except (RuntimeError, TimeoutError) as e:
                if i == tries - 1:
                    raise
                print("  retrying start of %s: %s" % (binary, e),
                      file=sys.stderr)
        time.sleep(2)
    raise RuntimeError("%s not found" % binary)


# ---------------------------------------------------------------- data

def ascii_text(n):
    """n printable ASCII bytes, a repeating 95-character cycle."""
    cycle = bytes(range(0x20, 0x7F))
    return (cycle * (n // len(cycle) + 1))[:n]


# (weight, list of (first, last) code point ranges)
MIX = [(55, [(0x20, 0x7E)]),
       (15, [(0xC0, 0x24F), (0x391, 0x3C9), (0x410, 0x44F)]),
       (20, [(0x4E00, 0x9FFF)]),
       (10, [(0x1F300, 0x1F5FF)])]


def mixed_text(n, seed=1):
    """n bytes of valid UTF-8, whole characters: 55% ASCII, 15%
    Latin/Greek/Cyrillic, 20% CJK, 10% emoji (by character), padded
    with ASCII to exactly n bytes."""
    rnd = random.Random(seed)
    weights = [w for w, _ in MIX]
    out = []
    size = 0
    while size < n - 4:
        ranges = rnd.choices(MIX, weights)[0][1]
        lo, hi = rnd.choice(ranges)
        ch = chr(rnd.randint(lo, hi)).encode()
        out.append(ch)
        size += len(ch)
    data = b"".join(out)
    return data + ascii_text(n - len(data))


def flood_data(n, rep):
    """n bytes, all 256 values, different for each repetition."""
    return bytes((i * 7 + rep * 13 + 1) & 0xFF for i in range(n))


# ---------------------------------------------------------------- guest

GUEST_DATA = 0x10000          # guest.S sends 64 KiB blocks from here
GUEST_BLOCK = 64 * KiB
GUEST_MAX = 8 * GUEST_BLOCK   # 512 KiB below the 640 KiB limit


def build_guest(src, tmpdir):
    """Assemble guest.S into a 64 KiB BIOS image (binutils)."""
    obj = os.path.join(tmpdir, "guest.o")
    img = os.path.join(tmpdir, "guest.bin")
    subprocess.run(["as", "--32", "-o", obj, src], check=True)
    subprocess.run(["objcopy", "-O", "binary", obj, img], check=True)
    if os.path.getsize(img) != 65536:
        raise RuntimeError("guest image is not 64 KiB")
    return img


def guest_args(bios):
    """pc machine, 16 MiB, the guest writer as BIOS.  The vCPU runs
    (TCG: stock Debian has no qtest accelerator module); it sends
    nothing and halts with interrupts off until told to."""
    return ["-M", "pc", "-m", "16", "-bios", bios]


def guest_load(q, data):
    """Put up to 512 KiB at GUEST_DATA (qtest b64write)."""
    assert len(data) <= GUEST_MAX
    r = q.qtest("b64write 0x%x 0x%x %s" % (GUEST_DATA, len(data),
                                           base64.b64encode(data).decode()))
    if r != "OK":
        raise RuntimeError("b64write: " + r)


def guest_start(q, blocks, passes, ports, cfg=()):
    """Let the guest send blocks x 64 KiB, passes times, to each port
    (after the PCI configuration writes cfg); returns at once, with
    the perf_counter() of the system_reset that starts it."""
    assert len(ports) <= 120 and len(cfg) <= 128
    lines = ["writew 0x500 0x%x" % blocks, "writew 0x502 0x%x" % passes,
             "writew 0x506 0x%x" % len(ports), "writew 0x700 0x%x" % len(cfg)]
    lines += ["writew 0x%x 0x%x" % (0x508 + 2 * i, p)
              for i, p in enumerate(ports)]
    for i, (addr, val) in enumerate(cfg):
        lines += ["writel 0x%x 0x%x" % (0x704 + 8 * i, addr),
                  "writel 0x%x 0x%x" % (0x708 + 8 * i, val)]
    lines.append("writew 0x504 0x0")
    for line in lines:
        r = q.qtest(line)
        if r != "OK":
            raise RuntimeError("%s: %s" % (line, r))
    t0 = time.perf_counter()
    q.cmd("system_reset")
    return t0


def guest_wait(q, timeout):
    """Wait for the guest's done flag; False after @timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        r = q.qtest("readw 0x504")
        if r.startswith("OK ") and int(r[3:], 16) == 1:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.0005)


def guest_run(q, blocks, passes, ports, cfg=()):
    """guest_start, then the seconds from system_reset to the done flag
    seen."""
    t0 = guest_start(q, blocks, passes, ports, cfg)
    if not guest_wait(q, q.timeout):
        raise TimeoutError("guest did not finish")
    return time.perf_counter() - t0


def read_ring(q, dev, n):
    return base64.b64decode(q.cmd("ringbuf-read", device=dev, size=n,
                                  format="base64"))


# ---------------------------------------------------------------- stats

def pct(sorted_xs, p):
    """Nearest-rank percentile of a sorted list."""
    k = max(1, math.ceil(p / 100.0 * len(sorted_xs)))
    return sorted_xs[k - 1]


def spread(xs):
    m = statistics.median(xs)
    return (max(xs) - min(xs)) / m if m else 0.0


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().strip()


def ratio(g, s):
    return g / s if s else float("nan")


def alternate(bins, rep):
    """Stock first on even repetitions, glued first on odd ones."""
    return bins if rep % 2 == 0 else bins[::-1]


# ---------------------------------------------------------------- part 1

# ring label, size, serial port of its 16550, guest blocks, passes
READ_RINGS = [("64K", 64 * KiB, 0x3F8, 1, 1), ("1M", MiB, 0x2F8, 8, 2)]
READ_FORMATS = ["utf8", "base64"]


def bench_read(bins, args, bios, rows, samples_out, write_t):
    """ringbuf-read of a full ring, refilled (untimed) by the guest."""
    block = {"ascii": ascii_text(GUEST_MAX),
             "mixed": b"".join(mixed_text(GUEST_BLOCK, seed=k)
                               for k in range(GUEST_MAX // GUEST_BLOCK))}
    kinds = ["ascii"] if args.ascii_only else ["ascii", "mixed"]
    qargs = guest_args(bios)
    for label, size, _, _, _ in READ_RINGS:
        qargs += ["-chardev", "ringbuf,id=r%s,size=%d" % (label, size),
                  "-serial", "chardev:r" + label]
    cells = [(ring, fmt, kind) for ring in READ_RINGS
             for kind in kinds for fmt in READ_FORMATS]
    # Prebuilt requests and expected replies: no JSON work on the clock.
    read, expect = {}, {}
    for ring, fmt, kind in cells:
        label, size, _, blocks, passes = ring
        data = block[kind][:blocks * GUEST_BLOCK] * passes
        assert len(data) == size
        read[(label, fmt)] = Qemu.request(
            "ringbuf-read", device="r" + label, size=size, format=fmt)
        expect[(label, fmt, kind)] = json.dumps(
            data.decode() if fmt == "utf8" else
            base64.b64encode(data).decode())
    qs = {name: start(b, qargs, qtest=True) for name, b in bins}
    loaded = {}
    keys = [(name, c[0][0], c[1], c[2]) for name, _ in bins for c in cells]
    lat = {k: [] for k in keys}
    rate = {k: [] for k in keys}
    refill = {k: [] for k in keys}

    def one(name, cell):
        (label, size, port, blocks, passes), fmt, kind = cell
        q = qs[name]
        if loaded.get(name) != kind:
            guest_load(q, block[kind])
            loaded[name] = kind
        tr = guest_run(q, blocks, passes, [port])
        t, line = q.send_timed(read[(label, fmt)])
        # '{"return": "..."}': compare the JSON string itself
        got = json.loads(line)
        if json.dumps(got.get("return")) != expect[(label, fmt, kind)]:
            raise RuntimeError("%s: ring %s %s %s read back differs: %r"
                               % (name, label, fmt, kind, line[:120]))
        return t, tr

    try:
        for cell in cells:                      # warm-up, checked too
            for name, _ in bins:
                for _ in range(args.warmup):
                    one(name, cell)
        for rep in range(args.reps):
            for cell in cells:
                k = args.reads_small if cell[0][1] <= 64 * KiB \
                    else args.reads_big
                for name, _ in alternate(bins, rep):
                    key = (name, cell[0][0], cell[1], cell[2])
                    ts = []
                    for i in range(k):
                        t, tr = one(name, cell)
                        ts.append(t)
                        refill[key].append(tr)
                        samples_out.append(key + (rep, i, "%.9f" % t,
                                                  "%.6f" % tr))
                    lat[key] += ts
                    rate[key].append(k / sum(ts))
        # For the record: the same 64 KiB refill through QMP ringbuf-write
        # (the monitor reads its input one byte per read(), see RESULTS).
        data = block["ascii"][:64 * KiB]
        req = Qemu.request("ringbuf-write", device="r64K",
                           data=data.decode())
        for rep in range(-1, args.qmp_writes):
            for name, _ in alternate(bins, rep):
                t, line = qs[name].send_timed(req)
                if not line.startswith(b'{"return"') or \
                        read_ring(qs[name], "r64K", MiB) != data:
                    raise RuntimeError("%s: ringbuf-write: %r" % (name, line))
                if rep >= 0:
                    write_t.setdefault(name, []).append(t)
    finally:
        for q in qs.values():
            q.close()
    for (label, size, _, _, _), fmt, kind in cells:
        res = {}
        for name, _ in bins:
            key = (name, label, fmt, kind)
            xs = sorted(lat[key])
            res[name] = {
                "n": len(xs),
                "calls": statistics.median(rate[key]),
                "spread": spread(rate[key]),
                "med": statistics.median(xs) * 1e3,
                "p90": pct(xs, 90) * 1e3,
                "p99": pct(xs, 99) * 1e3,
                "mbs": size / statistics.median(xs) / 1e6,
                "refill": statistics.median(refill[key]) * 1e3,
            }
        rows.append((label, fmt, kind, res))


def profile_read(bins, args, bios, spec, tmp):
    """--profile RING,FORMAT,TEXT: perf samples of each QEMU during the
    timed ringbuf-reads only (perf record -D -1, enabled and disabled
    through its control FIFO around each read; the refills are not
    sampled).  Prints the top symbols; perf.data files go to --out."""
    label, fmt, kind = spec.split(",")
    ring = [r for r in READ_RINGS if r[0] == label][0]
    _, size, _, blocks, passes = ring
    port = 0x3F8                      # the only serial port here
    data = ascii_text(GUEST_MAX) if kind == "ascii" else b"".join(
        mixed_text(GUEST_BLOCK, seed=k) for k in range(8))
    qargs = guest_args(bios) + ["-chardev", "ringbuf,id=r,size=%d" % size,
                                "-serial", "chardev:r"]
    req = Qemu.request("ringbuf-read", device="r", size=size, format=fmt)
    for name, b in bins:
        ctl, ack = os.path.join(tmp, "ctl"), os.path.join(tmp, "ack")
        for f in (ctl, ack):
            if os.path.exists(f):
                os.unlink(f)
            os.mkfifo(f)
        out = os.path.join(os.path.abspath(args.out),
                           "perf-%s-%s-%s-%s.data" % (name, label, fmt, kind))
        with start(b, qargs, qtest=True) as q:
            guest_load(q, data)
            perf = subprocess.Popen(
                ["perf", "record", "-q", "-D", "-1",
                 "--control=fifo:%s,%s" % (ctl, ack), "-o", out,
                 "-p", str(q.pid)], stdout=subprocess.DEVNULL)
            _children.append(perf)
            with open(ctl, "w") as c, open(ack) as a:
                ts = []
                for _ in range(args.profile_reads):
                    guest_run(q, blocks, passes, [port])
                    c.write("enable\n")
                    c.flush()
                    a.readline()
                    t, line = q.send_timed(req)
                    c.write("disable\n")
                    c.flush()
                    a.readline()
                    if len(line) < size:
                        raise RuntimeError("short read: %r" % line[:100])
                    ts.append(t)
            perf.send_signal(signal.SIGINT)
            perf.wait(timeout=60)
        rep = subprocess.run(["perf", "report", "-i", out, "--no-children",
                              "--sort", "dso,sym", "--stdio", "-g", "none"],
                             capture_output=True, text=True).stdout
        top = [line for line in rep.splitlines()
               if "%" in line and not line.startswith("#")][:args.profile_top]
        print("%s: %d reads of %s %s %s, median %.2f ms; %s"
              % (name, len(ts), label, fmt, kind,
                 1e3 * statistics.median(ts), out))
        print("\n".join(top))


# ---------------------------------------------------------------- part 2

SERIAL_MODES = [
    ("none", []),                                   # no device at 0x3f8
    ("null", ["-chardev", "null,id=r", "-serial", "chardev:r"]),
    ("ringbuf", ["-chardev", "ringbuf,id=r,size=1M", "-serial", "chardev:r"]),
]


def bench_serial(bins, args, bios, rows, raw_out, notes):
    """Bytes into the 16550 at 0x3f8: qtest outb lines (pipelined in
    windows, and one at a time), and the guest's rep outsb (TCG)."""
    plans = [("qtest", args.window, args.flood_bytes, args.reps),
             ("qtest", 1, args.flood_bytes_w1, args.reps),
             ("guest", 0, MiB, args.guest_reps)]
    res = {}
    qs = {}
    try:
        for mode, extra in SERIAL_MODES:
            for name, b in bins:
                qs[(name, mode)] = start(b, guest_args(bios) + extra,
                                         qtest=True)
        # the cost of an empty guest run (reset, poll) for the notes
        for name, _ in bins:
            q = qs[(name, "ringbuf")]
            notes["empty_" + name] = statistics.median(
                guest_run(q, 0, 0, []) for _ in range(5))
        for how, window, nbytes, reps in plans:
            for mode, _ in SERIAL_MODES:
                for name, _ in bins:
                    res[(name, mode, how, window)] = []
            for rep in range(-1, reps):             # rep -1: warm-up
                if how == "qtest":
                    data = flood_data(nbytes, rep + 1)
                    lines = [b"outb 0x3f8 0x%02x\n" % c for c in data]
                    batches = [b"".join(lines[i:i + window])
                               for i in range(0, len(lines), window)]
                    want = [3 * min(window, len(lines) - i)
                            for i in range(0, len(lines), window)]
                else:
                    half = flood_data(GUEST_MAX, rep + 1)
                    data = half + half
                for mode, _ in SERIAL_MODES:
                    for name, _ in alternate(bins, rep):
                        q = qs[(name, mode)]
                        if how == "qtest":
                            t, got = q.qtest_run(batches, want)
                            if got != b"OK\n" * nbytes:
                                raise RuntimeError("qtest replies: %r" %
                                                   got[:100])
                        else:
                            guest_load(q, half)
                            t = guest_run(q, 8, 2, [0x3F8])
                        if mode == "ringbuf":
                            back = read_ring(q, "r", 2 * MiB)
                            if back != data:
                                raise RuntimeError(
                                    "%s: ring holds %d bytes, differs from "
                                    "the %d sent" % (name, len(back), nbytes))
                        if rep < 0:
                            continue
                        res[(name, mode, how, window)].append(nbytes / t)
                        raw_out.append((name, mode, how, window, nbytes, rep,
                                        "%.6f" % t, "%.0f" % (nbytes / t)))
    finally:
        for q in qs.values():
            q.close()
    for how, window, nbytes, _ in plans:
        for mode, _ in SERIAL_MODES:
            r = {}
            for name, _ in bins:
                xs = res[(name, mode, how, window)]
                r[name] = {"bps": statistics.median(xs), "spread": spread(xs),
                           "n": len(xs), "bytes": nbytes}
            rows.append((mode, how, window, r))


# ---------------------------------------------------------------- part 3

def pci_serial_config(ndev, slot0=2, io0=0x1000):
    """BAR0 and I/O decoding of ndev pci-serial-4x on bus 0 (no BIOS
    does it here): (PCI configuration writes, 4 * ndev THR ports)."""
    cfg, ports = [], []
    for i in range(ndev):
        dev = 0x80000000 | ((slot0 + i) << 11)
        base = io0 + 0x20 * i
        cfg += [(dev | 0x10, base), (dev | 0x04, 0x1)]
        ports += [base + 8 * k for k in range(4)]
    return cfg, ports


def bench_memory(bins, args, bios, rows, raw_out, notes):
    """VmRSS/VmHWM (KiB): -machine none with 0 or N rings of 1 MiB;
    pc with N/4 pci-serial-4x on null chardevs or on N rings, before and
    after the guest sent 1 MiB to every port."""
    n = args.rings
    ndev = (n + 3) // 4
    half = ascii_text(GUEST_MAX)
    res = {}

    def record(name, cfg, state, run, q):
        st = q.status()
        res.setdefault((name, cfg, state), []).append(st)
        raw_out.append((name, cfg, state, run, st["VmRSS"], st["VmHWM"]))

    for run in range(args.mem_runs):
        for name, b in alternate(bins, run):
            for count in (0, n):
                qargs = ["-machine", "none"]
                for i in range(count):
                    qargs += ["-chardev", "ringbuf,id=m%d,size=1M" % i]
                with start(b, qargs) as q:
                    time.sleep(0.3)
                    record(name, "none+%d" % count, "started", run, q)
    for run in range(args.mem_runs_pc):
        for name, b in alternate(bins, run):
            for backend in ("null", "ringbuf"):
                qargs = guest_args(bios)
                for d in range(ndev):
                    dev = "pci-serial-4x,addr=0x%x" % (2 + d)
                    for k in range(4):
                        i = 4 * d + k
                        opt = "ringbuf,id=m%d,size=1M" % i \
                            if backend == "ringbuf" and i < n \
                            else "null,id=m%d" % i
                        qargs += ["-chardev", opt]
                        dev += ",chardev%d=m%d" % (k + 1, i)
                    qargs += ["-device", dev]
                cfg = "pc+%dx4 %s" % (ndev, backend)
                with start(b, qargs, qtest=True) as q:
                    pci, ports = pci_serial_config(ndev)
                    ports = ports[:n]
                    guest_load(q, half)
                    time.sleep(0.3)
                    record(name, cfg, "started", run, q)
                    t = guest_run(q, 8, 2, ports, pci)
                    notes.setdefault(("fill", name, backend), []).append(t)
                    time.sleep(0.3)
                    record(name, cfg, "filled", run, q)
                    if backend == "ringbuf":
                        for i in (0, n - 1):
                            if read_ring(q, "m%d" % i, 2 * MiB) != half * 2:
                                raise RuntimeError("%s: ring m%d does not "
                                                   "hold the 1 MiB sent"
                                                   % (name, i))
    order = [("none+0", "started"), ("none+%d" % n, "started")]
    for backend in ("null", "ringbuf"):
        order += [("pc+%dx4 %s" % (ndev, backend), "started"),
                  ("pc+%dx4 %s" % (ndev, backend), "filled")]
    for cfg, state in order:
        r = {}
        for name, _ in bins:
            sts = res[(name, cfg, state)]
            r[name] = {"rss": statistics.median(s["VmRSS"] for s in sts),
                       "hwm": statistics.median(s["VmHWM"] for s in sts),
                       "n": len(sts)}
        rows.append((cfg, state, r))


# ---------------------------------------------------------------- output

def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def fmt_table(read_rows, serial_rows, mem_rows, notes, meta):
    L = []
    if read_rows:
        L += fmt_read(read_rows, notes, meta) + [""]
    if serial_rows:
        L += fmt_serial(serial_rows, notes, meta) + [""]
    if mem_rows:
        L += fmt_memory(mem_rows, notes, meta)
    return "\n".join(L).rstrip("\n")


def fmt_read(read_rows, notes, meta):
    L = ["1. ringbuf-read of a full ring (QMP round trip only; the guest "
         "refills it untimed).",
         "   calls/s: median of %d repetitions ± spread (max-min)/median; "
         "latency in ms over all n reads (nearest rank)" % meta["reps"],
         "   g/s: calls/s glued/stock (> 1: glued faster); med g/s: median "
         "latency glued/stock (< 1: glued faster)",
         "",
         "ring fmt    text  |    stock calls/s      glued calls/s  | g/s  "
         "| stock ms med   p90   p99 | glued ms med   p90   p99 | med g/s "
         "|  n  | MB/s stock glued | refill ms s/g"]
    for label, fmt, kind, r in read_rows:
        s, g = r["stock"], r["glued"]
        L.append("%-4s %-6s %-5s | %8.1f ±%3.0f%%  %8.1f ±%3.0f%% | %4.2f "
                 "| %11.2f %5.2f %5.2f | %11.2f %5.2f %5.2f |  %5.2f  "
                 "| %3d | %10.1f %5.1f | %5.1f %5.1f"
                 % (label, fmt, kind, s["calls"], 100 * s["spread"],
                    g["calls"], 100 * g["spread"],
                    ratio(g["calls"], s["calls"]),
                    s["med"], s["p90"], s["p99"], g["med"], g["p90"],
                    g["p99"], ratio(g["med"], s["med"]), s["n"],
                    s["mbs"], g["mbs"], s["refill"],
                    g["refill"]))
    w = notes.get("qmp_write")
    if w:
        L.append("   the same 64 KiB refill by QMP ringbuf-write (utf8, "
                 "ASCII), median of %d: stock %.0f ms, glued %.0f ms"
                 % (len(w["stock"]), 1e3 * statistics.median(w["stock"]),
                    1e3 * statistics.median(w["glued"])))
    return L


def fmt_serial(serial_rows, notes, meta):
    L = ["2. guest -> 16550 at 0x3f8 -> chardev, bytes/s: median of n "
         "repetitions ± spread",
         "   qtest: `outb 0x3f8 0xNN` lines on stdio, W lines written "
         "before their OKs are read;",
         "   guest: rep outsb of 1 MiB by the TCG vCPU (from system_reset "
         "to the done flag; an empty run costs %.1f ms stock, %.1f ms "
         "glued)" % (1e3 * notes.get("empty_stock", 0),
                     1e3 * notes.get("empty_glued", 0)),
         "",
         "backend  writer    W  bytes    n |  stock B/s         glued B/s  "
         "      | g/s"]
    for mode, how, window, r in serial_rows:
        s, g = r["stock"], r["glued"]
        L.append("%-8s %-5s %4s %7d %2d | %9.0f ±%3.0f%%  %9.0f ±%3.0f%% "
                 "| %4.2f"
                 % (mode, how, window if how == "qtest" else "-",
                    s["bytes"], s["n"], s["bps"], 100 * s["spread"], g["bps"],
                    100 * g["spread"], ratio(g["bps"], s["bps"])))
    L.append("   none: no device at 0x3f8; null: 16550 on a null chardev; "
             "ringbuf: 16550 on a 1 MiB ring, read back and compared")
    return L


def fmt_memory(mem_rows, notes, meta):
    L = ["3. memory, KiB (/proc/PID/status), median of %d runs (-machine "
         "none) / %d (pc), fresh QEMU each" % (meta["mem_runs"],
                                               meta["mem_runs_pc"]),
         "   filled = after the guest sent 1 MiB to each of the %d ports"
         % meta["rings"],
         "",
         "config                state   | stock VmRSS  VmHWM | glued VmRSS"
         "  VmHWM | RSS g/s | RSS - baseline: stock glued"]
    base = {}
    for cfg, state, r in mem_rows:
        s, g = r["stock"], r["glued"]
        key = cfg.split(" ")[0].split("+")[0]
        if key not in base:
            base[key] = (s["rss"], g["rss"])
        b = base[key]
        L.append("%-21s %-7s | %11.0f %6.0f | %11.0f %6.0f |  %5.2f  "
                 "| %8.0f %8.0f"
                 % (cfg, state, s["rss"], s["hwm"], g["rss"], g["hwm"],
                    ratio(g["rss"], s["rss"]), s["rss"] - b[0],
                    g["rss"] - b[1]))
    L.append("   baseline: the first row of the same machine (none+0, or "
             "pc with null chardevs, started)")
    fills = []
    for name in ("stock", "glued"):
        for backend in ("null", "ringbuf"):
            ts = notes.get(("fill", name, backend))
            if ts:
                fills.append("%s/%s %.2f s" % (name, backend,
                                                statistics.median(ts)))
    if fills:
        L.append("   guest send of %d MiB: %s" % (meta["rings"],
                                                  ", ".join(fills)))
    return L


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stock", default=os.environ.get(
        "QEMU_STOCK", "/usr/bin/qemu-system-x86_64"))
    ap.add_argument("--glued", default=os.environ.get(
        "QEMU_BIN", "build/qemu/obj/qemu-system-x86_64"))
    ap.add_argument("--out", default="build/bench/qemu")
    ap.add_argument("--parts", default="read,serial,memory")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--reads-small", type=int, default=30,
                    help="timed reads per repetition, 64 KiB ring")
    ap.add_argument("--reads-big", type=int, default=6,
                    help="timed reads per repetition, 1 MiB ring")
    ap.add_argument("--ascii-only", action="store_true")
    ap.add_argument("--qmp-writes", type=int, default=3,
                    help="timed 64 KiB ringbuf-write calls (for the record)")
    ap.add_argument("--window", type=int, default=256,
                    help="qtest lines written before reading their OKs")
    ap.add_argument("--flood-bytes", type=int, default=256 * KiB)
    ap.add_argument("--flood-bytes-w1", type=int, default=16 * KiB)
    ap.add_argument("--guest-reps", type=int, default=15,
                    help="repetitions of the guest's 1 MiB rep outsb")
    ap.add_argument("--rings", type=int, default=100)
    ap.add_argument("--mem-runs", type=int, default=3)
    ap.add_argument("--mem-runs-pc", type=int, default=1)
    ap.add_argument("--profile", metavar="RING,FORMAT,TEXT",
                    help="instead of the benchmark: perf profile of the "
                    "reads of one cell, e.g. 1M,base64,ascii")
    ap.add_argument("--profile-reads", type=int, default=30)
    ap.add_argument("--profile-top", type=int, default=15)
    ap.add_argument("--quick", action="store_true",
                    help="few, small repetitions (a smoke test)")
    args = ap.parse_args()
    if args.quick:
        args.reps, args.warmup, args.guest_reps = 2, 1, 2
        args.reads_small, args.reads_big, args.qmp_writes = 3, 2, 1
        args.flood_bytes, args.flood_bytes_w1 = 16 * KiB, 2 * KiB
        args.rings, args.mem_runs = 8, 1
    parts = args.parts.split(",")
    bins = [("stock", args.stock), ("glued", args.glued)]
    for _, b in bins:
        if not os.path.exists(b):
            sys.exit("bench-qemu: %s not found" % b)
    os.makedirs(args.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="cirmem-bench-guest-")
    atexit.register(shutil.rmtree, tmp, True)
    bios = build_guest(os.path.join(here, "guest.S"), tmp)
    if args.profile:
        profile_read(bins, args, bios, args.profile, tmp)
        return

    meta = {"reps": args.reps, "mem_runs": args.mem_runs,
            "mem_runs_pc": args.mem_runs_pc, "rings": args.rings}
    t_start = time.monotonic()
    date = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    load0 = loadavg()
    uptime0 = subprocess.run(["uptime"], capture_output=True,
                             text=True).stdout.strip()
    versions = {}
    for name, b in bins:
        v = subprocess.run([b, "--version"], capture_output=True, text=True,
                           timeout=30).stdout.splitlines()
        versions[name] = "`%s` (%s)" % (b, v[0] if v else "?")
    print("bench-qemu %s; load %s" % (date, load0))
    for name, _ in bins:
        print("  %s: %s" % (name, versions[name]))
    sys.stdout.flush()

    read_rows, serial_rows, mem_rows, notes = [], [], [], {}
    qmp_write = notes["qmp_write"] = {}
    samples, serial_raw, mem_raw = [], [], []
    timing = {}
    if "read" in parts:
        t = time.monotonic()
        bench_read(bins, args, bios, read_rows, samples, qmp_write)
        timing["read"] = time.monotonic() - t
        print("  read: %.0f s" % timing["read"], flush=True)
    if "serial" in parts:
        t = time.monotonic()
        bench_serial(bins, args, bios, serial_rows, serial_raw, notes)
        timing["serial"] = time.monotonic() - t
        print("  serial: %.0f s" % timing["serial"], flush=True)
    if "memory" in parts:
        t = time.monotonic()
        bench_memory(bins, args, bios, mem_rows, mem_raw, notes)
        timing["memory"] = time.monotonic() - t
        print("  memory: %.0f s" % timing["memory"], flush=True)
    total = time.monotonic() - t_start
    load1 = loadavg()

    write_csv(os.path.join(args.out, "read.csv"),
              ["ring", "format", "text", "binary", "n", "calls_per_s_median",
               "calls_per_s_spread", "latency_ms_median", "latency_ms_p90",
               "latency_ms_p99", "MB_per_s", "refill_ms_median",
               "calls_ratio_glued_stock", "median_latency_ratio_glued_stock"],
              [(label, fmt, kind, name, r[name]["n"],
                "%.2f" % r[name]["calls"], "%.3f" % r[name]["spread"],
                "%.4f" % r[name]["med"], "%.4f" % r[name]["p90"],
                "%.4f" % r[name]["p99"], "%.2f" % r[name]["mbs"],
                "%.3f" % r[name]["refill"],
                "%.3f" % ratio(r["glued"]["calls"], r["stock"]["calls"]),
                "%.3f" % ratio(r["glued"]["med"], r["stock"]["med"]))
               for label, fmt, kind, r in read_rows for name in r])
    write_csv(os.path.join(args.out, "read-samples.csv"),
              ["binary", "ring", "format", "text", "rep", "i",
               "read_seconds", "refill_seconds"], samples)
    write_csv(os.path.join(args.out, "serial.csv"),
              ["binary", "backend", "writer", "window", "bytes", "rep",
               "seconds", "bytes_per_s"], serial_raw)
    write_csv(os.path.join(args.out, "memory.csv"),
              ["binary", "config", "state", "run", "VmRSS_kB", "VmHWM_kB"],
              mem_raw)

    table = fmt_table(read_rows, serial_rows, mem_rows, notes, meta)
    print()
    print(table)
    print()
    runtime = "%.0f s (%s)" % (total, ", ".join(
        "%s %.0f s" % kv for kv in timing.items()))
    print("total %s; load at end %s" % (runtime, load1))

    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    sec = ["## %s" % date, "",
           "- machine: %s, %d CPUs online; `uptime` at start: `%s`"
           % (cpu, os.cpu_count() or 0, uptime0),
           "- /proc/loadavg at start `%s`, at end `%s`" % (load0, load1),
           "- stock: %s" % versions["stock"],
           "- glued: %s" % versions["glued"],
           "- options: %d repetitions, warm-up %d, reads per repetition %d "
           "(64 KiB) / %d (1 MiB), qtest window %d, qtest flood %d B (window "
           "1: %d B), %d guest repetitions, %d rings, %d + %d memory runs"
           % (args.reps, args.warmup, args.reads_small, args.reads_big,
              args.window, args.flood_bytes, args.flood_bytes_w1,
              args.guest_reps,
              args.rings, args.mem_runs, args.mem_runs_pc),
           "- run time of the script: %s" % runtime,
           "", "```", table, "```", ""]
    with open(os.path.join(args.out, "RESULTS-qemu-section.md"), "w") as f:
        f.write("\n".join(sec))
    print("wrote %s/{read,read-samples,serial,memory}.csv and "
          "RESULTS-qemu-section.md" % args.out)


if __name__ == "__main__":
    main()
