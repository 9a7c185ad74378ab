#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent oracle for cirmem_read_utf8() (part of `make test`).

The expected output is computed by CPython's UTF-8 decoder, not by any C
code of this project: `bytes.decode('utf-8', 'replace')` gives the text,
and the same decoder with a recording error handler gives where each
maximal invalid subpart starts and ends (the "units" of SPEC.md §7).  On
top of that, only the rules SPEC.md §7 adds to plain decoding:

  * step 1: after a loss, up to 3 leading continuation bytes (80..BF)
    are skipped silently;
  * an incomplete character at the end (a proper prefix of the encoding
    of some scalar value, computed here from every code point) stays in
    the ring, unless FLUSH is given or it is the whole contents of a full
    ring (offset 0, used == cap);
  * 00 is written as C0 80 under CIRMEM_UTF8_NUL_AS_C0_80;
  * a unit is taken only if it fits both max_in and out_cap.

The library under test is build/libcirmem.so, called through ctypes.
Cases: every byte string of length 0..2 (length 0..1 under all 16
configurations below, length 2 under 4 of them, every flag combination),
every string of length 3 (4 configurations each) and 4 (one, in turn)
over 25 representatives (the first and last byte of each class of the
decoder: 00, 01, 7F, 80, 8F, 90, 9F, A0, BF, C0, C1, C2, DF, E0, E1, EC,
ED, EE, EF, F0, F1, F3, F4, F5, FF), seeded random streams, and every
file of fuzz/corpus/ and fuzz/regressions/ taken as a byte stream; each
under both flags, with and without a preceding loss, in a full and a
non-full ring, at a head position that wraps the contents.  For random
streams and seeds, a first read is limited at every split point (max_in,
then out_cap) and checked exactly; a second read takes the rest and the
two outputs together must equal the whole decode.

Usage: utf8_oracle.py [--lib build/libcirmem.so] [--root .] [--quick]
Exit status 0 when every case agrees, 1 on the first disagreement (the
case is printed in full), 2 on bad usage or a missing library.
"""
import argparse
import codecs
import ctypes
import itertools
import os
import random
import sys

NUL = 1 << 0    # CIRMEM_UTF8_NUL_AS_C0_80
FLUSH = 1 << 1  # CIRMEM_UTF8_FLUSH
OVERWRITE, DROP_NEW, BOUNDED = 0, 1, 2
BIG = 1 << 40   # "unlimited" max_in / out_cap

REPS = [0x00, 0x01, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
        0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3,
        0xF4, 0xF5, 0xFF]


class Disagree(Exception):
    pass


# ---- the oracle: CPython's decoder plus the rules of SPEC.md §7 --------

def proper_prefixes():
    """Every proper prefix (1..3 bytes) of the UTF-8 encoding of a scalar
    value: exactly the byte strings that are an incomplete character."""
    pre = set()
    for cp in itertools.chain(range(0x80, 0xD800), range(0xE000, 0x110000)):
        e = chr(cp).encode("utf-8")
        for j in range(1, len(e)):
            pre.add(e[:j])
    return pre


PREFIXES = proper_prefixes()
_spans = []


def _record(err):
    _spans.append((err.start, err.end))
    return ("\ufffd", err.end)


codecs.register_error("cirmem-oracle-record", _record)


def units(data, nul):
    """[(input length, output bytes)] of each unit of data, decoded as
    complete (final) data, segmented by CPython's decoder."""
    del _spans[:]
    text = data.decode("utf-8", "cirmem-oracle-record")
    if text != data.decode("utf-8", "replace"):
        raise AssertionError("recording handler differs from 'replace'")
    spans = list(_spans)
    out, pos, si = [], 0, 0
    for ch in text:
        if si < len(spans) and spans[si][0] == pos:
            start, end = spans[si]
            si += 1
            out.append((end - start, b"\xef\xbf\xbd"))
            pos = end
            continue
        enc = ch.encode("utf-8")
        if data[pos:pos + len(enc)] != enc:
            raise AssertionError("segmentation lost its place at %d" % pos)
        out.append((len(enc), b"\xc0\x80" if nul and enc == b"\x00"
                    else enc))
        pos += len(enc)
    if pos != len(data) or si != len(spans):
        raise AssertionError("segmentation does not cover the data")
    return out


