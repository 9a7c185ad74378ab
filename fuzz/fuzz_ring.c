/* SPDX-License-Identifier: MIT */
/*
 * Differential ring harness: core/ against the reference model spec/ref/.
 *
 * Input layout (every byte string is a valid input):
 *   2 bytes   capacity (fz_capacity(): 1, 2, 3, 2^k +-1, or 1 .. 4096)
 *   then operations until the input ends, each an opcode byte
 *   (opcode % FZ_NOPS) followed by its argument bytes.
 *
 * Every operation is applied to the core and the model; results, output
 * bytes and then the whole state (fz_pair_check()) must agree.  Written
 * data comes either from the input or from a running sequence, so that
 * misordered or duplicated bytes show up.  Some operations are white-box:
 * span pointers are checked against head/used, counters are jumped near
 * UINT64_MAX on both sides, and cirmem_invariant() is probed on broken
 * copies of the ring against the harness's own predicate.
 */
#include "fuzz_common.h"

enum {
    OP_WRITE_OVERWRITE,
    OP_WRITE_DROP_NEW,
    OP_WRITE_BOUNDED,
    OP_WRITE_UNKNOWN_MODE,
    OP_WRITE_DEGENERATE, /* NULL data or n == 0 */
    OP_READ,
    OP_PEEK,
    OP_DISCARD,
    OP_CLEAR,
    OP_READ_SPAN,
    OP_CONSUME,
    OP_WRITE_SPAN_COMMIT,
    OP_READ_UTF8,
    OP_SATURATE,
    OP_INIT,
    OP_INVARIANT_PROBE,
    OP_PEEK_AT,
    OP_UTF8_AT,
    FZ_NOPS
};

static const char *const op_names[FZ_NOPS] = {
    "write OVERWRITE", "write DROP_NEW", "write BOUNDED",
    "write unknown mode", "write NULL/empty", "read", "peek", "discard",
    "clear", "read_span", "consume", "write_span+commit", "read_utf8",
    "saturate counters", "init", "invariant probe", "peek_at",
    "peek_utf8_at",
};

/* Largest write the harness makes: enough to cover n > cap. */
static size_t write_max(size_t cap)
{
    return 3 * cap + 64;
}

static uint32_t seq; /* running data sequence */

/* n bytes of write data: from the input when `from_input` (zero padded
 * past its end), otherwise the running sequence. */
static void fill_data(fz_in *in, uint8_t *d, size_t n, bool from_input)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (from_input) {
            d[i] = fz_byte(in);
        } else {
            d[i] = (uint8_t)(seq ^ (seq >> 8) ^ (seq >> 16));
            seq++;
        }
    }
}

static void op_write(fz_pair *p, fz_in *in, cirmem_mode mode)
{
    uint8_t ctl = fz_byte(in);
    size_t cap = cirmem_capacity(&p->r);
    size_t n = fz_min(fz_count(in, cap, cirmem_used(&p->r)), write_max(cap));
    uint8_t *d = fz_alloc_exact(n);
    size_t a, b;

    fill_data(in, d, n, (ctl & 1) != 0);
    a = cirmem_write(&p->r, d, n, mode);
    b = cirmem_ref_write(&p->m, d, n, mode);
    FZ_CHECK(a == b, "write(n %zu, mode %u) = %zu, ref %zu", n,
             (unsigned)mode, a, b);
    free(d);
}

static void op_write_degenerate(fz_pair *p, fz_in *in)
{
    uint8_t ctl = fz_byte(in);
    cirmem_mode mode = (cirmem_mode)(ctl % 4);
    size_t n = fz_count(in, cirmem_capacity(&p->r), cirmem_used(&p->r));
    uint8_t one = 0x42;
    size_t a, b;

    if (ctl & 4) { /* NULL data, any n */
        a = cirmem_write(&p->r, NULL, n, mode);
        b = cirmem_ref_write(&p->m, NULL, n, mode);
        FZ_CHECK(a == 0 && b == 0, "write(NULL, %zu) = %zu, ref %zu", n, a,
                 b);
    } else { /* valid data, n == 0 */
        a = cirmem_write(&p->r, &one, 0, mode);
        b = cirmem_ref_write(&p->m, &one, 0, mode);
        FZ_CHECK(a == 0 && b == 0, "write(n 0) = %zu, ref %zu", a, b);
    }
}

