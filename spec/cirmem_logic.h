/* SPDX-License-Identifier: MIT */
/*
 * cirmem's formal model, in ACSL.  Only annotations: compilers see an
 * empty header.  core/ is proved against it by `make prove`.
 *
 * The ring's contents are the sequence cirmem_at(r, 0 .. used-1), oldest
 * first, read through the storage array from `head`, wrapping once.
 * cirmem_valid() is the validity predicate every operation keeps;
 * cirmem_invariant() in core/ is its executable mirror.
 */
#ifndef CIRMEM_LOGIC_H
#define CIRMEM_LOGIC_H

#include "cirmem.h"

/*@
  // Physical index of logical offset i; one subtraction suffices since
  // head < cap and the offsets used are < cap.
  logic integer cirmem_wrap(integer head, integer i, integer cap) =
      head + i < cap ? head + i : head + i - cap;

  logic integer cirmem_pos{L}(cirmem *r, integer i) =
      cirmem_wrap(r->head, i, r->cap);

  // The i-th oldest stored byte (meaningful for 0 <= i < used).
  logic uint8_t cirmem_at{L}(cirmem *r, integer i) =
      r->buf[cirmem_pos(r, i)];

  logic integer cirmem_free_of{L}(cirmem *r) = r->cap - r->used;

  logic integer cirmem_min(integer a, integer b) = a < b ? a : b;

  // Counters saturate instead of wrapping.
  logic integer cirmem_sat(integer a) = a > UINT64_MAX ? UINT64_MAX : a;

  logic integer cirmem_max(integer a, integer b) = a > b ? a : b;

  // Every byte written was read, dropped, or is still stored; the bytes
  // refused by DROP_NEW are among the dropped ones.
  predicate cirmem_balanced{L}(cirmem *r) =
      r->written == UINT64_MAX ||
      (r->written == r->read + r->dropped + r->used &&
       r->refused <= r->dropped);

  // Absolute positions: the stored bytes are the positions
  // cirmem_start_of(r) .. cirmem_end_of(r) - 1, the oldest (offset 0)
  // first.  end is the number of bytes ever stored: written minus the
  // refused ones.  It is exact until written saturates; from then on the
  // positions are exhausted (cirmem_end() reports UINT64_MAX).
  predicate cirmem_exhausted{L}(cirmem *r) = r->written == UINT64_MAX;

  logic integer cirmem_end_of{L}(cirmem *r) = r->written - r->refused;

  logic integer cirmem_start_of{L}(cirmem *r) = cirmem_end_of(r) - r->used;

  // The storage and indices are usable (internal steps keep this).
  predicate cirmem_shape{L}(cirmem *r) =
      \valid(r) &&
      0 < r->cap <= CIRMEM_CAPACITY_MAX &&
      r->head < r->cap && r->used <= r->cap &&
      \valid(r->buf + (0 .. r->cap - 1)) &&
      \separated(r, r->buf + (0 .. r->cap - 1));

  // Validity: what every public call requires and keeps.
  predicate cirmem_valid{L}(cirmem *r) =
      cirmem_shape(r) && cirmem_balanced(r);

  // Between states A and B, the first count bytes of the contents are
  // the bytes that were at offsets from .. from+count-1.
  predicate cirmem_kept{A, B}(cirmem *r, integer from, integer count) =
      \forall integer k; 0 <= k < count ==>
        cirmem_at{B}(r, k) == cirmem_at{A}(r, from + k);

  // The bytes of a sequence equal n bytes of an array, shifted.
  predicate cirmem_holds{L}(cirmem *r, integer at, uint8_t *s, integer n) =
      \forall integer k; 0 <= k < n ==> cirmem_at(r, at + k) == s[k];

  // An OVERWRITE write of n > 0 bytes s, from state A to state B: the
  // ring keeps the newest cap bytes of its old contents followed by s
  // (m of s, after keep old bytes), and every byte that does not survive
  // is counted as dropped and sets the lost flag.
  predicate cirmem_overwritten{A, B}(cirmem *r, uint8_t *s, integer n) =
      \let m = cirmem_min(n, \at(r->cap, A));
      \let keep = cirmem_min(\at(r->used, A), \at(r->cap, A) - m);
      \let lose = (\at(r->used, A) - keep) + (n - m);
      \at(r->used, B) == keep + m &&
      cirmem_kept{A, B}(r, \at(r->used, A) - keep, keep) &&
      cirmem_holds{B}(r, keep, s + (n - m), m) &&
      \at(r->dropped, B) == cirmem_sat(\at(r->dropped, A) + lose) &&
      \at(r->lost, B) == (lose > 0 ? 1 : \at(r->lost, A)) &&
      \at(r->written, B) == cirmem_sat(\at(r->written, A) + n);
*/

