/* SPDX-License-Identifier: MIT */
/*
 * Shared test harness: a core ring and a reference model driven in
 * lockstep.  Every pair_* operation applies the same call to both,
 * asserts equal results and then pair_check()s the whole state:
 * cirmem_invariant(), every counter, the lost flag, and the contents
 * (read both through the storage array, like cirmem_at() in
 * spec/cirmem_logic.h, and through cirmem_peek()).
 */
#ifndef TEST_COMMON_H
#define TEST_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cirmem.h"
#include "ref/cirmem_ref.h"

/* A string literal as the byte pointer the API takes. */
#define U8(s) ((const uint8_t *)(s))

typedef struct pair {
    cirmem r;
    cirmem_ref m;
    uint8_t *rs;   /* core storage */
    uint8_t *ms;   /* model storage */
    uint8_t *tmp;  /* scratch, cap bytes */
    size_t cap;
} pair;

static inline size_t t_min(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Byte i of the contents, through the storage (cirmem_at(r, i)). */
static inline uint8_t core_at(const cirmem *r, size_t i)
{
    size_t p = r->head + i;

    return r->buf[p < r->cap ? p : p - r->cap];
}

/* Exactly n bytes (malloc(0) included), so ASan sees a one-byte overrun;
 * filled with a canary, so a write past the result inside the buffer
 * shows too (t_canary_intact). */
#define T_CANARY 0xCD
static inline uint8_t *t_alloc_exact(size_t n)
{
    uint8_t *b = malloc(n);

    if (b == NULL && n == 0)
        b = malloc(1); /* never hand NULL: that is another code path */
    assert_non_null(b);
    memset(b, T_CANARY, n);
    return b;
}

/* Bytes [from, to) of b still hold the canary. */
static inline void t_canary_intact(const uint8_t *b, size_t from, size_t to,
                                   const char *what)
{
    size_t i;

    for (i = from; i < to; i++)
        if (b[i] != T_CANARY)
            fail_msg("%s wrote byte %zu past its result of %zu bytes", what,
                     i, from);
}

static inline void pair_check(pair *p)
{
    size_t used = cirmem_used(&p->r);
    size_t i;

    assert_true(cirmem_invariant(&p->r));
    assert_int_equal(cirmem_capacity(&p->r), cirmem_ref_capacity(&p->m));
    assert_int_equal(used, cirmem_ref_used(&p->m));
    assert_int_equal(cirmem_free(&p->r), cirmem_ref_free(&p->m));
    assert_int_equal(cirmem_free(&p->r) + used, p->cap);
    assert_int_equal(cirmem_bytes_written(&p->r),
                     cirmem_ref_bytes_written(&p->m));
    assert_int_equal(cirmem_bytes_read(&p->r), cirmem_ref_bytes_read(&p->m));
    assert_int_equal(cirmem_bytes_dropped(&p->r),
                     cirmem_ref_bytes_dropped(&p->m));
    assert_int_equal(cirmem_data_lost(&p->r), cirmem_ref_data_lost(&p->m));
    assert_int_equal(cirmem_end(&p->r), cirmem_ref_end(&p->m));
    assert_int_equal(cirmem_start(&p->r), cirmem_ref_start(&p->m));
    assert_int_equal(cirmem_end(&p->r) - cirmem_start(&p->r), used);
    for (i = 0; i < used; i++)
        if (core_at(&p->r, i) != p->m.data[i])
            fail_msg("content differs at offset %zu of %zu: core %02x ref %02x",
                     i, used, core_at(&p->r, i), p->m.data[i]);
    if (used > 0) { /* into exactly used bytes */
        uint8_t *o = t_alloc_exact(used);

        assert_int_equal(cirmem_peek(&p->r, 0, o, p->cap), used);
        assert_memory_equal(o, p->m.data, used);
        free(o);
    }
}

static inline void pair_init(pair *p, size_t cap)
{
    memset(p, 0, sizeof *p); /* defined padding, for whole-struct compares */
    p->cap = cap;
    p->rs = malloc(cap);
    p->ms = malloc(cap);
    p->tmp = malloc(cap);
    assert_non_null(p->rs);
    assert_non_null(p->ms);
    assert_non_null(p->tmp);
    /* distinct garbage, so uncommitted storage never matches by luck */
    memset(p->rs, 0xA5, cap);
    memset(p->ms, 0x5A, cap);
    assert_int_equal(cirmem_init(&p->r, p->rs, cap), CIRMEM_OK);
    assert_int_equal(cirmem_ref_init(&p->m, p->ms, cap), CIRMEM_OK);
    pair_check(p);
}

static inline void pair_fini(pair *p)
{
    free(p->rs);
    free(p->ms);
    free(p->tmp);
}

static inline size_t pair_write(pair *p, const void *d, size_t n,
                                cirmem_mode mode)
{
    size_t a = cirmem_write(&p->r, d, n, mode);
    size_t b = cirmem_ref_write(&p->m, d, n, mode);

    assert_int_equal(a, b);
    pair_check(p);
    return a;
}

static inline size_t pair_read(pair *p, size_t n)
{
    /* the core's buffer: exactly the bytes the model says it reads */
    size_t sz = t_min(n, cirmem_ref_used(&p->m));
    uint8_t *o1 = t_alloc_exact(sz), *o2 = malloc(sz + 1);
    size_t a, b;

    assert_non_null(o2);
    a = cirmem_read(&p->r, o1, n);
    b = cirmem_ref_read(&p->m, o2, n);
    assert_int_equal(a, b);
    if (a > 0)
        assert_memory_equal(o1, o2, a);
    free(o1);
    free(o2);
    pair_check(p);
    return a;
}

static inline size_t pair_peek(pair *p, size_t off, size_t n)
{
    size_t used = cirmem_ref_used(&p->m);
    size_t sz = off < used ? t_min(n, used - off) : 0; /* exact */
    uint8_t *o1 = t_alloc_exact(sz), *o2 = malloc(sz + 1);
    size_t a, b;

    assert_non_null(o2);
    a = cirmem_peek(&p->r, off, o1, n);
    b = cirmem_ref_peek(&p->m, off, o2, n);
    assert_int_equal(a, b);
    if (a > 0)
        assert_memory_equal(o1, o2, a);
    free(o1);
    free(o2);
    pair_check(p);
    return a;
}

static inline size_t pair_discard(pair *p, size_t n)
{
    size_t a = cirmem_discard(&p->r, n);
    size_t b = cirmem_ref_discard(&p->m, n);

    assert_int_equal(a, b);
    pair_check(p);
    return a;
}

static inline void pair_clear(pair *p)
{
    cirmem_clear(&p->r);
    cirmem_ref_clear(&p->m);
    pair_check(p);
}

static inline size_t pair_consume(pair *p, size_t n)
{
    size_t a = cirmem_consume(&p->r, n);
    size_t b = cirmem_ref_consume(&p->m, n);

    assert_int_equal(a, b);
    pair_check(p);
    return a;
}

/*
 * Append up to n bytes of d through write_span + commit (in as many
 * span/commit rounds as needed, at most two when the free space wraps),
 * and the same through the model's commit_bytes.  Checks that each span
 * starts right after the newest byte and is the largest contiguous run.
 */
static inline size_t pair_fill_spans(pair *p, const uint8_t *d, size_t n)
{
    size_t done = 0, rounds = 0;

    while (done < n) {
        size_t len = 12345, want, tail, exp_len;
        uint8_t *s = cirmem_write_span(&p->r, &len);

        if (cirmem_free(&p->r) == 0) {
            assert_null(s);
            assert_int_equal(len, 0);
            break;
        }
        tail = p->r.head + p->r.used;
        tail = tail < p->cap ? tail : tail - p->cap;
        /* free space runs to the oldest byte or to the end of storage */
        exp_len = tail < p->r.head ? p->r.head - tail : p->cap - tail;
        assert_ptr_equal(s, p->r.buf + tail);
        assert_int_equal(len, exp_len);
        assert_true(len > 0 && len <= cirmem_free(&p->r));
        want = t_min(len, n - done);
        memcpy(s, d + done, want);
        assert_int_equal(cirmem_commit(&p->r, want), want);
        done += want;
        rounds++;
        assert_true(rounds <= 2);
    }
    assert_int_equal(cirmem_ref_commit_bytes(&p->m, d, n), done);
    pair_check(p);
    return done;
}

/*
 * Consume up to n bytes through read_span + consume, comparing every
 * span with the model's contents, then consume the same on the model.
 */
static inline size_t pair_drain_spans(pair *p, size_t n)
{
    size_t used = cirmem_used(&p->r), k = t_min(n, used);
    size_t len1 = 777, len2 = 777, len3 = 777;
    const uint8_t *s1 = cirmem_read_span(&p->r, 0, &len1);

    if (used == 0) {
        assert_null(s1);
        assert_int_equal(len1, 0);
    } else {
        const uint8_t *s2 = cirmem_read_span(&p->r, len1, &len2);
        assert_ptr_equal(s1, p->r.buf + p->r.head);
        assert_int_equal(len1, t_min(used, p->cap - p->r.head));
        assert_memory_equal(s1, p->m.data, len1);
        if (len1 == used) {
            assert_null(s2);
            assert_int_equal(len2, 0);
        } else {
            assert_ptr_equal(s2, p->r.buf);
            assert_int_equal(len1 + len2, used);
            assert_memory_equal(s2, p->m.data + len1, len2);
        }
        /* offset past the end */
        assert_null(cirmem_read_span(&p->r, used, &len3));
        assert_int_equal(len3, 0);
    }
    return pair_consume(p, k);
}

static inline size_t pair_utf8(pair *p, size_t out_cap, size_t max_in,
                               unsigned flags)
{
    /* every ring byte becomes at most 3 output bytes: the core's buffer
     * is exactly what the call may write, canary-filled */
    size_t sz = t_min(out_cap, 3 * cirmem_ref_used(&p->m));
    uint8_t *o1 = t_alloc_exact(sz), *o2 = malloc(sz + 1);
    size_t c1 = 999, c2 = 888, a, b;

    assert_non_null(o2);
    a = cirmem_read_utf8(&p->r, o1, out_cap, max_in, flags, &c1);
    assert_true(a <= sz);
    t_canary_intact(o1, a, sz, "cirmem_read_utf8");
    b = cirmem_ref_read_utf8(&p->m, o2, out_cap, max_in, flags, &c2);
    assert_int_equal(a, b);
    assert_int_equal(c1, c2);
    if (a > 0)
        assert_memory_equal(o1, o2, a);
    free(o1);
    free(o2);
    pair_check(p);
    return a;
}

static inline void t_res_equal(const cirmem_pos_read *a,
                               const cirmem_pos_read *b)
{
    assert_int_equal(a->position, b->position);
    assert_int_equal(a->lost, b->lost);
    assert_int_equal(a->next, b->next);
    assert_int_equal(a->out_len, b->out_len);
}

/* A result struct that a call which fails must leave alone. */
static inline void t_res_poison(cirmem_pos_read *r)
{
    memset(r, 0x6B, sizeof *r);
}

static inline void t_res_poisoned(const cirmem_pos_read *r)
{
    cirmem_pos_read q;

    t_res_poison(&q);
    assert_memory_equal(r, &q, sizeof q);
}

/*
 * cirmem_peek_at(pos, n) on both sides; the core's buffer is exactly the
 * bytes the model copies (canary-checked beyond).  Returns the result code;
 * *res (if not NULL) gets the core's report.  The ring must not change.
 */
static inline int pair_peek_at(pair *p, uint64_t pos, size_t n,
                               cirmem_pos_read *res)
{
    cirmem_pos_read a, b;
    uint64_t end = cirmem_ref_end(&p->m), start = cirmem_ref_start(&p->m);
    size_t off = pos > start ? (size_t)(pos - start) : 0;
    size_t sz = end != UINT64_MAX && pos <= end ?
                    t_min(n, cirmem_ref_used(&p->m) - off) : 0;
    uint8_t *o1 = t_alloc_exact(sz), *o2 = malloc(sz + 1);
    cirmem before = p->r;
    int x, y;

    assert_non_null(o2);
    t_res_poison(&a);
    t_res_poison(&b);
    x = cirmem_peek_at(&p->r, pos, o1, n, &a);
    y = cirmem_ref_peek_at(&p->m, pos, o2, n, &b);
    assert_int_equal(x, y);
    if (x == CIRMEM_OK) {
        t_res_equal(&a, &b);
        assert_int_equal(a.out_len, sz);
        assert_int_equal(a.next, a.position + a.out_len);
        assert_int_equal(a.lost, a.position - pos);
        if (sz > 0)
            assert_memory_equal(o1, o2, sz);
    } else {
        t_res_poisoned(&a);
        t_canary_intact(o1, 0, sz, "cirmem_peek_at (error)");
    }
    assert_memory_equal(&p->r, &before, sizeof before); /* nothing changed */
    if (res != NULL)
        *res = a;
    free(o1);
    free(o2);
    pair_check(p);
    return x;
}

/*
 * cirmem_peek_utf8_at() on both sides, into an exact-size canary-filled
 * buffer for the core (every ring byte is at most 3 output bytes).
 */
static inline int pair_utf8_at(pair *p, uint64_t pos, size_t out_cap,
                               size_t max_in, unsigned flags,
                               cirmem_pos_read *res)
{
    cirmem_pos_read a, b;
    size_t sz = t_min(out_cap, 3 * cirmem_ref_used(&p->m));
    uint8_t *o1 = t_alloc_exact(sz), *o2 = malloc(sz + 1);
    cirmem before = p->r;
    int x, y;

    assert_non_null(o2);
    t_res_poison(&a);
    t_res_poison(&b);
    x = cirmem_peek_utf8_at(&p->r, pos, o1, out_cap, max_in, flags, &a);
    y = cirmem_ref_peek_utf8_at(&p->m, pos, o2, out_cap, max_in, flags, &b);
    assert_int_equal(x, y);
    if (x == CIRMEM_OK) {
        t_res_equal(&a, &b);
        assert_true(a.out_len <= sz);
        t_canary_intact(o1, a.out_len, sz, "cirmem_peek_utf8_at");
        assert_int_equal(a.lost, a.position - pos);
        assert_true(a.position <= a.next && a.next <= cirmem_end(&p->r));
        if (a.out_len > 0)
            assert_memory_equal(o1, o2, a.out_len);
    } else {
        t_res_poisoned(&a);
        t_canary_intact(o1, 0, sz, "cirmem_peek_utf8_at (error)");
    }
    assert_memory_equal(&p->r, &before, sizeof before);
    if (res != NULL)
        *res = a;
    free(o1);
    free(o2);
    pair_check(p);
    return x;
}

/* Put the oldest byte at storage index h of an empty ring (h < cap):
 * write h bytes and read them back; leaves lost=false. */
static inline void pair_set_head(pair *p, size_t h)
{
    uint8_t junk[64];
    size_t done = 0;

    memset(junk, 0xEE, sizeof junk);
    while (done < h) {
        size_t k = t_min(sizeof junk, h - done);
        assert_int_equal(pair_write(p, junk, k, CIRMEM_BOUNDED), k);
        assert_int_equal(pair_read(p, k), k);
        done += k;
    }
    /* A core may legitimately move head when the ring empties; the
     * white-box tests want this exact position, and an empty ring with
     * any head < cap is valid, so set it directly in that case. */
    if (p->r.head != h)
        p->r.head = h;
    assert_true(cirmem_invariant(&p->r));
}

/* Deterministic PRNG (xorshift64*), so failures reproduce. */
static inline uint64_t t_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

#endif /* TEST_COMMON_H */