static void op_read(fz_pair *p, fz_in *in)
{
    uint8_t ctl = fz_byte(in);
    size_t n = fz_count(in, cirmem_capacity(&p->r), cirmem_used(&p->r));
    size_t expect = fz_min(n, cirmem_ref_used(&p->m));
    uint8_t *o1, *o2;
    size_t a, b;

    if ((ctl & 7) == 0) { /* NULL out: nothing happens */
        a = cirmem_read(&p->r, NULL, n);
        b = cirmem_ref_read(&p->m, NULL, n);
        FZ_CHECK(a == 0 && b == 0, "read(NULL, %zu) = %zu, ref %zu", n, a, b);
        return;
    }
    o1 = fz_alloc_exact(expect);
    o2 = fz_alloc(expect);
    a = cirmem_read(&p->r, o1, n);
    b = cirmem_ref_read(&p->m, o2, n);
    FZ_CHECK(a == b && a == expect, "read(%zu) = %zu, ref %zu", n, a, b);
    FZ_CHECK(a == 0 || memcmp(o1, o2, a) == 0, "read bytes differ");
    free(o1);
    free(o2);
}

static void op_peek(fz_pair *p, fz_in *in)
{
    uint8_t ctl = fz_byte(in);
    size_t cap = cirmem_capacity(&p->r), used = cirmem_ref_used(&p->m);
    size_t off = fz_count(in, cap, used);
    size_t n = fz_count(in, cap, used);
    size_t expect = off < used ? fz_min(n, used - off) : 0;
    uint8_t *o1, *o2;
    size_t a, b;

    if ((ctl & 7) == 0) {
        a = cirmem_peek(&p->r, off, NULL, n);
        b = cirmem_ref_peek(&p->m, off, NULL, n);
        FZ_CHECK(a == 0 && b == 0, "peek(%zu, NULL, %zu) = %zu, ref %zu", off,
                 n, a, b);
        return;
    }
    o1 = fz_alloc_exact(expect);
    o2 = fz_alloc(expect);
    a = cirmem_peek(&p->r, off, o1, n);
    b = cirmem_ref_peek(&p->m, off, o2, n);
    FZ_CHECK(a == b && a == expect, "peek(%zu, %zu) = %zu, ref %zu", off, n,
             a, b);
    FZ_CHECK(a == 0 || memcmp(o1, o2, a) == 0, "peek bytes differ");
    free(o1);
    free(o2);
}

static void op_discard(fz_pair *p, fz_in *in)
{
    size_t n = fz_count(in, cirmem_capacity(&p->r), cirmem_used(&p->r));
    size_t a = cirmem_discard(&p->r, n), b = cirmem_ref_discard(&p->m, n);

    FZ_CHECK(a == b, "discard(%zu) = %zu, ref %zu", n, a, b);
}

static void op_consume(fz_pair *p, fz_in *in)
{
    size_t n = fz_count(in, cirmem_capacity(&p->r), cirmem_used(&p->r));
    size_t a = cirmem_consume(&p->r, n), b = cirmem_ref_consume(&p->m, n);

    FZ_CHECK(a == b, "consume(%zu) = %zu, ref %zu", n, a, b);
}

