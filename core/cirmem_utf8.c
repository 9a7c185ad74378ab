/* SPDX-License-Identifier: MIT */
/*
 * cirmem_read_utf8(): the ring's bytes out as well-formed UTF-8.
 *
 * A client of the ring API only: it decodes in place over the (at most
 * two) read spans, writes complete characters or U+FFFD, then consumes
 * what it decoded.  Classification follows Unicode's table 3-7, so each
 * maximal invalid subpart becomes exactly one U+FFFD.
 */
#include "cirmem.h"
#include "cirmem_logic.h"

/*@ // Byte i of the data seen as the two spans p1[0..n1-1] ++ p2[...].
    logic integer utf8_src{L}(uint8_t *p1, integer n1, uint8_t *p2,
                              integer i) =
        i < n1 ? p1[i] : p2[i - n1];

    predicate src_ok{L}(uint8_t *p1, integer n1, uint8_t *p2, integer n) =
        n1 <= n && \valid_read(p1 + (0 .. n1 - 1)) &&
        \valid_read(p2 + (0 .. n - n1 - 1));
*/

enum unit_kind {
    UNIT_CHAR,       /* a well-formed character */
    UNIT_INVALID,    /* a maximal invalid subpart */
    UNIT_INCOMPLETE, /* a valid prefix cut by the end of the data */
};

/*@ requires src_ok(p1, n1, p2, n);
    requires i < n;
    assigns \nothing;
    ensures \result == utf8_src(p1, n1, p2, i); */
static uint8_t src_at(const uint8_t *p1, size_t n1, const uint8_t *p2,
                      size_t n, size_t i)
{
    (void)n;
    return i < n1 ? p1[i] : p2[i - n1];
}

/* Length of the sequence b starts in standard UTF-8; 0: cannot start. */
/*@ assigns \nothing;
    ensures \result == utf8_lead_len(0, b); */
static size_t lead_len(uint8_t b)
{
    if (b <= 0x7F) {
        return 1;
    }
    if (b >= 0xC2 && b <= 0xDF) {
        return 2;
    }
    if (b >= 0xE0 && b <= 0xEF) {
        return 3;
    }
    if (b >= 0xF0 && b <= 0xF4) {
        return 4;
    }
    return 0;
}

/*@ assigns \nothing;
    ensures \result == utf8_second_lo(b); */
static uint8_t second_lo(uint8_t b)
{
    return b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80;
}

/*@ assigns \nothing;
    ensures \result == utf8_second_hi(b); */
static uint8_t second_hi(uint8_t b)
{
    return b == 0xC0 ? 0x80 : b == 0xED ? 0x9F : b == 0xF4 ? 0x8F : 0xBF;
}

/* Classify the unit at offset o; its bytes go to seq, its length to *len. */
/*@ requires src_ok(p1, n1, p2, n);
    requires o < n;
    requires \valid(seq + (0 .. 3)) && \valid(len);
    requires \separated(seq + (0 .. 3), len);
    assigns seq[0 .. 3], *len;
    ensures 1 <= *len <= 4;
    ensures \result == UNIT_CHAR ==>
              *len <= n - o &&
              utf8_char(0, *len, seq[0], seq[1], seq[2], seq[3]);
    ensures \result == UNIT_INVALID ==> *len <= 3 && *len <= n - o;
    ensures \result == UNIT_INCOMPLETE ==> *len <= 3 && *len == n - o;
    ensures \result == UNIT_CHAR || \result == UNIT_INVALID ||
            \result == UNIT_INCOMPLETE; */
