/* SPDX-License-Identifier: MIT */
/*
 * cirmem ring core.  Contracts are stated against spec/cirmem_logic.h
 * and proved by `make prove`; the prose semantics are in spec/SPEC.md.
 *
 * Index arithmetic never forms head + n: positions are computed from the
 * distance to the end of the storage, so no intermediate can overflow.
 */
#include "cirmem.h"
#include "cirmem_logic.h"

/*
 * OUT_OF_LINE keeps a bulk or overflow path out of the public function
 * that calls it, so that the function's few-bytes path needs no saved
 * registers and its other paths end in a tail call.  ALWAYS_INLINE is for
 * the small helpers that those paths are built from: without it, gcc's
 * size limits leave some of them as calls once copy_small is inline code.
 * HOT_ALIGN starts the two hot entry points on a 64-byte boundary: where
 * the linker happens to put them otherwise moved a 1-8 byte write+read
 * pair by up to 18% (`make bench-pairs`).  Only code placement changes.
 */
#if defined(__GNUC__)
#define OUT_OF_LINE __attribute__((noinline))
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define HOT_ALIGN __attribute__((aligned(64)))
#else
#define HOT_ALIGN
#define OUT_OF_LINE
#define ALWAYS_INLINE inline
#endif

/*@ assigns \nothing;
    ensures \result == cirmem_min(a, b); */
static inline size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/*@ assigns \nothing;
    ensures \result == cirmem_sat(c + (integer)n); */
static inline uint64_t sat_add(uint64_t c, uint64_t n)
{
    return n > UINT64_MAX - c ? UINT64_MAX : c + n;
}

/* Storage index of logical offset i. */
/*@ requires 0 < cap && head < cap && i <= cap;
    assigns \nothing;
    ensures \result == cirmem_wrap(head, i, cap);
    ensures \result < cap; */
static inline size_t ring_index(size_t head, size_t i, size_t cap)
{
    return i < cap - head ? head + i : i - (cap - head);
}

/*
 * Copies of at most COPY_SMALL bytes are inline code: a memcpy call costs
 * more than such a copy.  Each is two blocks of the widest size, 1, 4, 8
 * or 16 bytes, that fits: one at the start and one at the end, so they
 * overlap unless n is twice the block size (four 16-byte blocks above 32
 * bytes).  No loop runs over n, so a short copy takes no taken branch.
 */
#define COPY_SMALL 64u

/* Bytes at .. at+w-1 as one block; w is a constant where this is
 * inlined, so compilers emit one load and one store. */
/*@ requires 0 < w <= 16 && at <= COPY_SMALL - w;
    requires \valid(dst + (at .. at + w - 1));
    requires \valid_read(src + (at .. at + w - 1));
    requires \separated(dst + (at .. at + w - 1), src + (at .. at + w - 1));
    assigns dst[at .. at + w - 1];
    ensures \forall integer k; at <= k < at + w ==> dst[k] == src[k]; */
static ALWAYS_INLINE void copy_block(uint8_t *restrict dst,
                                     const uint8_t *restrict src, size_t at,
                                     size_t w)
{
    /*@ loop invariant 0 <= i <= w;
        loop invariant \forall integer k; at <= k < at + i ==>
                         dst[k] == src[k];
        loop assigns i, dst[at .. at + w - 1];
        loop variant w - i; */
    for (size_t i = 0; i < w; i++) {
        dst[at + i] = src[at + i];
    }
}

/* Copy n <= COPY_SMALL bytes inline. */
/*@ requires n <= COPY_SMALL;
    requires \valid(dst + (0 .. n - 1));
    requires \valid_read(src + (0 .. n - 1));
    requires \separated(dst + (0 .. n - 1), src + (0 .. n - 1));
    assigns dst[0 .. n - 1];
    ensures \forall integer k; 0 <= k < n ==> dst[k] == src[k]; */
static ALWAYS_INLINE void copy_small(uint8_t *restrict dst,
                                     const uint8_t *restrict src, size_t n)
{
    if (n < 4) {
        if (n > 0) {
            copy_block(dst, src, 0, 1);
        }
        if (n > 1) {
            copy_block(dst, src, 1, 1);
            copy_block(dst, src, n - 1, 1);
        }
    } else if (n > 16) {
        copy_block(dst, src, 0, 16);
        if (n > 32) {
            copy_block(dst, src, 16, 16);
            /*@ assert \forall integer k; 0 <= k < 32 ==> dst[k] == src[k]; */
            copy_block(dst, src, n - 32, 16);
        }
        /*@ assert \forall integer k; 0 <= k < n - 16 ==> dst[k] == src[k]; */
        copy_block(dst, src, n - 16, 16);
    } else if (n >= 8) {
        copy_block(dst, src, 0, 8);
        copy_block(dst, src, n - 8, 8);
    } else {
        copy_block(dst, src, 0, 4);
        copy_block(dst, src, n - 4, 4);
    }
}