/* read_span at an arbitrary offset: pointer, length and bytes. */
static void op_read_span(fz_pair *p, fz_in *in)
{
    const cirmem *r = &p->r;
    size_t used = cirmem_used(r), cap = cirmem_capacity(r);
    size_t off = fz_count(in, cap, used);
    size_t len = 31337;
    const uint8_t *s = cirmem_read_span(r, off, &len);

    if (off >= used) {
        FZ_CHECK(s == NULL && len == 0, "read_span(%zu) of %zu: %zu bytes",
                 off, used, len);
        return;
    } else {
        size_t pos = off < cap - r->head ? r->head + off
                                          : off - (cap - r->head);

        FZ_CHECK(s == r->buf + pos, "read_span(%zu) pointer at %td, want %zu",
                 off, s - r->buf, pos);
        FZ_CHECK(len == fz_min(used - off, cap - pos),
                 "read_span(%zu) len %zu", off, len);
        FZ_CHECK(memcmp(s, p->m.data + off, len) == 0,
                 "read_span(%zu) bytes differ", off);
    }
}

/*
 * write_span, fill some of it, commit some count (possibly more than the
 * span, possibly more than free: the extra bytes are whatever the storage
 * holds there), repeated up to three times.  The model gets the same
 * bytes through cirmem_ref_commit_bytes().
 */
static void op_write_span_commit(fz_pair *p, fz_in *in)
{
    uint8_t ctl = fz_byte(in);
    int rounds = 1 + ctl % 3, k;

    for (k = 0; k < rounds; k++) {
        cirmem *r = &p->r;
        size_t cap = cirmem_capacity(r), used = cirmem_used(r);
        size_t free_ = cap - used;
        size_t len = 4242, tail, want_len, fill = 0, n, take, i, a, b;
        uint8_t *s = cirmem_write_span(r, &len), *bytes;

        FZ_CHECK(cirmem_used(r) == used, "write_span changed used");
        if (free_ == 0) {
            FZ_CHECK(s == NULL && len == 0, "write_span on a full ring");
        } else {
            tail = used < cap - r->head ? r->head + used
                                        : used - (cap - r->head);
            want_len = tail < r->head ? r->head - tail : cap - tail;
            FZ_CHECK(s == r->buf + tail, "write_span pointer at %td, want "
                     "%zu", s - r->buf, tail);
            FZ_CHECK(len == want_len, "write_span len %zu, want %zu", len,
                     want_len);
            FZ_CHECK(len >= 1 && len <= free_, "write_span len %zu free %zu",
                     len, free_);
            fill = fz_min(fz_count(in, cap, used), len);
            fill_data(in, s, fill, (ctl & 8) != 0);
        }
        /* commit what was filled, or (sometimes) any count */
        n = ((ctl & 16) || s == NULL) ? fz_count(in, cap, used) : fill;
        take = fz_min(n, free_);
        bytes = fz_alloc(take);
        for (i = 0; i < take; i++)
            bytes[i] = fz_core_at(r, used + i);
        a = cirmem_commit(r, n);
        b = cirmem_ref_commit_bytes(&p->m, bytes, take);
        FZ_CHECK(a == take && b == take, "commit(%zu) = %zu, ref %zu, want "
                 "%zu", n, a, b, take);
        free(bytes);
        fz_pair_check(p);
    }
}

static void op_read_utf8(fz_pair *p, fz_in *in)
{
    uint8_t ctl = fz_byte(in);
    size_t cap = cirmem_capacity(&p->r), used = cirmem_used(&p->r);
    size_t out_cap = fz_min(fz_count(in, cap, used), 3 * FZ_CAP_MAX + 16);
    size_t max_in = fz_count(in, cap, used);
    unsigned flags = ctl & 3u;

    if (ctl & 4)
        flags |= 1u << (4 + (ctl >> 5)); /* unknown flag bits: ignored */
    (void)fz_pair_utf8(p, out_cap, (ctl & 8) != 0, (ctl & 0x18) == 0x10,
                       max_in, flags, (ctl & 0x60) != 0x60, NULL, NULL);
}