static enum unit_kind classify(const uint8_t *p1, size_t n1,
                               const uint8_t *p2, size_t n, size_t o,
                               uint8_t *seq, size_t *len)
{
    size_t need;
    size_t j;

    seq[0] = src_at(p1, n1, p2, n, o);
    seq[1] = 0;
    seq[2] = 0;
    seq[3] = 0;
    need = lead_len(seq[0]);
    if (need == 0) {
        *len = 1;
        return UNIT_INVALID;
    }
    /*@ loop invariant 1 <= j <= need;
        loop invariant j <= n - o;
        loop invariant j >= 2 ==>
          utf8_second_lo(seq[0]) <= seq[1] <= utf8_second_hi(seq[0]);
        loop invariant j >= 3 ==> utf8_cont(seq[2]);
        loop invariant j >= 4 ==> utf8_cont(seq[3]);
        loop invariant seq[0] == \at(seq[0], LoopEntry);
        loop assigns j, seq[1 .. 3];
        loop variant need - j; */
    for (j = 1; j < need; j++) {
        uint8_t lo = j == 1 ? second_lo(seq[0]) : 0x80;
        uint8_t hi = j == 1 ? second_hi(seq[0]) : 0xBF;

        if (j == n - o) {
            *len = j;
            return UNIT_INCOMPLETE;
        }
        seq[j] = src_at(p1, n1, p2, n, o + j);
        if (seq[j] < lo || seq[j] > hi) {
            *len = j;
            return UNIT_INVALID;
        }
    }
    *len = need;
    return UNIT_CHAR;
}

/* Append one well-formed sequence of len bytes to out[0 .. p-1]. */
/*@ requires 1 <= len <= 4 && p <= SIZE_MAX - len;
    requires \valid(out + (p .. p + len - 1));
    requires \valid_read(seq + (0 .. 3));
    requires \separated(out + (p .. p + len - 1), seq + (0 .. 3));
    requires utf8_wf(out, p, m);
    requires utf8_char(m, len, seq[0], seq[1], seq[2], seq[3]);
    assigns out[p .. p + len - 1];
    ensures utf8_wf(out, p + len, m); */
static void emit(uint8_t *out, size_t p, size_t len, int m,
                 const uint8_t *seq)
{
    size_t k;

    (void)m;
    /*@ loop invariant 0 <= k <= len;
        loop invariant \forall integer j; 0 <= j < k ==> out[p + j] == seq[j];
        loop assigns k, out[p .. p + len - 1];
        loop variant len - k; */
    for (k = 0; k < len; k++) {
        out[p + k] = seq[k];
    }
    /*@ assert old_kept: \forall integer i; 0 <= i < p ==>
          out[i] == \at(out[i], Pre); */
    /*@ assert old_positions: \forall integer i; 0 <= i < p ==>
          utf8_wf_at(out, i, p + len, m); */
    /*@ assert new_positions: \forall integer i; p <= i < p + len ==>
          utf8_wf_at(out, i, p + len, m); */
}

/*
 * Copy the ASCII bytes at the start of p[0 .. lim-1] to out + done, while
 * out has room; stops at the first byte that is not a one-byte character
 * (>= 0x80, or 00 in modified UTF-8).  Returns how many it copied.  Each
 * is the unit decode() would emit for it; this path skips classify().
 */
/*@ requires \valid_read(p + (0 .. lim - 1));
    requires done <= out_cap;
    requires out == \null ==> out_cap == 0;
    requires out != \null ==> \valid(out + (0 .. out_cap - 1));
    requires utf8_wf(out, done, m);
    assigns out[done .. out_cap - 1];
    ensures \result <= lim && \result <= out_cap - done;
    ensures utf8_wf(out, done + \result, m); */
static size_t copy_ascii(const uint8_t *p, size_t lim, uint8_t *out,
                         size_t done, size_t out_cap, int m)
{
    size_t room = out_cap - done < lim ? out_cap - done : lim;
    uint8_t lo = m ? 1 : 0; /* 00 is C0 80 in modified UTF-8 */
    size_t k = 0;

    /*@ loop invariant 0 <= k <= room;
        loop invariant utf8_wf(out, done + k, m);
        loop assigns k, out[done .. out_cap - 1];
        loop variant room - k; */
    while (k < room) {
        uint8_t b = p[k];

        if (b < lo || b > 0x7F) {
            break;
        }
        out[done + k] = b;
        /*@ assert old_positions: \forall integer i; 0 <= i < done + k ==>
              utf8_wf_at(out, i, done + k + 1, m); */
        /*@ assert new_position: utf8_wf_at(out, done + k, done + k + 1, m); */
        k++;
    }
    return k;
}

