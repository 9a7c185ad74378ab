#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpus of QEMU's ringbuf-qmp-fuzz target (patch
"tests/qtest/fuzz: fuzz the ringbuf chardev") into corpus/: one
readable scenario per file, in the target's input format.

    gen_seeds.py [OUTDIR]      (default: corpus/ beside this script)

The format (tests/qtest/fuzz/ringbuf_fuzz.c): a sequence of operations,
each an opcode byte (mod 13) followed by its fields in order.  A device
is a byte (mod 4: r0 r1 r2 ser); a size is a byte < 128 indexing the
size table, or a byte >= 128 followed by 4 bytes (little endian, mod
70000); a string is a length byte and that many bytes.  A memchar-read
whose control byte is >= 0xc0 reads at the position that follows.
"""

import os
import struct
import sys

DEV = {"r0": 0, "r1": 1, "r2": 2, "ser": 3}
SIZES = [0, -1, 1, 2, 3, 4, 5, 7, 64, 1000, 4096, 65536, 2**63 - 1, -2**63]
FMT = {"utf8": 0, "base64": 1, "hex": 2}
POLICY = {"overwrite": 0, "drop-new": 1, "block": 2, "sideways": 3}
CONTROL = {"block": 0, "drop": 1, "later": 2}
(ADD, REMOVE, RB_WRITE, RB_READ, MC_WRITE, MC_READ, QUERY, HMP_INFO,
 HMP_READ, GUEST_WRITE, GUEST_IO, FLUSH, CHANGE) = range(13)


def size(n):
    if n in SIZES:
        return bytes([SIZES.index(n)])
    assert 0 <= n < 70000
    return b"\x80" + struct.pack("<I", n)


def string(b):
    assert len(b) < 256
    return bytes([len(b)]) + b


def add(dev, sz=None, input_size=None, read_max=None, policy=None):
    has = ((sz is not None) | (input_size is not None) << 1 |
           (read_max is not None) << 2 | (policy is not None) << 3)
    return (bytes([ADD, has]) + size(sz or 0) + size(input_size or 0) +
            size(read_max or 0) + bytes([POLICY[policy or "overwrite"],
                                         DEV[dev]]))


def change(sz=None, input_size=None, read_max=None, policy=None):
    """chardev-change of ser, the UART's chardev, to a new ring"""
    return bytes([CHANGE]) + add("r0", sz, input_size, read_max,
                                 policy)[1:-1]


def remove(dev):
    return bytes([REMOVE, DEV[dev]])


def rb_write(dev, data, fmt="utf8"):
    return bytes([RB_WRITE]) + string(data) + bytes([DEV[dev], FMT[fmt],
                                                     0]) + size(0)


def mc_write(dev, data, fmt="utf8", control="block", sz=0):
    return (bytes([MC_WRITE]) + string(data) +
            bytes([DEV[dev], FMT[fmt], CONTROL[control]]) + size(sz))


def rb_read(dev, sz, fmt="utf8"):
    return bytes([RB_READ, DEV[dev]]) + size(sz) + bytes([FMT[fmt], 0])


def mc_read(dev, sz, fmt="utf8", control="block"):
    return (bytes([MC_READ, DEV[dev]]) + size(sz) +
            bytes([FMT[fmt], CONTROL[control]]))


def pos_read(dev, sz, pos, fmt="utf8"):
    """memchar-read at a position (a control byte >= 0xc0)"""
    return (bytes([MC_READ, DEV[dev]]) + size(sz) +
            bytes([FMT[fmt], 0xC0]) + size(pos))


def query(dev):
    return bytes([QUERY, DEV[dev]])


def hmp_info(dev):
    return bytes([HMP_INFO, DEV[dev]])


def hmp_read(dev, sz):
    return bytes([HMP_READ, DEV[dev]]) + size(sz)


def guest_write(data):
    return bytes([GUEST_WRITE, len(data)]) + data


def guest_io(*ops):
    """ops: ('read', port offset) or ('fcr', value)"""
    out = bytearray([GUEST_IO, len(ops)])
    for op in ops:
        out += bytes([2, op[1]]) if op[0] == "fcr" else bytes([op[1]])
    return bytes(out)


def flush():
    return bytes([FLUSH])