/* The bulk copy loop; compilers turn it into memcpy. */
/*@ requires \valid(dst + (0 .. n - 1));
    requires \valid_read(src + (0 .. n - 1));
    requires \separated(dst + (0 .. n - 1), src + (0 .. n - 1));
    assigns dst[0 .. n - 1];
    ensures \forall integer k; 0 <= k < n ==> dst[k] == src[k]; */
static void copy_many(uint8_t *restrict dst, const uint8_t *restrict src,
                      size_t n)
{
    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer k; 0 <= k < i ==> dst[k] == src[k];
        loop assigns i, dst[0 .. n - 1];
        loop variant n - i; */
    for (size_t i = 0; i < n; i++) {
        dst[i] = src[i];
    }
}

/* Copy n bytes, inline when they are few. */
/*@ requires \valid(dst + (0 .. n - 1));
    requires \valid_read(src + (0 .. n - 1));
    requires \separated(dst + (0 .. n - 1), src + (0 .. n - 1));
    assigns dst[0 .. n - 1];
    ensures \forall integer k; 0 <= k < n ==> dst[k] == src[k]; */
static ALWAYS_INLINE void copy_bytes(uint8_t *restrict dst,
                                     const uint8_t *restrict src, size_t n)
{
    if (n <= COPY_SMALL) {
        copy_small(dst, src, n);
    } else {
        copy_many(dst, src, n);
    }
}

/* Storage bytes from logical offset at to the end of the storage. */
/*@ requires cirmem_shape(r);
    requires at <= r->cap;
    assigns \nothing;
    ensures \result == r->cap - cirmem_pos(r, at);
    ensures 0 < \result <= r->cap; */
static inline size_t storage_room(const cirmem *r, size_t at)
{
    return r->cap - ring_index(r->head, at, r->cap);
}

/* Store n bytes at logical offsets at .. at+n-1: one copy unless they
 * wrap around the end of the storage, then two. */
/*@ requires cirmem_shape(r);
    requires at + n <= r->cap;
    requires \valid_read(src + (0 .. n - 1));
    requires \separated(src + (0 .. n - 1), r->buf + (0 .. r->cap - 1), r);
    assigns r->buf[0 .. r->cap - 1];
    ensures cirmem_holds(r, at, src, n);
    ensures \forall integer k; 0 <= k < r->cap && !(at <= k < at + n) ==>
              cirmem_at(r, k) == \old(cirmem_at(r, k)); */
static ALWAYS_INLINE void ring_put(cirmem *r, size_t at,
                                   const uint8_t *src, size_t n)
{
    size_t pos = ring_index(r->head, at, r->cap);
    size_t room = storage_room(r, at);

    if (n <= room) {
        copy_bytes(r->buf + pos, src, n);
    } else {
        copy_bytes(r->buf + pos, src, room);
        copy_bytes(r->buf, src + room, n - room);
    }
}

/* Fetch n bytes from logical offsets at .. at+n-1: one copy unless they
 * wrap around the end of the storage, then two. */
/*@ requires cirmem_shape(r);
    requires at + n <= r->cap;
    requires \valid(dst + (0 .. n - 1));
    requires \separated(dst + (0 .. n - 1), r->buf + (0 .. r->cap - 1), r);
    assigns dst[0 .. n - 1];
    ensures \forall integer k; 0 <= k < n ==> dst[k] == cirmem_at(r, at + k); */
static ALWAYS_INLINE void ring_get(const cirmem *r, size_t at,
                                   uint8_t *dst, size_t n)
{
    size_t pos = ring_index(r->head, at, r->cap);
    size_t room = storage_room(r, at);

    if (n <= room) {
        copy_bytes(dst, r->buf + pos, n);
    } else {
        copy_bytes(dst, r->buf + pos, room);
        copy_bytes(dst + room, r->buf, n - room);
    }
}

/* Forget the n oldest bytes (no accounting). */
/*@ requires cirmem_shape(r);
    requires n <= r->used;
    assigns r->head, r->used;
    ensures cirmem_shape(r);
    ensures r->used == \old(r->used) - n;
    ensures r->head < r->cap;
    ensures cirmem_kept{Pre, Post}(r, n, r->cap - n); */
static inline void ring_advance(cirmem *r, size_t n)
{
    r->head = ring_index(r->head, n, r->cap);
    r->used -= n;
}

/* Bytes left the ring unread. */
/*@ requires \valid(r);
    assigns r->dropped, r->lost;
    ensures r->dropped == cirmem_sat(\old(r->dropped) + n);
    ensures r->lost == (n > 0 ? 1 : \old(r->lost)); */
static inline void count_dropped(cirmem *r, size_t n)
{
    r->dropped = sat_add(r->dropped, n);
    if (n > 0) {
        r->lost = true;
    }
}

/* Bytes reached the reader. */
/*@ requires \valid(r);
    assigns r->read, r->lost;
    ensures r->read == cirmem_sat(\old(r->read) + n);
    ensures r->lost == (n > 0 ? 0 : \old(r->lost)); */
static inline void count_read(cirmem *r, size_t n)
{
    r->read = sat_add(r->read, n);
    if (n > 0) {
        r->lost = false;
    }
}

