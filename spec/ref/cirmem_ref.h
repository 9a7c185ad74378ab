/* SPDX-License-Identifier: MIT */
/*
 * cirmem_ref: executable reference model of cirmem (spec/SPEC.md).
 *
 * Deliberately naive and independent of core/: the contents live in a flat
 * array with the oldest byte always at index 0; consuming bytes shifts the
 * rest down with memmove.  Tests compare core/ against this model after
 * every step.  It shares only the enums of core/cirmem.h.
 */
#ifndef CIRMEM_REF_H
#define CIRMEM_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cirmem.h"

typedef struct cirmem_ref {
    uint8_t *data;     /* contents, oldest first: data[0 .. used) */
    size_t cap;        /* capacity */
    size_t used;       /* length of the contents */
    uint64_t written;  /* saturating counters, as in the core */
    uint64_t read;
    uint64_t dropped;
    bool lost;
    uint64_t start;    /* position of data[0]: bytes that ever left */
} cirmem_ref;

/* Same results as cirmem_init(); @storage must hold @cap bytes. */
int cirmem_ref_init(cirmem_ref *m, uint8_t *storage, size_t cap);

size_t cirmem_ref_used(const cirmem_ref *m);
size_t cirmem_ref_free(const cirmem_ref *m);
size_t cirmem_ref_capacity(const cirmem_ref *m);
uint64_t cirmem_ref_bytes_written(const cirmem_ref *m);
uint64_t cirmem_ref_bytes_read(const cirmem_ref *m);
uint64_t cirmem_ref_bytes_dropped(const cirmem_ref *m);
bool cirmem_ref_data_lost(const cirmem_ref *m);

size_t cirmem_ref_write(cirmem_ref *m, const uint8_t *data, size_t n,
                        cirmem_mode mode);
size_t cirmem_ref_read(cirmem_ref *m, uint8_t *out, size_t n);
size_t cirmem_ref_peek(const cirmem_ref *m, size_t offset, uint8_t *out,
                       size_t n);
size_t cirmem_ref_discard(cirmem_ref *m, size_t n);
void cirmem_ref_clear(cirmem_ref *m);

/* What cirmem_write_span() + filling + cirmem_commit(n) must amount to:
 * append min(n, free) bytes of @bytes, count them as written. */
size_t cirmem_ref_commit_bytes(cirmem_ref *m, const uint8_t *bytes, size_t n);
/* cirmem_consume(): drop up to @n oldest bytes, counted as read. */
size_t cirmem_ref_consume(cirmem_ref *m, size_t n);

/* Same signature and semantics as cirmem_read_utf8(). */
size_t cirmem_ref_read_utf8(cirmem_ref *m, uint8_t *out, size_t out_cap,
                            size_t max_in, unsigned flags, size_t *consumed);

/* Positions (SPEC.md section 8): start counts every stored byte that left
 * the contents; end is start + used, or UINT64_MAX once written has
 * saturated (positions exhausted). */
uint64_t cirmem_ref_start(const cirmem_ref *m);
uint64_t cirmem_ref_end(const cirmem_ref *m);

/* Same signatures and semantics as cirmem_peek_at() and
 * cirmem_peek_utf8_at(). */
int cirmem_ref_peek_at(const cirmem_ref *m, uint64_t pos, uint8_t *out,
                       size_t n, cirmem_pos_read *res);
int cirmem_ref_peek_utf8_at(const cirmem_ref *m, uint64_t pos, uint8_t *out,
                            size_t out_cap, size_t max_in, unsigned flags,
                            cirmem_pos_read *res);

#endif /* CIRMEM_REF_H */
