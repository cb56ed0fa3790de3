/*
 * filter.c - field terms evaluated over one segment (filter.h).
 *
 * A filter reads only the FIELDS and FIELDSTR columns: a document matches
 * by its date range, its affected count, the vocabulary bits of leaked,
 * method and authority, or a substring of the normalised value of a named
 * text field.  Values are parsed first (setup), so a malformed date or
 * count is a query error before any document is read.  The range syntax
 * of date: and affected: is one parser (parse_range) over two kinds of
 * bound.  A field no document of the segment has is reported as unknown,
 * so the evaluator can search the word with its colon as text instead.
 */
#define _GNU_SOURCE /* memmem */
#include "filter.h"
#include "date.h"
#include "fault.h"
#include "fields.h"
#include "normalize.h"
#include "vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct idlist {
	uint32_t *v;
	size_t n, cap;
} idlist;

static int push(idlist *l, uint32_t id)
{
	if (bidx_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v))
		return -1;
	l->v[l->n++] = id;
	return 0;
}

const char *const *bidx_filter_vocab(const char *field)
{
	const bidx_vocab *v = bidx_vocab_of(field);
	return v ? v->names : NULL;
}

uint32_t bidx_filter_vocab_bits(const char *field, const bidx_fieldrec *r)
{
	if (!strcmp(field, "leaked"))
		return r->leaked;
	if (!strcmp(field, "method"))
		return r->method;
	return r->authorities;
}

/* The values of a range field: one value's inclusive span [*lo, *hi] (a
 * date covers its days, a count is itself), and how a value without a
 * comparator reads (a date range, a..b).  0, or a negative code. */
typedef struct range_kind {
	int (*one)(const char *s, size_t n, uint64_t *lo, uint64_t *hi);
	int (*plain)(const char *s, size_t n, uint64_t *lo, uint64_t *hi);
	uint64_t min, max;       /* the open ends */
} range_kind;

/* ">=X", ">X", "<=X" and "<X" bound the range by X's span, the other end
 * open; any other value is k->plain's. */
static int parse_range(const char *v, const range_kind *k, uint64_t *lo, uint64_t *hi)
{
	size_t n = strlen(v);
	int ge = !strncmp(v, ">=", 2), le = !strncmp(v, "<=", 2);
	int gt = !ge && v[0] == '>', lt = !le && v[0] == '<';
	size_t skip = ge || le ? 2 : gt || lt ? 1 : 0;
	uint64_t a, b;
	int r;
	if (!skip)
		return k->plain(v, n, lo, hi);
	if ((r = k->one(v + skip, n - skip, &a, &b)))
		return r;
	*lo = k->min;
	*hi = k->max;
	if (ge)
		*lo = a;
	else if (gt)
		*lo = b + 1;
	else if (le)
		*hi = b;
	else
		*hi = a ? a - 1 : 0;
	return 0;
}

/* A bound is one date, not a range. */
static int date_one(const char *s, size_t n, uint64_t *lo, uint64_t *hi)
{
	bidx_date d;
	int32_t a, b;
	if (n == 0 || bidx_date_parse(s, n, &d) != n)
		return -1;
	bidx_date_span(&d, &a, &b);
	*lo = (uint64_t)a;
	*hi = (uint64_t)b;
	return 0;
}

static int date_plain(const char *s, size_t n, uint64_t *lo, uint64_t *hi)
{
	int32_t a = 0, b = 0;
	int r = bidx_date_range(s, n, &a, &b);
	*lo = (uint64_t)a;
	*hi = (uint64_t)b;
	return r;
}

int bidx_filter_date_range(const char *v, int32_t *lo, int32_t *hi)
{
	static const range_kind dates = {date_one, date_plain, 0, 99991231};
	uint64_t a = 0, b = 0;
	int r = parse_range(v, &dates, &a, &b);
	if (!r) {
		*lo = (int32_t)a;
		*hi = (int32_t)b;
	}
	return r;
}

/* A count: digits with optional commas, optionally followed by 万 or 千.
 * 0, -1 when malformed, -2 when past BIDX_COUNT_MAX. */
