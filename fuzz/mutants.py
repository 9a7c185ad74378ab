#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Mutation check of the test and fuzz suites (`make mutants`).

Plants one realistic bug at a time in core/ of a SCRATCH COPY of the tree
(build/mutants/tree; the real core/ is never written, and its hash is
checked at the end), then for each mutant:

  1. builds the unit tests (`make test-bins`); a mutant that does not
     compile is invalid and fails the run (it would prove nothing);
  2. runs `make test` (cmocka) in the scratch copy;
  3. builds both libFuzzer harnesses from the scratch sources, replays the
     seed corpus and fuzz/regressions/, and if that does not kill it, runs
     each harness for --fuzz-seconds on a fresh copy of the seeds.

Prints mutant -> killed by.  Exit status 1 if any mutant survives both the
tests and the fuzzers, or if a snippet no longer matches core/ (update the
table below when core/ changes).  Every mutant was chosen to be
non-equivalent: each changes some observable result for some input (the
comment after it says which); none is counted twice.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
C = "core/cirmem.c"
U = "core/cirmem_utf8.c"

# (id, file, original snippet (must occur exactly once), replacement, what)
MUTANTS = [
    ("sat_wrap", C,
     "return n > UINT64_MAX - c ? UINT64_MAX : c + n;", "return c + n;",
     "counters wrap instead of saturating"),
    ("index_off_by_one", C,
     "return i < cap - head ? head + i : i - (cap - head);",
     "return i <= cap - head ? head + i : i - (cap - head);",
     "ring_index gives cap for the first wrapped offset (spans break)"),
    ("ow_keep_one_more", C,
     "size_t keep = min_size(r->used, r->cap - m);",
     "size_t keep = min_size(r->used, r->cap - m + 1);",
     "OVERWRITE keeps one old byte too many (used > cap)"),
    ("ow_skip_not_dropped", C,
     "count_dropped(r, d + skip);", "count_dropped(r, d);",
     "OVERWRITE n > cap: skipped input not counted dropped"),
    ("ow_keeps_oldest_input", C,
     "ring_append(r, src + skip, m);", "ring_append(r, src, m);",
     "OVERWRITE n > cap keeps the oldest input bytes"),
    ("ow_written_m", C,
     "r->written = sat_add(r->written, n);\n    count_dropped(r, d + skip);",
     "r->written = sat_add(r->written, m);\n    count_dropped(r, d + skip);",
     "OVERWRITE counts only the kept bytes as written"),
    ("dropnew_no_lost", C,
     "        count_dropped(r, n - k);",
     "        r->dropped = sat_add(r->dropped, n - k);",
     "DROP_NEW refusal does not set the lost flag"),
    ("bounded_returns_n", C,
     "        return n;\n    }\n    r->written = sat_add(r->written, k);\n"
     "    return k;\n}",
     "        return n;\n    }\n    r->written = sat_add(r->written, k);\n"
     "    return n;\n}",
     "BOUNDED returns n instead of the bytes taken"),
    ("fit_not_counted", C,
     "    r->used = used + n;\n    r->written = sat_add(r->written, n);",
     "    r->used = used + n;",
     "a write that fits in the free space is not counted as written"),
    ("unknown_mode_as_dropnew", C,
     "if (mode == CIRMEM_DROP_NEW) {", "if (mode != CIRMEM_BOUNDED) {",
     "unknown modes behave as DROP_NEW"),
    ("peek_ignores_offset", C,
     "k = min_size(n, r->used - offset);", "k = min_size(n, r->used);",
     "peek clamps without the offset (reads past the contents)"),
    ("few_read_past_used", C,
     "if (0 < n && n <= COPY_SMALL && n <= r->used &&",
     "if (0 < n && n <= COPY_SMALL &&",
     "a few-bytes read returns n bytes when fewer are stored"),
    ("small_copy_tail_short", C,
     "copy_block(dst, src, n - 16, 16);", "copy_block(dst, src, n - 17, 16);",
     "a 17..64-byte copy leaves its last byte uncopied"),
    ("small_copy_no_middle", C,
     "            copy_block(dst, src, n - 32, 16);\n", "",
     "a 33..64-byte copy skips the block at n - 32"),
    ("tiny_copy_no_last", C,
     "            copy_block(dst, src, n - 1, 1);\n", "",
     "a 3-byte copy leaves its last byte uncopied"),
    ("copy8_no_tail", C,
     "        copy_block(dst, src, n - 8, 8);\n", "",
     "a 9..16-byte copy copies only its first 8 bytes"),
    ("copy4_no_tail", C,
     "        copy_block(dst, src, n - 4, 4);\n", "",
     "a 5..7-byte copy copies only its first 4 bytes"),
    ("few_read_head_reaches_cap", C,
     "n <= r->used && n < r->cap - r->head) {",
     "n <= r->used && n <= r->cap - r->head) {",
     "a few-bytes read that ends at the storage end leaves head == cap"),
    ("full_few_head_reaches_cap", C,
     "n <= COPY_SMALL && n < r->cap - r->head) {\n            return overwrite_few",
     "n <= COPY_SMALL && n <= r->cap - r->head) {\n            return overwrite_few",
     "a few-bytes overwrite of a full ring that ends at the storage end "
     "leaves head == cap"),
    ("full_few_head_stays", C,
     "    copy_small(r->buf + head, src, n);\n    r->head = head + n;",
     "    copy_small(r->buf + head, src, n);\n    r->head = head;",
     "a few-bytes overwrite of a full ring keeps the overwritten bytes "
     "as the oldest"),
    ("full_few_not_dropped", C,
     "    r->written = sat_add(r->written, n);\n    count_dropped(r, n);",
     "    r->written = sat_add(r->written, n);\n    r->lost = true;",
     "a few-bytes overwrite of a full ring does not count the overwritten "
     "bytes as dropped"),
    ("full_few_when_not_full", C,
     "if (r->used == r->cap && n <= COPY_SMALL",
     "if (r->used + 1 >= r->cap && n <= COPY_SMALL",
     "the full-ring overwrite path runs when one byte is still free"),
    ("read0_clears_lost", C,
     "    if (n > 0) {\n        r->lost = false;\n    }",
     "    r->lost = false;",
     "an empty read clears the lost flag"),
    ("drop0_sets_lost", C,
     "    if (n > 0) {\n        r->lost = true;\n    }",
     "    r->lost = true;",
     "dropping 0 bytes sets the lost flag"),
    ("discard_counts_request", C,
     "    ring_advance(r, k);\n    count_dropped(r, k);",
     "    ring_advance(r, k);\n    count_dropped(r, n);",
     "discard counts the requested n as dropped"),
    ("clear_forgets_accounting", C,
     "(void)cirmem_discard(r, r->used);", "r->used = 0;",
     "clear empties without counting dropped / setting lost"),
    ("read_span_no_wrap_stop", C,
     "*len = min_size(r->used - offset, r->cap - pos);",
     "*len = r->used - offset;",
     "read_span runs past the end of the storage"),
    ("write_span_past_oldest", C,
     "*len = min_size(r->cap - r->used, r->cap - pos);",
     "*len = r->cap - pos;",
     "write_span runs over the oldest bytes"),
    ("commit_clamps_to_cap", C,
     "size_t k = min_size(n, r->cap - r->used);\n\n    r->used += k;",
     "size_t k = min_size(n, r->cap);\n\n    r->used += k;",
     "commit clamps to the capacity, not the free space"),
    ("invariant_head_eq_cap", C,
     "r->head >= r->cap", "r->head > r->cap",
     "invariant accepts head == cap"),
    ("invariant_wrapping_sum", C,
     "return r->read <= r->written && r->dropped <= r->written - r->read &&\n"
     "           r->used == r->written - r->read - r->dropped;",
     "return r->written == r->read + r->dropped + r->used;",
     "invariant accepts a sum that matches only modulo 2^64"),
    ("init_rejects_max", C,
     "if (capacity == 0 || capacity > CIRMEM_CAPACITY_MAX) {",
     "if (capacity == 0 || capacity >= CIRMEM_CAPACITY_MAX) {",
     "init rejects CIRMEM_CAPACITY_MAX itself"),
    ("init_keeps_lost", C,
     "    r->lost = false;\n    return CIRMEM_OK;", "    return CIRMEM_OK;",
     "init leaves the lost flag as it was"),
    ("utf8_c0_c1_leads", U,
     "if (b >= 0xC2 && b <= 0xDF) {", "if (b >= 0xC0 && b <= 0xDF) {",
     "C0/C1 accepted as lead bytes (overlong C0 80 passes)"),
    ("utf8_f5_f7_leads", U,
     "if (b >= 0xF0 && b <= 0xF4) {", "if (b >= 0xF0 && b <= 0xF7) {",
     "F5..F7 accepted as lead bytes"),
    ("utf8_e0_overlong", U,
     "return b == 0xE0 ? 0xA0 :", "return b == 0xE0 ? 0x80 :",
     "E0 80..9F (3-byte overlongs) accepted"),
    ("utf8_surrogates", U,
     "b == 0xED ? 0x9F :", "b == 0xED ? 0xBF :",
     "surrogates ED A0..BF accepted"),
    ("utf8_above_10ffff", U,
     "b == 0xF4 ? 0x8F :", "b == 0xF4 ? 0xBF :",
     "F4 90..BF (> U+10FFFF) accepted"),
    ("utf8_reads_past_end", U,
     "if (j == n - o) {", "if (j > n - o) {",
     "classify reads one byte past the data instead of 'incomplete'"),
    ("utf8_full_ring_any_offset", U,
     "if (!flush && !(at == 0 && whole)) {",
     "if (!flush && !whole) {",
     "full-ring flush also when the incomplete unit is not at offset 0"),
    ("utf8_resync_four", U,
     "while (k < 3 && k < n && k < max_in) {",
     "while (k < 4 && k < n && k < max_in) {",
     "resync skips up to 4 continuation bytes"),
    ("utf8_resync_any_high", U,
     "if (b < 0x80 || b > 0xBF) {", "if (b < 0x80) {",
     "resync skips lead bytes too"),
    ("utf8_resync_ignores_max_in", U,
     "while (k < 3 && k < n && k < max_in) {",
     "while (k < 3 && k < n && k <= max_in) {",
     "resync may consume one byte beyond max_in"),
    ("utf8_max_in_off_by_one", U,
     "if (len > max_in - at ||", "if (len >= max_in - at ||",
     "a unit that exactly fits max_in is refused"),
    ("utf8_out_cap_uses_in_len", U,
     "out_len > out_cap - done", "len > out_cap - done",
     "output room checked with the input length (U+FFFD overflows)"),
    ("utf8_nul_counted_one", U,
     "out_len = 2;", "out_len = 1;",
     "C0 80 written but counted as 1 byte"),
    ("utf8_fffd_typo", U,
     "replacement_char[4] = { 0xEF, 0xBF, 0xBD, 0 };",
     "replacement_char[4] = { 0xEF, 0xBF, 0xBF, 0 };",
     "replacement character written as U+FFFF"),
    ("utf8_second_span_offset", U,
     "p2 = cirmem_read_span(r, n1, &n2);", "p2 = cirmem_read_span(r, 0, &n2);",
     "second span taken at offset 0 (wrapped data reads the first again)"),
    ("utf8_span_boundary", U,
     "return i < n1 ? p1[i] : p2[i - n1];",
     "return i <= n1 ? p1[i] : p2[i - n1];",
     "byte at the span boundary read from the first span"),
    ("utf8_consume_as_discard", U,
     "(void)cirmem_consume(r, in);", "(void)cirmem_discard(r, in);",
     "decoded bytes counted as dropped, lost set"),
    ("ascii_run_takes_0x80", U,
     "if (b < lo || b > 0x7F) {", "if (b < lo || b > 0x80) {",
     "the ASCII run copies a lone 0x80 byte instead of U+FFFD"),
    ("ascii_run_nul_raw", U,
     "uint8_t lo = m ? 1 : 0;", "uint8_t lo = m ? 0 : 0;",
     "the ASCII run copies 00 as it is under CIRMEM_UTF8_NUL_AS_C0_80"),
    ("ascii_run_past_max_in", U,
     "lim = (lim < max_in ? lim : max_in) - at;", "lim = lim - at;",
     "the ASCII run consumes more than max_in bytes"),
    ("ascii_run_past_out_cap", U,
     "size_t room = out_cap - done < lim ? out_cap - done : lim;",
     "size_t room = out_cap - done < lim ? lim : lim;",
     "the ASCII run writes past out_cap"),
    ("ascii_run_across_spans", U,
     "size_t lim = at < n1 ? n1 : n;", "size_t lim = n;",
     "the ASCII run reads the first span past its end"),
]