/* White-box: move the counters near UINT64_MAX on both sides. */
static void op_saturate(fz_pair *p, fz_in *in)
{
    uint8_t ctl = fz_byte(in);
    uint64_t gap = fz_byte(in), used = cirmem_used(&p->r);
    uint64_t w = UINT64_MAX - gap, rd, dr;

    switch (ctl % 4) {
    case 0: /* reads near the top */
        dr = p->r.dropped < w - used ? p->r.dropped : 0;
        rd = w - used - dr;
        break;
    case 1: /* drops near the top */
        rd = p->r.read < w - used ? p->r.read : 0;
        dr = w - used - rd;
        break;
    case 2: /* split */
        rd = (w - used) / 2;
        dr = w - used - rd;
        break;
    default: /* written already saturated: the identity is waived */
        w = UINT64_MAX;
        rd = UINT64_MAX - fz_byte(in);
        dr = UINT64_MAX - fz_byte(in);
        break;
    }
    p->r.written = p->m.written = w;
    p->r.read = p->m.read = rd;
    p->r.dropped = p->m.dropped = dr;
    /* the refused bytes are among the dropped ones; the model keeps its
     * own start, moved to where the core's counters now put it */
    if (p->r.refused > dr)
        p->r.refused = dr;
    p->m.start = w - p->r.refused - used;
}

/* Positioned copy: any position (fz_position()), any count, NULL out. */
static void op_peek_at(fz_pair *p, fz_in *in)
{
    uint8_t ctl = fz_byte(in);
    uint64_t pos = fz_position(in, &p->m);
    size_t n = fz_count(in, cirmem_capacity(&p->r), cirmem_used(&p->r));
    uint8_t one;

    if (ctl & 0x80) { /* no result struct: an error, nothing written */
        FZ_CHECK(cirmem_peek_at(&p->r, pos, &one, n ? 1 : 0, NULL) ==
                 CIRMEM_ERR_NULL && cirmem_ref_peek_at(&p->m, pos, &one,
                 n ? 1 : 0, NULL) == CIRMEM_ERR_NULL, "peek_at(res NULL)");
        return;
    }
    (void)fz_pair_peek_at(p, pos, n, (ctl & 7) == 0);
}

/* Positioned UTF-8 read: any position, limits and flags. */
static void op_utf8_at(fz_pair *p, fz_in *in)
{
    uint8_t ctl = fz_byte(in);
    size_t cap = cirmem_capacity(&p->r), used = cirmem_used(&p->r);
    uint64_t pos = fz_position(in, &p->m);
    size_t out_cap = fz_min(fz_count(in, cap, used), 3 * FZ_CAP_MAX + 16);
    size_t max_in = fz_count(in, cap, used);
    uint8_t one;

    if (ctl & 0x80) { /* no result struct: an error, nothing written */
        FZ_CHECK(cirmem_peek_utf8_at(&p->r, pos, &one, 1, max_in, 0, NULL) ==
                 CIRMEM_ERR_NULL && cirmem_ref_peek_utf8_at(&p->m, pos, &one,
                 1, max_in, 0, NULL) == CIRMEM_ERR_NULL,
                 "peek_utf8_at(res NULL)");
        return;
    }
    (void)fz_pair_utf8_at(p, pos, out_cap, (ctl & 0x18) == 0x18, max_in,
                          ctl & 3u, NULL, NULL);
}

/* init: the error cases leave the ring untouched; success re-inits both
 * sides with a capacity that fits the storage. */