/*@ requires r == \null || \valid(r);
    requires storage == \null || \valid(storage + (0 .. capacity - 1));
    requires r != \null && storage != \null ==>
               \separated(r, storage + (0 .. capacity - 1));
    behavior null:
      assumes r == \null || storage == \null;
      assigns \nothing;
      ensures \result == CIRMEM_ERR_NULL;
    behavior bad_capacity:
      assumes r != \null && storage != \null;
      assumes capacity == 0 || capacity > CIRMEM_CAPACITY_MAX;
      assigns \nothing;
      ensures \result == CIRMEM_ERR_CAPACITY;
    behavior ok:
      assumes r != \null && storage != \null;
      assumes 0 < capacity <= CIRMEM_CAPACITY_MAX;
      assigns *r;
      ensures \result == CIRMEM_OK;
      ensures cirmem_valid(r);
      ensures r->buf == storage && r->cap == capacity;
      ensures r->used == 0 && r->written == 0 && r->read == 0;
      ensures r->dropped == 0 && r->lost == 0 && r->refused == 0;
    complete behaviors;
    disjoint behaviors; */
int cirmem_init(cirmem *r, uint8_t *storage, size_t capacity)
{
    if (r == NULL || storage == NULL) {
        return CIRMEM_ERR_NULL;
    }
    if (capacity == 0 || capacity > CIRMEM_CAPACITY_MAX) {
        return CIRMEM_ERR_CAPACITY;
    }
    r->buf = storage;
    r->cap = capacity;
    r->head = 0;
    r->used = 0;
    r->written = 0;
    r->read = 0;
    r->dropped = 0;
    r->lost = false;
    r->refused = 0;
    return CIRMEM_OK;
}

/*@ requires r == \null || \valid_read(r);
    assigns \nothing;
    ensures \result != 0 <==>
      (r != \null && r->buf != \null &&
       0 < r->cap <= CIRMEM_CAPACITY_MAX &&
       r->head < r->cap && r->used <= r->cap && cirmem_balanced(r)); */
bool cirmem_invariant(const cirmem *r)
{
    if (r == NULL || r->buf == NULL) {
        return false;
    }
    if (r->cap == 0 || r->cap > CIRMEM_CAPACITY_MAX) {
        return false;
    }
    if (r->head >= r->cap || r->used > r->cap) {
        return false;
    }
    if (r->written == UINT64_MAX) {
        return true;
    }
    /* written == read + dropped + used, without overflowing; the refused
     * bytes are part of the dropped ones. */
    return r->read <= r->written && r->dropped <= r->written - r->read &&
           r->used == r->written - r->read - r->dropped &&
           r->refused <= r->dropped;
}

/*@ requires cirmem_valid(r);
    assigns \nothing;
    ensures \result == r->cap; */
size_t cirmem_capacity(const cirmem *r)
{
    return r->cap;
}

/*@ requires cirmem_valid(r);
    assigns \nothing;
    ensures \result == r->used; */
size_t cirmem_used(const cirmem *r)
{
    return r->used;
}

/*@ requires cirmem_valid(r);
    assigns \nothing;
    ensures \result == r->cap - r->used; */
size_t cirmem_free(const cirmem *r)
{
    return r->cap - r->used;
}

/*@ requires cirmem_valid(r);
    assigns \nothing;
    ensures \result == r->written; */
uint64_t cirmem_bytes_written(const cirmem *r)
{
    return r->written;
}

/*@ requires cirmem_valid(r);
    assigns \nothing;
    ensures \result == r->read; */
uint64_t cirmem_bytes_read(const cirmem *r)
{
    return r->read;
}

/*@ requires cirmem_valid(r);
    assigns \nothing;
    ensures \result == r->dropped; */
uint64_t cirmem_bytes_dropped(const cirmem *r)
{
    return r->dropped;
}

/*@ requires cirmem_valid(r);
    assigns \nothing;
    ensures \result == r->lost; */
bool cirmem_data_lost(const cirmem *r)
{
    return r->lost;
}

/* Positions are derived: every byte written and not refused was stored,
 * and bytes_written saturating is the one event that makes them inexact. */
/*@ requires cirmem_valid(r);
    assigns \nothing;
    behavior exhausted:
      assumes cirmem_exhausted(r);
      ensures \result == UINT64_MAX;
    behavior exact:
      assumes !cirmem_exhausted(r);
      ensures \result == cirmem_end_of(r);
      ensures r->used <= \result < UINT64_MAX;
    complete behaviors;
    disjoint behaviors; */
uint64_t cirmem_end(const cirmem *r)
{
    if (r->written == UINT64_MAX) {
        return UINT64_MAX;
    }
    return r->written - r->refused;
}

/*@ requires cirmem_valid(r);
    assigns \nothing;
    behavior exhausted:
      assumes cirmem_exhausted(r);
      ensures \result == UINT64_MAX - r->used;
    behavior exact:
      assumes !cirmem_exhausted(r);
      ensures \result == cirmem_start_of(r);
    complete behaviors;
    disjoint behaviors; */