/* U+FFFD, and U+0000 in modified UTF-8, as emit() input. */
static const uint8_t replacement_char[4] = { 0xEF, 0xBF, 0xBD, 0 };
static const uint8_t modified_nul[4] = { 0xC0, 0x80, 0, 0 };

/* After a loss, the ring may start inside a character: the cut-off
 * continuation bytes (at most three) are skipped. */
/*@ requires src_ok(p1, n1, p2, n);
    assigns \nothing;
    ensures \result <= 3 && \result <= n && \result <= max_in; */
static size_t orphan_len(const uint8_t *p1, size_t n1, const uint8_t *p2,
                         size_t n, size_t max_in)
{
    size_t k = 0;

    /*@ loop invariant k <= 3 && k <= n && k <= max_in;
        loop assigns k;
        loop variant 3 - k; */
    while (k < 3 && k < n && k < max_in) {
        uint8_t b = src_at(p1, n1, p2, n, k);

        if (b < 0x80 || b > 0xBF) {
            break;
        }
        k++;
    }
    return k;
}

/*
 * Decode units from offset `in` of the n bytes p1[0..n1-1] ++ p2[..] into
 * out while they fit in max_in and out_cap.  Returns the offset reached;
 * *produced gets the bytes written.  `whole` says the data fills the
 * ring, so an incomplete sequence at offset 0 can never complete.
 */
/*@ requires src_ok(p1, n1, p2, n);
    requires in <= n && in <= max_in;
    requires out == \null ==> out_cap == 0;
    requires out != \null ==> \valid(out + (0 .. out_cap - 1));
    requires \valid(produced);
    requires out != \null ==> \separated(produced, out + (0 .. out_cap - 1));
    assigns out[0 .. out_cap - 1], *produced;
    ensures in <= \result <= n && \result <= max_in;
    ensures *produced <= out_cap;
    ensures utf8_wf(out, *produced, m);
    ensures progress:
      in == 0 && n > 0 && max_in >= 4 && out_cap >= 4 &&
      (n >= 4 || whole || flush) ==> \result > 0; */
static size_t decode(const uint8_t *p1, size_t n1, const uint8_t *p2,
                     size_t n, size_t in, size_t max_in, uint8_t *out,
                     size_t out_cap, int m, bool flush, bool whole,
                     size_t *produced)
{
    size_t done = 0;
    size_t at = in;

    /*@ loop invariant in <= at <= n && at <= max_in;
        loop invariant done <= out_cap;
        loop invariant utf8_wf(out, done, m);
        loop invariant at == in ==> done == 0;
        loop assigns at, done, out[0 .. out_cap - 1];
        loop variant n - at; */
    while (at < n) {
        uint8_t seq[4];
        size_t len;
        size_t out_len;
        enum unit_kind kind = classify(p1, n1, p2, n, at, seq, &len);

        if (kind == UNIT_INCOMPLETE) {
            if (!flush && !(at == 0 && whole)) {
                break;
            }
            kind = UNIT_INVALID;
        }
        if (kind == UNIT_INVALID) {
            out_len = 3;
        } else if (m && seq[0] == 0) {
            out_len = 2;
        } else {
            out_len = len;
        }
        if (len > max_in - at || out_len > out_cap - done) {
            break;
        }
        if (kind == UNIT_INVALID) {
            emit(out, done, 3, m, replacement_char);
        } else if (m && seq[0] == 0) {
            emit(out, done, 2, m, modified_nul);
        } else {
            emit(out, done, len, m, seq);
        }
        done += out_len;
        at += len;
        if (out_len == 1 && at < n) {
            /* An ASCII character: console text is mostly ASCII, so copy
             * the run that follows it directly, up to the span's end. */
            const uint8_t *span = at < n1 ? p1 + at : p2 + (at - n1);
            size_t lim = at < n1 ? n1 : n;
            size_t run;

            lim = (lim < max_in ? lim : max_in) - at;
            run = copy_ascii(span, lim, out, done, out_cap, m);
            done += run;
            at += run;
        }
    }
    *produced = done;
    return at;
}