/*@
  // ---- UTF-8 (Unicode 15, table 3-7), with an optional modified-UTF-8
  // ---- mode m in which U+0000 is the pair C0 80 and no 00 byte occurs.

  predicate utf8_cont(integer b) = 0x80 <= b <= 0xBF;

  // Length of the sequence a byte starts; 0 if it cannot start one.
  logic integer utf8_lead_len(integer m, integer b) =
      (m != 0 && b == 0x00) ? 0 :
      (m != 0 && b == 0xC0) ? 2 :
      b <= 0x7F ? 1 :
      (0xC2 <= b <= 0xDF) ? 2 :
      (0xE0 <= b <= 0xEF) ? 3 :
      (0xF0 <= b <= 0xF4) ? 4 : 0;

  // Allowed range of the byte after a lead byte.
  logic integer utf8_second_lo(integer b) =
      b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80;
  logic integer utf8_second_hi(integer b) =
      b == 0xC0 ? 0x80 : b == 0xED ? 0x9F : b == 0xF4 ? 0x8F : 0xBF;

  // b0..b3 start with one well-formed character of len bytes.
  predicate utf8_char(integer m, integer len, integer b0, integer b1,
                      integer b2, integer b3) =
      len == utf8_lead_len(m, b0) && 1 <= len &&
      (len >= 2 ==> utf8_second_lo(b0) <= b1 <= utf8_second_hi(b0)) &&
      (len >= 3 ==> utf8_cont(b2)) &&
      (len >= 4 ==> utf8_cont(b3));

  // Position i of s[0 .. n-1] is consistent: its byte may occur; if it
  // is a lead byte, its complete sequence follows within n; if it is a
  // continuation byte, it lies inside the sequence of a lead byte at most
  // three bytes before it.
  predicate utf8_wf_at{L}(uint8_t *s, integer i, integer n, integer m) =
      (utf8_lead_len(m, s[i]) >= 1 || utf8_cont(s[i])) &&
      (utf8_lead_len(m, s[i]) >= 2 ==>
          i + utf8_lead_len(m, s[i]) <= n &&
          utf8_second_lo(s[i]) <= s[i + 1] <= utf8_second_hi(s[i])) &&
      (utf8_lead_len(m, s[i]) >= 3 ==> utf8_cont(s[i + 2])) &&
      (utf8_lead_len(m, s[i]) >= 4 ==> utf8_cont(s[i + 3])) &&
      (utf8_cont(s[i]) ==>
          (i >= 1 && utf8_lead_len(m, s[i - 1]) >= 2) ||
          (i >= 2 && utf8_lead_len(m, s[i - 2]) >= 3) ||
          (i >= 3 && utf8_lead_len(m, s[i - 3]) >= 4));

  // A consistent position stays consistent when the bytes up to its
  // bound are unchanged and the data grows: it reads only bytes from
  // i-3 to its own sequence's end, all below n.
  lemma utf8_wf_at_frame{A, B}:
      \forall uint8_t *s, integer i, n, n2, m;
        0 <= i < n <= n2 &&
        utf8_wf_at{A}(s, i, n, m) &&
        (\forall integer j; 0 <= j < n ==> \at(s[j], A) == \at(s[j], B)) ==>
        utf8_wf_at{B}(s, i, n2, m);

  // s[0 .. n-1] is well-formed UTF-8: every position is consistent.  By
  // induction on a greedy parse this is equivalent to "a concatenation
  // of utf8_char sequences": a parse position never holds a continuation
  // byte, since the lead byte covering it would have to lie inside the
  // previous sequence, which holds only its own lead and continuations.
  predicate utf8_wf{L}(uint8_t *s, integer n, integer m) =
      \forall integer i; 0 <= i < n ==> utf8_wf_at(s, i, n, m);
*/

#endif /* CIRMEM_LOGIC_H */