uint64_t cirmem_start(const cirmem *r)
{
    return cirmem_end(r) - r->used;
}

/* Append n bytes that fit in the free space. */
/*@ requires cirmem_shape(r);
    requires n <= r->cap - r->used;
    requires \valid_read(src + (0 .. n - 1));
    requires \separated(src + (0 .. n - 1), r->buf + (0 .. r->cap - 1), r);
    assigns r->buf[0 .. r->cap - 1], r->used;
    ensures cirmem_shape(r);
    ensures r->used == \old(r->used) + n;
    ensures cirmem_kept{Pre, Post}(r, 0, \old(r->used));
    ensures cirmem_holds(r, \old(r->used), src, n); */
static ALWAYS_INLINE void ring_append(cirmem *r, const uint8_t *src, size_t n)
{
    ring_put(r, r->used, src, n);
    r->used += n;
}

/*@
  // The contract shared by the functions that append n bytes that fit in
  // the free space (take_all and its out-of-line wrapper).
  predicate append_ok{L}(cirmem *r, uint8_t *src, integer n) =
      cirmem_valid(r) && 0 <= n <= r->cap - r->used &&
      \valid_read(src + (0 .. n - 1)) &&
      \separated(src + (0 .. n - 1), r->buf + (0 .. r->cap - 1), r);

  predicate appended{A, B}(cirmem *r, uint8_t *src, integer n) =
      cirmem_valid{B}(r) &&
      \at(r->used, B) == \at(r->used, A) + n &&
      cirmem_kept{A, B}(r, 0, \at(r->used, A)) &&
      cirmem_holds{B}(r, \at(r->used, A), src, n) &&
      \at(r->written, B) == cirmem_sat(\at(r->written, A) + n);
*/

/* Take all n bytes of a write: they fit in the free space.  `used` is
 * read once, as the copy's byte stores could alias it for a compiler. */
/*@ requires append_ok(r, src, n);
    assigns r->buf[0 .. r->cap - 1], r->used, r->written;
    ensures \result == n && appended{Pre, Post}(r, src, n); */
static ALWAYS_INLINE size_t take_all(cirmem *r, const uint8_t *src, size_t n)
{
    size_t used = r->used;

    ring_put(r, used, src, n);
    r->used = used + n;
    r->written = sat_add(r->written, n);
    return n;
}

/* take_all() out of line, for bulk copies. */
/*@ requires append_ok(r, src, n);
    assigns r->buf[0 .. r->cap - 1], r->used, r->written;
    ensures \result == n && appended{Pre, Post}(r, src, n); */
static OUT_OF_LINE size_t take_all_bulk(cirmem *r, const uint8_t *src,
                                        size_t n)
{
    return take_all(r, src, n);
}

/*@
  // The contract shared by the functions that write n > 0 bytes in
  // OVERWRITE mode (write_overwrite and the full-ring overwrite_few).
  predicate overwrite_ok{L}(cirmem *r, uint8_t *src, integer n) =
      cirmem_valid(r) && 0 < n && \valid_read(src + (0 .. n - 1)) &&
      \separated(src + (0 .. n - 1), r->buf + (0 .. r->cap - 1), r);

  predicate overwrote{A, B}(cirmem *r, uint8_t *src, integer n) =
      cirmem_valid{B}(r) && cirmem_overwritten{A, B}(r, src, n) &&
      \at(r->read, B) == \at(r->read, A);
*/

/* Overwrite mode: keep the newest cap bytes of old contents ++ src. */
/*@ requires overwrite_ok(r, src, n);
    assigns r->buf[0 .. r->cap - 1], r->head, r->used, r->written,
            r->dropped, r->lost;
    ensures \result == n && overwrote{Pre, Post}(r, src, n); */
static OUT_OF_LINE size_t write_overwrite(cirmem *r, const uint8_t *src,
                                          size_t n)
{
    size_t m = min_size(n, r->cap);        /* input bytes that survive */
    size_t skip = n - m;                   /* input bytes too old to keep */
    size_t keep = min_size(r->used, r->cap - m); /* old bytes kept */
    size_t d = r->used - keep;             /* old bytes overwritten */

    ring_advance(r, d);
    ring_append(r, src + skip, m);
    /*@ assert kept: cirmem_kept{Pre, Here}(r, d, keep); */
    /*@ assert new: cirmem_holds(r, keep, src + skip, m); */
    r->written = sat_add(r->written, n);
    count_dropped(r, d + skip);
    /*@ assert kept_end: cirmem_kept{Pre, Here}(r, d, keep); */
    /*@ assert new_end: cirmem_holds(r, keep, src + skip, m); */
    /*@ assert sizes: m == cirmem_min(n, \at(r->cap, Pre)) &&
          keep == cirmem_min(\at(r->used, Pre), \at(r->cap, Pre) - m) &&
          d == \at(r->used, Pre) - keep && skip == n - m; */
    /*@ assert counts: r->used == keep + m &&
          r->dropped == cirmem_sat(\at(r->dropped, Pre) + (d + skip)) &&
          r->lost == (d + skip > 0 ? 1 : \at(r->lost, Pre)) &&
          r->written == cirmem_sat(\at(r->written, Pre) + n); */
    return n;
}