/* Decode from the ring's oldest byte without consuming anything. */
/*@ requires cirmem_valid(r);
    requires out == \null ==> out_cap == 0;
    requires out != \null ==> \valid(out + (0 .. out_cap - 1));
    requires out != \null ==>
      \separated(out + (0 .. out_cap - 1), r, r->buf + (0 .. r->cap - 1));
    requires \valid(produced);
    requires \separated(produced, r, r->buf + (0 .. r->cap - 1));
    requires out != \null ==> \separated(produced, out + (0 .. out_cap - 1));
    assigns out[0 .. out_cap - 1], *produced;
    ensures \result <= r->used && \result <= max_in;
    ensures *produced <= out_cap;
    ensures utf8_wf(out, *produced, m);
    ensures progress:
      out_cap >= 4 && max_in >= 4 && r->used > 0 &&
      (r->used >= 4 || r->used == r->cap || flush) ==> \result > 0; */
static size_t decode_ring(const cirmem *r, uint8_t *out, size_t out_cap,
                          size_t max_in, int m, bool flush,
                          size_t *produced)
{
    size_t n = r->used;
    size_t n1 = 0;
    size_t n2 = 0;
    const uint8_t *p1 = cirmem_read_span(r, 0, &n1);
    const uint8_t *p2 = NULL;
    size_t in = 0;

    if (n1 < n) {
        p2 = cirmem_read_span(r, n1, &n2);
    }
    if (r->lost) {
        in = orphan_len(p1, n1, p2, n, max_in);
    }
    return decode(p1, n1, p2, n, in, max_in, out, out_cap, m, flush,
                  n == r->cap, produced);
}

/*@ requires cirmem_valid(r);
    requires out == \null || \valid(out + (0 .. out_cap - 1));
    requires consumed == \null || \valid(consumed);
    requires out != \null ==>
      \separated(out + (0 .. out_cap - 1), r, r->buf + (0 .. r->cap - 1));
    requires consumed != \null ==>
      \separated(consumed, r, r->buf + (0 .. r->cap - 1));
    requires consumed != \null && out != \null ==>
      \separated(consumed, out + (0 .. out_cap - 1));
    assigns out[0 .. out_cap - 1], *consumed,
            r->head, r->used, r->read, r->lost;
    ensures cirmem_valid(r);
    ensures \result <= out_cap;
    ensures utf8_wf(out, \result,
                    (flags & CIRMEM_UTF8_NUL_AS_C0_80) != 0 ? 1 : 0);
    ensures \old(r->used) - r->used <= max_in;
    ensures consumed != \null ==> *consumed == \old(r->used) - r->used;
    ensures cirmem_kept{Pre, Post}(r, \old(r->used) - r->used, r->used);
    ensures r->read == cirmem_sat(\old(r->read) + (\old(r->used) - r->used));
    ensures r->lost == (\old(r->used) - r->used > 0 ? 0 : \old(r->lost));
    ensures progress:
      out != \null && out_cap >= 4 && max_in >= 4 && \old(r->used) > 0 &&
      (\old(r->used) >= 4 || \old(r->used) == r->cap ||
       (flags & CIRMEM_UTF8_FLUSH) != 0) ==>
        r->used < \old(r->used);
    behavior bad_out:
      assumes out == \null && out_cap > 0;
      ensures \result == 0 && r->used == \old(r->used);
    behavior normal:
      assumes out != \null || out_cap == 0;
    complete behaviors;
    disjoint behaviors; */
size_t cirmem_read_utf8(cirmem *r, uint8_t *out, size_t out_cap,
                        size_t max_in, unsigned flags, size_t *consumed)
{
    int m = (flags & CIRMEM_UTF8_NUL_AS_C0_80) != 0;
    bool flush = (flags & CIRMEM_UTF8_FLUSH) != 0;
    size_t produced = 0;
    size_t in;

    if (consumed != NULL) {
        *consumed = 0;
    }
    if (out == NULL && out_cap > 0) {
        return 0;
    }
    in = decode_ring(r, out, out_cap, max_in, m, flush, &produced);
    /*@ assert r->used == \at(r->used, Pre) &&
               cirmem_kept{Pre, Here}(r, 0, r->cap); */
    (void)cirmem_consume(r, in);
    if (consumed != NULL) {
        *consumed = in;
    }
    return produced;
}