static void op_init(fz_pair *p, fz_in *in)
{
    uint8_t ctl = fz_byte(in);
    cirmem before = p->r, tmp;
    int rc;

    switch (ctl % 6) {
    case 0:
        rc = cirmem_init(NULL, p->rs, 1);
        FZ_CHECK(rc == CIRMEM_ERR_NULL, "init(NULL ring) = %d", rc);
        break;
    case 1:
        rc = cirmem_init(&p->r, NULL, (size_t)(ctl >> 3));
        FZ_CHECK(rc == CIRMEM_ERR_NULL, "init(NULL storage) = %d", rc);
        break;
    case 2:
        rc = cirmem_init(&p->r, p->rs, 0);
        FZ_CHECK(rc == CIRMEM_ERR_CAPACITY, "init(cap 0) = %d", rc);
        break;
    case 3:
        rc = cirmem_init(&p->r, p->rs,
                         (ctl & 8) ? SIZE_MAX : CIRMEM_CAPACITY_MAX + 1);
        FZ_CHECK(rc == CIRMEM_ERR_CAPACITY, "init(cap too big) = %d", rc);
        /* the largest capacity is accepted (init touches no storage;
         * this ring is only checked, never used) */
        memset(&tmp, 0x3C, sizeof tmp);
        rc = cirmem_init(&tmp, p->rs, CIRMEM_CAPACITY_MAX);
        FZ_CHECK(rc == CIRMEM_OK && cirmem_invariant(&tmp) &&
                 cirmem_capacity(&tmp) == CIRMEM_CAPACITY_MAX,
                 "init(CIRMEM_CAPACITY_MAX) = %d", rc);
        break;
    case 4: { /* success on a fresh struct full of garbage */
        size_t cap = fz_capacity(in, p->alloc);

        memset(&tmp, 0xC3, sizeof tmp);
        rc = cirmem_init(&tmp, p->rs, cap);
        FZ_CHECK(rc == CIRMEM_OK && cirmem_invariant(&tmp) &&
                 cirmem_used(&tmp) == 0 && cirmem_capacity(&tmp) == cap &&
                 cirmem_free(&tmp) == cap && tmp.head == 0 &&
                 cirmem_bytes_written(&tmp) == 0 &&
                 cirmem_bytes_read(&tmp) == 0 &&
                 cirmem_bytes_dropped(&tmp) == 0 && !cirmem_data_lost(&tmp),
                 "init(%zu) on garbage", cap);
        return;
    }
    default: { /* re-init the live pair on fresh storage of exactly cap
                * bytes (keeping the old, larger storage would hide an
                * overrun of the new capacity from ASan) */
        size_t cap = fz_capacity(in, FZ_CAP_MAX);

        fz_pair_storage(p, cap);
        rc = cirmem_init(&p->r, p->rs, cap);
        FZ_CHECK(rc == CIRMEM_OK, "re-init(%zu) = %d", cap, rc);
        rc = cirmem_ref_init(&p->m, p->ms, cap);
        FZ_CHECK(rc == CIRMEM_OK, "ref re-init(%zu) = %d", cap, rc);
        return;
    }
    }
    FZ_CHECK(memcmp(&before, &p->r, sizeof before) == 0,
             "failed init modified the ring");
}

/* The harness's own statement of validity: the sum read + dropped + used
 * computed with explicit carries (no 128-bit type: the harness also
 * builds for i386), no shortcuts. */
static bool expect_valid(const cirmem *c)
{
    uint64_t sum;

    if (c->buf == NULL || c->cap == 0 || c->cap > CIRMEM_CAPACITY_MAX)
        return false;
    if (c->head >= c->cap || c->used > c->cap)
        return false;
    if (c->written == UINT64_MAX)
        return true;
    sum = c->read + c->dropped;
    if (sum < c->read) /* the true sum is >= 2^64 > written */
        return false;
    if (sum + (uint64_t)c->used < sum)
        return false;
    /* the bytes DROP_NEW refused are some of the dropped ones */
    return sum + (uint64_t)c->used == c->written && c->refused <= c->dropped;
}