/* Overwrite mode in a full ring, for few bytes that end before the end
 * of the storage: they replace the n oldest bytes in place, so the new
 * head is head + n and `used` stays cap.  This is the steady state of a
 * console that nobody reads, fed a byte per call by an emulated UART. */
/*@ requires overwrite_ok(r, src, n);
    requires r->used == r->cap;
    requires n <= COPY_SMALL && n < r->cap - r->head;
    assigns r->buf[0 .. r->cap - 1], r->head, r->written, r->dropped,
            r->lost;
    ensures \result == n && overwrote{Pre, Post}(r, src, n); */
static ALWAYS_INLINE size_t overwrite_few(cirmem *r, const uint8_t *src,
                                         size_t n)
{
    size_t head = r->head;

    copy_small(r->buf + head, src, n);
    r->head = head + n;
    r->written = sat_add(r->written, n);
    count_dropped(r, n);
    return n;
}

/* DROP_NEW and BOUNDED modes: store what fits, keep the oldest. */
/*@ requires cirmem_valid(r);
    requires \valid_read(src + (0 .. n - 1));
    requires \separated(src + (0 .. n - 1), r->buf + (0 .. r->cap - 1), r);
    assigns r->buf[0 .. r->cap - 1], r->used, r->written, r->dropped,
            r->lost, r->refused;
    ensures cirmem_valid(r);
    ensures \let k = cirmem_min(n, \old(r->cap - r->used));
            r->refused == (mode == CIRMEM_DROP_NEW ?
                           cirmem_sat(\old(r->refused) + (n - k)) :
                           \old(r->refused));
    ensures \let k = cirmem_min(n, \old(r->cap - r->used));
            r->used == \old(r->used) + k &&
            cirmem_kept{Pre, Post}(r, 0, \old(r->used)) &&
            cirmem_holds(r, \old(r->used), src, k);
    ensures \let k = cirmem_min(n, \old(r->cap - r->used));
            mode == CIRMEM_DROP_NEW ==>
              \result == n &&
              r->written == cirmem_sat(\old(r->written) + n) &&
              r->dropped == cirmem_sat(\old(r->dropped) + (n - k)) &&
              r->lost == (n - k > 0 ? 1 : \old(r->lost));
    ensures \let k = cirmem_min(n, \old(r->cap - r->used));
            mode != CIRMEM_DROP_NEW ==>
              \result == k &&
              r->written == cirmem_sat(\old(r->written) + k) &&
              r->dropped == \old(r->dropped) && r->lost == \old(r->lost); */
static OUT_OF_LINE size_t write_partial(cirmem *r, const uint8_t *src,
                                        size_t n, cirmem_mode mode)
{
    size_t k = min_size(n, r->cap - r->used);

    ring_append(r, src, k);
    if (mode == CIRMEM_DROP_NEW) {
        r->written = sat_add(r->written, n);
        r->refused = sat_add(r->refused, n - k);
        count_dropped(r, n - k);
        return n;
    }
    r->written = sat_add(r->written, k);
    return k;
}

/*@ requires cirmem_valid(r);
    requires data == \null || \valid_read(data + (0 .. n - 1));
    requires data != \null ==>
      \separated(data + (0 .. n - 1), r->buf + (0 .. r->cap - 1), r);
    assigns r->buf[0 .. r->cap - 1], r->head, r->used, r->written,
            r->dropped, r->lost, r->refused;
    ensures cirmem_valid(r);
    ensures r->read == \old(r->read);
    behavior nothing:
      assumes n == 0 || data == \null;
      assigns \nothing;
      ensures \result == 0;
    behavior overwrite:
      assumes n > 0 && data != \null && mode == CIRMEM_OVERWRITE;
      ensures \result == n;
      ensures cirmem_overwritten{Pre, Post}(r, data, n);
      ensures r->written != UINT64_MAX ==>
                cirmem_end_of(r) == \old(cirmem_end_of(r)) + n;
    behavior append:
      assumes n > 0 && data != \null && mode != CIRMEM_OVERWRITE;
      ensures \let k = cirmem_min(n, \old(r->cap - r->used));
              r->used == \old(r->used) + k &&
              (\forall integer j; 0 <= j < \old(r->used) ==>
                 cirmem_at(r, j) == \old(cirmem_at(r, j))) &&
              cirmem_holds(r, \old(r->used), data, k) &&
              r->head == \old(r->head);
      ensures \let k = cirmem_min(n, \old(r->cap - r->used));
              r->written != UINT64_MAX ==>
                cirmem_end_of(r) == \old(cirmem_end_of(r)) + k;
      ensures \let k = cirmem_min(n, \old(r->cap - r->used));
              mode == CIRMEM_DROP_NEW ==>
                \result == n &&
                r->written == cirmem_sat(\old(r->written) + n) &&
                r->dropped == cirmem_sat(\old(r->dropped) + (n - k)) &&
                r->lost == (n - k > 0 ? 1 : \old(r->lost));
      ensures \let k = cirmem_min(n, \old(r->cap - r->used));
              mode != CIRMEM_DROP_NEW ==>
                \result == k &&
                r->written == cirmem_sat(\old(r->written) + k) &&
                r->dropped == \old(r->dropped) && r->lost == \old(r->lost);
    complete behaviors;
    disjoint behaviors; */
