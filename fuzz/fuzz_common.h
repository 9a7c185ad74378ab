/* SPDX-License-Identifier: MIT */
/*
 * Shared pieces of the cirmem fuzz harnesses.
 *
 * - fz_in: a cursor over the fuzzer's input.  Every read past the end
 *   yields 0 and sets `eof`, so every input, even empty, is valid.
 * - FZ_CHECK(): the harnesses' only assertion.  It survives NDEBUG, prints
 *   what diverged and abort()s, which every engine reports as a crash.
 * - fz_pair: a core ring and the reference model of spec/ref/ driven in
 *   lockstep, and fz_pair_check(), which compares their whole observable
 *   state after every operation.
 * - fz_utf8_wf(): a UTF-8 well-formedness validator written for the
 *   harnesses (it decodes code points; it shares nothing with core/ or
 *   spec/ref/).
 *
 * Output buffers handed to core/ are sized exactly to what the call may
 * write according to the model, so AddressSanitizer reports any byte
 * written beyond the specified result.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cirmem.h"
#include "ref/cirmem_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Largest capacity a harness builds. */
#define FZ_CAP_MAX 4096u

static const char *fz_op_name = "init"; /* what ran last, for reports */
static unsigned long fz_op_index;

#define FZ_CHECK(cond, ...)                                                  \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "cirmem fuzz: divergence at %s:%d, op #%lu (%s)" \
                    ": %s\n  ", __FILE__, __LINE__, fz_op_index,             \
                    fz_op_name, #cond);                                      \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
            abort();                                                         \
        }                                                                    \
    } while (0)