static void op_invariant_probe(fz_pair *p, fz_in *in)
{
    uint8_t ctl = fz_byte(in);
    cirmem c = p->r;
    uint64_t v = fz_u64(in);
    bool got, want;

    switch (ctl % 11) {
    case 0:
        c.buf = NULL;
        break;
    case 10: /* refused around dropped */
        c.refused = c.dropped + (v & 3) - ((ctl & 16) ? 2 : 0);
        break;
    case 1:
        c.cap = (ctl & 16) ? 0 : CIRMEM_CAPACITY_MAX + 1 + (size_t)(v & 7);
        break;
    case 2:
        c.head = c.cap + (size_t)(v % 3) - ((ctl & 16) ? 1 : 0);
        break;
    case 3:
        c.used = c.cap + (size_t)(v % 3) - ((ctl & 16) ? 1 : 0);
        break;
    case 4:
        c.written += (v & 0x8000) ? (v & 0xFF) : (uint64_t)0 - (v & 0xFF);
        break;
    case 5:
        c.read = v;
        break;
    case 6:
        c.dropped = v;
        break;
    case 7: /* a sum that only matches modulo 2^64 */
        c.dropped = UINT64_MAX - (v & 0xFF);
        c.read = c.written - c.used - c.dropped; /* wraps */
        break;
    case 8:
        c.written = (ctl & 16) ? UINT64_MAX : UINT64_MAX - 1;
        c.read = v;
        break;
    default:
        c.used = (size_t)(v % (c.cap + 1));
        c.written = c.read + c.dropped + c.used; /* may wrap */
        break;
    }
    got = cirmem_invariant(&c);
    want = expect_valid(&c);
    FZ_CHECK(got == want, "cirmem_invariant = %d, expected %d (cap %zu head "
             "%zu used %zu w %llu r %llu d %llu)", got, want, c.cap, c.head,
             c.used, (unsigned long long)c.written,
             (unsigned long long)c.read, (unsigned long long)c.dropped);
    FZ_CHECK(!cirmem_invariant(NULL), "cirmem_invariant(NULL) is true");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = { data, size, 0, false };
    fz_pair p;
    size_t cap = fz_capacity(&in, FZ_CAP_MAX);

    seq = 0;
    fz_op_index = 0;
    fz_op_name = "init";
    fz_pair_init(&p, cap);
    while (fz_more(&in)) {
        uint8_t op = fz_byte(&in) % FZ_NOPS;

        fz_op_index++;
        fz_op_name = op_names[op];
        switch (op) {
        case OP_WRITE_OVERWRITE:
            op_write(&p, &in, CIRMEM_OVERWRITE);
            break;
        case OP_WRITE_DROP_NEW:
            op_write(&p, &in, CIRMEM_DROP_NEW);
            break;
        case OP_WRITE_BOUNDED:
            op_write(&p, &in, CIRMEM_BOUNDED);
            break;
        case OP_WRITE_UNKNOWN_MODE:
            op_write(&p, &in, (cirmem_mode)(3 + fz_byte(&in) % 250));
            break;
        case OP_WRITE_DEGENERATE:
            op_write_degenerate(&p, &in);
            break;
        case OP_READ:
            op_read(&p, &in);
            break;
        case OP_PEEK:
            op_peek(&p, &in);
            break;
        case OP_DISCARD:
            op_discard(&p, &in);
            break;
        case OP_CLEAR:
            cirmem_clear(&p.r);
            cirmem_ref_clear(&p.m);
            break;
        case OP_READ_SPAN:
            op_read_span(&p, &in);
            break;
        case OP_CONSUME:
            op_consume(&p, &in);
            break;
        case OP_WRITE_SPAN_COMMIT:
            op_write_span_commit(&p, &in);
            break;
        case OP_READ_UTF8:
            op_read_utf8(&p, &in);
            break;
        case OP_SATURATE:
            op_saturate(&p, &in);
            break;
        case OP_PEEK_AT:
            op_peek_at(&p, &in);
            break;
        case OP_UTF8_AT:
            op_utf8_at(&p, &in);
            break;
        case OP_INIT:
            op_init(&p, &in);
            break;
        default:
            op_invariant_probe(&p, &in);
            break;
        }
        fz_pair_check(&p);
    }
    fz_pair_fini(&p);
    return 0;
}
