/*
 * invert.c - the term table is an open-addressing hash from n-gram key to
 * term id (load factor <= 1/2, linear probing).  Per document, every
 * occurrence becomes one u64 (term id << 32 | position); sorting those groups
 * a term's occurrences in position order, and each group is appended to the
 * term's raw postings.
 */
#include "invert.h"
#include "fault.h"
#include "format.h"
#include "postings.h"
#include "text.h"
#include "varint.h"

#include <stdlib.h>
#include <string.h>

typedef struct term {
	uint64_t key;
	int64_t last_doc;   /* last doc appended, -1 before any */
	uint32_t df;
	bidx_buf raw;
} term;

struct bidx_inverter {
	term *terms;
	uint32_t nterms;
	size_t cap;
	uint32_t *slots;          /* term id + 1; 0 = empty */
	uint64_t nslots;          /* power of two */
	uint64_t *occ;            /* scratch: one doc's occurrences */
	uint32_t *pos;            /* scratch: one term's positions in it */
	size_t occ_cap;
};

bidx_err bidx_inv_new(bidx_inverter **out)
{
	*out = NULL;
	bidx_inverter *inv = bidx_calloc(1, sizeof *inv);
	if (!inv)
		return BIDX_ENOMEM;
	inv->nslots = 1 << 16;
	inv->slots = bidx_calloc(inv->nslots, sizeof *inv->slots);
	if (!inv->slots) {
		free(inv);
		return BIDX_ENOMEM;
	}
	*out = inv;
	return BIDX_OK;
}

void bidx_inv_free(bidx_inverter *inv)
{
	if (!inv)
		return;
	for (uint32_t i = 0; i < inv->nterms; i++)
		bidx_buf_free(&inv->terms[i].raw);
	free(inv->terms);
	free(inv->slots);
	free(inv->occ);
	free(inv->pos);
	free(inv);
}

static uint64_t hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

static int rehash(bidx_inverter *inv)
{
	uint64_t n = inv->nslots * 2;
	uint32_t *s = bidx_calloc(n, sizeof *s);
	if (!s)
		return -1;
	for (uint32_t i = 0; i < inv->nterms; i++) {
		uint64_t h = hash64(inv->terms[i].key) & (n - 1);
		while (s[h])
			h = (h + 1) & (n - 1);
		s[h] = i + 1;
	}
	free(inv->slots);
	inv->slots = s;
	inv->nslots = n;
	return 0;
}

