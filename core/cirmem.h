/* SPDX-License-Identifier: MIT */
/*
 * cirmem: a bounded byte ring for console streams.
 *
 * The ring owns no memory: the caller hands it storage and a capacity.
 * Every operation does O(1) bookkeeping and at most two contiguous copies;
 * nothing allocates, nothing is global.  The semantics of every call are
 * specified in spec/SPEC.md and proved against spec/cirmem_logic.h.
 *
 * Accounting: while no counter has saturated,
 *     bytes_written == bytes_read + bytes_dropped + used
 * holds after every call (cirmem_invariant() checks it).
 */
#ifndef CIRMEM_H
#define CIRMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest capacity cirmem_init() accepts. */
#define CIRMEM_CAPACITY_MAX (SIZE_MAX / 2)

/* Result codes of cirmem_init(). */
enum cirmem_error {
    CIRMEM_OK = 0,
    CIRMEM_ERR_NULL = -1,     /* ring or storage is NULL */
    CIRMEM_ERR_CAPACITY = -2, /* capacity is 0 or above CIRMEM_CAPACITY_MAX */
};

/* What a write does when the data does not fit in the free space. */
typedef enum cirmem_mode {
    /* Take all bytes; keep the newest `capacity`; the overwritten old
     * bytes and the skipped input bytes count as dropped. */
    CIRMEM_OVERWRITE = 0,
    /* Take all bytes; keep the oldest; the bytes that did not fit count
     * as dropped. */
    CIRMEM_DROP_NEW = 1,
    /* Take only what fits and report it; nothing is dropped, the caller
     * keeps the rest (backpressure). */
    CIRMEM_BOUNDED = 2,
} cirmem_mode;

/* Flags of cirmem_read_utf8(). */
enum cirmem_utf8_flags {
    /* Write U+0000 as the two bytes C0 80 (modified UTF-8), so that the
     * output never contains a 00 byte. */
    CIRMEM_UTF8_NUL_AS_C0_80 = 1u << 0,
    /* No more data will come: an incomplete sequence at the end of the
     * data is replaced by U+FFFD instead of being kept for later. */
    CIRMEM_UTF8_FLUSH = 1u << 1,
};

/*
 * The ring.  Treat the fields as private: use the functions below.
 * A ring is valid (cirmem_invariant()) from a successful cirmem_init()
 * on, as long as its storage is alive and touched only through cirmem.
 *
 * Field order is chosen for speed: no two fields that one small write
 * or read updates are neighbours (head/used, used/written, used/read),
 * so a compiler cannot merge their updates into one 16-byte store, which
 * the next call's 8-byte loads could not forward from (`make bench-pairs`
 * measured such pairs 1.5x slower).
 */
typedef struct cirmem {
    uint8_t *buf;      /* storage, `cap` bytes */
    size_t head;       /* index of the oldest byte, < cap */
    size_t cap;        /* capacity, 1 .. CIRMEM_CAPACITY_MAX */
    size_t used;       /* bytes stored, <= cap */
    uint64_t dropped;  /* bytes lost unread (saturating) */
    uint64_t read;     /* bytes delivered to the reader (saturating) */
    uint64_t written;  /* bytes taken by writes (saturating) */
    bool lost;         /* bytes were dropped since the last consuming read */
} cirmem;

/**
 * cirmem_init() - make @r an empty ring over @storage of @capacity bytes.
 *
 * Returns CIRMEM_OK, or CIRMEM_ERR_NULL / CIRMEM_ERR_CAPACITY, in which
 * case @r is left untouched.  All @capacity bytes are usable.
 */
int cirmem_init(cirmem *r, uint8_t *storage, size_t capacity);

/**
 * cirmem_invariant() - executable mirror of the proofs' validity predicate.
 *
 * True when @r is non-NULL, has storage, 1 <= cap <= CIRMEM_CAPACITY_MAX,
 * head < cap, used <= cap, and the byte accounting balances (unless
 * bytes_written has saturated).  Tests and fuzzers call it after every step.
 */
bool cirmem_invariant(const cirmem *r);

/** cirmem_capacity() - bytes the ring can hold. */
size_t cirmem_capacity(const cirmem *r);
/** cirmem_used() - bytes stored and not yet read. */
size_t cirmem_used(const cirmem *r);
/** cirmem_free() - bytes that can be written without loss: capacity - used. */
size_t cirmem_free(const cirmem *r);