HOT_ALIGN size_t cirmem_write(cirmem *r, const uint8_t *data, size_t n,
                              cirmem_mode mode)
{
    const uint8_t *src = data;

    if (n == 0 || src == NULL) {
        return 0;
    }
    if (n <= r->cap - r->used) {
        /* It fits: every mode takes all of it and drops nothing. */
        if (n <= COPY_SMALL && n <= storage_room(r, r->used)) {
            return take_all(r, src, n); /* few bytes, one free piece */
        }
        return take_all_bulk(r, src, n);
    }
    if (mode == CIRMEM_OVERWRITE) {
        if (r->used == r->cap && n <= COPY_SMALL && n < r->cap - r->head) {
            return overwrite_few(r, src, n); /* full: replace the oldest */
        }
        return write_overwrite(r, src, n);
    }
    return write_partial(r, src, n, mode);
}

/*@ requires cirmem_valid(r);
    requires offset <= SIZE_MAX;
    requires out == \null || \valid(out + (0 .. n - 1));
    requires out != \null ==>
      \separated(out + (0 .. n - 1), r->buf + (0 .. r->cap - 1), r);
    assigns out[0 .. n - 1];
    behavior nothing:
      assumes out == \null || offset >= r->used;
      assigns \nothing;
      ensures \result == 0;
    behavior copy:
      assumes out != \null && offset < r->used;
      ensures \result == cirmem_min(n, r->used - offset);
      ensures \forall integer k; 0 <= k < \result ==>
                out[k] == cirmem_at(r, offset + k);
      ensures \forall integer k; \result <= k < n ==>
                out[k] == \old(out[k]);
    complete behaviors;
    disjoint behaviors; */
size_t cirmem_peek(const cirmem *r, size_t offset, uint8_t *out, size_t n)
{
    size_t k;

    if (out == NULL || offset >= r->used) {
        return 0;
    }
    k = min_size(n, r->used - offset);
    ring_get(r, offset, out, k);
    return k;
}

/*@
  // A positioned copy, from state A to B, of the stored bytes from
  // offset `at` (position start + at) on: as many as fit in n.
  predicate copied_from{A, B}(cirmem *r, integer at, uint8_t *out,
                              integer n, cirmem_pos_read *res) =
      \at(res->out_len, B) == cirmem_min(n, \at(r->used, A) - at) &&
      \at(res->next, B) == \at(res->position, B) + \at(res->out_len, B) &&
      (\forall integer k; 0 <= k < \at(res->out_len, B) ==>
         \at(out[k], B) == cirmem_at{A}(r, at + k));
*/

/*@ requires cirmem_valid(r);
    requires res == \null || \valid(res);
    requires out == \null || \valid(out + (0 .. n - 1));
    requires out != \null ==>
      \separated(out + (0 .. n - 1), r, r->buf + (0 .. r->cap - 1));
    requires res != \null ==> \separated(res, r, r->buf + (0 .. r->cap - 1));
    requires res != \null && out != \null ==>
      \separated(res, out + (0 .. n - 1));
    assigns out[0 .. n - 1], *res;
    ensures \result == CIRMEM_OK ==>
      \forall integer k; res->out_len <= k < n ==> out[k] == \old(out[k]);
    behavior bad_args:
      assumes res == \null || (out == \null && n > 0);
      assigns \nothing;
      ensures \result == CIRMEM_ERR_NULL;
    behavior exhausted:
      assumes res != \null && (out != \null || n == 0);
      assumes cirmem_exhausted(r);
      assigns \nothing;
      ensures \result == CIRMEM_ERR_EXHAUSTED;
    behavior past_end:
      assumes res != \null && (out != \null || n == 0);
      assumes !cirmem_exhausted(r) && pos > cirmem_end_of(r);
      assigns \nothing;
      ensures \result == CIRMEM_ERR_POSITION;
    behavior behind:
      assumes res != \null && (out != \null || n == 0);
      assumes !cirmem_exhausted(r) && pos < cirmem_start_of(r);
      ensures \result == CIRMEM_OK;
      ensures res->position == cirmem_start_of(r);
      ensures res->lost == cirmem_start_of(r) - pos;
      ensures behind_copy: copied_from{Pre, Post}(r, 0, out, n, res);
    behavior stored:
      assumes res != \null && (out != \null || n == 0);
      assumes !cirmem_exhausted(r) &&
              cirmem_start_of(r) <= pos <= cirmem_end_of(r);
      ensures \result == CIRMEM_OK;
      ensures res->position == pos && res->lost == 0;
      ensures stored_copy: copied_from{Pre, Post}(r,
                pos - \old(cirmem_start_of(r)), out, n, res);
    complete behaviors;
    disjoint behaviors; */
