/* SPDX-License-Identifier: MIT */
/*
 * cirmem_ref: the naive reference model of cirmem.  See cirmem_ref.h and
 * spec/SPEC.md.  Clarity over speed: contents sit in data[0 .. used),
 * oldest first, and every removal from the front is a memmove.
 */
#include "cirmem_ref.h"

#include <string.h>

/* ---- helpers -------------------------------------------------------- */

static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Saturating 64-bit addition. */
static void add_sat(uint64_t *c, uint64_t v)
{
    *c = (UINT64_MAX - *c < v) ? UINT64_MAX : *c + v;
}

/* Append n bytes (caller made sure they fit). */
static void append(cirmem_ref *m, const uint8_t *src, size_t n)
{
    if (n > 0) {
        memcpy(m->data + m->used, src, n);
        m->used += n;
    }
}

/* Remove the n oldest bytes (n <= used); they leave the positions. */
static void drop_front(cirmem_ref *m, size_t n)
{
    if (n > 0) {
        memmove(m->data, m->data + n, m->used - n);
        m->used -= n;
        m->start += n;
    }
}

/* ---- init and queries ------------------------------------------------ */

int cirmem_ref_init(cirmem_ref *m, uint8_t *storage, size_t cap)
{
    if (m == NULL || storage == NULL)
        return CIRMEM_ERR_NULL;
    if (cap == 0 || cap > CIRMEM_CAPACITY_MAX)
        return CIRMEM_ERR_CAPACITY;
    m->data = storage;
    m->cap = cap;
    m->used = 0;
    m->written = 0;
    m->read = 0;
    m->dropped = 0;
    m->lost = false;
    m->start = 0;
    return CIRMEM_OK;
}

size_t cirmem_ref_used(const cirmem_ref *m) { return m->used; }
size_t cirmem_ref_free(const cirmem_ref *m) { return m->cap - m->used; }
size_t cirmem_ref_capacity(const cirmem_ref *m) { return m->cap; }
uint64_t cirmem_ref_bytes_written(const cirmem_ref *m) { return m->written; }
uint64_t cirmem_ref_bytes_read(const cirmem_ref *m) { return m->read; }
uint64_t cirmem_ref_bytes_dropped(const cirmem_ref *m) { return m->dropped; }
bool cirmem_ref_data_lost(const cirmem_ref *m) { return m->lost; }

/* ---- writes ---------------------------------------------------------- */

static size_t write_overwrite(cirmem_ref *m, const uint8_t *d, size_t n)
{
    size_t take = min_sz(n, m->cap);      /* input bytes that are kept */
    size_t skip = n - take;               /* oldest input bytes skipped */
    size_t keep = min_sz(m->used, m->cap - take);
    size_t old_lost = m->used - keep;     /* stored bytes overwritten */

    drop_front(m, old_lost);
    /* the skipped input bytes were stored, each overwritten at once */
    m->start += skip;
    append(m, d + skip, take);
    add_sat(&m->written, n);
    add_sat(&m->dropped, (uint64_t)old_lost + skip);
    if (old_lost + skip > 0)
        m->lost = true;
    return n;
}

static size_t write_drop_new(cirmem_ref *m, const uint8_t *d, size_t n)
{
    size_t k = min_sz(n, cirmem_ref_free(m));

    append(m, d, k);
    add_sat(&m->written, n);
    add_sat(&m->dropped, n - k);
    if (n - k > 0)
        m->lost = true;
    return n;
}

static size_t write_bounded(cirmem_ref *m, const uint8_t *d, size_t n)
{
    size_t k = min_sz(n, cirmem_ref_free(m));

    append(m, d, k);
    add_sat(&m->written, k);
    return k;
}

size_t cirmem_ref_write(cirmem_ref *m, const uint8_t *data, size_t n,
                        cirmem_mode mode)
{
    if (n == 0 || data == NULL)
        return 0;
    if (mode == CIRMEM_OVERWRITE)
        return write_overwrite(m, data, n);
    if (mode == CIRMEM_DROP_NEW)
        return write_drop_new(m, data, n);
    return write_bounded(m, data, n);   /* BOUNDED and unknown modes */
}

size_t cirmem_ref_commit_bytes(cirmem_ref *m, const uint8_t *bytes, size_t n)
{
    if (n == 0 || bytes == NULL)
        return 0;
    return write_bounded(m, bytes, n);
}

/* ---- reads ----------------------------------------------------------- */

size_t cirmem_ref_peek(const cirmem_ref *m, size_t offset, uint8_t *out,
                       size_t n)
{
    size_t k;

    if (n == 0 || out == NULL || offset >= m->used)
        return 0;
    k = min_sz(n, m->used - offset);
    memcpy(out, m->data + offset, k);
    return k;
}

