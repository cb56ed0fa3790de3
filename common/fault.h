/*
 * fault.h - allocation and I/O entry points that tests can make fail.
 *
 * All allocations and all writes/fsyncs/renames of an index build go through
 * these wrappers.  bidx_fault_set(kind, n) makes the n-th call of that kind
 * (counting from 1 after the call) fail, like SQLite's malloc fault loops.
 */
#ifndef BIDX_FAULT_H
#define BIDX_FAULT_H

#include <stddef.h>
#include <sys/types.h>

enum bidx_fault_kind { BIDX_FAULT_ALLOC, BIDX_FAULT_WRITE, BIDX_FAULT_FSYNC,
                       BIDX_FAULT_RENAME, BIDX_FAULT_NKINDS };

void bidx_fault_set(enum bidx_fault_kind kind, long n);  /* n <= 0 disables */
long bidx_fault_count(enum bidx_fault_kind kind);         /* calls so far */
int bidx_fault_hit(enum bidx_fault_kind kind);           /* 1: fail this call */

void *bidx_malloc(size_t n);
void *bidx_calloc(size_t n, size_t size);
void *bidx_realloc(void *p, size_t n);

/* Grows the array *p of *cap elements of elem bytes to hold at least need
 * (doubling, from 16); 0 on success, -1 when out of memory (*p and *cap are
 * then unchanged).  The one growth policy of every growable array. */
int bidx_grow(void **p, size_t *cap, size_t need, size_t elem);

#endif
