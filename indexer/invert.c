/*
 * invert.c - the term table is an open-addressing hash from n-gram key to
 * term id (load factor <= 1/2, linear probing).  Per document, every
 * occurrence's term id is listed in position order (the unigram and the
 * bigram of character i at 2i and 2i+1); a counting pass over those ids
 * gives each term its slice of a position array, a second pass fills the
 * slices, in position order, and each slice is appended to its term's raw
 * postings: two linear passes, no sort.  Unigrams of the Basic Multilingual Plane, half of
 * every document's occurrences, skip the hash: a direct table maps their
 * code point to the term id.  A slot of the hash holds, beside the term id,
 * the two code points of a bigram of the Basic Multilingual Plane (the
 * other half of the occurrences): such a probe compares the slot alone and
 * reads no term, whose table is many times the size of the cache.  What
 * misses the cache anyway (the slot of a bigram, a term of 32 bytes, the end
 * of its raw postings, its counter) is prefetched a few occurrences or terms
 * before it is read.  bidx_inv_write encodes the terms, in key
 * order, a chunk of CHUNK_TERMS at a time: a second thread and the calling
 * thread each take the next chunk not taken, and the calling thread hands
 * the chunks to the callback in order, so the end of a build keeps two cores
 * busy and the bytes do not depend on the threads.
 */
#include "invert.h"
#include "fault.h"
#include "format.h"
#include "postings.h"
#include "text.h"
#include "varint.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* 32 bytes, two to a cache line: a document touches one line per term */
typedef struct term {
	uint64_t key;
	uint8_t *raw;        /* the raw postings; owned, NULL while empty */
	uint32_t len, cap;   /* bytes of raw used, allocated (< 4 GiB: see raw_reserve) */
	uint32_t next_doc;   /* last doc appended + 1; 0 before any */
	uint32_t df;
} term;

typedef struct slot {
	uint32_t id1;       /* term id + 1; 0 = empty */
	uint32_t tag;       /* tag_of(the term's key) */
} slot;

struct bidx_inverter {
	term *terms;
	uint32_t nterms;
	size_t cap;
	slot *slots;
	uint32_t *uni;            /* code point < UNI_DIRECT -> term id + 1; 0 = none yet */
	uint64_t nslots;          /* power of two */
	uint32_t *occ;            /* scratch: one doc's term ids, in position order */
	uint32_t *pos;            /* scratch: their positions, grouped by term */
	size_t occ_cap;
	uint32_t *tnext;          /* per term id: its next slot in pos (0 between docs) */
	size_t tnext_cap;
	uint32_t *seen;           /* scratch: the doc's distinct term ids */
	uint32_t *seen_n;         /* and their occurrence counts */
	int oom;                  /* sticky: a term's raw postings could not grow */
};

#define UNI_DIRECT 0x10000

