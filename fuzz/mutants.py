#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Mutation check of the test, oracle and fuzz suites (`make mutants`).

Plants one bug at a time in core/ of a SCRATCH COPY of the tree
(build/mutants/tree; the real core/ is never written, and its hash is
checked at the end).  Two sets of mutants:

  * the hand-written table MUTANTS below: realistic bugs, each chosen to
    change some observable result (the comment says which);
  * an automatic operator sweep over the code of core/ (comments and ACSL
    skipped): relational operators (< <= > >= == !=), arithmetic +-1 on
    the value of a return or an assignment, constants +-1, negated if /
    while conditions, deleted statements.  The population is listed in
    full; --sweep-max of it (a fixed-seed sample, the same quota per
    operator) is run, since CPU is scarce.

Each mutant goes through the stages below and stops at the first kill:

  1. cmocka unit tests, built with gcc -O1 ASan+UBSan from prebuilt test
     objects and the mutated core (the binary most likely to fail first
     runs first);
  2. the Python oracle tests/utf8_oracle.py on a shared library built from
     the mutated core;
  3. both libFuzzer harnesses (clang-14, ASan+UBSan): the seeds and
     fuzz/regressions/, then --fuzz-seconds of fuzzing per harness.

A failure counts as a kill only when it is classified from its log as one
of: "cmocka assertion", "model divergence" (a harness FZ_CHECK), "ASan",
"UBSan", "python oracle", "crash" (a signal without sanitizer report) -
and when its input passes on the UNMUTATED build: the failing unit-test
binary or the fuzz artifact is re-run on the baseline build (a failure
there is reported as "not a kill").  Timeouts, libFuzzer timeouts / OOM /
RSS limits and anything unclassified are "undecided", never kills.  A
mutant that does not compile is "stillborn" (not counted).