size_t cirmem_ref_consume(cirmem_ref *m, size_t n)
{
    size_t k = min_sz(n, m->used);

    drop_front(m, k);
    add_sat(&m->read, k);
    if (k > 0)
        m->lost = false;
    return k;
}

size_t cirmem_ref_read(cirmem_ref *m, uint8_t *out, size_t n)
{
    if (n == 0 || out == NULL)
        return 0;
    cirmem_ref_peek(m, 0, out, n);
    return cirmem_ref_consume(m, n);
}

size_t cirmem_ref_discard(cirmem_ref *m, size_t n)
{
    size_t k = min_sz(n, m->used);

    drop_front(m, k);
    add_sat(&m->dropped, k);
    if (k > 0)
        m->lost = true;
    return k;
}

void cirmem_ref_clear(cirmem_ref *m)
{
    cirmem_ref_discard(m, m->used);
}

/* ---- UTF-8 ------------------------------------------------------------
 * Not a state machine: a unit is classified by trying ever longer
 * prefixes and asking, arithmetically, whether any well-formed sequence
 * starts with that prefix.
 */

static bool is_cont(uint8_t b)
{
    return (b & 0xC0) == 0x80;
}

/* Sequence length announced by a lead byte's high bits; 0 if none. */
static size_t announced_len(uint8_t b)
{
    if (b < 0x80)
        return 1;
    if ((b & 0xE0) == 0xC0)
        return 2;
    if ((b & 0xF0) == 0xE0)
        return 3;
    if ((b & 0xF8) == 0xF0)
        return 4;
    return 0;
}

/* Smallest and largest code point a well-formed sequence of len bytes
 * may encode (shorter forms would be overlong). */
static const uint32_t cp_min[5] = { 0, 0x0, 0x80, 0x800, 0x10000 };
static const uint32_t cp_max[5] = { 0, 0x7F, 0x7FF, 0xFFFF, 0x10FFFF };

/* Code point encoded by s[0..k) completed to len bytes with continuation
 * payload `fill` (0x00 gives the least, 0x3F the greatest completion). */
static uint32_t complete(const uint8_t *s, size_t k, size_t len,
                         uint32_t fill)
{
    uint32_t v = len == 1 ? s[0] : (uint32_t)(s[0] & (0x7Fu >> len));
    size_t i;

    for (i = 1; i < len; i++)
        v = (v << 6) | (i < k ? (uint32_t)(s[i] & 0x3Fu) : fill);
    return v;
}

/* Is s[0..k) (1 <= k <= len) the start of some well-formed sequence of
 * len bytes?  Completions of a prefix cover a contiguous range of code
 * points; it must meet [cp_min, cp_max] outside the surrogates. */
static bool valid_prefix(const uint8_t *s, size_t k, size_t len)
{
    uint32_t lo, hi;
    size_t i;

    for (i = 1; i < k; i++)
        if (!is_cont(s[i]))
            return false;
    lo = complete(s, k, len, 0x00);
    hi = complete(s, k, len, 0x3F);
    if (lo < cp_min[len])
        lo = cp_min[len];
    if (hi > cp_max[len])
        hi = cp_max[len];
    if (lo > hi)
        return false;
    return !(lo >= 0xD800 && hi <= 0xDFFF);
}

enum unit_kind { UNIT_CHAR, UNIT_BAD, UNIT_INCOMPLETE };

/* Classify the unit at s[0..avail), avail >= 1; *in = its length. */
static enum unit_kind classify(const uint8_t *s, size_t avail, size_t *in)
{
    size_t len = announced_len(s[0]);
    size_t k = 1;

    *in = 1;
    if (len == 0 || !valid_prefix(s, 1, len))
        return UNIT_BAD;
    while (k < len && k < avail && valid_prefix(s, k + 1, len))
        k++;
    *in = k;
    if (k == len)
        return UNIT_CHAR;
    return k == avail ? UNIT_INCOMPLETE : UNIT_BAD;
}

static const uint8_t replacement[3] = { 0xEF, 0xBF, 0xBD };
static const uint8_t nul_c0_80[2] = { 0xC0, 0x80 };

/* Step 1: after a loss, resynchronise on the next lead byte: skip up to
 * three continuation bytes from offset o, within max_in (counted from
 * base).  Returns the offset reached. */
static size_t skip_orphans(const cirmem_ref *m, size_t base, size_t o,
                           size_t max_in)
{
    size_t k = 0;

    while (k < 3 && o + k < m->used && o + k - base < max_in &&
           is_cont(m->data[o + k]))
        k++;
    return o + k;
}

/* Step 2: decode units from offset o while they fit; the input limit
 * max_in counts from offset base.  Returns the offset reached; adds the
 * bytes written to *produced. */