NICE = ["nice", "-n", "10"]


def run(cmd, cwd, timeout, log):
    """Run cmd, output appended to log; returns the exit status (124 on
    timeout)."""
    with open(log, "ab") as f:
        f.write(("\n$ " + " ".join(cmd) + "\n").encode())
        f.flush()
        try:
            return subprocess.run(NICE + cmd, cwd=cwd, stdout=f,
                                  stderr=subprocess.STDOUT,
                                  timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            f.write(b"\n[timeout]\n")
            return 124


def tree_hash(paths):
    h = hashlib.sha256()
    for p in paths:
        with open(os.path.join(ROOT, p), "rb") as f:
            h.update(p.encode() + b"\0" + f.read())
    return h.hexdigest()


def make_scratch(scratch):
    if os.path.exists(scratch):
        shutil.rmtree(scratch)
    os.makedirs(scratch)
    for d in ("core", "spec", "tests", "fuzz", "proofs", ".ci"):
        if os.path.isdir(os.path.join(ROOT, d)):
            shutil.copytree(os.path.join(ROOT, d), os.path.join(scratch, d))
    shutil.copy2(os.path.join(ROOT, "Makefile"), scratch)


def build_fuzzers(tree, outdir, log, clang):
    os.makedirs(outdir, exist_ok=True)
    for h in ("ring", "utf8"):
        cmd = [clang, "-std=c11", "-g", "-O1",
               "-fsanitize=fuzzer,address,undefined",
               "-fno-sanitize-recover=all", "-Icore", "-Ispec", "-Ifuzz",
               "-o", os.path.join(outdir, "fuzz_" + h), "fuzz/fuzz_%s.c" % h,
               "spec/ref/cirmem_ref.c", "core/cirmem.c", "core/cirmem_utf8.c"]
        if run(cmd, tree, 300, log) != 0:
            return False
    return True


def fuzz_kill(tree, outdir, log, seconds, use_seeds=True):
    """Which fuzz step kills the mutant, or None."""
    for h in ("ring", "utf8") if use_seeds else ():
        b = os.path.join(outdir, "fuzz_" + h)
        dirs = [os.path.join("fuzz/corpus", h)]
        reg = os.path.join("fuzz/regressions", h)
        if os.path.isdir(os.path.join(tree, reg)):
            dirs.append(reg)
        rc = run([b, "-runs=0", "-rss_limit_mb=3072",
                  "-artifact_prefix=" + outdir + "/"] + dirs, tree, 300, log)
        if rc != 0:
            return "seeds(%s)" % h
    if seconds <= 0:
        return None
    for h in ("ring", "utf8"):
        b = os.path.join(outdir, "fuzz_" + h)
        work = tempfile.mkdtemp(dir=outdir)
        t0 = time.time()
        rc = run([b, "-max_total_time=%d" % seconds, "-timeout=10",
                  "-rss_limit_mb=3072", "-max_len=4096",
                  "-dict=fuzz/fuzz_%s.dict" % h,
                  "-artifact_prefix=" + outdir + "/", work] +
                 ([os.path.join("fuzz/corpus", h)] if use_seeds else []),
                 tree, seconds + 120, log)
        shutil.rmtree(work, ignore_errors=True)
        if rc != 0:
            return "fuzz(%s,%.0fs)" % (h, time.time() - t0)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fuzz-seconds", type=int, default=20,
                    help="bounded libFuzzer run per harness when the seeds "
                    "do not kill a mutant (default 20)")
    ap.add_argument("--from-scratch", action="store_true",
                    help="skip the seeds: fuzz each mutant from an empty "
                    "corpus (measures what the fuzzers find on their own)")
    ap.add_argument("--only", default="", help="comma-separated mutant ids")
    ap.add_argument("--clang", default=os.environ.get("CLANG", "clang-14"))
    args = ap.parse_args()

    base = os.path.join(ROOT, "build", "mutants")
    scratch = os.path.join(base, "tree")
    os.makedirs(base, exist_ok=True)
    log = os.path.join(base, "mutants.log")
    open(log, "w").close()
    core_files = [C, U, "core/cirmem.h"]
    before = tree_hash(core_files)

    make_scratch(scratch)
    pristine = {}
    for f in (C, U):
        with open(os.path.join(scratch, f)) as fh:
            pristine[f] = fh.read()

    selected = [m for m in MUTANTS
                if not args.only or m[0] in args.only.split(",")]
    bad = [m[0] for m in selected if pristine[m[1]].count(m[2]) != 1]
    if bad:
        print("mutants: snippet not found exactly once in core/ (update "
              "fuzz/mutants.py): " + ", ".join(bad))
        return 1

    # baseline: the unmutated copy must pass everything
    make = ["make", "--no-print-directory", "-s", "BUILD=build"]
    fz = os.path.join(scratch, "build", "mfuzz")
    print("mutants: baseline (unmutated scratch copy) ...", flush=True)
    if run(make + ["test"], scratch, 600, log) != 0:
        print("mutants: baseline unit tests fail; see " + log)
        return 1
    if not build_fuzzers(scratch, fz, log, args.clang) or \
            fuzz_kill(scratch, fz, log, 0) is not None:
        print("mutants: baseline fuzz replay fails; see " + log)
        return 1

    rows = []
    for mid, f, old, new, what in selected:
        t0 = time.time()
        src = pristine[f].replace(old, new)
        assert os.path.realpath(os.path.join(scratch, f)).startswith(
            os.path.realpath(scratch) + os.sep)
        with open(os.path.join(scratch, f), "w") as fh:
            fh.write(src)
        with open(log, "a") as fh:
            fh.write("\n===== mutant %s (%s)\n" % (mid, what))
        if run(make + ["test-bins"], scratch, 600, log) != 0:
            rows.append((mid, what, "INVALID (does not compile)", "-", 0))
        else:
            t_rc = run(make + ["test"], scratch, 600, log)
            tests = "killed" if t_rc != 0 else "survived"
            if not build_fuzzers(scratch, fz, log, args.clang):
                fuzz = "INVALID (fuzz build)"
            else:
                fuzz = fuzz_kill(scratch, fz, log, args.fuzz_seconds,
                                 not args.from_scratch) or "survived"
            rows.append((mid, what, tests, fuzz, time.time() - t0))
        with open(os.path.join(scratch, f), "w") as fh:
            fh.write(pristine[f])
        r = rows[-1]
        print("  %-28s tests: %-9s fuzz: %-18s (%.0fs)" % (r[0], r[2], r[3],
                                                         r[4]), flush=True)

    after = tree_hash(core_files)
    print("\n| # | mutant | planted bug | unit tests | fuzzers |")
    print("|---|--------|-------------|------------|---------|")
    for i, (mid, what, tests, fuzz, _) in enumerate(rows, 1):
        print("| %d | %s | %s | %s | %s |" % (i, mid, what, tests, fuzz))
    invalid = [r[0] for r in rows if "INVALID" in r[2] or "INVALID" in r[3]]
    alive = [r[0] for r in rows if r[2] == "survived" and r[3] == "survived"]
    fuzz_miss = [r[0] for r in rows if r[3] == "survived"]
    test_miss = [r[0] for r in rows if r[2] == "survived"]
    print("\nmutants: %d planted, %d killed, %d survived, %d invalid" %
          (len(rows), len(rows) - len(alive) - len(invalid), len(alive),
           len(invalid)))
    print("mutants: killed by unit tests %d/%d, by fuzzers %d/%d" %
          (len(rows) - len(test_miss) - len(invalid), len(rows),
           len(rows) - len(fuzz_miss) - len(invalid), len(rows)))
    if test_miss:
        print("mutants: missed by the unit tests: " + ", ".join(test_miss))
    if fuzz_miss:
        print("mutants: missed by the fuzzers: " + ", ".join(fuzz_miss))
    if before != after:
        # This script opens only files under build/mutants/ for writing;
        # a change here is someone editing core/ meanwhile.
        print("mutants: note: the real core/ changed during the run (not by "
              "this script, which writes only under build/mutants/); the "
              "mutants ran on the copy taken at the start")
    else:
        print("mutants: real core/ untouched (sha256 %s...)" % after[:16])
    return 1 if alive or invalid else 0


if __name__ == "__main__":
    sys.exit(main())