def expect(c, lost, full, flags, max_in=BIG, out_cap=BIG):
    """(output, consumed) that SPEC.md §7 prescribes for contents c."""
    skip = 0
    if lost:
        while skip < 3 and skip < len(c) and 0x80 <= c[skip] <= 0xBF:
            skip += 1
    if max_in <= skip:
        return b"", max_in
    d = c[skip:]
    tail = 0
    for j in (3, 2, 1):
        if j <= len(d) and d[len(d) - j:] in PREFIXES:
            tail = j
            break
    whole_full = full and skip == 0 and tail == len(d)
    if tail and not (flags & FLUSH) and not whole_full:
        d = d[:len(d) - tail]
    out, cons = b"", skip
    for n_in, o in units(d, flags & NUL):
        if cons + n_in > max_in or len(out) + len(o) > out_cap:
            break
        out += o
        cons += n_in
    return out, cons


def self_check():
    """The oracle itself against rows of SPEC.md §7.1 and Unicode
    table 3-8 (one U+FFFD per maximal subpart)."""
    R = "efbfbd"
    rows = [  # (lost, full, contents, flags, max_in, out_cap, out, consumed)
        (0, 0, "61f18080e180c262806380bf64", 0, BIG, BIG,
         "61" + R * 3 + "62" + R + "63" + R * 2 + "64", 13),
        (0, 0, "c080", NUL, BIG, BIG, R * 2, 2),
        (0, 0, "004100", NUL, BIG, BIG, "c08041c080", 3),
        (0, 0, "00", NUL, BIG, 1, "", 0),
        (0, 0, "e08080", 0, BIG, BIG, R * 3, 3),
        (0, 0, "eda0", 0, BIG, BIG, R * 2, 2),
        (0, 0, "f490", 0, BIG, BIG, R * 2, 2),
        (0, 0, "41e282", 0, BIG, BIG, "41", 1),
        (0, 0, "41e282", FLUSH, BIG, BIG, "41" + R, 3),
        (0, 1, "e282", 0, BIG, BIG, R, 2),
        (0, 1, "41e282", 0, BIG, BIG, "41", 1),
        (0, 0, "41e282ac42", 0, 3, BIG, "41", 1),
        (0, 0, "e28241", 0, 2, BIG, R, 2),
        (0, 0, "e282", FLUSH, 1, BIG, "", 0),
        (0, 0, "4180", 0, BIG, 3, "41", 1),
        (1, 0, "808041", 0, BIG, BIG, "41", 3),
        (1, 0, "98bf80", 0, BIG, BIG, "", 3),
        (1, 0, "8080808041", 0, BIG, BIG, R + "41", 5),
        (1, 0, "808041", 0, 1, BIG, "", 1),
        (1, 0, "808041", 0, BIG, 0, "", 2),
        (1, 1, "80e282", 0, BIG, BIG, "", 1),
        (1, 0, "4180", 0, BIG, BIG, "41" + R, 2),
    ]
    for lost, full, c, fl, mi, oc, want, wc in rows:
        got = expect(bytes.fromhex(c), lost, full, fl, mi, oc)
        if got != (bytes.fromhex(want), wc):
            raise AssertionError("oracle disagrees with SPEC.md §7.1 on %s: "
                                 "%r" % (c, got))


# ---- the library through ctypes ----------------------------------------

