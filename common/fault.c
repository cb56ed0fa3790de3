/*
 * fault.c - the allocation wrappers and the fault counters of fault.h.
 *
 * Each kind (allocation, write, fsync, rename) counts its calls; when the
 * count reaches the number a test set, that one call fails.  Tests loop n
 * from 1 until a run succeeds, so every failure point of a build or a
 * search is exercised once.  Zero-byte requests allocate one byte, so NULL
 * always means failure.
 */
#include "fault.h"

#include <stdint.h>
#include <stdlib.h>

/* Atomic: the build's analysis threads allocate too. */
static _Atomic long fault_at[BIDX_FAULT_NKINDS];
static _Atomic long fault_calls[BIDX_FAULT_NKINDS];

void bidx_fault_set(enum bidx_fault_kind kind, long n)
{
	fault_at[kind] = n > 0 ? n : 0;
	fault_calls[kind] = 0;
}

long bidx_fault_count(enum bidx_fault_kind kind)
{
	return fault_calls[kind];
}

int bidx_fault_hit(enum bidx_fault_kind kind)
{
	long c = ++fault_calls[kind];
	return fault_at[kind] && c == fault_at[kind];
}

void *bidx_malloc(size_t n)
{
	if (bidx_fault_hit(BIDX_FAULT_ALLOC))
		return NULL;
	return malloc(n ? n : 1);
}

void *bidx_calloc(size_t n, size_t size)
{
	if (bidx_fault_hit(BIDX_FAULT_ALLOC))
		return NULL;
	return calloc(n ? n : 1, size ? size : 1);
}

void *bidx_realloc(void *p, size_t n)
{
	if (bidx_fault_hit(BIDX_FAULT_ALLOC))
		return NULL;
	return realloc(p, n ? n : 1);
}

int bidx_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap : 16;
	while (nc < need)
		nc *= 2;
	if (nc > SIZE_MAX / elem)
		return -1;
	void *np = bidx_realloc(*p, nc * elem);
	if (!np)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}
