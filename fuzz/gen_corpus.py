#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate the committed seed corpus of the cirmem fuzz harnesses.

    python3 fuzz/gen_corpus.py [OUTDIR]      (default: fuzz/corpus)

Writes OUTDIR/ring/* and OUTDIR/utf8/*, one small file per scenario, named
after what it exercises.  The encoders below mirror the input layouts
documented at the top of fuzz/fuzz_ring.c and fuzz/fuzz_utf8.c; the
harnesses accept any bytes, so a seed that drifts from the layout still
runs, it just explores less.  Deterministic: running it twice gives the
same files.  Remove stale files by hand when a seed is renamed.
"""
import os
import sys

# ---------------------------------------------------------------- shared


def cap(c):
    """Capacity bytes (fz_capacity): exact for 1, 2, 3, 2^k+-1, 1..4096."""
    if c == 1:
        return bytes([0, 0])
    if c == 2:
        return bytes([1, 0])
    if c == 3:
        return bytes([2, 0])
    for k in range(1, 13):
        for d in (-1, 0, 1):
            if c == (1 << k) + d:
                return bytes([3 + 8 * (d + 1), k - 1])
    assert 1 <= c <= 4096
    v = c - 1
    return bytes([5 + 8 * (v >> 8), v & 0xFF])


def n(v):
    """A count (fz_count): small, 14-bit, or one of the specials."""
    special = {"0": 0, "1": 1, "SIZE_MAX": 2, "SIZE_MAX-1": 3, "CAP_MAX": 4,
               "CAP_MAX+1": 5, "2^32": 6, "3cap": 7}
    if isinstance(v, str):
        return bytes([0xC0 | special[v]])
    if v < 64:
        return bytes([v])
    assert v < 1 << 14
    return bytes([0x80 | (v >> 8), v & 0xFF])


def rel(base, d):
    """A count relative to cap / used / free / 2cap, d in -8..7."""
    return bytes([0x40 | {"cap": 0, "used": 1, "free": 2, "2cap": 3}[base] << 4
                  | (d + 8)])


# ------------------------------------------------------------ ring seeds

OVERWRITE, DROP_NEW, BOUNDED = 0, 1, 2


def w(mode, count, data=None):
    """write; data None: the harness's running sequence, else these bytes."""
    if data is None:
        return bytes([mode, 0]) + count
    return bytes([mode, 1]) + count + data


def w_unknown(modebyte, count):
    return bytes([3, modebyte, 0]) + count


def w_null(count, mode=0):
    return bytes([4, 4 | mode]) + count


def w_empty(mode=0):
    return bytes([4, mode, 0])


def rd(count, null=False):
    return bytes([5, 0 if null else 1]) + count


def peek(off, count, null=False):
    return bytes([6, 0 if null else 1]) + off + count


def discard(count):
    return bytes([7]) + count


CLEAR = bytes([8])


def rspan(off):
    return bytes([9]) + off


def consume(count):
    return bytes([10]) + count


def wspan(fills, rounds=1):
    """write_span + fill + commit of what was filled, `rounds` times
    (the ring must not become full before the last round)."""
    out = bytes([11, rounds - 1])
    for f in fills[:rounds]:
        out += f
    return out


def wspan_commit(fill, commit):
    """one round: fill some of the span, commit an arbitrary count.
    On a full ring there is no span and no fill count: pass fill=b""."""
    return bytes([11, 18]) + fill + commit  # 18 % 3 == 0: one round


def utf8(out_cap, max_in, flags=0, unbounded=False):
    ctl = (flags & 3) | (8 if unbounded else 0)
    return bytes([12, ctl]) + out_cap + max_in


def saturate(kind, gap=3, extra=b""):
    return bytes([13, kind, gap]) + extra


def init_err(kind):
    return bytes([14, kind])


def reinit(c):
    return bytes([14, 5]) + cap(c)


def init_fresh(c):
    return bytes([14, 4]) + cap(c)


def probe(kind, v=0):
    """ctl % 10 picks the corruption; kind + 20 also sets bit 4 (16),
    the variant switch."""
    return bytes([15, kind]) + v.to_bytes(8, "big")


def pos(kind, d=0, v=None):
    """A position (fz_position): kind is behind/stored/newest/past/end/
    zero/max/start, d the distance; or v, any 64-bit value."""
    if v is not None:
        return bytes([7, 0]) + v.to_bytes(8, "big")
    k = {"behind": 0, "stored": 1, "newest": 2, "past": 3, "end": 4,
         "max": 5, "zero": 5 | 8, "start": 6}[kind]
    return bytes([k, d])


def peek_at(p, count, null=False, no_res=False):
    ctl = (0 if null else 1) | (0x80 if no_res else 0)
    return bytes([16, ctl]) + p + count


def utf8_at(p, out_cap, max_in, flags=0, null=False, no_res=False):
    ctl = (flags & 3) | (0x18 if null else 0) | (0x80 if no_res else 0)
    return bytes([17, ctl]) + p + out_cap + max_in


def ring_seeds():
    s = {}
    # positions (SPEC section 8): every kind of position, after overwrite,
    # DROP_NEW, consuming reads, spans; errors; exhaustion
    s["positions_peek_at"] = cap(4) + w(OVERWRITE, n(3), b"abc") + \
        peek_at(pos("start"), n(10)) + peek_at(pos("end"), n(3)) + \
        peek_at(pos("past", 1), n(1)) + peek_at(pos("max"), n(1)) + \
        w(OVERWRITE, n(5), b"defgh") + peek_at(pos("zero"), n(10)) + \
        peek_at(pos("behind", 2), n(2)) + peek_at(pos("stored", 2), n(9)) + \
        peek_at(pos("newest", 1), n("SIZE_MAX")) + \
        peek_at(pos("stored", 1), n(0), null=True) + \
        peek_at(pos("stored", 1), n(2), null=True) + \
        peek_at(pos("start"), n(1), no_res=True) + \
        w(DROP_NEW, n(6)) + rd(n(3)) + peek_at(pos("zero"), n(4)) + \
        w(DROP_NEW, n(6)) + peek_at(pos("behind", 1), n(4)) + \
        peek_at(pos("any", v=5), n(4)) + wspan([n(1)]) + discard(n(1)) + \
        peek_at(pos("stored", 3), n(4)) + CLEAR + peek_at(pos("end"), n(4)) + \
        saturate(0, 9) + peek_at(pos("newest", 2), n(4)) + \
        w(OVERWRITE, n(12)) + peek_at(pos("start"), n(4)) + \
        utf8_at(pos("start"), n(8), n(8))
    txt = b"\x41\xe2\x82\xac\x42\xc3\xa9\x80\x43"
    s["positions_utf8_at"] = cap(16) + w(BOUNDED, n(9)) + rd(n(9)) + \
        w(BOUNDED, n(9), txt) + utf8_at(pos("start"), n(40), n(40)) + \
        utf8_at(pos("stored", 2), n(40), n(40)) + \
        utf8_at(pos("stored", 3), n(40), n(40)) + \
        utf8_at(pos("stored", 6), n(40), n(40)) + \
        utf8_at(pos("stored", 7), n(40), n(40)) + \
        utf8_at(pos("stored", 2), n(40), n(1)) + \
        utf8_at(pos("end"), n(4), n(4)) + utf8_at(pos("past", 0), n(4), n(4)) + \
        utf8_at(pos("stored", 1), n(0), n(4), null=True) + \
        utf8_at(pos("stored", 1), n(4), n(4), null=True) + \
        utf8_at(pos("start"), n(4), n(4), no_res=True) + \
        w(OVERWRITE, n(10), b"\xe2\x82\xac\x41\x42\xf0\x9f\x98\x80\x43") + \
        w(OVERWRITE, n(9)) + \
        w(OVERWRITE, n(5), b"\xe2\x82\xac\x41\x42") + \
        utf8_at(pos("zero"), n(40), n(40)) + \
        utf8_at(pos("newest", 3), n(40), n(40), 2) + \
        utf8_at(pos("newest", 2), n(40), n(40)) + \
        saturate(3, 1, b"\x01\x01") + utf8_at(pos("start"), n(40), n(40))
    # behind start, the orphan skip stops at a lead byte (C3)
    s["positions_utf8_behind_lead"] = cap(4) + \
        w(OVERWRITE, n(5), b"\xe2\x82\xac\xc3\xa9") + \
        utf8_at(pos("zero"), n(16), n(16))
    s["positions_utf8_full_ring"] = cap(2) + w(BOUNDED, n(2), b"\xe2\x82") + \
        utf8_at(pos("start"), n(8), n(8)) + utf8_at(pos("stored", 1), n(8), n(8))
    # SPEC section 4 table shapes, cap 4, with the head moved first
    for h in range(4):
        pre = w(BOUNDED, n(h)) + rd(n(h)) if h else b""
        s[f"write_table_cap4_head{h}"] = cap(4) + pre + (
            w(OVERWRITE, n(2)) + w(OVERWRITE, n(2)) + w(OVERWRITE, n(1)) +
            w(OVERWRITE, n(6)) + w(DROP_NEW, n(3)) + rd(n(2)) +
            w(DROP_NEW, n(4)) + w(BOUNDED, n(2)) + w(BOUNDED, n(1)) +
            w_unknown(7, n(3)) + rd(n("SIZE_MAX")))
    s["qemu_buff_cap2"] = cap(2) + w(OVERWRITE, n(4), b"buff") + \
        rd(n(4)) + rd(n(4))
    s["cap1_overwrite_xyz"] = cap(1) + w(OVERWRITE, n(3), b"xyz") + \
        rd(n(1)) + w(OVERWRITE, n(1)) + w(DROP_NEW, n(2)) + discard(n(1))
    s["cap3_overwrite_long"] = cap(3) + w(BOUNDED, n(2), b"ab") + \
        w(OVERWRITE, n(5), b"cdefg") + peek(n(0), n(3))
    s["overwrite_more_than_cap"] = cap(7) + w(OVERWRITE, rel("cap", 5)) + \
        w(OVERWRITE, rel("2cap", 0)) + w(OVERWRITE, n("3cap")) + \
        w(OVERWRITE, n("SIZE_MAX"))
    s["drop_new_full"] = cap(8) + w(DROP_NEW, rel("cap", -2)) + \
        w(DROP_NEW, n(5)) + w(DROP_NEW, n(1)) + rd(n(3)) + w(DROP_NEW, n(9))
    s["bounded_backpressure"] = cap(9) + w(BOUNDED, n(20)) + rd(n(4)) + \
        w(BOUNDED, n(20)) + w(BOUNDED, n(1))
    s["null_and_empty_writes"] = cap(5) + w(BOUNDED, n(2)) + \
        w_null(n(5)) + w_null(n("SIZE_MAX"), 1) + w_empty(2) + \
        discard(n(1)) + w_null(n(3))
    s["read_edges"] = cap(6) + w(BOUNDED, n(5)) + rd(n(0)) + \
        rd(n(2), null=True) + rd(n(2)) + rd(n("SIZE_MAX")) + rd(n(4))
    s["peek_offsets"] = cap(5) + w(BOUNDED, n(3)) + rd(n(3)) + \
        w(BOUNDED, n(5), b"abcde") + peek(n(0), n(10)) + peek(n(4), n(10)) + \
        peek(n(2), n(2)) + peek(n(5), n(10)) + peek(n(6), n(1)) + \
        peek(n("SIZE_MAX"), n(1)) + peek(n(1), n(0)) + \
        peek(n(1), n("SIZE_MAX")) + peek(n(0), n(3), null=True)
    s["discard_clear"] = cap(4) + w(BOUNDED, n(3), b"abc") + \
        discard(n(1)) + discard(n(0)) + discard(n("SIZE_MAX")) + \
        discard(n(4)) + w(BOUNDED, n(3)) + CLEAR + CLEAR
    s["lost_flag_rules"] = cap(4) + w(BOUNDED, n(3)) + discard(n(0)) + \
        CLEAR + rd(n(3)) + consume(n(2)) + discard(n(1)) + CLEAR + \
        w(DROP_NEW, n(2)) + rd(n(0)) + consume(n(0)) + w(DROP_NEW, n(3)) + \
        rd(n(1)) + w(OVERWRITE, n(5)) + consume(n(1)) + \
        wspan([n(1)]) + w(BOUNDED, n(9)) + rd(n(9))
    s["read_span_wrapped_cap5"] = cap(5) + w(BOUNDED, n(3)) + rd(n(3)) + \
        w(BOUNDED, n(5), b"ABCCC") + rspan(n(0)) + rspan(n(1)) + \
        rspan(n(2)) + rspan(n(4)) + rspan(n(5)) + rspan(n("SIZE_MAX")) + \
        consume(n(2)) + consume(n(99)) + consume(n(1))
    s["write_span_commit_cap5"] = cap(5) + w(BOUNDED, n(3)) + rd(n(3)) + \
        wspan([n(2), n(3)], rounds=2) + wspan_commit(b"", n("SIZE_MAX")) + \
        wspan([n(1)])
    s["write_span_stops_at_oldest"] = cap(5) + w(BOUNDED, n(3)) + \
        rd(n(3)) + w(BOUNDED, n(4)) + wspan([n(1)]) + \
        wspan_commit(n(0), n(3))
    s["commit_beyond_span"] = cap(8) + w(BOUNDED, n(6)) + rd(n(6)) + \
        wspan_commit(n(1), n(7)) + rd(n(8)) + wspan_commit(n(0), n(0))
    s["utf8_in_ring"] = cap(16) + w(BOUNDED, n(5), b"\x41\xe2\x82\xac\x42") + \
        utf8(n(10), n(3)) + utf8(n(2), n(10)) + utf8(n(0), n(0), 0, True) + \
        w(OVERWRITE, n(20)) + utf8(n(40), n("SIZE_MAX"), 2) + \
        utf8(n(0), n(9), 3, True)
    s["saturate_counters"] = cap(4) + w(BOUNDED, n(2)) + saturate(0) + \
        rd(n(5)) + w(OVERWRITE, n(9)) + saturate(1, 1) + w(DROP_NEW, n(9)) + \
        discard(n(2)) + saturate(2, 0) + w(OVERWRITE, n(6)) + \
        saturate(3, 0, b"\x01\x02") + w(BOUNDED, n(3)) + rd(n(1)) + \
        w(BOUNDED, n(1))
    s["init_errors_and_reinit"] = cap(33) + w(BOUNDED, n(20)) + \
        init_err(0) + init_err(1) + init_err(2) + init_err(3) + \
        init_err(9) + init_fresh(7) + reinit(17) + w(OVERWRITE, n(40)) + \
        reinit(1) + w(OVERWRITE, n(2))
    s["invariant_probes"] = cap(15) + w(BOUNDED, n(9)) + rd(n(4)) + b"".join(
        probe(k, v) for k, v in [(0, 0), (1, 0), (1 + 20, 0), (2, 0),
                                 (2 + 20, 0), (2, 1), (3, 1), (3 + 20, 0),
                                 (4, 0x8001), (4, 1), (5, 0), (5, 2**64 - 2),
                                 (6, 2**64 - 1), (7, 1), (8, 5), (8 + 20, 5),
                                 (9, 3)])
    # the inline copies of 17..64 bytes (copy_small's 33..64 branch):
    # writes, reads, peeks and a full-ring overwrite of those sizes
    s["small_copies_17_to_64"] = cap(256) + w(BOUNDED, n(33)) + \
        rd(n(33)) + w(BOUNDED, n(48)) + peek(n(0), n(48)) + rd(n(48)) + \
        w(BOUNDED, n(64)) + rd(n(64)) + w(BOUNDED, n(17)) + rd(n(17)) + \
        w(OVERWRITE, rel("cap", 0)) + w(OVERWRITE, n(40)) + \
        w(OVERWRITE, n(63)) + rd(n(50))
    for c in (1, 2, 3, 7, 8, 9, 255, 256, 257, 4095, 4096, 1000):
        s[f"mixed_cap{c}"] = cap(c) + w(OVERWRITE, rel("cap", -1)) + \
            rd(n(1)) + w(BOUNDED, n(3)) + w(DROP_NEW, rel("free", 1)) + \
            peek(n(1), rel("used", 0)) + discard(n(1)) + \
            wspan([n(2)]) + rspan(n(1)) + consume(n(1)) + \
            w(OVERWRITE, rel("2cap", 1)) + utf8(rel("used", 2), n(8), 1) + \
            CLEAR + w(BOUNDED, n(2))
    return s


# ------------------------------------------------------------ utf8 seeds


def u_ops(c, *ops):
    return bytes([0]) + cap(c) + b"".join(ops)


def u_raw(data, mode=BOUNDED):
    assert len(data) < 64
    # ctl >> 2 is the length, ctl % 3 the mode
    return bytes([0, (len(data) << 2) | (mode - 4 * len(data)) % 3]) + data


def u_read_small(out_cap, max_in, flags=0, null_out=False):
    return bytes([2, flags | (0x18 if null_out else 0), out_cap, max_in])


def u_read_all(flags=0):
    return bytes([3, flags])


def u_discard(k):
    return bytes([4, k])


def u_rawread(k):
    return bytes([5, k])


def u_lose(data):
    """A long OVERWRITE of `data` (opcode 7): loses when it wraps."""
    return bytes([7, len(data)]) + data


def u_at(p, out_cap, max_in=None, flags=0, null_out=False, big_out=False):
    """Opcode 8: a positioned read at p (pos()); max_in None: SIZE_MAX;
    big_out: out_cap 3 * cap + 4; null_out (with out_cap 0): NULL out."""
    ctl = flags | (0x18 if null_out else 0) | (0x20 if max_in is None
                                                 else 0) | \
        (0x40 if big_out else 0)
    return bytes([8, ctl]) + p + bytes([out_cap]) + \
        (b"" if max_in is None else bytes([max_in]))


def u_text(c, chars_bytes, nul=False, schedule=b""):
    """Mode 1.  chars_bytes: the per-character input of next_cp()."""
    count = len(chars_bytes)
    assert count < 256
    return bytes([1]) + cap(c) + bytes([1 if nul else 0, count]) + \
        b"".join(chars_bytes) + schedule


def cp_edge(i):
    return bytes([4 + 5 * i])


def cp_ascii(ch):
    return bytes([2 * ord(ch)])


def u_split(c, data, nul=False, schedule=b""):
    return bytes([2]) + cap(c) + len(data).to_bytes(2, "big") + \
        bytes([1 if nul else 0]) + data + schedule


SPEC_71 = [  # (name, ring bytes) from spec/SPEC.md section 7.1
    ("ascii", b"ABC"), ("e9", b"\xc3\xa9"), ("euro", b"\xe2\x82\xac"),
    ("emoji", b"\xf0\x9f\x98\x80"), ("bounds3", b"\xe0\xa0\x80\xef\xbf\xbf"),
    ("bounds4", b"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"),
    ("surr_edges", b"\xed\x9f\xbf\xee\x80\x80"), ("nul", b"\x00A\x00"),
    ("c080", b"\xc0\x80"), ("c1bf", b"\xc1\xbf"), ("e08080", b"\xe0\x80\x80"),
    ("e09fbf", b"\xe0\x9f\xbf"), ("f0808080", b"\xf0\x80\x80\x80"),
    ("eda080", b"\xed\xa0\x80"), ("edbfbf", b"\xed\xbf\xbf"),
    ("f4908080", b"\xf4\x90\x80\x80"), ("f5", b"\xf5\x80\x80\x80"),
    ("ff41", b"\xffA"), ("f8", b"\xf8\x88\x80\x80\x80"),
    ("lone_cont", b"\x80\x80A"), ("e282_41", b"\xe2\x82A"),
    ("f09f98_41", b"\xf0\x9f\x98A"), ("e2_c3a9", b"\xe2\xc3\xa9"),
    ("table3_8", b"\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80\x63\x80\xbf\x64"),
    ("incomplete_tail", b"A\xe2\x82"), ("f09f98", b"\xf0\x9f\x98"),
    ("e080", b"\xe0\x80"), ("eda0", b"\xed\xa0"), ("f490", b"\xf4\x90"),
]


def utf8_seeds():
    s = {}
    for name, data in SPEC_71:
        s[f"ops_spec71_{name}"] = u_ops(16, u_raw(data), u_read_all(0),
                                        u_raw(data), u_read_all(2),
                                        u_raw(data), u_read_all(1))
    s["ops_full_ring_flush_cap2"] = u_ops(2, u_raw(b"\xe2\x82"), u_read_all())
    s["ops_full_ring_flush_cap3"] = u_ops(3, u_raw(b"\xf0\x9f\x98"),
                                          u_read_all())
    s["ops_not_at_offset0_cap3"] = u_ops(3, u_raw(b"A\xe2\x82"),
                                         u_read_all())
    s["ops_limits"] = u_ops(16, u_raw(b"A\xe2\x82\xacB"),
                            u_read_small(16, 3), u_read_small(16, 4),
                            u_raw(b"\xe2\x82A"), u_read_small(16, 2),
                            u_raw(b"\xe2\x82\xac"), u_read_small(2, 16),
                            u_read_small(0, 16), u_read_small(3, 16, 2),
                            u_raw(b"A\xc3"), u_read_small(16, 16, 4),
                            u_read_all(4 | 2))
    s["ops_nul_out_cap"] = u_ops(8, u_raw(b"\x00"), u_read_small(1, 16, 1),
                                 u_read_small(2, 16, 1))
    s["ops_null_out"] = u_ops(8, u_raw(b"AB"), u_read_small(3, 9, 0, True),
                              u_read_small(0, 9, 0, True))
    # losses, then resync (SPEC 7.1 rows 42-50)
    s["ops_lost_resync"] = u_ops(4, u_raw(b"ABCD"), u_lose(b"\x80\x80A"),
                                 u_read_all())
    s["ops_lost_three_max"] = u_ops(5, u_raw(b"zzzzz"),
                                    u_lose(b"\x80\x80\x80\x80A"),
                                    u_read_all())
    s["ops_lost_max_in"] = u_ops(3, u_raw(b"zzz"), u_lose(b"\x80\x80A"),
                                 u_read_small(9, 1))
    s["ops_lost_out_cap0"] = u_ops(3, u_raw(b"zzz"), u_lose(b"\x80\x80A"),
                                   u_read_small(0, 9))
    s["ops_lost_only_continuations"] = u_ops(2, u_lose(b"\x80\x80\x80"),
                                             u_read_all())
    s["ops_lost_then_incomplete"] = u_ops(3, u_raw(b"z"),
                                          u_lose(b"zz\x80\xe2\x82"),
                                          u_read_all())
    s["ops_qemu_buff"] = u_ops(2, u_lose(b"buff"), u_read_all())
    # positioned reads (SPEC 8.2): inside characters, behind start, at and
    # past end, limits, NULL out, a wrapped ring
    s["ops_positions"] = u_ops(
        16, u_raw(b"zzzzzzzzzz"), u_rawread(7),
        u_raw(b"\x41\xe2\x82\xac\x42\xc3\xa9\x80\x43"),
        u_at(pos("stored", 0), 31), u_at(pos("stored", 3), 31),
        u_at(pos("stored", 4), 31), u_at(pos("stored", 9), 31),
        u_at(pos("stored", 10), 31), u_at(pos("stored", 4), 31, 1),
        u_at(pos("stored", 3), 2, 9), u_at(pos("end"), 9, 9),
        u_at(pos("past", 0), 9, 9), u_at(pos("stored", 4), 0, 9, 0, True),
        u_at(pos("stored", 1), 0, None, 0, False, True),
        u_lose(b"\xf0\x9f\x98\x80\x41\xe2\x82\xac\x42\x43\x44\x45\x46"
               b"\x47\x48\x49\xf0\x9f"),
        u_at(pos("behind", 1), 31), u_at(pos("start"), 31),
        u_at(pos("stored", 1), 31), u_at(pos("newest", 1), 31, 9, 2),
        u_at(pos("newest", 1), 31, 9), u_at(pos("zero"), 31, 2))
    s["ops_discard_then_read"] = u_ops(8, u_raw(b"\xe2\x82\xac\xe2\x82\xac"),
                                       u_discard(1), u_read_all(),
                                       u_raw(b"\xc3\xa9\xc3"), u_rawread(1),
                                       u_read_all(2))
    s["ops_drop_new_loss"] = u_ops(4, u_raw(b"\xe2\x82\xac"),
                                   u_raw(b"\x80\x80", DROP_NEW),
                                   u_read_all())
    s["ops_text_writes"] = u_ops(64, bytes([1, 0x78]) + b"\x01\x05\x10" * 5,
                                 u_read_small(5, 5), u_read_all(1))
    # mode 1: valid text streamed through small rings
    edges = [cp_edge(i) for i in range(16)]
    s["text_edges_cap4"] = u_text(4, edges, schedule=b"\x03\x05\x04" * 30)
    s["text_edges_nul_cap5"] = u_text(5, edges, nul=True,
                                      schedule=b"\x05\x02\x07" * 30)
    s["text_ascii_cap7"] = u_text(7, [cp_ascii(ch) for ch in "hello, ring"],
                                  schedule=b"\x02\x01\x01" * 10)
    s["text_mixed_cap16"] = u_text(16, [b"\x01\x22", b"\x02\x30\x01",
                                        b"\x03\x00\x10\x00", b"\x06"] * 8)
    # mode 2: raw bytes, split vs whole
    s["split_table3_8_cap4"] = u_split(4, SPEC_71[23][1],
                                       schedule=b"\x01\x04\x04" * 20)
    s["split_all_spec71_cap5"] = u_split(5, b"".join(d for _, d in SPEC_71),
                                         schedule=b"\x03\x07\x05" * 80)
    s["split_valid_utf8_cap6"] = u_split(
        6, "ça coûte 10 € 😀 ✓".encode("utf-8"),
        schedule=b"\x02\x03\x06" * 20)
    s["split_nul_cap4"] = u_split(4, b"\x00a\x00\xc0\x80", nul=True,
                                  schedule=b"\x01\x02\x02" * 10)
    return s


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    total = 0
    for sub, seeds in (("ring", ring_seeds()), ("utf8", utf8_seeds())):
        d = os.path.join(outdir, sub)
        os.makedirs(d, exist_ok=True)
        for name, data in sorted(seeds.items()):
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
            total += 1
    print(f"gen_corpus: {total} seeds in {outdir}")


if __name__ == "__main__":
    main()