bidx_err bidx_inv_new(bidx_inverter **out)
{
	*out = NULL;
	bidx_inverter *inv = bidx_calloc(1, sizeof *inv);
	if (!inv)
		return BIDX_ENOMEM;
	inv->nslots = 1 << 16;
	inv->slots = bidx_calloc(inv->nslots, sizeof *inv->slots);
	inv->uni = inv->slots ? bidx_calloc(UNI_DIRECT, sizeof *inv->uni) : NULL;
	if (!inv->uni) {
		free(inv->slots);
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
		free(inv->terms[i].raw);
	free(inv->terms);
	free(inv->slots);
	free(inv->uni);
	free(inv->occ);
	free(inv->pos);
	free(inv->tnext);
	free(inv->seen);
	free(inv->seen_n);
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

/* A bigram of two BMP characters (the first not U+0000) as its 32 bits,
 * which name it alone; 0 for every other key, compared in full. */
static inline uint32_t tag2(uint32_t c1, uint32_t c2)
{
	return c1 - 1 < 0xFFFF && c2 < 0x10000 ? c1 << 16 | c2 : 0;
}

static uint32_t tag_of(uint64_t key)
{
	return bidx_key_n(key) == 2 ? tag2(bidx_key_c1(key), bidx_key_c2(key)) : 0;
}

static int rehash(bidx_inverter *inv)
{
	uint64_t n = inv->nslots * 2;
	slot *s = bidx_calloc(n, sizeof *s);
	if (!s)
		return -1;
	for (uint32_t i = 0; i < inv->nterms; i++) {
		uint64_t h = hash64(inv->terms[i].key) & (n - 1);
		while (s[h].id1)
			h = (h + 1) & (n - 1);
		s[h] = (slot){i + 1, tag_of(inv->terms[i].key)};
	}
	free(inv->slots);
	inv->slots = s;
	inv->nslots = n;
	return 0;
}

/* A new term for key (tag = tag_of(key)) in the empty slot h; its id, or
 * UINT32_MAX when out of memory. */
static uint32_t term_new(bidx_inverter *inv, uint64_t key, uint32_t tag, uint64_t h)
{
	if (bidx_grow((void **)&inv->terms, &inv->cap, (size_t)inv->nterms + 1, sizeof *inv->terms))
		return UINT32_MAX;
	uint32_t id = inv->nterms++;
	inv->terms[id] = (term){key, NULL, 0, 0, 0, 0};
	inv->slots[h] = (slot){id + 1, tag};
	if ((uint64_t)inv->nterms * 2 > inv->nslots && rehash(inv))
		return UINT32_MAX;
	return id;
}

/* Term id of key (tag = tag_of(key), hash = hash64(key)), created when new;
 * UINT32_MAX when out of memory. */
static inline uint32_t term_id_h(bidx_inverter *inv, uint64_t key, uint32_t tag, uint64_t hash)
{
	uint64_t h = hash & (inv->nslots - 1);
	for (const slot *s; (s = &inv->slots[h])->id1; h = (h + 1) & (inv->nslots - 1))
		if (s->tag == tag && (tag || inv->terms[s->id1 - 1].key == key))
			return s->id1 - 1;
	return term_new(inv, key, tag, h);
}

static inline uint32_t term_id(bidx_inverter *inv, uint64_t key, uint32_t tag)
{
	return term_id_h(inv, key, tag, hash64(key));
}

/* Room for one document of a term of n characters and tf occurrences: a
 * u32 varint takes <= 5 bytes. */
static inline size_t raw_need(unsigned n, uint32_t tf)
{
	return 5 * ((size_t)(n == 1 ? 3 : tf) + 2);
}

/* Writes one document's raw postings at p; returns the end. */
static inline uint8_t *raw_put(uint8_t *p, uint32_t gap, unsigned n, uint32_t tf,
                               const uint32_t *pay)
{
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
	return p;
}

void bidx_inv_raw_doc(bidx_buf *raw, uint32_t gap, unsigned n, uint32_t tf, const uint32_t *pay)
{
	size_t need = raw_need(n, tf);
	if (raw->err || (raw->cap - raw->len < need && bidx_buf_reserve(raw, need)))
		return;
	raw->len = (size_t)(raw_put(raw->p + raw->len, gap, n, tf, pay) - raw->p);
}

/* Room for need more bytes in t's raw postings (doubling, as a bidx_buf
 * grows); -1 when out of memory, or when they would reach 4 GiB (a term of
 * that many bytes in one segment is refused as out of memory). */
static int raw_reserve(term *t, size_t need)
{
	size_t ncap = t->cap ? t->cap : 64;
	while (ncap < t->len + need)
		ncap *= 2;
	if (ncap > UINT32_MAX)
		return -1;
	uint8_t *np = bidx_realloc(t->raw, ncap);
	if (!np)
		return -1;
	t->raw = np;
	t->cap = (uint32_t)ncap;
	return 0;
}

/* Appends one term's positions pos[0..n) in doc to its raw postings; -1
 * when out of memory. */
static int append_doc(term *t, uint32_t doc, const uint32_t *pos, uint32_t n,
                       const uint8_t *bits, uint32_t ts, uint32_t te)
{
	unsigned kn = bidx_key_n(t->key);
	uint32_t pay[3] = {0, 0, 0};
	if (kn == 1)
		for (uint32_t i = 0; i < n; i++) {
			uint32_t p = pos[i];
			int a = bidx_bits_get(bits, p), b = bidx_bits_get(bits, p + 1);
			pay[0] += p >= ts && p < te;
			pay[1] += a && b;
			pay[2] += a != b;
		}
	size_t need = raw_need(kn, n);
	if (t->cap - t->len < need && raw_reserve(t, need))
		return -1;
	uint8_t *end = raw_put(t->raw + t->len, doc - t->next_doc, kn, n, kn == 1 ? pay : pos);
	t->len = (uint32_t)(end - t->raw);
	t->next_doc = doc + 1;
	t->df++;
	return 0;
}

/* Room for a document of need occurrences, and a slot counter per term. */
static int reserve_doc(bidx_inverter *inv, size_t need)
{
	if (need > inv->occ_cap) {
		uint32_t **arrays[] = {&inv->occ, &inv->pos, &inv->seen, &inv->seen_n};
		int ok = 1;
		for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) {
			uint32_t *a = bidx_realloc(*arrays[i], need * sizeof *a);
			if (a)
				*arrays[i] = a;   /* grown; the capacity moves only when all are */
			else
				ok = 0;
		}
		if (!ok)
			return -1;
		inv->occ_cap = need;
	}
	return 0;
}

/* A slot counter for every term id so far, the new ones 0. */
static int reserve_terms(bidx_inverter *inv)
{
	size_t old = inv->tnext_cap;
	if (inv->nterms <= old)
		return 0;
	if (bidx_grow((void **)&inv->tnext, &inv->tnext_cap, inv->nterms, sizeof *inv->tnext))
		return -1;
	memset(inv->tnext + old, 0, (inv->tnext_cap - old) * sizeof *inv->tnext);
	return 0;
}

#define AHEAD 8   /* bigrams probed ahead of their lookup */

/* The hash of the bigram c1 c2, its slot fetched into the cache. */
static inline uint64_t prefetch_slot(const bidx_inverter *inv, uint32_t c1, uint32_t c2)
{
	uint64_t hash = hash64(bidx_key2(c1, c2));
	__builtin_prefetch(&inv->slots[hash & (inv->nslots - 1)]);
	return hash;
}

bidx_err bidx_inv_add(bidx_inverter *inv, uint32_t doc, const uint32_t *cp, uint32_t nchars,
                      const uint8_t *bits, uint32_t title_start, uint32_t title_end)
{
	size_t need = nchars ? 2 * (size_t)nchars - 1 : 0;
	if (inv->oom || reserve_doc(inv, need))
		return BIDX_ENOMEM;
	size_t n = 0;
	/* the bigram slots are fetched AHEAD characters before they are probed
	 * (the slot table is many times the cache); ring[i % AHEAD] is the hash
	 * of the bigram at i, the mask applied when probed (a rehash changes it) */
	uint64_t ring[AHEAD];
	for (uint32_t i = 0; i < AHEAD && i + 1 < nchars; i++)
		ring[i] = prefetch_slot(inv, cp[i], cp[i + 1]);
	for (uint32_t i = 0; i < nchars; i++) {
		uint32_t u;
		if (cp[i] < UNI_DIRECT && inv->uni[cp[i]]) {
			u = inv->uni[cp[i]] - 1;
		} else {
			if ((u = term_id(inv, bidx_key1(cp[i]), 0)) == UINT32_MAX)
				return BIDX_ENOMEM;
			if (cp[i] < UNI_DIRECT)
				inv->uni[cp[i]] = u + 1;
		}
		inv->occ[n++] = u;
		if (i + 1 < nchars) {
			uint64_t hash = ring[i % AHEAD];
			if (i + AHEAD + 1 < nchars)
				ring[i % AHEAD] = prefetch_slot(inv, cp[i + AHEAD], cp[i + AHEAD + 1]);
			uint32_t b = term_id_h(inv, bidx_key2(cp[i], cp[i + 1]), tag2(cp[i], cp[i + 1]), hash);
			if (b == UINT32_MAX)
				return BIDX_ENOMEM;
			inv->occ[n++] = b;
		}
	}
	if (reserve_terms(inv))
		return BIDX_ENOMEM;
	/* count: tnext[u] is 0 for a term not met yet in this doc */
	uint32_t nseen = 0, *tn = inv->tnext;
	for (size_t k = 0; k < n; k++) {
		uint32_t u = inv->occ[k];
		if (k + 2 * AHEAD < n)
			__builtin_prefetch(&tn[inv->occ[k + 2 * AHEAD]], 1);
		if (!tn[u]++) {
			inv->seen[nseen] = u;
			nseen++;
		}
	}
	/* slices: tnext[u] becomes the slot of u's first position */
	uint32_t at = 0;
	for (uint32_t j = 0; j < nseen; j++) {
		uint32_t u = inv->seen[j];
		inv->seen_n[j] = tn[u];
		tn[u] = at;
		at += inv->seen_n[j];
	}
	for (size_t k = 0; k < n; k++)
		inv->pos[tn[inv->occ[k]]++] = (uint32_t)(k >> 1);
	for (uint32_t j = 0; j < nseen; j++) {
		/* the term 2 * AHEAD ahead is fetched, then the end of its postings
		 * AHEAD ahead */
		if (j + 2 * AHEAD < nseen) {
			const char *t2 = (const char *)&inv->terms[inv->seen[j + 2 * AHEAD]];
			__builtin_prefetch(t2);
			__builtin_prefetch(t2 + sizeof(term) - 1);
		}
		if (j + AHEAD < nseen) {
			const term *t1 = &inv->terms[inv->seen[j + AHEAD]];
			if (t1->raw)
				__builtin_prefetch(t1->raw + t1->len, 1);
		}
		/* after the fill, tnext[u] is the end of u's slice */
		uint32_t u = inv->seen[j], cnt = inv->seen_n[j];
		term *t = &inv->terms[u];
		if (append_doc(t, doc, inv->pos + (tn[u] - cnt), cnt, bits, title_start, title_end))
			inv->oom = 1;
		tn[u] = 0;
	}
	return inv->oom ? BIDX_ENOMEM : BIDX_OK;
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

#define CHUNK_TERMS 2048     /* terms encoded at a time */
#define CHUNKS_AHEAD 64      /* chunks the second thread may encode ahead of the writer */

/* One chunk of the terms in key order, encoded back to back. */
typedef struct chunk {
	bidx_buf post;       /* their encoded postings */
	size_t *len;         /* each term's share of post */
	bidx_err rc;
	int state;           /* 0 free, 1 taken, 2 encoded */
} chunk;

/* The writing of the postings: the calling thread and a second one encode chunks
 * (each claims the next one not taken); the calling thread hands them to fn
 * in order. */
typedef struct encjob {
	bidx_inverter *inv;
	const keyid *order;
	chunk *ch;
	size_t nch;
	size_t next;         /* next chunk to claim */
	size_t emitted;      /* chunks handed to fn */
	int stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
} encjob;

/* Encodes chunk c's terms (freeing their raw streams). */
static void encode_chunk(encjob *j, size_t c, bidx_penc *enc)
{
	chunk *k = &j->ch[c];
	size_t first = c * CHUNK_TERMS, n = j->inv->nterms - first;
	bidx_err rc = enc ? BIDX_OK : BIDX_ENOMEM;
	if (n > CHUNK_TERMS)
		n = CHUNK_TERMS;
	if (!rc && !(k->len = bidx_malloc(n * sizeof *k->len)))
		rc = BIDX_ENOMEM;
	for (size_t i = 0; i < n && !rc; i++) {
		term *t = &j->inv->terms[j->order[first + i].id];
		size_t at = k->post.len;
		rc = bidx_postings_encode_with(enc, &k->post, t->raw, t->len, t->df,
		                               bidx_key_n(t->key));
		k->len[i] = k->post.len - at;
		free(t->raw);   /* memory goes down as the file grows */
		t->raw = NULL;
		t->len = t->cap = 0;
	}
	k->rc = rc;
}

/* Claims the next chunk to encode, or returns 0 when none is left (or the
 * second thread would run too far ahead).  Called with the mutex held. */
static int claim(encjob *j, size_t limit, size_t *c)
{
	if (j->stop || j->next >= j->nch || j->next >= limit)
		return 0;
	*c = j->next++;
	j->ch[*c].state = 1;
	return 1;
}

static void *enc_second(void *arg)
{
	encjob *j = arg;
	bidx_penc *enc = bidx_penc_new();
	size_t c;
	pthread_mutex_lock(&j->mu);
	for (;;) {
		if (!claim(j, j->emitted + CHUNKS_AHEAD, &c)) {
			if (j->stop || j->next >= j->nch)
				break;
			pthread_cond_wait(&j->cv, &j->mu);
			continue;
		}
		pthread_mutex_unlock(&j->mu);
		encode_chunk(j, c, enc);
		pthread_mutex_lock(&j->mu);
		j->ch[c].state = 2;
		pthread_cond_broadcast(&j->cv);
	}
	pthread_mutex_unlock(&j->mu);
	bidx_penc_free(enc);
	return NULL;
}

/* Hands chunk c's terms to fn; frees the chunk. */
static bidx_err emit_chunk(encjob *j, size_t c,
                           bidx_err (*fn)(uint64_t, uint32_t, const bidx_buf *, void *), void *arg)
{
	chunk *k = &j->ch[c];
	size_t first = c * CHUNK_TERMS, n = j->inv->nterms - first;
	bidx_err rc = k->rc;
	bidx_buf one = BIDX_BUF_INIT;   /* a view of one term's bytes: not freed */
	size_t off = 0;
	if (n > CHUNK_TERMS)
		n = CHUNK_TERMS;
	for (size_t i = 0; i < n && !rc; i++) {
		const term *t = &j->inv->terms[j->order[first + i].id];
		one.p = k->post.p + off;
		one.len = one.cap = k->len[i];
		rc = fn(t->key, t->df, &one, arg);
		off += k->len[i];
	}
	bidx_buf_free(&k->post);
	free(k->len);
	k->len = NULL;
	return rc;
}

/* Writes every chunk in order.  While the next one to write is not encoded
 * yet, the calling thread encodes the next one not taken (at most
 * CHUNKS_AHEAD beyond it) instead of waiting for the second thread, so the
 * two threads share the encoding. */
static bidx_err write_chunks(encjob *j, bidx_err (*fn)(uint64_t, uint32_t, const bidx_buf *, void *),
                             void *arg)
{
	bidx_penc *enc = bidx_penc_new();
	bidx_err rc = BIDX_OK;
	for (size_t c = 0; c < j->nch && !rc; c++) {
		size_t mine;
		pthread_mutex_lock(&j->mu);
		while (j->ch[c].state != 2) {
			if (claim(j, c + CHUNKS_AHEAD, &mine)) {
				pthread_mutex_unlock(&j->mu);
				encode_chunk(j, mine, enc);
				pthread_mutex_lock(&j->mu);
				j->ch[mine].state = 2;
			} else {   /* c is taken by the second thread */
				pthread_cond_wait(&j->cv, &j->mu);
			}
		}
		pthread_mutex_unlock(&j->mu);
		rc = emit_chunk(j, c, fn, arg);
		pthread_mutex_lock(&j->mu);
		j->emitted = c + 1;
		pthread_cond_broadcast(&j->cv);
		pthread_mutex_unlock(&j->mu);
	}
	bidx_penc_free(enc);
	return rc;
}

bidx_err bidx_inv_write(bidx_inverter *inv,
                        bidx_err (*fn)(uint64_t key, uint32_t df, const bidx_buf *post, void *arg),
                        void *arg)
{
	encjob j = {.inv = inv};
	if (inv->oom)
		return BIDX_ENOMEM;
	keyid *order = bidx_malloc(((size_t)inv->nterms + 1) * sizeof *order);
	j.nch = ((size_t)inv->nterms + CHUNK_TERMS - 1) / CHUNK_TERMS;
	j.ch = bidx_calloc(j.nch + 1, sizeof *j.ch);
	if (!order || !j.ch) {
		free(order);
		free(j.ch);
		return BIDX_ENOMEM;
	}
	for (uint32_t i = 0; i < inv->nterms; i++)
		order[i] = (keyid){inv->terms[i].key, i};
	if (inv->nterms)
		qsort(order, inv->nterms, sizeof *order, cmp_keyid);
	j.order = order;
	pthread_mutex_init(&j.mu, NULL);
	pthread_cond_init(&j.cv, NULL);
	pthread_t th;
	int second = j.nch > 1 && !pthread_create(&th, NULL, enc_second, &j);
	bidx_err rc = write_chunks(&j, fn, arg);
	pthread_mutex_lock(&j.mu);
	j.stop = 1;
	pthread_cond_broadcast(&j.cv);
	pthread_mutex_unlock(&j.mu);
	if (second)
		pthread_join(th, NULL);
	for (size_t c = 0; c < j.nch; c++) {
		bidx_buf_free(&j.ch[c].post);
		free(j.ch[c].len);
	}
	pthread_mutex_destroy(&j.mu);
	pthread_cond_destroy(&j.cv);
	free(j.ch);
	free(order);
	return rc;
}