int cirmem_peek_at(const cirmem *r, uint64_t pos, uint8_t *out, size_t n,
                   cirmem_pos_read *res)
{
    uint64_t end;
    uint64_t start;
    uint64_t first;
    size_t at;
    size_t k;

    if (res == NULL || (out == NULL && n > 0)) {
        return CIRMEM_ERR_NULL;
    }
    if (r->written == UINT64_MAX) {
        return CIRMEM_ERR_EXHAUSTED;
    }
    end = r->written - r->refused;
    if (pos > end) {
        return CIRMEM_ERR_POSITION;
    }
    start = end - r->used;
    /*@ assert start == cirmem_start_of(r); */
    first = pos > start ? pos : start; /* the bytes before start are gone */
    /*@ assert first: first == cirmem_max(pos, cirmem_start_of(r)) &&
          first - start <= r->used; */
    at = (size_t)(first - start);
    /*@ assert at: at == first - cirmem_start_of(r); */
    k = min_size(n, r->used - at);
    ring_get(r, at, out, k);
    /*@ assert copied: \forall integer j; 0 <= j < k ==>
          out[j] == cirmem_at{Pre}(r, at + j); */
    res->position = first;
    res->lost = first - pos;
    res->next = first + k;
    res->out_len = k;
    return CIRMEM_OK;
}

/*@
  // The contract shared by the functions that move the k oldest bytes to
  // out and count them as read.
  predicate take_ok{L}(cirmem *r, uint8_t *out, integer k) =
      cirmem_valid(r) && 0 <= k <= r->used &&
      \valid(out + (0 .. k - 1)) &&
      \separated(out + (0 .. k - 1), r->buf + (0 .. r->cap - 1), r);

  predicate took{A, B}(cirmem *r, uint8_t *out, integer k) =
      cirmem_valid{B}(r) &&
      \at(r->used, B) == \at(r->used, A) - k &&
      (\forall integer j; 0 <= j < k ==>
         \at(out[j], B) == cirmem_at{A}(r, j)) &&
      cirmem_kept{A, B}(r, k, \at(r->used, B)) &&
      \at(r->read, B) == cirmem_sat(\at(r->read, A) + k) &&
      \at(r->lost, B) == (k > 0 ? 0 : \at(r->lost, A));
*/

/* Move the k oldest bytes to out and count them as read. */
/*@ requires take_ok(r, out, k);
    assigns out[0 .. k - 1], r->head, r->used, r->read, r->lost;
    ensures \result == k && took{Pre, Post}(r, out, k); */
static ALWAYS_INLINE size_t take_oldest(cirmem *r, uint8_t *out, size_t k)
{
    ring_get(r, 0, out, k);
    ring_advance(r, k);
    count_read(r, k);
    return k;
}

/* take_oldest() out of line, for bulk copies. */
/*@ requires take_ok(r, out, k);
    assigns out[0 .. k - 1], r->head, r->used, r->read, r->lost;
    ensures \result == k && took{Pre, Post}(r, out, k); */
static OUT_OF_LINE size_t take_oldest_bulk(cirmem *r, uint8_t *out,
                                           size_t k)
{
    return take_oldest(r, out, k);
}

/* take_oldest() for few bytes that end before the end of the storage,
 * so the new head needs no wrap; fields are read once (see take_all). */
/*@ requires take_ok(r, out, n);
    requires 0 < n <= COPY_SMALL && n < r->cap - r->head;
    assigns out[0 .. n - 1], r->head, r->used, r->read, r->lost;
    ensures \result == n && took{Pre, Post}(r, out, n); */
static ALWAYS_INLINE size_t read_few(cirmem *r, uint8_t *out, size_t n)
{
    size_t head = r->head;
    size_t used = r->used;

    copy_small(out, r->buf + head, n);
    r->head = head + n;
    r->used = used - n;
    count_read(r, n);
    return n;
}

/*@ requires cirmem_valid(r);
    requires out == \null || \valid(out + (0 .. n - 1));
    requires out != \null ==>
      \separated(out + (0 .. n - 1), r->buf + (0 .. r->cap - 1), r);
    assigns out[0 .. n - 1], r->head, r->used, r->read, r->lost;
    ensures cirmem_valid(r);
    behavior nothing:
      assumes out == \null;
      assigns \nothing;
      ensures \result == 0;
    behavior copy:
      assumes out != \null;
      ensures \result == cirmem_min(n, \old(r->used));
      ensures r->used == \old(r->used) - \result;
      ensures \forall integer k; 0 <= k < \result ==>
                out[k] == \old(cirmem_at(r, k));
      ensures \forall integer k; \result <= k < n ==>
                out[k] == \old(out[k]);
      ensures cirmem_kept{Pre, Post}(r, \result, r->used);
      ensures r->read == cirmem_sat(\old(r->read) + \result);
      ensures r->lost == (\result > 0 ? 0 : \old(r->lost));
    complete behaviors;
    disjoint behaviors; */
