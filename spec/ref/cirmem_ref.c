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

/* Remove the n oldest bytes (n <= used). */
static void drop_front(cirmem_ref *m, size_t n)
{
    if (n > 0) {
        memmove(m->data, m->data + n, m->used - n);
        m->used -= n;
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

size_t cirmem_ref_read_utf8(cirmem_ref *m, uint8_t *out, size_t out_cap,
                            size_t max_in, unsigned flags, size_t *consumed)
{
    size_t o = 0, produced = 0;

    if (consumed != NULL)
        *consumed = 0;
    if (out == NULL && out_cap > 0)
        return 0;

    /* 1. after a loss, resynchronise on the next lead byte */
    while (m->lost && o < 3 && o < m->used && o < max_in &&
           is_cont(m->data[o]))
        o++;

    /* 2. one unit at a time */
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
        if (in > max_in - o || out_len > out_cap - produced)
            break;
        memcpy(out + produced, emit, out_len);
        produced += out_len;
        o += in;
    }

    /* 3. release what was consumed */
    cirmem_ref_consume(m, o);
    if (consumed != NULL)
        *consumed = o;
    return produced;
}
