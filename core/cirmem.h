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
 *
 * Positions: every byte the ring stores has a 64-bit absolute position,
 * the number of bytes stored before it (bytes refused by CIRMEM_DROP_NEW
 * or CIRMEM_BOUNDED never get one).  The stored bytes are the positions
 * cirmem_start() .. cirmem_end() - 1; positioned reads consume nothing,
 * so any number of readers can follow the ring at their own pace.
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
    CIRMEM_ERR_POSITION = -3, /* position after cirmem_end() */
    CIRMEM_ERR_EXHAUSTED = -4, /* positions are no longer exact: see
                                * cirmem_end() */
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
    /* Bytes refused by DROP_NEW (saturating; part of `dropped`).  The
     * position after the newest byte is written - refused, so no hot
     * path updates anything for positions; it is last, away from the
     * fields one small write or read updates. */
    uint64_t refused;
} cirmem;

/* What a positioned read did (cirmem_peek_at(), cirmem_peek_utf8_at()). */
typedef struct cirmem_pos_read {
    uint64_t position; /* position of the first byte read, >= the one asked */
    uint64_t lost;     /* position - the one asked: bytes no longer stored
                        * (overwritten, dropped, consumed), and for UTF-8
                        * the continuation bytes skipped to start on a
                        * character */
    uint64_t next;     /* position after the last byte read: ask for it next */
    size_t out_len;    /* bytes written to out */
} cirmem_pos_read;

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
 * cirmem_end() - position after the newest stored byte: the number of
 * bytes that were ever stored (taken by a write or commit and not
 * refused by CIRMEM_DROP_NEW).
 *
 * Exact while cirmem_bytes_written() < UINT64_MAX.  Once bytes_written
 * saturates the positions are exhausted: cirmem_end() returns UINT64_MAX
 * from then on, and the positioned reads fail with CIRMEM_ERR_EXHAUSTED
 * (the ring itself keeps working).  So cirmem_end() == UINT64_MAX means
 * exactly "exhausted"; 2^64 - 1 bytes are never reached in practice.
 */
uint64_t cirmem_end(const cirmem *r);

/**
 * cirmem_start() - position of the oldest stored byte.
 *
 * Always cirmem_end() - cirmem_used() (also once exhausted).  It grows as
 * bytes leave the ring: consumed, discarded, cleared or overwritten.
 */
uint64_t cirmem_start(const cirmem *r);

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
 * it returns > 0.  Bytes of @out from the result on are left untouched.
 */
size_t cirmem_read(cirmem *r, uint8_t *out, size_t n);

/**
 * cirmem_peek() - copy up to @n bytes starting @offset bytes after the
 * oldest one, without consuming anything.
 *
 * Returns min(@n, used - @offset), or 0 when @offset >= used.  Bytes of
 * @out from the result on are left untouched.
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

/**
 * cirmem_peek_at() - copy up to @n stored bytes from absolute position
 * @pos to @out, consuming nothing.
 *
 * The copy starts at max(@pos, cirmem_start()): bytes before the start are
 * no longer stored and are reported as lost.  On CIRMEM_OK, *@res holds
 * position (where the copy starts), lost (position - @pos), out_len
 * (min(@n, cirmem_end() - position) bytes copied) and next (position +
 * out_len); @out beyond out_len is untouched.  @pos == cirmem_end() copies
 * nothing and is not an error.
 *
 * Errors, with nothing written (neither @out nor *@res): CIRMEM_ERR_NULL
 * if @res is NULL or @out is NULL with @n > 0; CIRMEM_ERR_EXHAUSTED once
 * positions are exhausted (see cirmem_end()); CIRMEM_ERR_POSITION if
 * @pos > cirmem_end().
 */
int cirmem_peek_at(const cirmem *r, uint64_t pos, uint8_t *out, size_t n,
                   cirmem_pos_read *res);

/**
 * cirmem_peek_utf8_at() - decode stored bytes from absolute position @pos
 * into @out as cirmem_read_utf8() would, consuming nothing.
 *
 * Takes at most @max_in ring bytes and writes at most @out_cap bytes, with
 * cirmem_read_utf8()'s rules for units, U+FFFD, @flags, incomplete tails
 * (kept unless CIRMEM_UTF8_FLUSH, or the tail is the whole ring), limits
 * and progress; it never splits a character.  It starts on a unit
 * boundary: p = max(@pos, cirmem_start()); if @pos < cirmem_start() (this
 * reader lost bytes) up to three continuation bytes at p are skipped, as
 * cirmem_read_utf8() does after a loss; otherwise the continuation bytes
 * at p that belong to a character or invalid sequence starting before p
 * (in the decoding of the stored bytes from the oldest one) are skipped.
 * The ring's lost flag plays no part.
 *
 * On CIRMEM_OK, *@res holds position (p plus the skipped bytes, where the
 * decoded bytes start), lost (position - @pos), next (position plus the
 * bytes decoded: the position to ask for next; next - p <= @max_in) and
 * out_len (bytes written to @out).  A reader that starts at
 * cirmem_start() and follows next from call to call, losing nothing, gets
 * the bytes cirmem_read_utf8() would give for the same calls on a ring
 * whose lost flag is clear.
 *
 * Errors as for cirmem_peek_at() (CIRMEM_ERR_NULL for a NULL @res, or a
 * NULL @out with @out_cap > 0), with nothing written.
 */
int cirmem_peek_utf8_at(const cirmem *r, uint64_t pos, uint8_t *out,
                        size_t out_cap, size_t max_in, unsigned flags,
                        cirmem_pos_read *res);

#endif /* CIRMEM_H */
