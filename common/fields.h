/*
 * fields.h - the per-document field columns (docs/FORMAT.md, "FIELDS" and
 * "FIELDSTR"): fixed records for what filters, sorts and facets read (date
 * range, affected count, fact bit sets), and a string list per document for
 * named text fields (org, category, extra CSV columns...), each with its
 * normalised form for matching and where it came from.
 */
#ifndef BIDX_FIELDS_H
#define BIDX_FIELDS_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "error.h"

#define BIDX_FIELDS_SIZE 48

/* The largest affected count a document records or a query names: fifteen
 * digits, exact in a JSON number (a double).  A larger count in a notice is
 * dropped (with a note under bidx -v), and a query naming one is refused,
 * rather than either being cut or wrapped around. */
#define BIDX_COUNT_MAX 999999999999999ULL

/* *v = *v * mul + add, checked: returns -1 (and leaves *v alone) when the
 * result would pass BIDX_COUNT_MAX. */
static inline int bidx_count_madd(uint64_t *v, uint64_t mul, uint64_t add)
{
	uint64_t r;
	if (__builtin_mul_overflow(*v, mul, &r) || __builtin_add_overflow(r, add, &r) ||
	    r > BIDX_COUNT_MAX)
		return -1;
	*v = r;
	return 0;
}

typedef struct bidx_fieldrec {
	int32_t date_lo;       /* first day covered, yyyymmdd; 0 = no date */
	int32_t date_hi;       /* last day covered */
	uint8_t date_prec;     /* bidx_date_prec */
	uint8_t unit;          /* bidx_unit of affected */
	uint8_t qual;          /* bidx_qual of affected */
	uint64_t affected;     /* 0 = none; at most BIDX_COUNT_MAX */
	uint32_t leaked;       /* bit sets over common/vocab.h tables */
	uint32_t method;
	uint32_t authorities;
	uint64_t str_off;      /* the document's strings within FIELDSTR */
	uint32_t str_len;
} bidx_fieldrec;

void bidx_fieldrec_encode(const bidx_fieldrec *r, uint8_t out[BIDX_FIELDS_SIZE]);
void bidx_fieldrec_decode(const uint8_t in[BIDX_FIELDS_SIZE], bidx_fieldrec *r);

/* One named string field of a document. */
typedef struct bidx_fstr {
	const char *name;   size_t nlen;
	const char *value;  size_t vlen;   /* as written */
	const char *norm;   size_t normlen;/* normalised, for matching */
	const char *source; size_t slen;   /* where it came from */
} bidx_fstr;

/* Appends one entry to a document's FIELDSTR record. */
void bidx_fstr_put(bidx_buf *b, const char *name, const char *value, size_t vlen,
                   const char *norm, size_t normlen, const char *source);

/* Reads the next entry of a record [*p, end): *have is 1 and *f filled, or 0
 * at the end.  BIDX_ECORRUPT (and *have 0) when the record is corrupt.
 * Pointers point into the record. */
bidx_err bidx_fstr_next(const uint8_t **p, const uint8_t *end, bidx_fstr *f, int *have);

#endif