HOT_ALIGN size_t cirmem_read(cirmem *r, uint8_t *out, size_t n)
{
    size_t k;

    if (out == NULL) {
        return 0;
    }
    if (0 < n && n <= COPY_SMALL && n <= r->used && n < r->cap - r->head) {
        return read_few(r, out, n); /* few bytes, before the storage end */
    }
    k = min_size(n, r->used);
    return take_oldest_bulk(r, out, k);
}

/*@ requires cirmem_valid(r);
    assigns r->head, r->used, r->read, r->lost;
    ensures cirmem_valid(r);
    ensures \result == cirmem_min(n, \old(r->used));
    ensures r->used == \old(r->used) - \result;
    ensures cirmem_kept{Pre, Post}(r, \result, r->used);
    ensures r->read == cirmem_sat(\old(r->read) + \result);
    ensures r->lost == (\result > 0 ? 0 : \old(r->lost)); */
size_t cirmem_consume(cirmem *r, size_t n)
{
    size_t k = min_size(n, r->used);

    ring_advance(r, k);
    count_read(r, k);
    return k;
}

/*@ requires cirmem_valid(r);
    assigns r->head, r->used, r->dropped, r->lost;
    ensures cirmem_valid(r);
    ensures \result == cirmem_min(n, \old(r->used));
    ensures r->used == \old(r->used) - \result;
    ensures cirmem_kept{Pre, Post}(r, \result, r->used);
    ensures r->dropped == cirmem_sat(\old(r->dropped) + \result);
    ensures r->lost == (\result > 0 ? 1 : \old(r->lost)); */
size_t cirmem_discard(cirmem *r, size_t n)
{
    size_t k = min_size(n, r->used);

    ring_advance(r, k);
    count_dropped(r, k);
    return k;
}

/*@ requires cirmem_valid(r);
    assigns r->head, r->used, r->dropped, r->lost;
    ensures cirmem_valid(r);
    ensures r->used == 0;
    ensures r->dropped == cirmem_sat(\old(r->dropped) + \old(r->used));
    ensures r->lost == (\old(r->used) > 0 ? 1 : \old(r->lost)); */
void cirmem_clear(cirmem *r)
{
    (void)cirmem_discard(r, r->used);
}

/*@ requires cirmem_valid(r);
    requires \valid(len);
    requires \separated(len, r, r->buf + (0 .. r->cap - 1));
    assigns *len;
    behavior empty:
      assumes offset >= r->used;
      ensures \result == \null && *len == 0;
    behavior span:
      assumes offset < r->used;
      ensures *len == cirmem_min(r->used - offset,
                                 r->cap - cirmem_pos(r, offset));
      ensures 0 < *len;
      ensures \result == r->buf + cirmem_pos(r, offset);
      ensures \valid_read(\result + (0 .. *len - 1));
      ensures \forall integer k; 0 <= k < *len ==>
                \result[k] == cirmem_at(r, offset + k);
    complete behaviors;
    disjoint behaviors; */
const uint8_t *cirmem_read_span(const cirmem *r, size_t offset, size_t *len)
{
    size_t pos;

    if (offset >= r->used) {
        *len = 0;
        return NULL;
    }
    pos = ring_index(r->head, offset, r->cap);
    *len = min_size(r->used - offset, r->cap - pos);
    return r->buf + pos;
}

/*@ requires cirmem_valid(r);
    requires \valid(len);
    requires \separated(len, r, r->buf + (0 .. r->cap - 1));
    assigns *len;
    behavior full:
      assumes r->used == r->cap;
      ensures \result == \null && *len == 0;
    behavior span:
      assumes r->used < r->cap;
      ensures *len == cirmem_min(r->cap - r->used,
                                 r->cap - cirmem_pos(r, r->used));
      ensures 0 < *len;
      ensures \result == r->buf + cirmem_pos(r, r->used);
      ensures \valid(\result + (0 .. *len - 1));
    complete behaviors;
    disjoint behaviors; */
uint8_t *cirmem_write_span(cirmem *r, size_t *len)
{
    size_t pos;

    if (r->used == r->cap) {
        *len = 0;
        return NULL;
    }
    pos = ring_index(r->head, r->used, r->cap);
    *len = min_size(r->cap - r->used, r->cap - pos);
    return r->buf + pos;
}

/*@ requires cirmem_valid(r);
    assigns r->used, r->written;
    ensures cirmem_valid(r);
    ensures \result == cirmem_min(n, \old(r->cap - r->used));
    ensures r->used == \old(r->used) + \result;
    ensures r->written == cirmem_sat(\old(r->written) + \result);
    ensures r->written != UINT64_MAX ==>
              cirmem_end_of(r) == \old(cirmem_end_of(r)) + \result;
    ensures \forall integer k; 0 <= k < r->used ==>
              cirmem_at(r, k) == \old(cirmem_at(r, k)); */
size_t cirmem_commit(cirmem *r, size_t n)
{
    size_t k = min_size(n, r->cap - r->used);

    r->used += k;
    r->written = sat_add(r->written, k);
    return k;
}