/** cirmem_bytes_written() - total taken by writes and commits (saturates). */
uint64_t cirmem_bytes_written(const cirmem *r);
/** cirmem_bytes_read() - total delivered by read, consume, read_utf8. */
uint64_t cirmem_bytes_read(const cirmem *r);
/** cirmem_bytes_dropped() - total lost unread: overwritten, refused by
 * CIRMEM_DROP_NEW, discarded or cleared (saturates). */
uint64_t cirmem_bytes_dropped(const cirmem *r);
/** cirmem_data_lost() - true if bytes were dropped since the last read that
 * consumed at least one byte. */
bool cirmem_data_lost(const cirmem *r);

/**
 * cirmem_write() - append @n bytes from @data according to @mode.
 *
 * Returns the number of input bytes taken: @n for CIRMEM_OVERWRITE and
 * CIRMEM_DROP_NEW, min(@n, free) for CIRMEM_BOUNDED.  Oldest-first order
 * is kept; see cirmem_mode for what is dropped.  @data may be NULL only
 * when @n is 0.  An unknown @mode behaves as CIRMEM_BOUNDED.
 */
size_t cirmem_write(cirmem *r, const uint8_t *data, size_t n,
                    cirmem_mode mode);

/**
 * cirmem_read() - move up to @n of the oldest bytes to @out.
 *
 * Returns min(@n, used).  Counts them as read; clears the lost flag when
 * it returns > 0.
 */
size_t cirmem_read(cirmem *r, uint8_t *out, size_t n);

/**
 * cirmem_peek() - copy up to @n bytes starting @offset bytes after the
 * oldest one, without consuming anything.
 *
 * Returns min(@n, used - @offset), or 0 when @offset >= used.
 */
size_t cirmem_peek(const cirmem *r, size_t offset, uint8_t *out, size_t n);

/**
 * cirmem_discard() - drop up to @n of the oldest bytes unread.
 *
 * Returns min(@n, used); they count as dropped and set the lost flag.
 */
size_t cirmem_discard(cirmem *r, size_t n);

/** cirmem_clear() - discard everything stored; counters keep counting. */
void cirmem_clear(cirmem *r);

/**
 * cirmem_read_span() - the contiguous stored bytes that start @offset
 * bytes after the oldest one, in place.
 *
 * Stores their count in *@len and returns a pointer to them (NULL and 0
 * when @offset >= used).  The stored data is at most two spans: offsets 0
 * and *@len.  Release bytes with cirmem_consume().
 */
const uint8_t *cirmem_read_span(const cirmem *r, size_t offset, size_t *len);

/**
 * cirmem_consume() - release up to @n of the oldest bytes after reading
 * them in place.  Returns min(@n, used); counts them as read.
 */
size_t cirmem_consume(cirmem *r, size_t n);

/**
 * cirmem_write_span() - the contiguous free bytes right after the newest
 * byte, to fill in place.
 *
 * Stores their count in *@len and returns a pointer to them (NULL and 0
 * when full).  Make filled bytes visible with cirmem_commit(); once the
 * span is committed, a second call returns the wrapped-around rest.
 */
uint8_t *cirmem_write_span(cirmem *r, size_t *len);

/**
 * cirmem_commit() - make up to @n bytes after the newest byte part of the
 * data.  Returns min(@n, free); counts them as written.
 */
size_t cirmem_commit(cirmem *r, size_t n);

/**
 * cirmem_read_utf8() - consume up to @max_in bytes as well-formed UTF-8
 * into @out (at most @out_cap bytes).
 *
 * Never splits a character: one that does not fit in @max_in or @out_cap
 * stays in the ring.  A valid but incomplete sequence at the end of the
 * data stays until it completes, unless CIRMEM_UTF8_FLUSH is given or it
 * fills the whole ring.  Each maximal invalid subpart (Unicode ch. 3) is
 * replaced by U+FFFD.  Only when data was lost since the last read, up
 * to three leading continuation bytes are dropped silently.  With
 * CIRMEM_UTF8_NUL_AS_C0_80 a 00 byte is written as C0 80.
 *
 * Stores the ring bytes consumed in *@consumed and returns the bytes
 * written to @out.  With @max_in >= 4 and @out_cap >= 4 it consumes at
 * least one byte whenever the ring holds 4 bytes or more, is full, or
 * CIRMEM_UTF8_FLUSH is given.
 */
size_t cirmem_read_utf8(cirmem *r, uint8_t *out, size_t out_cap,
                        size_t max_in, unsigned flags, size_t *consumed);

#endif /* CIRMEM_H */