/* Term id of key, created when new; UINT32_MAX when out of memory. */
static uint32_t term_id(bidx_inverter *inv, uint64_t key)
{
	uint64_t h = hash64(key) & (inv->nslots - 1);
	for (uint32_t s; (s = inv->slots[h]); h = (h + 1) & (inv->nslots - 1))
		if (inv->terms[s - 1].key == key)
			return s - 1;
	if (bidx_grow((void **)&inv->terms, &inv->cap, (size_t)inv->nterms + 1, sizeof *inv->terms))
		return UINT32_MAX;
	uint32_t id = inv->nterms++;
	inv->terms[id] = (term){key, -1, 0, BIDX_BUF_INIT};
	inv->slots[h] = id + 1;
	if ((uint64_t)inv->nterms * 2 > inv->nslots && rehash(inv))
		return UINT32_MAX;
	return id;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* LSD radix sort, 11 bits a pass, skipping passes whose digit is constant. */
static int sort_occ(uint64_t *a, size_t n)
{
	if (n < 256) {
		if (n)
			qsort(a, n, sizeof *a, cmp_u64);
		return 0;
	}
	uint64_t *tmp = bidx_malloc(n * sizeof *tmp);
	if (!tmp)
		return -1;
	uint64_t *src = a, *dst = tmp;
	for (unsigned shift = 0; shift < 64; shift += 11) {
		size_t cnt[2048] = {0};
		for (size_t i = 0; i < n; i++)
			cnt[(src[i] >> shift) & 2047]++;
		if (cnt[(src[0] >> shift) & 2047] == n)
			continue;
		size_t sum = 0;
		for (int d = 0; d < 2048; d++) {
			size_t c = cnt[d];
			cnt[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[cnt[(src[i] >> shift) & 2047]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
	free(tmp);
	return 0;
}

void bidx_inv_raw_doc(bidx_buf *raw, uint32_t gap, unsigned n, uint32_t tf, const uint32_t *pay)
{
	/* one reservation for the whole document: a u32 varint takes <= 5 bytes */
	uint32_t more = n == 1 ? 3 : tf;
	if (bidx_buf_reserve(raw, 5 * ((size_t)more + 2)))
		return;
	uint8_t *p = raw->p + raw->len;
	p += bidx_varint_put(p, gap);
	p += bidx_varint_put(p, tf);
	if (n == 1) {
		for (int i = 0; i < 3; i++)
			p += bidx_varint_put(p, pay[i]);
	} else {
		int64_t prev = -1;
		for (uint32_t i = 0; i < tf; i++) {
			p += bidx_varint_put(p, (uint64_t)((int64_t)pay[i] - prev - 1));
			prev = pay[i];
		}
	}
	raw->len = (size_t)(p - raw->p);
}

/* Appends one term's occurrences occ[0..n) in doc to its raw postings;
 * pos is scratch room for n positions. */
static void append_doc(term *t, uint32_t doc, const uint64_t *occ, size_t n, uint32_t *pos,
                       const uint8_t *bits, uint32_t ts, uint32_t te)
{
	unsigned kn = bidx_key_n(t->key);
	uint32_t pay[3] = {0, 0, 0};
	if (kn == 1) {
		for (size_t i = 0; i < n; i++) {
			uint32_t p = (uint32_t)occ[i];
			int a = bidx_bits_get(bits, p), b = bidx_bits_get(bits, p + 1);
			pay[0] += p >= ts && p < te;
			pay[1] += a && b;
			pay[2] += a != b;
		}
	} else {
		for (size_t i = 0; i < n; i++)
			pos[i] = (uint32_t)occ[i];
	}
	bidx_inv_raw_doc(&t->raw, (uint32_t)((int64_t)doc - t->last_doc - 1), kn, (uint32_t)n,
	                 kn == 1 ? pay : pos);
	t->last_doc = doc;
	t->df++;
}

bidx_err bidx_inv_add(bidx_inverter *inv, uint32_t doc, const uint32_t *cp, uint32_t nchars,
                      const uint8_t *bits, uint32_t title_start, uint32_t title_end)
{
	size_t need = nchars ? 2 * (size_t)nchars - 1 : 0;
	if (need > inv->occ_cap) {
		uint64_t *o = bidx_realloc(inv->occ, need * sizeof *o);
		if (!o)
			return BIDX_ENOMEM;
		inv->occ = o;
		uint32_t *ps = bidx_realloc(inv->pos, need * sizeof *ps);
		if (!ps)
			return BIDX_ENOMEM;
		inv->pos = ps;
		inv->occ_cap = need;
	}
	size_t n = 0;
	for (uint32_t i = 0; i < nchars; i++) {
		uint32_t u = term_id(inv, bidx_key1(cp[i]));
		if (u == UINT32_MAX)
			return BIDX_ENOMEM;
		inv->occ[n++] = (uint64_t)u << 32 | i;
		if (i + 1 < nchars) {
			uint32_t b = term_id(inv, bidx_key2(cp[i], cp[i + 1]));
			if (b == UINT32_MAX)
				return BIDX_ENOMEM;
			inv->occ[n++] = (uint64_t)b << 32 | i;
		}
	}
	if (sort_occ(inv->occ, n))
		return BIDX_ENOMEM;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		uint32_t id = (uint32_t)(inv->occ[i] >> 32);
		while (j < n && (uint32_t)(inv->occ[j] >> 32) == id)
			j++;
		term *t = &inv->terms[id];
		append_doc(t, doc, inv->occ + i, j - i, inv->pos, bits, title_start, title_end);
		if (t->raw.err)
			return BIDX_ENOMEM;
		i = j;
	}
	return BIDX_OK;
}

uint64_t bidx_inv_nterms(const bidx_inverter *inv)
{
	return inv->nterms;
}

typedef struct keyid {
	uint64_t key;
	uint32_t id;
} keyid;

static int cmp_keyid(const void *a, const void *b)
{
	uint64_t x = ((const keyid *)a)->key, y = ((const keyid *)b)->key;
	return x < y ? -1 : x > y;
}

bidx_err bidx_inv_write(bidx_inverter *inv,
                        bidx_err (*fn)(uint64_t key, uint32_t df, const bidx_buf *post, void *arg),
                        void *arg)
{
	keyid *order = bidx_malloc((size_t)inv->nterms * sizeof *order);
	if (!order)
		return BIDX_ENOMEM;
	for (uint32_t i = 0; i < inv->nterms; i++)
		order[i] = (keyid){inv->terms[i].key, i};
	if (inv->nterms)
		qsort(order, inv->nterms, sizeof *order, cmp_keyid);
	bidx_buf post = BIDX_BUF_INIT;
	bidx_err rc = BIDX_OK;
	for (uint32_t i = 0; i < inv->nterms && !rc; i++) {
		term *t = &inv->terms[order[i].id];
		post.len = 0;
		rc = bidx_postings_encode(&post, t->raw.p, t->raw.len, t->df, bidx_key_n(t->key));
		if (!rc)
			rc = fn(t->key, t->df, &post, arg);
		bidx_buf_free(&t->raw);   /* memory goes down as the file grows */
	}
	bidx_buf_free(&post);
	free(order);
	return rc;
}