/* ---- Positioned reads ------------------------------------------------ */

/*
 * The stored bytes from ring offset o on, as a ring of their own that
 * shares the storage: a consuming read of it is a positioned read of r
 * that changes nothing in r.  Its counters mean nothing (written is
 * pinned at saturation, which waives the identity), its lost flag is
 * clear: the caller has done any skip.
 */
/*@ requires cirmem_valid(r);
    requires o <= r->used;
    requires \valid(v) && \separated(v, r, r->buf + (0 .. r->cap - 1));
    assigns *v;
    ensures cirmem_valid(v);
    ensures v->buf == r->buf && v->cap == r->cap;
    ensures v->used == r->used - o;
    ensures v->lost == 0;
    ensures \forall integer k; 0 <= k < v->used ==>
              cirmem_at(v, k) == cirmem_at(r, o + k); */
static void view_from(const cirmem *r, size_t o, cirmem *v)
{
    v->buf = r->buf;
    v->cap = r->cap;
    v->head = o < r->cap - r->head ? r->head + o : o - (r->cap - r->head);
    v->used = r->used - o;
    v->dropped = 0;
    v->read = 0;
    v->written = UINT64_MAX;
    v->refused = 0;
    v->lost = false;
}

/*
 * How many bytes from ring offset o on (0 < o < used) still belong to a
 * unit that starts before o, in the decoding of the stored bytes from the
 * oldest one; 0 when o starts a unit.  Every byte that is not a
 * continuation byte starts a unit (a unit is a lead byte and continuation
 * bytes), so the unit is the one at the nearest such byte at most three
 * bytes back.  Its length is found with the decoder itself: the shortest
 * input limit under which cirmem_read_utf8() takes it (it never splits a
 * unit); none up to 4 means an incomplete sequence that runs to the end.
 */
/*@ requires cirmem_valid(r);
    requires 0 < o < r->used;
    assigns \nothing;
    ensures \result <= 3 && \result <= r->used - o; */
static size_t unit_rest(const cirmem *r, size_t o)
{
    uint8_t w[3];
    uint8_t sink[4];
    size_t back = o < 3 ? o : 3;
    size_t j = 1;
    size_t m;
    size_t c = 0;
    cirmem v;

    (void)cirmem_peek(r, o - back, w, back);
    /*@ loop invariant 1 <= j <= back + 1;
        loop assigns j;
        loop variant back + 1 - j; */
    while (j <= back && w[back - j] >= 0x80 && w[back - j] <= 0xBF) {
        j++;
    }
    if (j > back) {
        return 0; /* no lead byte close enough: o starts a unit */
    }
    view_from(r, o - j, &v);
    /*@ loop invariant j <= m <= 5 && c == 0;
        loop invariant cirmem_valid(&v) && v.used == r->used - (o - j);
        loop invariant v.buf == r->buf && v.cap == r->cap;
        loop assigns m, c, v, sink[0 .. 3];
        loop variant 5 - m; */
    for (m = j; m <= 4; m++) {
        (void)cirmem_read_utf8(&v, sink, sizeof sink, m, 0, &c);
        if (c > 0) {
            return c > j ? c - j : 0; /* the unit is c bytes long */
        }
    }
    return r->used - o < 3 ? r->used - o : 3;
}

/* Bytes to skip at ring offset o before decoding: after this reader's
 * loss (`behind`, then o == 0) the orphaned continuation bytes, up to
 * three, as cirmem_read_utf8() skips them after a loss; otherwise the rest
 * of a unit that starts before o.  Never more than max_in. */
/*@ requires cirmem_valid(r);
    requires o <= r->used;
    requires behind ==> o == 0;
    assigns \nothing;
    ensures \result <= 3 && \result <= r->used - o && \result <= max_in;
    ensures !behind && o == 0 ==> \result == 0; */