class Lib:
    def __init__(self, path):
        L = ctypes.CDLL(path)
        P, S = ctypes.c_void_p, ctypes.c_size_t
        sig = {
            "cirmem_init": (ctypes.c_int, [P, P, S]),
            "cirmem_write": (S, [P, P, S, ctypes.c_int]),
            "cirmem_read": (S, [P, P, S]),
            "cirmem_discard": (S, [P, S]),
            "cirmem_used": (S, [P]),
            "cirmem_capacity": (S, [P]),
            "cirmem_peek": (S, [P, S, P, S]),
            "cirmem_data_lost": (ctypes.c_bool, [P]),
            "cirmem_bytes_read": (ctypes.c_uint64, [P]),
            "cirmem_bytes_dropped": (ctypes.c_uint64, [P]),
            "cirmem_invariant": (ctypes.c_bool, [P]),
            "cirmem_read_utf8": (S, [P, P, S, S, ctypes.c_uint,
                                     ctypes.POINTER(S)]),
        }
        for name, (res, args) in sig.items():
            f = getattr(L, name)
            f.restype, f.argtypes = res, args
            setattr(self, name[len("cirmem_"):], f)
        # The struct is opaque here: 256 8-byte-aligned bytes hold it.
        self.ring = (ctypes.c_uint64 * 32)()

    def setup(self, c, cap, head, lost):
        """A ring of capacity cap whose oldest byte sits at storage index
        head, holding exactly c, with the lost flag as asked."""
        r = self.ring
        self.store = (ctypes.c_uint8 * cap)()
        if self.init(r, self.store, cap) != 0:
            raise Disagree("init(%d) failed" % cap)
        if head:
            junk = (ctypes.c_uint8 * head)()
            if self.write(r, bytes(head), head, BOUNDED) != head or \
                    self.read(r, junk, head) != head:
                raise Disagree("could not move head to %d" % head)
        if lost:
            if len(c) < cap:
                self.write(r, b"\x55" + c, len(c) + 1, BOUNDED)
                self.discard(r, 1)
            else:
                self.write(r, b"\x55" + c, len(c) + 1, OVERWRITE)
        elif c:
            self.write(r, c, len(c), BOUNDED)
        got = (ctypes.c_uint8 * max(1, len(c)))()
        n = self.peek(r, 0, got, len(c)) if c else 0
        if (n != len(c) or bytes(got)[:n] != c or
                bool(self.data_lost(r)) != bool(lost) or
                self.used(r) != len(c) or not self.invariant(r)):
            raise Disagree("setup of %s (cap %d head %d lost %d) did not "
                           "give that ring" % (c.hex(), cap, head, lost))

    def utf8(self, max_in, out_cap, flags):
        """One call with an output buffer of exactly out_cap bytes (or of
        the most the call can write), filled with a canary that must
        survive past the result."""
        r = self.ring
        size = out_cap if out_cap < BIG else 3 * self.used(r)
        buf = (ctypes.c_uint8 * max(size, 1))()
        ctypes.memset(buf, 0xCD, max(size, 1))  # canary past the result
        cons = ctypes.c_size_t(0xDEAD)
        n = self.read_utf8(r, buf, out_cap, max_in, flags,
                           ctypes.byref(cons))
        if n > size:
            raise Disagree("produced %d > %d" % (n, size))
        tail = bytes(buf)[n:size]
        if tail != b"\xcd" * len(tail):
            raise Disagree("wrote past its result of %d bytes (buffer %d)"
                           % (n, size))
        return bytes(buf)[:n], cons.value


def describe(c, cap, head, lost, flags, max_in, out_cap):
    def lim(v):
        return "inf" if v >= BIG else str(v)
    return ("contents %s cap %d head %d lost %d flags %s max_in %s "
            "out_cap %s" % (c.hex() or "(empty)", cap, head, lost,
                            "|".join(n for b, n in ((NUL, "NUL"),
                                                    (FLUSH, "FLUSH"))
                                     if flags & b) or "0",
                            lim(max_in), lim(out_cap)))