static int parse_count(const char *s, size_t n, uint64_t *out)
{
	bidx_norm nm;
	if (n == 0 || bidx_normalize(s, n, 0, &nm))
		return -1;
	uint64_t v = 0;
	size_t i = 0, digits = 0;
	int over = 0;
	for (; i < nm.len; i++) {
		char c = nm.text[i];
		if (c >= '0' && c <= '9') {
			over |= bidx_count_madd(&v, 10, (uint64_t)(c - '0'));
			digits++;
		} else if (c != ',') {
			break;
		}
	}
	if (digits && i < nm.len && !strcmp(nm.text + i, "万"))
		over |= bidx_count_madd(&v, 10000, 0), i = nm.len;
	else if (digits && i < nm.len && !strcmp(nm.text + i, "千"))
		over |= bidx_count_madd(&v, 1000, 0), i = nm.len;
	int ok = digits && i == nm.len;
	bidx_norm_free(&nm);
	*out = v;
	return !ok ? -1 : over ? -2 : 0;
}

static int count_one(const char *s, size_t n, uint64_t *lo, uint64_t *hi)
{
	int r = parse_count(s, n, lo);
	*hi = *lo;
	return r;
}

/* a..b (either end may be left open), or one count. */
static int count_plain(const char *s, size_t n, uint64_t *lo, uint64_t *hi)
{
	const char *dots = strstr(s, "..");
	uint64_t x;
	int r;
	*lo = 1;
	*hi = UINT64_MAX;
	if (!dots)
		return count_one(s, n, lo, hi);
	size_t al = (size_t)(dots - s), bl = n - al - 2;
	if (!al && !bl)
		return -1;
	if ((al && (r = count_one(s, al, lo, &x))) || (bl && (r = count_one(dots + 2, bl, &x, hi))))
		return r;
	return 0;
}

int bidx_filter_count_range(const char *v, uint64_t *lo, uint64_t *hi)
{
	static const range_kind counts = {count_one, count_plain, 1, UINT64_MAX};
	int r = parse_range(v, &counts, lo, hi);
	return r ? r : *lo <= *hi ? 0 : -1;
}

typedef struct field_filter {
	bidx_segment *seg;
	const char *field;
	uint32_t mask;           /* vocabulary fields */
	int32_t dlo, dhi;        /* date */
	uint64_t alo, ahi;       /* affected */
	bidx_norm q;             /* text fields: the normalised value */
} field_filter;

enum fkind { F_TEXT, F_VOCAB, F_DATE, F_AFFECTED };

static int text_match(field_filter *c, const bidx_fieldrec *r, int *seen, int *corrupt)
{
	const uint8_t *p = bidx_segment_fieldstr(c->seg, r), *end = p + r->str_len;
	bidx_fstr f;
	int have;
	bidx_err frc;
	size_t fl = strlen(c->field);
	while (!(frc = bidx_fstr_next(&p, end, &f, &have)) && have) {
		if (f.nlen != fl || memcmp(f.name, c->field, fl))
			continue;
		*seen = 1;
		if (memmem(f.norm, f.normlen, c->q.text, c->q.len))
			return 1;
	}
	if (frc)
		*corrupt = 1;
	return 0;
}

static int doc_matches(field_filter *c, enum fkind k, const bidx_fieldrec *r, int *seen, int *corrupt)
{
	switch (k) {
	case F_VOCAB:
		return (bidx_filter_vocab_bits(c->field, r) & c->mask) != 0;
	case F_DATE:
		return r->date_lo && r->date_lo <= c->dhi && r->date_hi >= c->dlo;
	case F_AFFECTED:
		return r->affected && r->affected >= c->alo && r->affected <= c->ahi;
	case F_TEXT:
		return text_match(c, r, seen, corrupt);
	}
	return 0;
}

static bidx_err setup(field_filter *c, const char *value, enum fkind *k, char *why, size_t whylen)
{
	const char *const *vocab = bidx_filter_vocab(c->field);
	if (!strcmp(c->field, "date")) {
		*k = F_DATE;
		if (bidx_filter_date_range(value, &c->dlo, &c->dhi)) {
			snprintf(why, whylen, "date:%s is not a date or a range of dates "
			         "(2016, 2018-01..2019-03, >=2020-01-01, 平成28年)", value);
			return BIDX_EQUERY;
		}
		return BIDX_OK;
	}
	if (!strcmp(c->field, "affected")) {
		*k = F_AFFECTED;
		int r = bidx_filter_count_range(value, &c->alo, &c->ahi);
		if (r == -2) {
			snprintf(why, whylen, "affected:%s: a count past %llu, the largest an index records",
			         value, (unsigned long long)BIDX_COUNT_MAX);
			return BIDX_EQUERY;
		}
		if (r) {
			snprintf(why, whylen, "affected:%s is not a number or a range "
			         "(10000, >=10000, 1000..50000)", value);
			return BIDX_EQUERY;
		}
		return BIDX_OK;
	}
	bidx_err rc = bidx_normalize(value, strlen(value), 0, &c->q);
	if (rc)
		return rc;
	if (c->q.len == 0) {
		snprintf(why, whylen, "%s:%s has nothing searchable in it", c->field, value);
		return BIDX_EQUERY;
	}
	*k = vocab ? F_VOCAB : F_TEXT;
	/* the display names and every spelling extraction accepts */
	return vocab ? bidx_vocab_mask(bidx_vocab_of(c->field), c->q.text, &c->mask) : BIDX_OK;
}