Output: a line per mutant, then a table, the kill rate and every survivor
(build/mutants/results.md, results.json).  Survivors of the sweep that are
known to be equivalent are listed in EQUIVALENT with the reason.  Exit 1 if
a hand-written mutant survives or is undecided, or a snippet no longer
matches core/.
"""
import argparse
import fcntl
import hashlib
import json
import os
import random
import re
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
     "           r->used == r->written - r->read - r->dropped &&",
     "return r->written == r->read + r->dropped + r->used &&",
     "invariant accepts a sum that matches only modulo 2^64"),
    ("init_rejects_max", C,
     "if (capacity == 0 || capacity > CIRMEM_CAPACITY_MAX) {",
     "if (capacity == 0 || capacity >= CIRMEM_CAPACITY_MAX) {",
     "init rejects CIRMEM_CAPACITY_MAX itself"),
    ("init_keeps_lost", C,
     "    r->lost = false;\n    r->refused = 0;\n    return CIRMEM_OK;",
     "    r->refused = 0;\n    return CIRMEM_OK;",
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
    # ---- classes added for issue 17 ----------------------------------
    ("skip_without_lost_check", U,
     "    if (r->lost) {\n        in = orphan_len(",
     "    if (1) {\n        in = orphan_len(",
     "post-loss skip of continuation bytes also without a loss"),
    ("flush_ignored", U,
     "bool flush = (flags & CIRMEM_UTF8_FLUSH) != 0;", "bool flush = false;",
     "CIRMEM_UTF8_FLUSH ignored"),
    ("third_byte_takes_c0", U,
     "uint8_t hi = j == 1 ? second_hi(seq[0]) : 0xBF;",
     "uint8_t hi = j == 1 ? second_hi(seq[0]) : 0xC0;",
     "a third/fourth byte C0 accepted as a continuation"),
    ("third_byte_takes_7f", U,
     "uint8_t lo = j == 1 ? second_lo(seq[0]) : 0x80;",
     "uint8_t lo = j == 1 ? second_lo(seq[0]) : 0x7F;",
     "a third/fourth byte 7F accepted as a continuation"),
    ("lead_7f_invalid", U,
     "if (b <= 0x7F) {\n        return 1;", "if (b < 0x7F) {\n        return 1;",
     "7F (DEL) is not a 1-byte character"),
    ("lead_ef_not_three", U,
     "if (b >= 0xE0 && b <= 0xEF) {", "if (b >= 0xE0 && b <= 0xEE) {",
     "EF does not start a 3-byte sequence (U+F000..U+FFFF lost)"),
    ("lead_e0_not_three", U,
     "if (b >= 0xE0 && b <= 0xEF) {", "if (b >= 0xE1 && b <= 0xEF) {",
     "E0 does not start a 3-byte sequence (U+0800..U+0FFF lost)"),
    ("f0_overlong", U,
     "b == 0xF0 ? 0x90 : 0x80;", "b == 0xF0 ? 0x80 : 0x80;",
     "F0 80..8F (4-byte overlongs) accepted"),
    ("f0_lo_too_high", U,
     "b == 0xF0 ? 0x90 : 0x80;", "b == 0xF0 ? 0x91 : 0x80;",
     "F0 90 (U+10000..U+10FFF) rejected"),
    ("bulk_copy_skips_first", C,
     "for (size_t i = 0; i < n; i++) {\n        dst[i] = src[i];",
     "for (size_t i = 1; i < n; i++) {\n        dst[i] = src[i];",
     "the bulk copy loop leaves the first byte uncopied"),
    ("put_second_copy_short", C,
     "copy_bytes(r->buf, src + room, n - room);",
     "copy_bytes(r->buf, src + room, n - room - 1);",
     "a write across the wrap leaves its last byte unstored"),
    ("get_second_copy_shifted", C,
     "copy_bytes(dst + room, r->buf, n - room);",
     "copy_bytes(dst + room, r->buf + 1, n - room);",
     "a read across the wrap takes the second piece one byte late"),
    ("dropnew_written_k", C,
     "        r->written = sat_add(r->written, n);\n"
     "        r->refused = sat_add(r->refused, n - k);",
     "        r->written = sat_add(r->written, k);\n"
     "        r->refused = sat_add(r->refused, n - k);",
     "DROP_NEW counts only the stored bytes as written"),
    ("dropnew_drops_all", C,
     "        count_dropped(r, n - k);", "        count_dropped(r, n);",
     "DROP_NEW counts the stored bytes as dropped too"),
    ("commit_counts_request", C,
     "    r->used += k;\n    r->written = sat_add(r->written, k);",
     "    r->used += k;\n    r->written = sat_add(r->written, n);",
     "commit counts the requested n as written"),
    ("consume_counts_request", C,
     "    size_t k = min_size(n, r->used);\n\n    ring_advance(r, k);\n"
     "    count_read(r, k);",
     "    size_t k = min_size(n, r->used);\n\n    ring_advance(r, k);\n"
     "    count_read(r, n);",
     "consume counts the requested n as read"),
    ("write_no_null_check", C,
     "if (n == 0 || src == NULL) {", "if (n == 0) {",
     "write dereferences a NULL data pointer"),
    ("peek_no_null_check", C,
     "if (out == NULL || offset >= r->used) {", "if (offset >= r->used) {",
     "peek writes through a NULL out"),
    ("read_no_null_check", C,
     "    if (out == NULL) {\n        return 0;\n    }\n    if (0 < n && n <= COPY_SMALL",
     "    if (0 < n && n <= COPY_SMALL",
     "read writes through a NULL out"),
    ("utf8_no_null_check", U,
     "if (out == NULL && out_cap > 0) {", "if (0) {",
     "read_utf8 writes through a NULL out"),
    ("init_no_storage_check", C,
     "if (r == NULL || storage == NULL) {", "if (r == NULL) {",
     "init accepts NULL storage"),
    ("consumed_is_produced", U,
     "        *consumed = in;", "        *consumed = produced;",
     "*consumed holds the output length instead of the input length"),
    ("consumed_not_zeroed", U,
     "    if (consumed != NULL) {\n        *consumed = 0;\n    }\n", "",
     "*consumed left unset on the NULL-out early return"),
    ("invariant_no_used_check", C,
     "if (r->head >= r->cap || r->used > r->cap) {", "if (r->head >= r->cap) {",
     "invariant accepts used > cap"),
    ("invariant_no_buf_check", C,
     "if (r == NULL || r->buf == NULL) {", "if (r == NULL) {",
     "invariant accepts a NULL storage pointer"),
    ("read_few_one_past", C,
     "    copy_small(out, r->buf + head, n);", "    copy_small(out, r->buf + head, n + 1);",
     "a few-bytes read writes one byte past its result (memory safety only)"),
    ("ascii_run_one_past", U,
     "        uint8_t b = p[k];\n\n        if (b < lo || b > 0x7F) {\n"
     "            break;\n        }\n        out[done + k] = b;",
     "        uint8_t b = p[k];\n\n        out[done + k] = b;\n"
     "        if (b < lo || b > 0x7F) {\n            break;\n        }",
     "the ASCII run writes the byte that ends it past its result, inside "
     "out_cap (only a canary sees it)"),
    # ---- positions (issue 18)
    ("dropnew_refused_not_counted", C,
     "        r->refused = sat_add(r->refused, n - k);\n", "",
     "DROP_NEW refusals get positions: end runs ahead of the stored bytes"),
    ("end_ignores_refused", C,
     "    return r->written - r->refused;\n}",
     "    return r->written;\n}",
     "cirmem_end counts refused bytes as stored"),
    ("peek_at_no_clamp_to_start", C,
     "first = pos > start ? pos : start;", "first = pos;",
     "a position behind start reads other bytes instead of starting at start"),
    ("peek_at_end_is_error", C,
     "    if (pos > end) {", "    if (pos >= end) {",
     "asking at end is an error instead of an empty read"),
    ("peek_at_lost_zero", C,
     "    res->lost = first - pos;", "    res->lost = 0;",
     "bytes behind start are not reported as lost"),
    ("peek_at_no_exhaustion", C,
     "    if (r->written == UINT64_MAX) {\n        return CIRMEM_ERR_EXHAUSTED;",
     "    if (0) {\n        return CIRMEM_ERR_EXHAUSTED;",
     "positions are used after bytes_written saturated"),
    ("utf8_at_no_orphan_skip", U,
     "        lim = max_in;\n    } else if", "        lim = 0;\n    } else if",
     "a reader behind start does not skip the orphaned continuation bytes"),
    ("utf8_at_skip_beyond_max_in", U,
     "        lim = lim < max_in ? lim : max_in;\n", "",
     "the skip inside a character ignores max_in"),
    ("utf8_at_rest_plus_one", U,
     "return c > j ? c - j : 0;", "return c > j ? c - j + 1 : 0;",
     "inside a character, one byte after it is skipped too (if it is a "
     "continuation byte)"),
    ("utf8_at_no_inside_skip", U,
     "        lim = unit_rest(r, o);", "        lim = 0;",
     "a position inside a character decodes its continuation bytes as U+FFFD"),
    ("utf8_at_view_keeps_lost", U,
     "    v->lost = false;\n", "",
     "the view keeps the ring's lost flag: a reader that lost nothing skips "
     "continuation bytes"),
    ("utf8_at_next_skips_not_counted", U,
     "    res->next = start + o + skip + consumed;",
     "    res->next = start + o + consumed;",
     "next does not count the skipped bytes"),
]

# Sweep survivors shown to be equivalent (same observable behaviour for
# every input): sweep id -> reason.  Filled in from the analysis of a run;
# a listed mutant that gets killed is reported (the reason was wrong).
EQUIVALENT = {
    "const:cirmem.c:106:33:16->17":
        "copy_small() for 17 <= n <= 64 copies bytes 0..16 instead of "
        "0..15 as its first block: byte 16 is inside the copy and gets "
        "the same value (WP would reject it: copy_block requires w <= 16)",
    "rel:cirmem.c:114:18:>=->>":
        "copy_small(n = 8) takes the 4..7 branch: blocks 0..3 and n-4..n-1 "
        "= 4..7 cover the same 8 bytes",
    "const:cirmem.c:114:21:8->9":
        "same as n >= 8 -> n > 8: n = 8 is copied as two 4-byte blocks",
    "rel:cirmem.c:582:11:<=-><":
        "a write of exactly the free space goes to write_overwrite (m = n, "
        "skip = 0, d = 0) or write_partial (k = n, nothing dropped) "
        "instead of take_all: same contents, counters and lost flag",
    "negate:cirmem.c:584:13:n <= COPY_SMALL && n <= storage_room(r, "
    "->!(n <= COPY_SMALL && n <= storage_room(r":
        "take_all and take_all_bulk are the same function (one inline, one "
        "out of line): only the fast-path choice changes",
    "const:cirmem_utf8.c:71:17:0xC0->0xBF":
        "second_hi() is called only for lead bytes C2..F4, so neither C0 nor "
        "BF ever reaches it (the allowlisted dead branch)",
    "delete:cirmem_utf8.c:96:5:seq[1] = 0;->":
        "classify() reads seq[j] only after storing it (j < need), and "
        "emit() copies only len stored bytes: the zeroing is for the "
        "proof's assigns clause, never observed",
    "const:cirmem_utf8.c:97:9:2->3":
        "seq[2] = 0 becomes seq[3] = 0: seq[2] is stored before any read, "
        "as for the deleted seq[1] = 0",
    "arith:cirmem_utf8.c:97:14:0->(0) - 1":
        "seq[2] is initialised to 0xFF instead of 0: overwritten before any "
        "read",
    "const:cirmem_utf8.c:179:26:0->1":
        "without the NUL flag the ASCII run stops at 00; the main loop then "
        "emits 00 as a 1-byte character and the next run goes on: same "
        "output, a slower path",
    "rel:cirmem_utf8.c:189:15:<-><=":
        "the ASCII run also stops at the byte equal to lo (00 or 01); the "
        "main loop emits it exactly as the run would have",
    "const:cirmem_utf8.c:263:21:4->5":
        "uint8_t seq[5] instead of seq[4]: one unused byte",
    "const:cirmem_utf8.c:293:24:1->2":
        "the ASCII run is started after 2-byte outputs instead of 1-byte "
        "ones: it copies only bytes the main loop would emit identically, "
        "within the same limits",
    "rel:cirmem_utf8.c:297:29:<-><=":
        "at == n1 now gives lim = n1 = at, a run of length 0 at the span "
        "boundary; the main loop continues with the same bytes",
    "const:cirmem_utf8.c:331:17:0->1":
        "n1 is always overwritten by cirmem_read_span(r, 0, &n1), which "
        "stores *len on every path",
}

NICE = ["nice", "-n", "15"]
TEST_NAMES = ("test_cirmem", "test_diff", "test_utf8")
SAN = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all",
       "-fno-omit-frame-pointer"]


def run(cmd, cwd, timeout, log, env=None):
    """Run cmd under nice, output appended to log; returns (exit status,
    output text); status 124 on timeout."""
    start = os.path.getsize(log) if os.path.exists(log) else 0
    with open(log, "ab") as f:
        f.write(("\n$ " + " ".join(cmd) + "\n").encode())
        f.flush()
        try:
            rc = subprocess.run(NICE + cmd, cwd=cwd, stdout=f,
                                stderr=subprocess.STDOUT, timeout=timeout,
                                env=env).returncode
        except subprocess.TimeoutExpired:
            f.write(b"\n[timeout]\n")
            rc = 124
    with open(log, "rb") as f:
        f.seek(start)
        return rc, f.read().decode("utf-8", "replace")


def classify(rc, text):
    """(verdict, cause): verdict is 'kill' or 'undecided'."""
    if rc == 124 or "[timeout]" in text:
        return "undecided", "timeout"
    if "ALARM: working on the last Unit" in text or \
            "ERROR: libFuzzer: timeout" in text:
        return "undecided", "libFuzzer timeout"
    if "out-of-memory" in text or "rss limit" in text.lower() or \
            "allocation-size-too-big" in text or \
            "ERROR: libFuzzer: malloc" in text:
        return "undecided", "resource limit"
    if "ERROR: AddressSanitizer" in text:
        m = re.search(r"ERROR: AddressSanitizer: ([\w-]+)", text)
        return "kill", "ASan" + (" (%s)" % m.group(1) if m else "")
    if "runtime error:" in text:
        return "kill", "UBSan"
    if "cirmem fuzz: divergence" in text:
        return "kill", "model divergence"
    if "utf8_oracle: FAIL" in text:
        return "kill", "python oracle"
    if "[  FAILED  ]" in text or "[  ERROR   ]" in text:
        if "Test failed with exception" in text:
            return "kill", "crash (signal, cmocka)"
        return "kill", "cmocka assertion"
    if "deadly signal" in text or rc < 0:
        return "kill", "crash"
    return "undecided", "unclassified failure (exit %d)" % rc


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
    for d in ("core", "spec", "tests", "fuzz"):
        shutil.copytree(os.path.join(ROOT, d), os.path.join(scratch, d))


# ---- the operator sweep ------------------------------------------------

def code_mask(src):
    """A copy of src with comments (ACSL included), string and character
    literals and preprocessor lines blanked out (same length)."""
    out = list(src)
    i, n = 0, len(src)
    at_line_start = True
    while i < n:
        c = src[i]
        if at_line_start and src[i:].lstrip(" \t").startswith("#"):
            j = src.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
            continue
        at_line_start = c == "\n"
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                out[k] = " "
            i = j + 1
        else:
            i += 1
    return "".join(out)


def matching_paren(code, i):
    depth = 0
    for j in range(i, len(code)):
        if code[j] == "(":
            depth += 1
        elif code[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    return -1


REL = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
DECL = re.compile(r"^\s*(static\s+|const\s+)*(size_t|uint8_t|uint64_t|bool|"
                  r"int|unsigned|enum\s+\w+|cirmem_mode|const\s+uint8_t)\b")


def sweep(src, fname):
    """Every operator mutant of the code of src: (op, start, end, new)."""
    code = code_mask(src)
    out = []
    # relational
    for m in re.finditer(r"(?<![<>=!\-])(<=|>=|==|!=|<|>)(?![<>=])", code):
        if code[m.start() - 1:m.start()] in "<>" and m.group(1) in "<>":
            continue
        out.append(("rel", m.start(), m.end(), REL[m.group(1)]))
    # constants
    for m in re.finditer(r"(?<![\w.])(0x[0-9A-Fa-f]+|\d+)(u|U|ULL|ull)?\b",
                         code):
        lit, suf = m.group(1), m.group(2) or ""
        v = int(lit, 16) if lit.lower().startswith("0x") else int(lit)
        for w in (v + 1, v - 1):
            if w < 0:
                continue
            txt = ("0x%X" % w if lit.lower().startswith("0x") else str(w))
            out.append(("const", m.start(), m.end(), txt + suf))
    # arithmetic +-1 on returned / assigned values
    for m in re.finditer(r"(\breturn\s+|[^=!<>+\-*/&|^]=\s*|\+=\s*|-=\s*)"
                         r"([^;{}]+);", code):
        val = m.group(2)
        if not val.strip() or val.strip() in ("true", "false", "NULL"):
            continue
        s = m.start(2)
        e = m.end(2)
        for d in ("+ 1", "- 1"):
            out.append(("arith", s, e, "(%s) %s" % (src[s:e], d)))
    # negated conditions
    for m in re.finditer(r"\b(if|while)\s*\(", code):
        p = m.end() - 1
        q = matching_paren(code, p)
        if q > 0:
            out.append(("negate", p + 1, q, "!(%s)" % src[p + 1:q]))
    # deleted statements: a whole line that is one expression statement
    pos = 0
    prev = ";"
    for line in code.split("\n"):
        s = line.strip()
        # a statement that starts on this line (not the tail of one)
        if s.endswith(";") and prev[-1:] in ";{}" and \
                not s.startswith(("return", "for", "}")) \
                and not DECL.match(line) and "(void)n" not in s and \
                "(void)m" not in s and s.count(";") == 1:
            st = pos + line.index(s)
            out.append(("delete", st, st + len(s), ""))
        if s:
            prev = s
        pos += len(line) + 1
    muts = []
    for op, s, e, new in out:
        line = src.count("\n", 0, s) + 1
        col = s - (src.rfind("\n", 0, s) + 1) + 1
        old = src[s:e]
        mid = "%s:%s:%d:%d:%s->%s" % (op, os.path.basename(fname), line, col,
                                      " ".join(old.split())[:40],
                                      " ".join(new.split())[:40])
        muts.append({"id": mid, "file": fname, "start": s, "end": e,
                     "new": new, "kind": "sweep/" + op, "line": line,
                     "what": "%s at %s:%d: `%s` -> `%s`" % (
                         op, fname, line, " ".join(old.split())[:60],
                         " ".join(new.split())[:60])})
    return muts


# ---- builds and stages -------------------------------------------------

class Stages:
    def __init__(self, tree, base, log, clang, fuzz_seconds):
        self.tree, self.base, self.log = tree, base, log
        self.clang, self.fuzz_seconds = clang, fuzz_seconds
        self.obj = os.path.join(base, "obj")
        self.bin = os.path.join(base, "bin")
        self.baseline = os.path.join(base, "baseline")
        for d in (self.obj, self.bin, self.baseline):
            os.makedirs(d, exist_ok=True)
        self.base_ok = {}    # baseline re-runs, cached (deterministic)
        self.test_time = {}

    def gcc(self, args, timeout=300):
        return run(["gcc", "-std=c11", "-O1", "-g", "-w"] + SAN +
                   ["-Icore", "-Ispec", "-Itests"] + args, self.tree,
                   timeout, self.log)[0]

    def prebuild(self):
        """Test and model objects, once; baseline binaries and harnesses."""
        for t in TEST_NAMES:
            if self.gcc(["-c", "tests/%s.c" % t, "-o",
                         os.path.join(self.obj, t + ".o")]) != 0:
                return False
        if self.gcc(["-c", "spec/ref/cirmem_ref.c", "-o",
                     os.path.join(self.obj, "ref.o")]) != 0:
            return False
        return self.build_tests(self.baseline) and \
            self.build_so(self.baseline) and \
            self.build_fuzzers(self.baseline)

    def build_tests(self, outdir):
        core = []
        for f in (C, U):
            o = os.path.join(outdir, os.path.basename(f) + ".o")
            if self.gcc(["-c", f, "-o", o]) != 0:
                return False
            core.append(o)
        for t in TEST_NAMES:
            if self.gcc([os.path.join(self.obj, t + ".o"),
                         os.path.join(self.obj, "ref.o")] + core +
                        ["-lcmocka", "-o", os.path.join(outdir, t)]) != 0:
                return False
        return True

    def build_so(self, outdir):
        return run(["gcc", "-std=c11", "-O2", "-fPIC", "-shared", "-w",
                    "-Icore", "-Ispec", C, U, "-o",
                    os.path.join(outdir, "libcirmem.so")], self.tree, 300,
                   self.log)[0] == 0

    def build_fuzzers(self, outdir):
        for h in ("ring", "utf8"):
            rc = run([self.clang, "-std=c11", "-g", "-O1", "-w",
                      "-fsanitize=fuzzer,address,undefined",
                      "-fno-sanitize-recover=all", "-Icore", "-Ispec",
                      "-Ifuzz", "-o", os.path.join(outdir, "fuzz_" + h),
                      "fuzz/fuzz_%s.c" % h, "spec/ref/cirmem_ref.c", C, U],
                     self.tree, 300, self.log)[0]
            if rc != 0:
                return False
        return True

    def test_env(self):
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=1"
        env["UBSAN_OPTIONS"] = "print_stacktrace=1"
        return env

    def time_baseline(self):
        for t in TEST_NAMES:
            t0 = time.time()
            rc, out = run([os.path.join(self.baseline, t)], self.tree, 900,
                          self.log, self.test_env())
            if rc != 0:
                return False
            self.test_time[t] = time.time() - t0
            self.base_ok[("test", t)] = True
        t0 = time.time()
        rc, out = run(["python3", "tests/utf8_oracle.py", "--lib",
                       os.path.join(self.baseline, "libcirmem.so")],
                      self.tree, 900, self.log)
        if rc != 0:
            return False
        self.oracle_time = max(60, 5 * (time.time() - t0))
        return self.fuzz_replay(self.baseline)[0] is None

    def unit(self, first_u):
        """Stage 1: (verdict, cause, detail) or None (survived)."""
        order = ["test_utf8", "test_cirmem", "test_diff"] if first_u else \
            ["test_cirmem", "test_diff", "test_utf8"]
        for t in order:
            rc, out = run([os.path.join(self.bin, t)], self.tree,
                          10 * self.test_time[t] + 20, self.log,
                          self.test_env())
            if rc == 0:
                continue
            verdict, cause = classify(rc, out)
            if verdict == "kill":
                key = ("test", t)
                if key not in self.base_ok:  # cached: deterministic
                    self.base_ok[key] = run(
                        [os.path.join(self.baseline, t)], self.tree, 900,
                        self.log, self.test_env())[0] == 0
                if not self.base_ok[key]:
                    return ("not a kill", cause + " (fails unmutated too)",
                            t)
            return (verdict, cause, "unit tests: " + t)
        return None

    def oracle(self):
        rc, out = run(["python3", "tests/utf8_oracle.py", "--lib",
                       os.path.join(self.bin, "libcirmem.so")], self.tree,
                      self.oracle_time, self.log)
        if rc == 0:
            return None
        verdict, cause = classify(rc, out)
        return (verdict, cause, "oracle")

    def fuzz_replay(self, bindir):
        for h in ("ring", "utf8"):
            dirs = ["fuzz/corpus/" + h]
            if os.path.isdir(os.path.join(self.tree, "fuzz/regressions", h)):
                dirs.append("fuzz/regressions/" + h)
            art = tempfile.mkdtemp(dir=self.base) + "/"
            rc, out = run([os.path.join(bindir, "fuzz_" + h), "-runs=0",
                           "-rss_limit_mb=2048", "-timeout=10",
                           "-artifact_prefix=" + art] + dirs, self.tree, 300,
                          self.log)
            if rc != 0:
                return (h, rc, out, art)
            shutil.rmtree(art, ignore_errors=True)
        return (None, 0, "", None)

    def confirm(self, h, art, verdict, cause, where):
        """Re-run a fuzz artifact on the unmutated harness."""
        if verdict != "kill":
            return (verdict, cause, where)
        files = [os.path.join(art, f) for f in os.listdir(art)] \
            if art and os.path.isdir(art) else []
        if not files:
            return ("undecided", cause + " (no artifact to re-run)", where)
        rc, _ = run([os.path.join(self.baseline, "fuzz_" + h)] + files,
                    self.tree, 120, self.log)
        if rc != 0:
            return ("not a kill", cause + " (input fails unmutated too)",
                    where)
        return (verdict, cause, where + ", input passes unmutated")

    def fuzz(self):
        if not self.build_fuzzers(self.bin):
            return ("stillborn", "fuzz build", "")
        h, rc, out, art = self.fuzz_replay(self.bin)
        if h is not None:
            v, c = classify(rc, out)
            res = self.confirm(h, art, v, c, "fuzz seeds (%s)" % h)
            shutil.rmtree(art, ignore_errors=True)
            return res
        if self.fuzz_seconds <= 0:
            return None
        for h in ("ring", "utf8"):
            work = tempfile.mkdtemp(dir=self.base)
            art = tempfile.mkdtemp(dir=self.base) + "/"
            t0 = time.time()
            rc, out = run([os.path.join(self.bin, "fuzz_" + h),
                           "-max_total_time=%d" % self.fuzz_seconds,
                           "-timeout=5", "-rss_limit_mb=2048",
                           "-max_len=4096", "-dict=fuzz/fuzz_%s.dict" % h,
                           "-artifact_prefix=" + art, work,
                           "fuzz/corpus/" + h], self.tree,
                          self.fuzz_seconds + 120, self.log)
            shutil.rmtree(work, ignore_errors=True)
            if rc != 0:
                v, c = classify(rc, out)
                res = self.confirm(h, art, v, c, "fuzzing %s %.0fs" %
                                   (h, time.time() - t0))
                shutil.rmtree(art, ignore_errors=True)
                return res
            shutil.rmtree(art, ignore_errors=True)
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fuzz-seconds", type=int, default=15,
                    help="libFuzzer time per harness for mutants that the "
                    "unit tests, the oracle and the seeds miss (default 15)")
    ap.add_argument("--sweep-max", type=int, default=150,
                    help="sweep mutants run (a fixed-seed sample with the "
                    "same quota per operator; 0: none, -1: all)")
    ap.add_argument("--no-hand", action="store_true",
                    help="skip the hand-written table")
    ap.add_argument("--only", default="", help="comma-separated mutant ids")
    ap.add_argument("--list-sweep", action="store_true",
                    help="print the whole sweep population and exit")
    ap.add_argument("--stages", default="unit,oracle,fuzz",
                    help="stages to run, in this order, stopping at the "
                    "first kill (e.g. 'oracle' alone measures what the "
                    "Python oracle kills on its own)")
    ap.add_argument("--only-file", default="",
                    help="only mutants of this core file (e.g. "
                    "core/cirmem_utf8.c)")
    ap.add_argument("--clang", default=os.environ.get("CLANG", "clang-14"))
    args = ap.parse_args()
    stages = [x for x in args.stages.split(",") if x]
    if not stages or set(stages) - {"unit", "oracle", "fuzz"}:
        ap.error("--stages takes a comma-separated subset of unit,oracle,fuzz")

    base = os.path.join(ROOT, "build", "mutants")
    scratch = os.path.join(base, "tree")
    core_files = [C, U, "core/cirmem.h"]
    pristine = {}
    for f in (C, U):
        with open(os.path.join(ROOT, f)) as fh:
            pristine[f] = fh.read()
    if not args.list_sweep:
        # one run at a time: a second one would rewrite the scratch tree
        os.makedirs(base, exist_ok=True)
        lock = open(os.path.join(base, ".lock"), "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            print("mutants: another run holds %s/.lock" % base)
            return 1
        log = os.path.join(base, "mutants.log")
        open(log, "w").close()
        before = tree_hash(core_files)
        make_scratch(scratch)
        for f in (C, U):
            with open(os.path.join(scratch, f)) as fh:
                if fh.read() != pristine[f]:
                    print("mutants: core/ changed while copying; run again")
                    return 1

    bad = [m[0] for m in MUTANTS if pristine[m[1]].count(m[2]) != 1]
    if bad:
        print("mutants: snippet not found exactly once in core/ (update "
              "fuzz/mutants.py): " + ", ".join(bad))
        return 1
    hand = [] if args.no_hand else [
        {"id": m[0], "file": m[1], "start": pristine[m[1]].index(m[2]),
         "end": pristine[m[1]].index(m[2]) + len(m[2]), "new": m[3],
         "kind": "hand", "what": m[4],
         "line": pristine[m[1]].count("\n", 0, pristine[m[1]].index(m[2]))
         + 1} for m in MUTANTS]
    population = sweep(pristine[C], C) + sweep(pristine[U], U)
    by_op = {}
    for m in population:
        by_op.setdefault(m["kind"], []).append(m)
    if args.list_sweep:
        for m in population:
            print(m["id"])
        print("sweep population: %d (%s)" % (len(population), ", ".join(
            "%s %d" % (k, len(v)) for k, v in sorted(by_op.items()))))
        return 0
    if args.sweep_max < 0:
        chosen = population
    else:
        rng = random.Random(17)
        quota = args.sweep_max // max(1, len(by_op))
        chosen = []
        for k in sorted(by_op):
            ms = by_op[k]
            chosen += rng.sample(ms, min(quota, len(ms)))
        chosen.sort(key=lambda m: (m["file"], m["start"]))
    selected = [m for m in hand + chosen
                if (not args.only or m["id"] in args.only.split(",")) and
                (not args.only_file or m["file"] == args.only_file)]

    st = Stages(scratch, base, log, args.clang, args.fuzz_seconds)
    print("mutants: %d hand-written, sweep population %d (%s), %d sampled; "
          "baseline ..." % (len(hand), len(population), ", ".join(
              "%s %d" % (k.split("/")[1], len(v))
              for k, v in sorted(by_op.items())), len(chosen)), flush=True)
    if not st.prebuild() or not st.time_baseline():
        print("mutants: the UNMUTATED copy fails to build or pass; see " + log)
        return 1

    rows = []
    for m in selected:
        t0 = time.time()
        f = m["file"]
        src = pristine[f][:m["start"]] + m["new"] + pristine[f][m["end"]:]
        path = os.path.join(scratch, f)
        assert os.path.realpath(path).startswith(
            os.path.realpath(scratch) + os.sep)
        with open(path, "w") as fh:
            fh.write(src)
        with open(log, "a") as fh:
            fh.write("\n===== mutant %s (%s)\n" % (m["id"], m["what"]))
        res = None
        if not st.build_tests(st.bin):
            res = ("stillborn", "does not compile", "")
        elif "unit" in stages:
            res = st.unit(f == U)
        first = res
        if (res is None or res[0] in ("undecided", "not a kill")) and \
                "oracle" in stages:
            if not st.build_so(st.bin):
                res = ("stillborn", "does not build as .so", "")
            else:
                res = st.oracle() or first
        if (res is None or res[0] in ("undecided", "not a kill")) and \
                "fuzz" in stages:
            res = st.fuzz() or res
        with open(path, "w") as fh:
            fh.write(pristine[f])
        verdict, cause, where = res if res else ("survived", "", "")
        row = dict(m, verdict=verdict, cause=cause, where=where,
                   secs=round(time.time() - t0, 1))
        row.pop("start")
        row.pop("end")
        rows.append(row)
        print("  %-10s %-60s %s%s (%.0fs)" % (
            verdict, m["id"][:60], cause, (" @ " + where) if where else "",
            row["secs"]), flush=True)

    after = tree_hash(core_files)
    report(rows, base, len(population), by_op)
    if before != after:
        print("mutants: note: the real core/ changed during the run (not by "
              "this script, which writes only under build/mutants/); the "
              "mutants ran on the copy taken at the start")
    else:
        print("mutants: real core/ untouched (sha256 %s...)" % after[:16])
    hand_bad = [r["id"] for r in rows if r["kind"] == "hand" and
                r["verdict"] in ("survived", "undecided", "not a kill")]
    if hand_bad:
        print("mutants: hand-written mutants not killed: " +
              ", ".join(hand_bad))
    return 1 if hand_bad else 0


def report(rows, base, npop, by_op):
    lines = []
    for group in ("hand", "sweep"):
        rs = [r for r in rows if r["kind"].startswith(group)]
        if not rs:
            continue
        valid = [r for r in rs if r["verdict"] != "stillborn"]
        killed = [r for r in valid if r["verdict"] == "kill"]
        und = [r for r in valid if r["verdict"] == "undecided"]
        notk = [r for r in valid if r["verdict"] == "not a kill"]
        surv = [r for r in valid if r["verdict"] == "survived"]
        lines.append("## %s mutants" % group)
        lines.append("")
        lines.append("planted %d, stillborn (do not compile) %d, valid %d: "
                     "killed %d (%.1f%%), undecided %d, not a kill %d, "
                     "survived %d" % (
                         len(rs), len(rs) - len(valid), len(valid),
                         len(killed), 100.0 * len(killed) / max(1, len(valid)),
                         len(und), len(notk), len(surv)))
        causes = {}
        for r in killed:
            stage = r["where"].split(":")[0].split(" (")[0].split(",")[0]
            key = "%s / %s" % (stage if not stage.startswith("fuzzing")
                               else "fuzzing", r["cause"])
            causes[key] = causes.get(key, 0) + 1
        lines.append("")
        lines.append("| killed at / by | mutants |")
        lines.append("|---|---|")
        for k, v in sorted(causes.items(), key=lambda kv: -kv[1]):
            lines.append("| %s | %d |" % (k, v))
        lines.append("")
        lines.append("| mutant | line | what | verdict | by | where |")
        lines.append("|---|---|---|---|---|---|")
        for r in rs:
            lines.append("| %s | %s:%d | %s | %s | %s | %s |" % (
                r["id"].replace("|", "\\|"), os.path.basename(r["file"]),
                r["line"], r["what"].replace("|", "\\|"), r["verdict"],
                r["cause"], r["where"]))
        lines.append("")
        for r in und + notk + surv:
            why = EQUIVALENT.get(r["id"])
            lines.append("- %s **%s**: %s%s" % (
                r["verdict"], r["id"], r["what"],
                (" — equivalent: " + why) if why else ""))
        lines.append("")
    for r in rows:
        if r["verdict"] == "kill" and r["id"] in EQUIVALENT:
            lines.append("- note: %s is listed as equivalent but was killed"
                         % r["id"])
    lines.append("sweep population: %d (%s)" % (npop, ", ".join(
        "%s %d" % (k.split("/")[1], len(v)) for k, v in sorted(by_op.items()))))
    text = "\n".join(lines) + "\n"
    with open(os.path.join(base, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(base, "results.json"), "w") as f:
        json.dump(rows, f, indent=1)
    print()
    print(text)


if __name__ == "__main__":
    sys.exit(main())