static size_t start_skip(const cirmem *r, size_t o, bool behind,
                         size_t max_in)
{
    uint8_t w[3];
    size_t n;
    size_t lim;
    size_t k = 0;

    if (behind) {
        lim = max_in;
    } else if (o == 0 || o == r->used) {
        return 0;
    } else {
        lim = unit_rest(r, o);
        lim = lim < max_in ? lim : max_in;
    }
    n = cirmem_peek(r, o, w, sizeof w);
    /*@ loop invariant k <= 3 && k <= n && k <= lim;
        loop assigns k;
        loop variant 3 - k; */
    while (k < n && k < lim && w[k] >= 0x80 && w[k] <= 0xBF) {
        k++;
    }
    return k;
}

/*@ requires cirmem_valid(r);
    requires res == \null || \valid(res);
    requires out == \null || \valid(out + (0 .. out_cap - 1));
    requires out != \null ==>
      \separated(out + (0 .. out_cap - 1), r, r->buf + (0 .. r->cap - 1));
    requires res != \null ==> \separated(res, r, r->buf + (0 .. r->cap - 1));
    requires res != \null && out != \null ==>
      \separated(res, out + (0 .. out_cap - 1));
    assigns out[0 .. out_cap - 1], *res;
    behavior bad_args:
      assumes res == \null || (out == \null && out_cap > 0);
      assigns \nothing;
      ensures \result == CIRMEM_ERR_NULL;
    behavior exhausted:
      assumes res != \null && (out != \null || out_cap == 0);
      assumes cirmem_exhausted(r);
      assigns \nothing;
      ensures \result == CIRMEM_ERR_EXHAUSTED;
    behavior past_end:
      assumes res != \null && (out != \null || out_cap == 0);
      assumes !cirmem_exhausted(r) && pos > cirmem_end_of(r);
      assigns \nothing;
      ensures \result == CIRMEM_ERR_POSITION;
    behavior decode:
      assumes res != \null && (out != \null || out_cap == 0);
      assumes !cirmem_exhausted(r) && pos <= cirmem_end_of(r);
      ensures \result == CIRMEM_OK;
      ensures \let p = cirmem_max(pos, \old(cirmem_start_of(r)));
              p <= res->position <= p + 3 &&
              res->position <= res->next <= \old(cirmem_end_of(r)) &&
              res->next - p <= max_in;
      ensures res->lost == res->position - pos;
      ensures pos == \old(cirmem_start_of(r)) ==> res->position == pos;
      ensures res->out_len <= out_cap;
      ensures utf8_wf(out, res->out_len,
                      (flags & CIRMEM_UTF8_NUL_AS_C0_80) != 0 ? 1 : 0);
      ensures progress: \let p = cirmem_max(pos, \old(cirmem_start_of(r)));
        \let e = \old(cirmem_end_of(r));
        out_cap >= 4 && max_in >= 4 && p < e &&
        (e - p >= 4 || (flags & CIRMEM_UTF8_FLUSH) != 0 ||
         (p == \old(cirmem_start_of(r)) && \old(r->used) == \old(r->cap)))
          ==> res->next > p;
    complete behaviors;
    disjoint behaviors; */
int cirmem_peek_utf8_at(const cirmem *r, uint64_t pos, uint8_t *out,
                        size_t out_cap, size_t max_in, unsigned flags,
                        cirmem_pos_read *res)
{
    uint64_t end;
    uint64_t start;
    size_t o;
    size_t skip;
    size_t produced;
    size_t consumed = 0;
    cirmem view;

    if (res == NULL || (out == NULL && out_cap > 0)) {
        return CIRMEM_ERR_NULL;
    }
    end = cirmem_end(r);
    if (end == UINT64_MAX) {
        return CIRMEM_ERR_EXHAUSTED;
    }
    if (pos > end) {
        return CIRMEM_ERR_POSITION;
    }
    start = cirmem_start(r);
    o = pos > start ? (size_t)(pos - start) : 0; /* offset, <= used */
    skip = start_skip(r, o, pos < start, max_in);
    /* decode with the consuming reader itself, on a view: one decoder */
    view_from(r, o + skip, &view);
    produced = cirmem_read_utf8(&view, out, out_cap, max_in - skip, flags,
                                &consumed);
    res->position = start + o + skip;
    res->lost = start + o + skip - pos;
    res->next = start + o + skip + consumed;
    res->out_len = produced;
    return CIRMEM_OK;
}