static inline size_t fz_min(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* malloc that never returns NULL (a failed allocation is a harness bug). */
static inline uint8_t *fz_alloc(size_t n)
{
    uint8_t *p = malloc(n > 0 ? n : 1);

    FZ_CHECK(p != NULL, "malloc(%zu) failed", n);
    return p;
}

/* Exactly n bytes (malloc(0) included), so ASan sees any overrun. */
static inline uint8_t *fz_alloc_exact(size_t n)
{
    uint8_t *p = malloc(n);

    FZ_CHECK(p != NULL || n == 0, "malloc(%zu) failed", n);
    if (p == NULL) {
        p = malloc(1); /* a zero-size request may give NULL; never pass it */
        FZ_CHECK(p != NULL, "malloc(1) failed");
    }
    return p;
}

/* ---- input cursor ---------------------------------------------------- */

typedef struct fz_in {
    const uint8_t *p;
    size_t n;
    size_t i;
    bool eof;
} fz_in;

static inline uint8_t fz_byte(fz_in *in)
{
    if (in->i < in->n)
        return in->p[in->i++];
    in->eof = true;
    return 0;
}

static inline uint64_t fz_u64(fz_in *in)
{
    uint64_t v = 0;
    int k;

    for (k = 0; k < 8; k++)
        v = (v << 8) | fz_byte(in);
    return v;
}

static inline bool fz_more(const fz_in *in)
{
    return in->i < in->n;
}

/*
 * A capacity in 1 .. max, biased to 1, 2, 3 and powers of two +-1.
 * Two bytes: a selects the family (a % 8), b the value.
 */
static inline size_t fz_capacity(fz_in *in, size_t max)
{
    uint8_t a = fz_byte(in), b = fz_byte(in);
    size_t c;

    switch (a % 8) {
    case 0:
        c = 1;
        break;
    case 1:
        c = 2;
        break;
    case 2:
        c = 3;
        break;
    case 3:
    case 4: /* 2^k - 1, 2^k, 2^k + 1 for k = 1 .. 12 */
        c = ((size_t)1 << (1 + b % 12)) + (size_t)((a / 8) % 3) - 1;
        break;
    default:
        c = 1 + (((size_t)(a / 8) << 8) | b) % max;
        break;
    }
    if (c > max)
        c = max;
    return c < 1 ? 1 : c;
}

/*
 * A size_t count, from one to three bytes: small values, values near the
 * capacity / used / free / 2*cap, 14-bit values, and extremes
 * (0, SIZE_MAX, CIRMEM_CAPACITY_MAX, ...).
 */
static inline size_t fz_count(fz_in *in, size_t cap, size_t used)
{
    uint8_t b = fz_byte(in);

    switch (b >> 6) {
    case 0:
        return b & 63u;
    case 1: {
        size_t base[4] = { cap, used, cap - used, 2 * cap };
        size_t v = base[(b >> 4) & 3u];
        int d = (int)(b & 15u) - 8;

        if (d < 0)
            return (size_t)-d > v ? 0 : v - (size_t)-d;
        return v + (size_t)d;
    }
    case 2:
        return ((size_t)(b & 63u) << 8) | fz_byte(in);
    default: {
        const size_t special[8] = {
            0, 1, SIZE_MAX, SIZE_MAX - 1, CIRMEM_CAPACITY_MAX,
            CIRMEM_CAPACITY_MAX + 1, (size_t)UINT32_MAX + 1, 3 * cap,
        };
        return special[b & 7u];
    }
    }
}

/* ---- UTF-8 validator ------------------------------------------------- */

/*
 * Is s[0..n) well-formed UTF-8?  With nul_c0_80, U+0000 must appear as
 * C0 80 and a 00 byte is an error (modified UTF-8, as the NUL flag of
 * cirmem_read_utf8() promises).  Decodes each code point, then rejects
 * overlongs by the minimum of its length, surrogates and > U+10FFFF.
 */
static inline bool fz_utf8_wf(const uint8_t *s, size_t n, bool nul_c0_80,
                              size_t *bad_at)
{
    size_t i = 0;

    while (i < n) {
        uint32_t b = s[i], cp, min;
        size_t len, k;

        if (b < 0x80) {
            if (b == 0 && nul_c0_80)
                goto bad;
            i++;
            continue;
        }
        if (nul_c0_80 && b == 0xC0 && i + 1 < n && s[i + 1] == 0x80) {
            i += 2;
            continue;
        }
        if (b >> 5 == 6) {
            len = 2;
            cp = b & 0x1F;
            min = 0x80;
        } else if (b >> 4 == 14) {
            len = 3;
            cp = b & 0x0F;
            min = 0x800;
        } else if (b >> 3 == 30) {
            len = 4;
            cp = b & 0x07;
            min = 0x10000;
        } else {
            goto bad;
        }
        if (n - i < len)
            goto bad;
        for (k = 1; k < len; k++) {
            if (s[i + k] >> 6 != 2)
                goto bad;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += len;
        continue;
bad:
        if (bad_at != NULL)
            *bad_at = i;
        return false;
    }
    return true;
}

/* Encode code point cp (not a surrogate, <= 10FFFF) to out; returns length. */
static inline size_t fz_utf8_put(uint32_t cp, uint8_t *out)
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- core + model in lockstep ---------------------------------------- */

typedef struct fz_pair {
    cirmem r;
    cirmem_ref m;
    uint8_t *rs;  /* core storage, alloc bytes */
    uint8_t *ms;  /* model storage, alloc bytes */
    size_t alloc; /* storage size; the current capacity is <= alloc */
} fz_pair;

static inline void fz_pair_check(fz_pair *p);

/* (Re)allocate both storages with exactly cap bytes, freeing the old. */
static inline void fz_pair_storage(fz_pair *p, size_t cap)
{
    free(p->rs);
    free(p->ms);
    p->alloc = cap;
    p->rs = fz_alloc_exact(cap);
    p->ms = fz_alloc_exact(cap);
    /* distinct garbage, so uncommitted storage never matches by luck */
    memset(p->rs, 0xA5, cap);
    memset(p->ms, 0x5A, cap);
}

static inline void fz_pair_init(fz_pair *p, size_t cap)
{
    memset(p, 0, sizeof *p);
    fz_pair_storage(p, cap);
    FZ_CHECK(cirmem_init(&p->r, p->rs, cap) == CIRMEM_OK, "init(%zu)", cap);
    FZ_CHECK(cirmem_ref_init(&p->m, p->ms, cap) == CIRMEM_OK,
             "ref init(%zu)", cap);
    fz_pair_check(p);
}

static inline void fz_pair_fini(fz_pair *p)
{
    free(p->rs);
    free(p->ms);
}

/* Byte i of the core's contents, read through the storage. */
static inline uint8_t fz_core_at(const cirmem *r, size_t i)
{
    size_t pos = i < r->cap - r->head ? r->head + i : i - (r->cap - r->head);

    return r->buf[pos];
}

/*
 * The whole observable state of core and model must agree: invariant,
 * capacity, used, free, the three counters, the lost flag, and the
 * contents read three ways (through the storage, cirmem_peek() into an
 * exact buffer, and the two cirmem_read_span() spans).
 */
static inline void fz_pair_check(fz_pair *p)
{
    const cirmem *r = &p->r;
    const cirmem_ref *m = &p->m;
    size_t used = cirmem_used(r), cap = cirmem_capacity(r);
    size_t i, len1 = 7777, len2 = 7777, len3 = 7777;
    const uint8_t *s1, *s2;

    FZ_CHECK(cirmem_invariant(r), "invariant: cap %zu head %zu used %zu "
             "w %llu r %llu d %llu", r->cap, r->head, r->used,
             (unsigned long long)r->written, (unsigned long long)r->read,
             (unsigned long long)r->dropped);
    FZ_CHECK(cap == cirmem_ref_capacity(m), "cap %zu vs %zu", cap,
             cirmem_ref_capacity(m));
    FZ_CHECK(used == cirmem_ref_used(m), "used %zu vs %zu", used,
             cirmem_ref_used(m));
    FZ_CHECK(cirmem_free(r) == cirmem_ref_free(m), "free %zu vs %zu",
             cirmem_free(r), cirmem_ref_free(m));
    FZ_CHECK(cirmem_free(r) + used == cap, "free %zu + used %zu != cap %zu",
             cirmem_free(r), used, cap);
    FZ_CHECK(cirmem_bytes_written(r) == cirmem_ref_bytes_written(m),
             "written %llu vs %llu",
             (unsigned long long)cirmem_bytes_written(r),
             (unsigned long long)cirmem_ref_bytes_written(m));
    FZ_CHECK(cirmem_bytes_read(r) == cirmem_ref_bytes_read(m),
             "read %llu vs %llu", (unsigned long long)cirmem_bytes_read(r),
             (unsigned long long)cirmem_ref_bytes_read(m));
    FZ_CHECK(cirmem_bytes_dropped(r) == cirmem_ref_bytes_dropped(m),
             "dropped %llu vs %llu",
             (unsigned long long)cirmem_bytes_dropped(r),
             (unsigned long long)cirmem_ref_bytes_dropped(m));
    FZ_CHECK(cirmem_data_lost(r) == cirmem_ref_data_lost(m),
             "lost %d vs %d", cirmem_data_lost(r), cirmem_ref_data_lost(m));
    FZ_CHECK(cirmem_end(r) == cirmem_ref_end(m) &&
             cirmem_start(r) == cirmem_ref_start(m),
             "positions [%llu, %llu) vs ref [%llu, %llu)",
             (unsigned long long)cirmem_start(r),
             (unsigned long long)cirmem_end(r),
             (unsigned long long)cirmem_ref_start(m),
             (unsigned long long)cirmem_ref_end(m));
    FZ_CHECK(cirmem_end(r) - cirmem_start(r) == used, "end - start != used");

    for (i = 0; i < used; i++)
        FZ_CHECK(fz_core_at(r, i) == m->data[i],
                 "content[%zu] of %zu: core %02x ref %02x", i, used,
                 fz_core_at(r, i), m->data[i]);

    if (used > 0) {
        uint8_t *tmp = fz_alloc_exact(used);
        size_t k = cirmem_peek(r, 0, tmp, SIZE_MAX);

        FZ_CHECK(k == used, "peek(0, SIZE_MAX) = %zu, used %zu", k, used);
        FZ_CHECK(memcmp(tmp, m->data, used) == 0, "peek contents differ");
        free(tmp);
    }

    s1 = cirmem_read_span(r, 0, &len1);
    if (used == 0) {
        FZ_CHECK(s1 == NULL && len1 == 0, "read_span on empty: %p %zu",
                 (const void *)s1, len1);
    } else {
        FZ_CHECK(s1 == r->buf + r->head, "read_span(0) pointer");
        FZ_CHECK(len1 == fz_min(used, cap - r->head), "read_span(0) len %zu",
                 len1);
        FZ_CHECK(memcmp(s1, m->data, len1) == 0, "span 1 contents differ");
        s2 = cirmem_read_span(r, len1, &len2);
        if (len1 == used) {
            FZ_CHECK(s2 == NULL && len2 == 0, "second span of a flat ring");
        } else {
            FZ_CHECK(s2 == r->buf, "second span does not start at buf");
            FZ_CHECK(len1 + len2 == used, "spans %zu + %zu != used %zu",
                     len1, len2, used);
            FZ_CHECK(memcmp(s2, m->data + len1, len2) == 0,
                     "span 2 contents differ");
        }
    }
    FZ_CHECK(cirmem_read_span(r, used, &len3) == NULL && len3 == 0,
             "read_span(used) not empty");
}

/*
 * read_utf8 on both sides with the same arguments; compares produced
 * bytes, consumed count and state, then checks the output's form and
 * limits.  out_cap is the real size of the buffer given to the core
 * unless `unbounded` (then the buffer has 3 * used bytes, the most any
 * call can produce, and out_cap is passed as SIZE_MAX).  Returns the
 * produced count; the output is copied to `sink` when non-NULL.
 */
static inline size_t fz_pair_utf8(fz_pair *p, size_t out_cap, bool unbounded,
                                  bool out_null, size_t max_in,
                                  unsigned flags, bool want_consumed,
                                  uint8_t *sink, size_t *consumed_out)
{
    size_t used0 = cirmem_used(&p->r);
    size_t bufsz = unbounded ? 3 * used0 : out_cap;
    size_t pass_cap = unbounded ? SIZE_MAX : out_cap;
    uint8_t *o1 = out_null ? NULL : fz_alloc_exact(bufsz);
    uint8_t *o2 = fz_alloc(3 * used0 + 1);
    size_t c1 = 0xDEAD, c2 = 0xBEEF, a, b;
    bool lost0 = cirmem_data_lost(&p->r);
    bool nul = (flags & CIRMEM_UTF8_NUL_AS_C0_80) != 0;
    size_t bad = 0;

    if (o1 != NULL) /* canary: a write past the result shows */
        memset(o1, 0xCD, bufsz);
    a = cirmem_read_utf8(&p->r, o1, pass_cap, max_in, flags,
                         want_consumed ? &c1 : NULL);
    if (o1 != NULL && a <= bufsz)
        for (size_t i = a; i < bufsz; i++)
            FZ_CHECK(o1[i] == 0xCD, "read_utf8 wrote byte %zu past its "
                     "result of %zu bytes", i, a);
    b = cirmem_ref_read_utf8(&p->m, out_null ? NULL : o2, pass_cap, max_in,
                             flags, &c2);
    FZ_CHECK(a == b, "read_utf8 produced %zu vs ref %zu (out_cap %zu max_in "
             "%zu flags %u used %zu lost %d)", a, b, pass_cap, max_in, flags,
             used0, lost0);
    if (!want_consumed)
        c1 = used0 - cirmem_used(&p->r);
    FZ_CHECK(c1 == c2, "read_utf8 consumed %zu vs ref %zu", c1, c2);
    FZ_CHECK(c1 == used0 - cirmem_used(&p->r),
             "consumed %zu but used went %zu -> %zu", c1, used0,
             cirmem_used(&p->r));
    FZ_CHECK(c1 <= max_in, "consumed %zu > max_in %zu", c1, max_in);
    FZ_CHECK(a <= pass_cap, "produced %zu > out_cap %zu", a, pass_cap);
    if (a > 0) {
        FZ_CHECK(memcmp(o1, o2, a) == 0, "read_utf8 output differs");
        FZ_CHECK(fz_utf8_wf(o1, a, nul, &bad), "output not well-formed at "
                 "%zu of %zu (flags %u)", bad, a, flags);
    }
    if (out_null && pass_cap > 0)
        FZ_CHECK(a == 0 && c1 == 0, "NULL out consumed %zu", c1);
    /* progress guarantee of cirmem.h */
    if (!out_null && pass_cap >= 4 && max_in >= 4 && used0 > 0 &&
        (used0 >= 4 || used0 == cirmem_capacity(&p->r) ||
         (flags & CIRMEM_UTF8_FLUSH) != 0))
        FZ_CHECK(c1 > 0, "no progress: used %zu cap %zu flags %u", used0,
                 cirmem_capacity(&p->r), flags);
    /* the lost flag follows the consumption */
    FZ_CHECK(cirmem_data_lost(&p->r) == (c1 > 0 ? false : lost0),
             "lost flag after read_utf8");
    if (sink != NULL && a > 0)
        memcpy(sink, o1, a);
    if (consumed_out != NULL)
        *consumed_out = c1;
    free(o1);
    free(o2);
    fz_pair_check(p);
    return a;
}

/*
 * A position to read from, chosen by the input around the interesting
 * points: behind start, start, inside the contents, end, past end, 0,
 * UINT64_MAX, or any 64-bit value.
 */
static inline uint64_t fz_position(fz_in *in, const cirmem_ref *m)
{
    uint8_t ctl = fz_byte(in);
    uint64_t d = fz_byte(in), start = cirmem_ref_start(m);
    uint64_t end = cirmem_ref_end(m);

    switch (ctl % 8) {
    case 0: return start > d ? start - d : 0;       /* behind start */
    case 1: return start + d % (end - start + 1);   /* stored */
    case 2: return end > d ? end - d : 0;           /* the newest bytes */
    case 3: return end + 1 + d % 4;                 /* past end */
    case 4: return end;
    case 5: return ctl & 8 ? 0 : UINT64_MAX;
    case 6: return start;
    default: return fz_u64(in);
    }
}

static inline void fz_res_check(const cirmem_pos_read *a,
                                const cirmem_pos_read *b, uint64_t pos,
                                const char *what)
{
    FZ_CHECK(a->position == b->position && a->lost == b->lost &&
             a->next == b->next && a->out_len == b->out_len,
             "%s(%llu): position %llu lost %llu next %llu len %zu; ref %llu "
             "%llu %llu %zu", what, (unsigned long long)pos,
             (unsigned long long)a->position, (unsigned long long)a->lost,
             (unsigned long long)a->next, a->out_len,
             (unsigned long long)b->position, (unsigned long long)b->lost,
             (unsigned long long)b->next, b->out_len);
    FZ_CHECK(a->lost == a->position - pos && a->position >= pos &&
             a->position <= a->next, "%s: inconsistent report", what);
}

/* cirmem_peek_at() on both sides, the core's buffer exactly as large as
 * the model's answer; nothing may change, a failure writes nothing. */
static inline int fz_pair_peek_at(fz_pair *p, uint64_t pos, size_t n,
                                  bool out_null)
{
    const cirmem_ref *m = &p->m;
    uint64_t end = cirmem_ref_end(m), start = cirmem_ref_start(m);
    bool ok = end != UINT64_MAX && pos <= end && (!out_null || n == 0);
    size_t off = pos > start ? (size_t)(pos - start) : 0;
    size_t sz = ok ? fz_min(n, m->used - off) : 0;
    uint8_t *o1 = out_null ? NULL : fz_alloc_exact(sz), *o2 = fz_alloc(sz);
    cirmem_pos_read a, b;
    cirmem before = p->r;
    int x, y;

    memset(&a, 0x6B, sizeof a);
    if (o1 != NULL)
        memset(o1, 0xCD, sz);
    x = cirmem_peek_at(&p->r, pos, o1, n, &a);
    y = cirmem_ref_peek_at(m, pos, out_null ? NULL : o2, n, &b);
    FZ_CHECK(x == y, "peek_at(%llu, %zu) = %d, ref %d",
             (unsigned long long)pos, n, x, y);
    FZ_CHECK(memcmp(&before, &p->r, sizeof before) == 0,
             "peek_at changed the ring");
    if (x == CIRMEM_OK) {
        fz_res_check(&a, &b, pos, "peek_at");
        FZ_CHECK(a.out_len == sz && a.next == a.position + sz,
                 "peek_at length %zu, want %zu", a.out_len, sz);
        FZ_CHECK(sz == 0 || memcmp(o1, o2, sz) == 0, "peek_at bytes differ");
    } else {
        for (size_t i = 0; i < sizeof a; i++)
            FZ_CHECK(((uint8_t *)&a)[i] == 0x6B, "failed peek_at wrote res");
        for (size_t i = 0; o1 != NULL && i < sz; i++)
            FZ_CHECK(o1[i] == 0xCD, "failed peek_at wrote out");
    }
    free(o1);
    free(o2);
    fz_pair_check(p);
    return x;
}

/*
 * cirmem_peek_utf8_at() on both sides; out_cap is the real size of the
 * core's buffer (canary-filled).  The output goes to sink (if not NULL)
 * and the report to *res_out.  Returns the result code.
 */
static inline int fz_pair_utf8_at(fz_pair *p, uint64_t pos, size_t out_cap,
                                  bool out_null, size_t max_in,
                                  unsigned flags, uint8_t *sink,
                                  cirmem_pos_read *res_out)
{
    const cirmem_ref *m = &p->m;
    size_t bufsz = out_null ? 0 : out_cap;
    uint8_t *o1 = out_null ? NULL : fz_alloc_exact(bufsz);
    uint8_t *o2 = fz_alloc(out_cap < 3 * m->used + 4 ? out_cap
                                                       : 3 * m->used + 4);
    bool nul = (flags & CIRMEM_UTF8_NUL_AS_C0_80) != 0;
    uint64_t start = cirmem_ref_start(m), end = cirmem_ref_end(m);
    uint64_t first = pos > start ? pos : start;
    cirmem_pos_read a, b;
    cirmem before = p->r;
    size_t bad = 0;
    int x, y;

    memset(&a, 0x6B, sizeof a);
    if (o1 != NULL)
        memset(o1, 0xCD, bufsz);
    x = cirmem_peek_utf8_at(&p->r, pos, o1, out_cap, max_in, flags, &a);
    y = cirmem_ref_peek_utf8_at(m, pos, out_null ? NULL : o2, out_cap,
                                max_in, flags, &b);
    FZ_CHECK(x == y, "peek_utf8_at(%llu) = %d, ref %d",
             (unsigned long long)pos, x, y);
    FZ_CHECK(memcmp(&before, &p->r, sizeof before) == 0,
             "peek_utf8_at changed the ring");
    if (x == CIRMEM_OK) {
        fz_res_check(&a, &b, pos, "peek_utf8_at");
        FZ_CHECK(a.out_len <= out_cap, "produced %zu > out_cap %zu",
                 a.out_len, out_cap);
        for (size_t i = a.out_len; o1 != NULL && i < bufsz; i++)
            FZ_CHECK(o1[i] == 0xCD, "peek_utf8_at wrote byte %zu past its "
                     "result of %zu", i, a.out_len);
        FZ_CHECK(a.position >= first && a.position - first <= 3 &&
                 a.next <= end &&
                 a.next - first <= max_in, "peek_utf8_at limits: pos %llu "
                 "first %llu end %llu max_in %zu position %llu next %llu",
                 (unsigned long long)pos, (unsigned long long)first,
                 (unsigned long long)end, max_in,
                 (unsigned long long)a.position, (unsigned long long)a.next);
        FZ_CHECK(pos != start || a.position == pos,
                 "peek_utf8_at skipped at start");
        if (a.out_len > 0) {
            FZ_CHECK(memcmp(o1, o2, a.out_len) == 0,
                     "peek_utf8_at output differs");
            FZ_CHECK(fz_utf8_wf(o1, a.out_len, nul, &bad),
                     "peek_utf8_at output not well-formed at %zu", bad);
        }
        /* progress, as cirmem.h promises */
        if (!out_null && out_cap >= 4 && max_in >= 4 && first < end &&
            (end - first >= 4 || (flags & CIRMEM_UTF8_FLUSH) != 0 ||
             (first == start && m->used == m->cap)))
            FZ_CHECK(a.next > first, "peek_utf8_at made no progress");
        if (sink != NULL && a.out_len > 0)
            memcpy(sink, o1, a.out_len);
    } else {
        for (size_t i = 0; i < sizeof a; i++)
            FZ_CHECK(((uint8_t *)&a)[i] == 0x6B,
                     "failed peek_utf8_at wrote res");
        for (size_t i = 0; o1 != NULL && i < bufsz; i++)
            FZ_CHECK(o1[i] == 0xCD, "failed peek_utf8_at wrote out");
    }
    if (res_out != NULL)
        *res_out = a;
    free(o1);
    free(o2);
    fz_pair_check(p);
    return x;
}

#endif /* FUZZ_COMMON_H */