SEEDS = {
    "utf8_small_reads": add("r0", 8) + rb_write("r0", "h\u00e9\u20ac\U0001f600!".encode())
    + b"".join(rb_read("r0", 1) for _ in range(6)) + query("r0"),
    "utf8_overwrite_loss": add("r0", 4) + rb_write("r0", "h\u00e9\u00e9ho".encode())
    + rb_read("r0", 100) + hmp_info("r0"),
    "invalid_utf8_and_nul": add("r1", 7) + rb_write("r1", b"\xff\xc0\x80a\xed\xa0\x80\xe2\x82")
    + rb_read("r1", 3) + rb_read("r1", 100, "base64") + hmp_read("r1", 5),
    "block_policy": add("r1", 4, policy="block") + rb_write("r1", b"abcdef")
    + rb_write("r1", b"abc") + rb_read("r1", 2) + rb_write("r1", b"xy") + query("r1"),
    "drop_new_policy": add("r2", 5, policy="drop-new") + rb_write("r2", b"0123456789")
    + mc_read("r2", 3, control="drop") + rb_read("r2", 100),
    "guest_output": guest_write(b"The quick brown fox jumps over the lazy dog " * 1)
    + flush() + mc_read("ser", 10, control="drop") + hmp_info("ser") + rb_read("ser", 4096, "base64"),
    "guest_input": mc_write("ser", b"ls -l\n") + guest_io(("read", 5), ("read", 0), ("read", 5), ("read", 0))
    + mc_write("ser", b"0123456789abcdefghij", control="drop")
    + guest_io(("fcr", 1), ("fcr", 3), ("read", 0)) + query("ser"),
    "input_base64_size": mc_write("ser", b"YWJjAGRlZg==", "base64", sz=5)
    + mc_write("ser", b"!!!", "base64") + mc_write("ser", b"abc", sz=4)
    + guest_io(*[("read", 0)] * 8),
    "bad_sizes": add("r0", 0) + add("r1", -1) + add("r2", -2**63) + add("r0", 2**63 - 1)
    + add("r1", 3, input_size=0) + add("r2", 3, read_max=0) + add("r2", 3, policy="sideways")
    + rb_read("ser", 0) + rb_read("ser", -1) + mc_read("ser", -2**63) + rb_read("ser", 5, "hex"),
    "read_max": add("r0", 64, read_max=1) + rb_write("r0", b"abcdefgh") + rb_read("r0", 2**63 - 1)
    + mc_read("r0", 2**63 - 1, "base64", "drop") + query("r0"),
    "remove_and_readd": add("r0", 3) + rb_write("r0", b"abc") + remove("r0") + rb_read("r0", 3)
    + add("r0", 1000) + remove("ser") + hmp_info("r2") + query("r2"),
    "change_under_uart": mc_write("ser", b"pending") + guest_write(b"out")
    + change(5, input_size=2, policy="block") + guest_write(b"0123456789")
    + mc_write("ser", b"abc") + guest_io(("read", 0), ("read", 0)) + query("ser")
    + change(0) + change(3, read_max=1) + rb_read("ser", 100) + hmp_info("ser"),
    "positions": add("r0", 16) + rb_write("r0", b"0123456789") + pos_read("r0", 4, 0)
    + pos_read("r0", 100, 4) + pos_read("r0", 1, 10) + rb_write("r0", b"abcdefghij")
    + pos_read("r0", 3, 1, "base64") + mc_read("r0", 3) + pos_read("r0", 1, 5)
    + mc_read("r0", 2, control="drop") + pos_read("r0", 1, 2**63 - 1) + pos_read("r0", 1, -1)
    + add("r1", 8) + rb_write("r1", "a\u00e9\u20acb".encode()) + pos_read("r1", 1, 2)
    + rb_write("r1", b"xyz") + pos_read("r1", 1, 0) + guest_write(b"boot\n") + flush()
    + pos_read("ser", 4096, 0) + query("r0") + query("r1"),
    "sizes_odd": add("r0", 997) + add("r1", 1) + add("r2", 1000)
    + b"".join(rb_write(d, b"x" * 200) for d in ("r0", "r1", "r2") for _ in range(6))
    + rb_read("r0", 500) + rb_read("r1", 5) + rb_read("r2", 65536, "base64"),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("gen_seeds: %d seeds in %s" % (len(SEEDS), out))


if __name__ == "__main__":
    main()
