/*
 * facet.c - field values of documents (facet.h): counted over a list of
 * hits, and one hit's fields written out.
 *
 * A text field counts each distinct value once per document; year comes
 * from the date range, and leaked, method and authority from the vocabulary
 * bits of the field record (filter.h).  collect.c counts once per facet of
 * a page; output.c prints the counts.
 */
#include "facet.h"
#include "fault.h"
#include "fields.h"
#include "filter.h"
#include "json.h"
#include "termsafe.h"

#include <stdlib.h>
#include <string.h>

typedef struct val {
	const char *s;
	size_t n;
	uint32_t count;
} val;

static int cmp_val_str(const void *a, const void *b)
{
	const val *x = a, *y = b;
	size_t m = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->s, y->s, m);
	return c ? c : (x->n > y->n) - (x->n < y->n);
}

static int cmp_val_count(const void *a, const void *b)
{
	const val *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return cmp_val_str(a, b);
}

/* Collects the values of a text field (each distinct value once per doc). */
static bidx_err text_values(bidx_index *ix, const bidx_result *r, const char *name,
                            val **out, size_t *nout)
{
	size_t n = 0, cap = 0, nl = strlen(name);
	val *v = NULL;
	for (uint32_t i = 0; i < r->n; i++) {
		bidx_fieldrec fr;
		bidx_fstr f;
		uint32_t local;
		bidx_segment *seg = bidx_index_locate(ix, r->hits[i].doc, &local);
		if (!seg || bidx_segment_fields(seg, local, &fr)) {
			free(v);
			return BIDX_ECORRUPT;
		}
		const uint8_t *p = bidx_segment_fieldstr(seg, &fr), *end = p + fr.str_len;
		int have;
		bidx_err frc;
		while (!(frc = bidx_fstr_next(&p, end, &f, &have)) && have) {
			if (f.nlen != nl || memcmp(f.name, name, nl))
				continue;
			if (bidx_grow((void **)&v, &cap, n + 1, sizeof *v)) {
				free(v);
				return BIDX_ENOMEM;
			}
			v[n++] = (val){f.value, f.vlen, 1};
			break;
		}
		if (frc) {
			free(v);
			return frc;
		}
	}
	*out = v;
	*nout = n;
	return BIDX_OK;
}

/* Sorts by value, merges equal values into counts, sorts by count. */
static size_t tally(val *v, size_t n)
{
	size_t k = 0;
	if (n)
		qsort(v, n, sizeof *v, cmp_val_str);
	for (size_t i = 0; i < n; i++) {
		if (k && !cmp_val_str(&v[k - 1], &v[i]))
			v[k - 1].count++;
		else
			v[k++] = v[i];
	}
	if (k)
		qsort(v, k, sizeof *v, cmp_val_count);
	return k;
}

static bidx_err numeric_values(bidx_index *ix, const bidx_result *r, const char *name,
                               val **out, size_t *nout, char (**bufs)[8])
{
	const char *const *vocab = bidx_filter_vocab(name);
	uint32_t counts[32] = {0};
	size_t n = 0;
	val *v = bidx_calloc(r->n + 32, sizeof *v);
	char (*years)[8] = bidx_calloc(r->n + 1, sizeof *years);
	if (!v || !years) {
		free(v);
		free(years);
		return BIDX_ENOMEM;
	}
	for (uint32_t i = 0; i < r->n; i++) {
		bidx_fieldrec fr;
		uint32_t local;
		bidx_segment *seg = bidx_index_locate(ix, r->hits[i].doc, &local);
		if (!seg || bidx_segment_fields(seg, local, &fr)) {
			free(v);
			free(years);
			return BIDX_ECORRUPT;
		}
		if (!vocab && fr.date_lo) {
			int l = snprintf(years[n], 8, "%d", fr.date_lo / 10000);
			v[n] = (val){years[n], (size_t)l, 1};
			n++;
		} else if (vocab) {
			uint32_t bits = bidx_filter_vocab_bits(name, &fr);
			for (int b = 0; b < 32; b++)
				counts[b] += bits >> b & 1;
		}
	}
	for (int b = 0; vocab && b < 32 && vocab[b]; b++)
		if (counts[b])
			v[n++] = (val){vocab[b], strlen(vocab[b]), counts[b]};
	*out = v;
	*nout = n;
	*bufs = years;
	return BIDX_OK;
}

/* The counts of `name` over r's hits, largest first: v[0..*n) point into
 * the mapping or into *years (both freed by the caller). */
static bidx_err count_values(bidx_index *ix, const bidx_result *r, const char *name,
                             val **v, size_t *n, char (**years)[8])
{
	int numeric = !strcmp(name, "year") || bidx_filter_vocab(name);
	bidx_err rc = numeric ? numeric_values(ix, r, name, v, n, years)
	                      : text_values(ix, r, name, v, n);
	if (rc)
		return rc;
	if (!bidx_filter_vocab(name))
		*n = tally(*v, *n);
	else if (*n)
		qsort(*v, *n, sizeof **v, cmp_val_count);
	return BIDX_OK;
}