/* Fields every index has, whether or not a document sets them. */
static int builtin_field(const char *field)
{
	static const char *const builtin[] = {"date", "affected", "org", "category", "url", "kind",
	                                      "incident", NULL};
	if (bidx_filter_vocab(field))
		return 1;
	for (int i = 0; builtin[i]; i++)
		if (!strcmp(field, builtin[i]))
			return 1;
	return 0;
}

bidx_err bidx_filter_known(bidx_segment *seg, const char *field, int *known)
{
	*known = builtin_field(field);
	size_t fl = strlen(field);
	for (uint32_t d = 0; !*known && d < bidx_segment_ndocs(seg); d++) {
		bidx_fieldrec r;
		bidx_err rc = bidx_segment_fields(seg, d, &r);
		if (rc)
			return rc;
		const uint8_t *p = bidx_segment_fieldstr(seg, &r), *end = p + r.str_len;
		bidx_fstr f;
		int have = 1;
		while (!*known && have) {
			BIDX_TRY(bidx_fstr_next(&p, end, &f, &have));
			*known = have && f.nlen == fl && !memcmp(f.name, field, fl);
		}
	}
	return BIDX_OK;
}

/* The filter over the documents of in[0..nin) (local ids, increasing), or
 * over every document when in is NULL. */
static bidx_err filter_docs(field_filter *c, enum fkind k, const uint32_t *in, uint32_t nin,
                            idlist *out, int *seen)
{
	uint32_t nd = in ? nin : bidx_segment_ndocs(c->seg);
	int corrupt = 0;
	for (uint32_t i = 0; i < nd; i++) {
		uint32_t d = in ? in[i] : i;
		bidx_fieldrec r;
		BIDX_TRY(bidx_segment_fields(c->seg, d, &r));
		if (doc_matches(c, k, &r, seen, &corrupt) && push(out, d))
			return BIDX_ENOMEM;
		if (corrupt)
			return bidx_corrupt();
	}
	return BIDX_OK;
}

bidx_err bidx_filter_eval_in(bidx_segment *seg, const char *field, const char *value,
                             const uint32_t *in, uint32_t nin, uint32_t **docs, uint32_t *n,
                             int *known, char *why, size_t whylen)
{
	field_filter c = {.seg = seg, .field = field};
	enum fkind k = F_TEXT;
	idlist out = {0};
	int seen = 0;
	*docs = NULL;
	*n = 0;
	*known = 1;
	bidx_err rc = setup(&c, value, &k, why, whylen);
	int builtin = builtin_field(field);
	if (!rc && in && !builtin) {
		/* a few documents cannot tell whether the segment has the field */
		rc = bidx_filter_known(seg, field, known);
		if (!rc && !*known) {
			bidx_norm_free(&c.q);
			return BIDX_OK;
		}
		seen = 1;
	}
	if (!rc)
		rc = filter_docs(&c, k, in, nin, &out, &seen);
	bidx_norm_free(&c.q);
	if (!rc && k == F_TEXT && !seen && !builtin) {
		*known = 0;   /* no document has such a field: plain text */
		free(out.v);
		return BIDX_OK;
	}
	if (rc) {
		free(out.v);
		return rc;
	}
	*docs = out.v;
	*n = (uint32_t)out.n;
	return BIDX_OK;
}

bidx_err bidx_filter_eval(bidx_segment *seg, const char *field, const char *value,
                          uint32_t **docs, uint32_t *n, int *known, char *why, size_t whylen)
{
	return bidx_filter_eval_in(seg, field, value, NULL, 0, docs, n, known, why, whylen);
}

int bidx_filter_builtin(const char *field)
{
	return builtin_field(field) && strcmp(field, "incident");
}

bidx_err bidx_filter_check(const char *field, const char *value, char *why, size_t whylen)
{
	field_filter c = {.field = field};
	enum fkind k = F_TEXT;
	bidx_err rc = setup(&c, value, &k, why, whylen);
	bidx_norm_free(&c.q);
	return rc;
}