class Runner:
    def __init__(self, lib):
        self.lib = lib
        self.cases = 0

    def one(self, c, cap, head, lost, flags, max_in=BIG, out_cap=BIG):
        """A single call checked against the oracle; returns its result."""
        lib = self.lib
        lib.setup(c, cap, head, lost)
        want = expect(c, lost, len(c) == cap, flags, max_in, out_cap)
        read0 = lib.bytes_read(lib.ring)
        drop0 = lib.bytes_dropped(lib.ring)
        try:
            got = lib.utf8(max_in, out_cap, flags)
        except Disagree as e:
            raise Disagree("%s: %s" % (describe(c, cap, head, lost, flags,
                                                max_in, out_cap), e))
        self.cases += 1
        if got != want:
            raise Disagree("%s: cirmem %s consumed %d, oracle %s consumed %d"
                           % (describe(c, cap, head, lost, flags, max_in,
                                       out_cap), got[0].hex() or "-",
                              got[1], want[0].hex() or "-", want[1]))
        r = lib.ring
        if (lib.used(r) != len(c) - got[1] or
                lib.bytes_read(r) != read0 + got[1] or
                lib.bytes_dropped(r) != drop0 or
                bool(lib.data_lost(r)) != (bool(lost) and got[1] == 0) or
                not lib.invariant(r)):
            raise Disagree("%s: ring state after the call (used %d, lost %d)"
                           % (describe(c, cap, head, lost, flags, max_in,
                                       out_cap), lib.used(r),
                              lib.data_lost(r)))
        return got

    def configs(self, c):
        """(cap, head, lost, flags): full and not full, both flags, with
        and without loss, the contents wrapping where they can."""
        for full in (True, False):
            cap = max(len(c), 1) if full else len(c) + 5
            head = (cap - len(c) // 2) % cap if c else cap // 2
            for lost in (0, 1):
                for flags in (0, NUL, FLUSH, NUL | FLUSH):
                    yield cap, head, lost, flags

    def whole(self, c):
        for cap, head, lost, flags in self.configs(c):
            self.one(c, cap, head, lost, flags)

    def whole_some(self, c, k, every):
        """Configurations k, k + every, ... of the 16 (each flag
        combination when every divides 4)."""
        cfg = list(self.configs(c))
        for i in range(k % every, len(cfg), every):
            self.one(c, *cfg[i])

    def splits(self, c, k):
        """A first call limited at every point, then the rest."""
        cfg = list(self.configs(c))
        for limit_out in (False, True):
            whole = None
            top = len(c) if not limit_out else 3 * len(c)
            for i in range(top + 1):
                cap, head, lost, flags = cfg[(k + i) % len(cfg)]
                flags |= FLUSH  # so the rest decodes completely
                if whole is None or whole[0] != (cap, head, lost, flags):
                    self.lib.setup(c, cap, head, lost)
                    whole = ((cap, head, lost, flags),
                             self.lib.utf8(BIG, BIG, flags))
                mi, oc = (BIG, i) if limit_out else (i, BIG)
                first = self.one(c, cap, head, lost, flags, mi, oc)
                # the rest, checked on its own: a first call that
                # consumed a byte cleared the lost flag, so a loss-skip
                # cut short by max_in is not resumed (SPEC.md §7 step 3)
                lost2 = lost if first[1] == 0 else 0
                rest = self.lib.utf8(BIG, BIG, flags)
                self.cases += 1
                want = expect(c[first[1]:], lost2, False, flags)
                if rest != want:
                    raise Disagree("%s: second read gave %s consumed %d, "
                                   "oracle %s consumed %d" % (
                                       describe(c, cap, head, lost, flags,
                                                mi, oc), rest[0].hex(),
                                       rest[1], want[0].hex(), want[1]))
                if lost:
                    continue
                # without a loss, split decoding equals whole decoding
                if first[0] + rest[0] != whole[1][0] or \
                        first[1] + rest[1] != len(c):
                    raise Disagree("%s: split read %s + %s != whole %s" % (
                        describe(c, cap, head, lost, flags, mi, oc),
                        first[0].hex(), rest[0].hex(), whole[1][0].hex()))


def corpus_files(root):
    out = []
    for top in ("fuzz/corpus", "fuzz/regressions"):
        base = os.path.join(root, top)
        if not os.path.isdir(base):
            continue
        for h in sorted(os.listdir(base)):
            d = os.path.join(base, h)
            if not os.path.isdir(d):
                continue
            for f in sorted(os.listdir(d)):
                if not f.startswith(".") and not f.startswith("README"):
                    out.append(os.path.join(d, f))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", default="build/libcirmem.so")
    ap.add_argument("--root", default=".",
                    help="repository root (for fuzz/corpus)")
    ap.add_argument("--seed-split-bytes", type=int, default=256,
                    help="split every seed's first N bytes at every point "
                    "(the whole seed is always decoded in one call)")
    args = ap.parse_args()
    if not os.path.exists(args.lib):
        print("utf8_oracle: %s not found (make lib)" % args.lib)
        return 2
    self_check()
    lib = Lib(os.path.abspath(args.lib))
    run = Runner(lib)
    try:
        for n in range(2):
            for t in itertools.product(range(256), repeat=n):
                run.whole(bytes(t))
        # 2 bytes: every string, all four flag combinations, the loss
        # and full/non-full configurations in turn
        for k, t in enumerate(itertools.product(range(256), repeat=2)):
            run.whole_some(bytes(t), k, 4)
        short = run.cases
        for n, every in ((3, 4), (4, 16)):
            for k, t in enumerate(itertools.product(REPS, repeat=n)):
                run.whole_some(bytes(t), k, every)
        reps = run.cases - short
        rng = random.Random(17)
        pool = REPS + [0x41, 0x0A, 0xE2, 0x82, 0xAC, 0xC3, 0xA9]
        for s in range(300):
            n = rng.randrange(1, 48)
            c = bytes(rng.choice(pool) if rng.random() < 0.8
                      else rng.randrange(256) for _ in range(n))
            run.whole(c)
            run.splits(c, s)
        rand = run.cases - short - reps
        files = corpus_files(args.root)
        if not files:
            print("utf8_oracle: no fuzz corpus under %s" % args.root)
            return 2
        for i, f in enumerate(files):
            with open(f, "rb") as fh:
                c = fh.read()
            run.whole(c)
            run.splits(c[:args.seed_split_bytes], i)
        seeds = run.cases - short - reps - rand
    except Disagree as e:
        print("utf8_oracle: FAIL after %d agreeing cases: %s" %
              (run.cases, e))
        return 1
    print("utf8_oracle: %d cases agree with CPython's decoder: %d for every "
          "string of 0..2 bytes, %d over representatives of 3..4 bytes, "
          "%d random streams (300, split at every point), %d from %d "
          "corpus/regression files" % (run.cases, short, reps, rand, seeds,
                                        len(files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