static size_t decode_units(const cirmem_ref *m, size_t base, size_t o,
                           size_t max_in, uint8_t *out, size_t out_cap,
                           unsigned flags, size_t *produced)
{
    while (o < m->used) {
        const uint8_t *s = m->data + o;
        const uint8_t *emit = s;
        size_t in, out_len;
        enum unit_kind kind = classify(s, m->used - o, &in);

        if (kind == UNIT_INCOMPLETE) {
            bool full_ring = (o == 0 && m->used == m->cap);
            if (!(flags & CIRMEM_UTF8_FLUSH) && !full_ring)
                break;
            kind = UNIT_BAD;
        }
        out_len = in;
        if (kind == UNIT_BAD) {
            emit = replacement;
            out_len = 3;
        } else if (s[0] == 0x00 && (flags & CIRMEM_UTF8_NUL_AS_C0_80)) {
            emit = nul_c0_80;
            out_len = 2;
        }
        if (in > max_in - (o - base) || out_len > out_cap - *produced)
            break;
        memcpy(out + *produced, emit, out_len);
        *produced += out_len;
        o += in;
    }
    return o;
}

size_t cirmem_ref_read_utf8(cirmem_ref *m, uint8_t *out, size_t out_cap,
                            size_t max_in, unsigned flags, size_t *consumed)
{
    size_t o = 0, produced = 0;

    if (consumed != NULL)
        *consumed = 0;
    if (out == NULL && out_cap > 0)
        return 0;

    /* 1. after a loss, resynchronise on the next lead byte */
    if (m->lost)
        o = skip_orphans(m, 0, 0, max_in);

    /* 2. one unit at a time */
    o = decode_units(m, 0, o, max_in, out, out_cap, flags, &produced);

    /* 3. release what was consumed */
    cirmem_ref_consume(m, o);
    if (consumed != NULL)
        *consumed = o;
    return produced;
}

/* ---- positions --------------------------------------------------------
 * The model keeps the position of its oldest byte and moves it whenever a
 * stored byte leaves; the core derives positions from its counters.
 */

uint64_t cirmem_ref_end(const cirmem_ref *m)
{
    return m->written == UINT64_MAX ? UINT64_MAX : m->start + m->used;
}

uint64_t cirmem_ref_start(const cirmem_ref *m)
{
    return cirmem_ref_end(m) - m->used;
}

/* The checks both positioned reads make, in order; on success *off is the
 * offset of max(pos, start) in the contents. */
static int locate(const cirmem_ref *m, uint64_t pos, bool args_ok,
                  cirmem_pos_read *res, size_t *off)
{
    uint64_t end = cirmem_ref_end(m);

    if (res == NULL || !args_ok)
        return CIRMEM_ERR_NULL;
    if (end == UINT64_MAX)
        return CIRMEM_ERR_EXHAUSTED;
    if (pos > end)
        return CIRMEM_ERR_POSITION;
    *off = pos <= m->start ? 0 : (size_t)(pos - m->start);
    return CIRMEM_OK;
}

static void report(const cirmem_ref *m, uint64_t pos, size_t first,
                   size_t after, size_t out_len, cirmem_pos_read *res)
{
    res->position = m->start + first;
    res->lost = res->position - pos;
    res->next = m->start + after;
    res->out_len = out_len;
}

int cirmem_ref_peek_at(const cirmem_ref *m, uint64_t pos, uint8_t *out,
                       size_t n, cirmem_pos_read *res)
{
    size_t off = 0, k;
    int rc = locate(m, pos, out != NULL || n == 0, res, &off);

    if (rc != CIRMEM_OK)
        return rc;
    k = min_sz(n, m->used - off);
    if (k > 0)
        memcpy(out, m->data + off, k);
    report(m, pos, off, off + k, k, res);
    return CIRMEM_OK;
}

/* Where the unit that contains offset o ends, decoding the contents from
 * offset 0 unit by unit (no skip, every incomplete tail one unit). */
static size_t unit_end_at(const cirmem_ref *m, size_t o)
{
    size_t u = 0, in;

    while (u < m->used) {
        if (o == u)
            return o; /* o starts a unit */
        (void)classify(m->data + u, m->used - u, &in);
        if (o < u + in)
            return u + in;
        u += in;
    }
    return o;
}

int cirmem_ref_peek_utf8_at(const cirmem_ref *m, uint64_t pos, uint8_t *out,
                            size_t out_cap, size_t max_in, unsigned flags,
                            cirmem_pos_read *res)
{
    size_t off = 0, o, produced = 0, after;
    int rc = locate(m, pos, out != NULL || out_cap == 0, res, &off);

    if (rc != CIRMEM_OK)
        return rc;
    if (pos < m->start) {
        o = skip_orphans(m, off, off, max_in); /* this reader lost bytes */
    } else {
        /* skip the rest of a unit that starts before off */
        size_t e = unit_end_at(m, off);
        o = off + min_sz(e - off, max_in);
    }
    after = decode_units(m, off, o, max_in, out, out_cap, flags, &produced);
    report(m, pos, o, after, produced, res);
    return CIRMEM_OK;
}