bidx_err bidx_facet_counts(bidx_index *ix, const bidx_result *r, const char *name,
                           bidx_facet_count **out, size_t *nout)
{
	val *v = NULL;
	size_t n = 0;
	char (*years)[8] = NULL;
	*out = NULL;
	*nout = 0;
	bidx_err rc = count_values(ix, r, name, &v, &n, &years);
	bidx_facet_count *c = rc ? NULL : bidx_calloc(n + 1, sizeof *c);
	if (!rc && !c)
		rc = BIDX_ENOMEM;
	for (size_t i = 0; !rc && i < n; i++) {
		c[i].value = bidx_malloc(v[i].n + 1);
		if (!c[i].value) {
			bidx_facet_counts_free(c, i);
			c = NULL;
			rc = BIDX_ENOMEM;
			break;
		}
		memcpy(c[i].value, v[i].s, v[i].n);
		c[i].value[v[i].n] = 0;
		c[i].len = v[i].n;
		c[i].count = v[i].count;
	}
	free(v);
	free(years);
	if (!rc) {
		*out = c;
		*nout = n;
	}
	return rc;
}

void bidx_facet_counts_free(bidx_facet_count *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		free(c[i].value);
	free(c);
}

static const char *unit_name(uint8_t u)
{
	return u == 1 ? "件" : u == 2 ? "名" : "";
}

static const char *qual_name(uint8_t q)
{
	return q == 1 ? "max" : q == 2 ? "approx" : q == 3 ? "over" : "exact";
}

static void json_bits(FILE *f, const char *key, const char *const *names, uint32_t bits)
{
	fprintf(f, ",\"%s\":[", key);
	int first = 1;
	for (int b = 0; b < 32 && names[b]; b++)
		if (bits >> b & 1) {
			fputs(first ? "" : ",", f);
			bidx_json_str(f, names[b], strlen(names[b]));
			first = 0;
		}
	fputc(']', f);
}

static void doc_json(const bidx_fieldrec *fr, const uint8_t *p, const uint8_t *end, FILE *f)
{
	bidx_fstr s;
	fputs(",\"fields\":[", f);
	int first = 1, have;
	while (!bidx_fstr_next(&p, end, &s, &have) && have) {
		if ((s.nlen == 14 && !memcmp(s.name, "affected_count", 14)) ||
		    (s.nlen == 5 && !memcmp(s.name, "event", 5)))
			continue;   /* structured: affected_counts and events (notices.h) */
		fputs(first ? "{\"name\":" : ",{\"name\":", f);
		bidx_json_str(f, s.name, s.nlen);
		fputs(",\"value\":", f);
		bidx_json_str(f, s.value, s.vlen);
		fputs(",\"source\":", f);
		bidx_json_str(f, s.source, s.slen);
		fputc('}', f);
		first = 0;
	}
	fputc(']', f);
	if (fr->affected)
		fprintf(f, ",\"affected\":{\"value\":%llu,\"unit\":\"%s\",\"qualifier\":\"%s\"}",
		        (unsigned long long)fr->affected, unit_name(fr->unit), qual_name(fr->qual));
	else   /* present either way, as leaked: [] is */
		fputs(",\"affected\":null", f);
	json_bits(f, "leaked", bidx_filter_vocab("leaked"), fr->leaked);
	json_bits(f, "method", bidx_filter_vocab("method"), fr->method);
	json_bits(f, "authorities", bidx_filter_vocab("authority"), fr->authorities);
}

/* Bytes of s[0..n) up to at most max, cut at a character start. */
static size_t clip_bytes(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/* One line: date · org · category · affected count. */
static void doc_human(const bidx_fieldrec *fr, const uint8_t *p, const uint8_t *end, FILE *f)
{
	static const char *const shown[] = {"date", "org", "category", NULL};
	bidx_fstr s;
	int any = 0, have;
	for (int k = 0; shown[k]; k++) {
		const uint8_t *q = p;
		while (!bidx_fstr_next(&q, end, &s, &have) && have)
			if (s.nlen == strlen(shown[k]) && !memcmp(s.name, shown[k], s.nlen)) {
				fputs(any ? " · " : "     ", f);
				bidx_ts_write(f, s.value, clip_bytes(s.value, s.vlen, 120));
				any = 1;
				break;
			}
	}
	if (fr->affected) {
		fprintf(f, "%s%s%llu%s", any ? " · " : "     ",
		        fr->qual == 1 ? "最大" : fr->qual == 2 ? "約" : "",
		        (unsigned long long)fr->affected, unit_name(fr->unit));
		any = 1;
	}
	if (any)
		fputc('\n', f);
}

bidx_err bidx_facet_doc_fields(bidx_segment *seg, uint32_t doc, int json, FILE *f)
{
	bidx_fieldrec fr;
	bidx_err rc = bidx_segment_fields(seg, doc, &fr);
	if (rc)
		return rc;
	const uint8_t *p = bidx_segment_fieldstr(seg, &fr), *end = p + fr.str_len;
	if (json)
		doc_json(&fr, p, end, f);
	else
		doc_human(&fr, p, end, f);
	return BIDX_OK;
}
