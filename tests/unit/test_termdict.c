/*
 * test_termdict.c - the term dictionary: sections of 0 to 100000 terms written
 * and read back (every key found with its df and postings range, absent keys
 * absent, each() in key order), the byte layout of docs/FORMAT.md "Terms", the
 * writer's sticky error, and damaged sections (truncated, wrong header, a
 * flipped byte) that must be refused or answered consistently, never read
 * past.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "format.h"
#include "termdict.h"
#include "varint.h"

static uint64_t rnd64(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	uint64_t x = *s;
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

/* The terms written, and the section they were written to. */
typedef struct dict {
	uint64_t *key, *post_len, *post_off;
	uint32_t *df;
	uint32_t n;
	uint64_t post_size;
	bidx_buf sec;
} dict;

/* n random strictly increasing keys.  Gaps mix 1s, small and huge values so
 * deltas take every varint length; with `extremes`, the keys start at 0 and
 * end at UINT64_MAX. */
static void make(dict *d, uint32_t n, uint64_t seed, int extremes)
{
	uint64_t s = seed, k = 0;
	uint64_t span = n ? UINT64_MAX / ((uint64_t)n + 1) : 0;
	memset(d, 0, sizeof *d);
	d->n = n;
	d->key = calloc(n + 1, sizeof *d->key);
	d->post_len = calloc(n + 1, sizeof *d->post_len);
	d->post_off = calloc(n + 1, sizeof *d->post_off);
	d->df = calloc(n + 1, sizeof *d->df);
	cr_assert(d->key && d->post_len && d->post_off && d->df);
	bidx_tdwriter w = BIDX_TDWRITER_INIT;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t r = rnd64(&s);
		uint64_t gap = r % 4 == 0 ? 1 : r % 4 == 1 ? 1 + rnd64(&s) % 300
		             : 1 + rnd64(&s) % (span ? span : 1);
		if (i == 0)
			k = extremes ? 0 : 1 + rnd64(&s) % (span ? span : 1);
		else
			k += gap;
		if (extremes && i == n - 1 && n > 1)
			k = UINT64_MAX;
		d->key[i] = k;
		r = rnd64(&s);
		d->df[i] = r % 50 == 0 ? UINT32_MAX : 1 + (uint32_t)(rnd64(&s) % (r % 3 ? 10 : 1000000));
		d->post_len[i] = r % 97 == 0 ? (1ULL << 33) + rnd64(&s) % 1000 : 1 + rnd64(&s) % 5000;
		d->post_off[i] = d->post_size;
		d->post_size += d->post_len[i];
		bidx_tdw_add(&w, d->key[i], d->df[i], d->post_len[i]);
	}
	cr_assert_eq(w.err, BIDX_OK);
	bidx_buf_put(&d->sec, "junk", 4);   /* finish appends: keep what was there */
	cr_assert_eq(bidx_tdw_finish(&w, &d->sec), BIDX_OK);
	cr_assert_eq(memcmp(d->sec.p, "junk", 4), 0);
	memmove(d->sec.p, d->sec.p + 4, d->sec.len - 4);
	d->sec.len -= 4;
}

static void drop(dict *d)
{
	free(d->key);
	free(d->post_len);
	free(d->post_off);
	free(d->df);
	bidx_buf_free(&d->sec);
}

static uint8_t *copy_of(const dict *d, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);   /* exact size: ASan sees overreads */
	memcpy(p, d->sec.p, len < d->sec.len ? len : d->sec.len);
	return p;
}

static uint32_t nblocks_of(uint32_t n)
{
	return (n + BIDX_TERMS_PER_BLOCK - 1) / BIDX_TERMS_PER_BLOCK;
}

/* Offset within the section of the entries area. */
static size_t entries_at(const dict *d)
{
	return BIDX_TERMS_HEADER_SIZE + (size_t)nblocks_of(d->n) * BIDX_BLOCKIDX_SIZE;
}

static void expect_term(const dict *d, uint32_t i, const bidx_term *t)
{
	cr_assert_eq(t->key, d->key[i], "term %u key", i);
	cr_assert_eq(t->df, d->df[i], "term %u df", i);
	cr_assert_eq(t->post_off, d->post_off[i], "term %u post_off", i);
	cr_assert_eq(t->post_len, d->post_len[i], "term %u post_len", i);
}

typedef struct visit {
	const dict *d;
	uint32_t seen;
	uint32_t stop_at;   /* return 7 after this many visits (0: never) */
	int exact;          /* compare with d; else only check invariants */
} visit;

/* bidx_termdict_find as 1 (found), 0 (absent) or -1 (corrupt), and
 * bidx_termdict_each as fn's stopping value or -1 (corrupt), checking their
 * contract: an error is BIDX_ECORRUPT, with nothing found. */
static int tfind(const bidx_termdict *td, uint64_t key, bidx_term *t)
{
	int found = -1;
	bidx_err rc = bidx_termdict_find(td, key, t, &found);
	cr_assert(rc == BIDX_OK || rc == BIDX_ECORRUPT, "rc %d", (int)rc);
	cr_assert(found == 0 || (found == 1 && rc == BIDX_OK), "found %d with rc %d", found, (int)rc);
	return rc ? -1 : found;
}

static int teach(const bidx_termdict *td, int (*fn)(const bidx_term *t, void *arg), void *arg)
{
	int stopped = -1;
	bidx_err rc = bidx_termdict_each(td, fn, arg, &stopped);
	cr_assert(rc == BIDX_OK || rc == BIDX_ECORRUPT, "rc %d", (int)rc);
	return rc ? -1 : stopped;
}

static int visit_cb(const bidx_term *t, void *arg)
{
	visit *v = arg;
	if (v->exact) {
		cr_assert_lt(v->seen, v->d->n, "each() visited more terms than written");
		expect_term(v->d, v->seen, t);
	}
	cr_assert_geq(t->df, 1);
	cr_assert_leq(t->post_len, v->d->post_size);
	cr_assert_leq(t->post_off, v->d->post_size - t->post_len);
	v->seen++;
	return v->stop_at && v->seen == v->stop_at ? 7 : 0;
}

/* Every key found, absent keys absent, each() complete and in order. */
static void check_dict(const dict *d)
{
	bidx_termdict td;
	bidx_term t;
	uint8_t *sec = copy_of(d, d->sec.len);

	cr_assert_eq(bidx_termdict_open(&td, sec, d->sec.len, d->post_size), 0, "n=%u", d->n);
	cr_assert_eq(td.nterms, d->n);
	cr_assert_eq(td.nblocks, nblocks_of(d->n));
	for (uint32_t i = 0; i < d->n; i++) {
		memset(&t, 0xa5, sizeof t);
		cr_assert_eq(tfind(&td, d->key[i], &t), 1, "n=%u term %u missing", d->n, i);
		expect_term(d, i, &t);
	}
	for (uint32_t i = 0; i <= d->n; i++) {
		/* the gap [a, b] below key i (i = 0: below the first key; i = n:
		 * above the last): its ends and its middle are absent */
		if ((i > 0 && d->key[i - 1] == UINT64_MAX) || (i < d->n && d->key[i] == 0))
			continue;
		uint64_t a = i ? d->key[i - 1] + 1 : 0, b = i < d->n ? d->key[i] - 1 : UINT64_MAX;
		if (a > b)
			continue;
		uint64_t probes[3] = {a, a + (b - a) / 2, b};
		for (int k = 0; k < 3; k++)
			cr_assert_eq(tfind(&td, probes[k], &t), 0, "n=%u: absent key %llu found",
			             d->n, (unsigned long long)probes[k]);
	}
	visit v = {d, 0, 0, 1};
	cr_assert_eq(teach(&td, visit_cb, &v), 0);
	cr_assert_eq(v.seen, d->n, "each() visited %u of %u terms", v.seen, d->n);
	if (d->n > 2) {
		visit early = {d, 0, d->n / 2 + 1, 1};
		cr_assert_eq(teach(&td, visit_cb, &early), 7, "fn's value comes back");
		cr_assert_eq(early.seen, d->n / 2 + 1, "each() must stop when fn says so");
	}
	free(sec);
}

static void roundtrip(uint32_t n, uint64_t seed, int extremes)
{
	dict d;
	make(&d, n, seed, extremes);
	check_dict(&d);
	drop(&d);
}

Test(termdict, empty)
{
	dict d;
	make(&d, 0, 1, 0);
	cr_assert_eq(d.sec.len, BIDX_TERMS_HEADER_SIZE, "an empty dictionary is just its header");
	check_dict(&d);
	drop(&d);
}

Test(termdict, block_boundaries)
{
	uint32_t sizes[] = {1, 2, 63, 64, 65, 127, 128, 129, 1000};
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		roundtrip(sizes[i], 100 + i, 0);
		roundtrip(sizes[i], 200 + i, 1);
	}
}

Test(termdict, hundred_thousand_terms, .timeout = 300)
{
	roundtrip(100000, 5, 0);
}

Test(termdict, layout_matches_format)
{
	dict d;
	make(&d, 130, 9, 0);
	const uint8_t *p = d.sec.p;
	cr_assert_eq(bidx_get_u32le(p), 130, "nterms");
	cr_assert_eq(bidx_get_u32le(p + 4), 3, "nblocks");
	cr_assert_eq(bidx_get_u32le(p + 8), BIDX_TERMS_PER_BLOCK, "block_terms");
	cr_assert_eq(bidx_get_u32le(p + 12), 0, "reserved");

	/* decode the entries by hand, following docs/FORMAT.md */
	const uint8_t *ent = p + entries_at(&d), *e = ent, *end = p + d.sec.len;
	uint64_t key = 0;
	for (uint32_t i = 0; i < d.n; i++) {
		const uint8_t *bi = p + BIDX_TERMS_HEADER_SIZE + (size_t)(i / 64) * BIDX_BLOCKIDX_SIZE;
		uint64_t delta, df, plen;
		if (i % 64 == 0) {
			cr_assert_eq(bidx_get_u64le(bi), d.key[i], "block %u first_key", i / 64);
			cr_assert_eq(bidx_get_u64le(bi + 8), d.post_off[i], "block %u post_off", i / 64);
			cr_assert_eq(bidx_get_u32le(bi + 16), (uint32_t)(e - ent), "block %u entries_off", i / 64);
			cr_assert_eq(bidx_get_u32le(bi + 20), 0);
		}
		cr_assert_eq(bidx_varint_get(&e, end, &delta), 0);
		cr_assert_eq(bidx_varint_get(&e, end, &df), 0);
		cr_assert_eq(bidx_varint_get(&e, end, &plen), 0);
		if (i % 64 == 0) {
			cr_assert_eq(delta, 0, "a block's first delta is 0");
			key = d.key[i];
		} else {
			key += delta;
		}
		cr_assert_eq(key, d.key[i]);
		cr_assert_eq(df, d.df[i]);
		cr_assert_eq(plen, d.post_len[i]);
	}
	cr_assert_eq(e, end, "nothing after the last entry");
	drop(&d);
}

Test(termdict, writer_error_is_sticky)
{
	uint64_t bad_second[] = {10, 9};   /* equal, then smaller */
	for (int k = 0; k < 2; k++) {
		bidx_tdwriter w = BIDX_TDWRITER_INIT;
		bidx_buf out = BIDX_BUF_INIT;
		bidx_tdw_add(&w, 10, 1, 5);
		bidx_tdw_add(&w, bad_second[k], 1, 5);
		cr_assert_neq(w.err, BIDX_OK, "key %llu after 10 accepted",
		              (unsigned long long)bad_second[k]);
		bidx_tdw_add(&w, 20, 1, 5);   /* a valid key after the error: still a no-op */
		cr_assert_eq(w.nterms, 1);
		cr_assert_eq(bidx_tdw_finish(&w, &out), BIDX_ECORRUPT);
		cr_assert_eq(out.len, 0, "a failed writer appends nothing");
		bidx_buf_free(&out);
	}
}

Test(termdict, postings_beyond_section_refused)
{
	dict d;
	bidx_termdict td;
	bidx_term t;
	make(&d, 200, 77, 0);
	uint8_t *sec = copy_of(&d, d.sec.len);
	/* POSTINGS one byte shorter than the terms claim: the last term overruns */
	cr_assert_eq(bidx_termdict_open(&td, sec, d.sec.len, d.post_size - 1), 0);
	cr_assert_eq(tfind(&td, d.key[d.n - 1], &t), -1);
	visit v = {&d, 0, 0, 0};
	cr_assert_eq(teach(&td, visit_cb, &v), -1);
	/* terms of the earlier blocks are untouched */
	for (uint32_t i = 0; i < 128; i++) {
		cr_assert_eq(tfind(&td, d.key[i], &t), 1);
		expect_term(&d, i, &t);
	}
	free(sec);
	drop(&d);
}

/* --- damage --- */

/* After damage that leaves the entries' bytes as written (a cut, a wrong
 * count), a find is -1 (corrupt) or the truth: found exactly for the first
 * intact_terms terms, absent beyond them and for keys never written. */
static void check_damaged(const dict *d, const uint8_t *sec, size_t len, uint64_t post_size,
                          uint32_t intact_terms, const char *what, size_t at)
{
	bidx_termdict td;
	bidx_term t;
	if (bidx_termdict_open(&td, sec, len, post_size))
		return;   /* refused at open: fine */
	for (uint32_t i = 0; i < d->n; i++) {
		int r = tfind(&td, d->key[i], &t);
		if (i < intact_terms)
			cr_assert(r == 1 || r == -1, "%s %zu: term %u gave %d", what, at, i, r);
		else
			cr_assert(r == 0 || r == -1, "%s %zu: term %u beyond nterms gave %d", what, at, i, r);
		if (r == 1)
			expect_term(d, i, &t);
		if (i + 1 < d->n && d->key[i] + 1 < d->key[i + 1]) {
			r = tfind(&td, d->key[i] + 1, &t);
			cr_assert(r == 0 || r == -1, "%s %zu: absent key gave %d", what, at, r);
		}
	}
	visit v = {d, 0, 0, 1};
	int r = teach(&td, visit_cb, &v);
	cr_assert(r == 0 || r == -1, "%s %zu: each() gave %d", what, at, r);
	if (r == 0)
		cr_assert_eq(v.seen, intact_terms < d->n ? intact_terms : d->n, "%s %zu", what, at);
}

Test(termdict, truncated_sections, .timeout = 300)
{
	dict d;
	make(&d, 200, 31, 0);
	for (size_t cut = 0; cut < d.sec.len; cut++) {
		uint8_t *sec = copy_of(&d, cut);
		check_damaged(&d, sec, cut, d.post_size, d.n, "cut at", cut);
		/* every entry byte matters: each() cannot complete */
		bidx_termdict td;
		visit v = {&d, 0, 0, 1};
		if (!bidx_termdict_open(&td, sec, cut, d.post_size))
			cr_assert_eq(teach(&td, visit_cb, &v), -1, "cut at %zu", cut);
		free(sec);
	}
	/* a section cut inside the header or the block index is refused at open */
	for (size_t cut = 0; cut < entries_at(&d); cut++) {
		bidx_termdict td;
		uint8_t *sec = copy_of(&d, cut);
		cr_assert_eq(bidx_termdict_open(&td, sec, cut, d.post_size), BIDX_ECORRUPT, "cut at %zu", cut);
		free(sec);
	}
	drop(&d);
}

Test(termdict, wrong_header_counts)
{
	dict d;
	make(&d, 200, 41, 0);   /* 4 blocks, the last of 8 terms */
	int64_t deltas[] = {-200, -64, -9, -8, -7, -1, 1, 2, 56, 57, 64, 1000};
	for (size_t k = 0; k < sizeof deltas / sizeof *deltas; k++) {
		uint32_t nterms = (uint32_t)((int64_t)d.n + deltas[k]);
		for (int fix_blocks = 0; fix_blocks < 2; fix_blocks++) {
			uint8_t *sec = copy_of(&d, d.sec.len);
			bidx_put_u32le(sec, nterms);
			if (fix_blocks)   /* keep the header self-consistent */
				bidx_put_u32le(sec + 4, nblocks_of(nterms));
			check_damaged(&d, sec, d.sec.len, d.post_size, nterms, "nterms", nterms);
			free(sec);
		}
	}
	/* block_terms other than 64, nblocks off by one: refused */
	uint32_t bad[][2] = {{8, 32}, {8, 65}, {8, 0}, {4, 3}, {4, 5}, {4, 0}, {4, UINT32_MAX}};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
		bidx_termdict td;
		uint8_t *sec = copy_of(&d, d.sec.len);
		bidx_put_u32le(sec + bad[k][0], bad[k][1]);
		cr_assert_eq(bidx_termdict_open(&td, sec, d.sec.len, d.post_size), BIDX_ECORRUPT,
		             "header field at %u = %u accepted", bad[k][0], bad[k][1]);
		free(sec);
	}
	drop(&d);
}

/* docs/FORMAT.md: nblocks = ceil(nterms / 64).  open() checks it in 32-bit
 * arithmetic, so nterms = 0xFFFFFFFF wraps to "0 blocks" and a header that
 * claims four billion terms with no block index is accepted. */
Test(termdict, huge_nterms_with_no_blocks_refused)
{
	uint8_t hdr[BIDX_TERMS_HEADER_SIZE] = {0};
	bidx_termdict td;
	bidx_put_u32le(hdr, UINT32_MAX);
	bidx_put_u32le(hdr + 4, 0);
	bidx_put_u32le(hdr + 8, BIDX_TERMS_PER_BLOCK);
	cr_assert_eq(bidx_termdict_open(&td, hdr, sizeof hdr, 0), BIDX_ECORRUPT,
	             "accepted nterms=%u with nblocks=%u", td.nterms, td.nblocks);
}

/* each() promises key order and -1 on corruption, but never compares a
 * block's keys with the previous block's: here block 1's first_key is moved
 * below block 0's keys and each() returns 0 after visiting keys out of order.
 * (A key_delta that wraps past 2^64 inside a block slips through the same way,
 * and so does a block post_off that overlaps the previous block's postings.) */
static int order_cb(const bidx_term *t, void *arg)
{
	uint64_t *prev = arg;
	int bad = prev[1] && t->key <= prev[0];
	prev[0] = t->key;
	prev[1] = 1;
	return bad ? 9 : 0;
}

Test(termdict, each_refuses_keys_out_of_order)
{
	dict d;
	bidx_termdict td;
	make(&d, 130, 61, 0);
	uint8_t *sec = copy_of(&d, d.sec.len);
	bidx_put_u64le(sec + BIDX_TERMS_HEADER_SIZE + BIDX_BLOCKIDX_SIZE, d.key[0] + 1);
	cr_assert_eq(bidx_termdict_open(&td, sec, d.sec.len, d.post_size), 0);
	uint64_t prev[2] = {0, 0};
	int r = teach(&td, order_cb, prev);
	cr_assert_neq(r, 9, "each() handed out a key not above the previous one");
	cr_assert_eq(r, -1);
	free(sec);
	drop(&d);
}

/* What a find may say about a key when some byte of its block is wrong: -1,
 * 0, or a term with that key whose postings lie inside POSTINGS. */
static void find_sane(const bidx_termdict *td, const dict *d, uint64_t key,
                      const char *what, size_t at)
{
	bidx_term t;
	int r = tfind(td, key, &t);
	cr_assert(r >= -1 && r <= 1, "%s %zu: find gave %d", what, at, r);
	if (r == 1) {
		cr_assert_eq(t.key, key, "%s %zu: found another key", what, at);
		cr_assert_geq(t.df, 1);
		cr_assert_leq(t.post_len, d->post_size);
		cr_assert_leq(t.post_off, d->post_size - t.post_len, "%s %zu", what, at);
	}
}

Test(termdict, flipped_entry_bytes, .timeout = 300)
{
	dict d;
	make(&d, 200, 53, 0);
	size_t ent_at = entries_at(&d), ent_len = d.sec.len - ent_at;
	uint8_t masks[] = {0x01, 0x40, 0x80, 0xff};
	for (size_t off = 0; off < ent_len; off++) {
		/* the block the byte belongs to: the other blocks must stay exact */
		uint32_t b = 0;
		while (b + 1 < nblocks_of(d.n) &&
		       bidx_get_u32le(d.sec.p + BIDX_TERMS_HEADER_SIZE +
		                      (b + 1) * BIDX_BLOCKIDX_SIZE + 16) <= off)
			b++;
		for (size_t m = 0; m < sizeof masks; m++) {
			uint8_t *sec = copy_of(&d, d.sec.len);
			bidx_termdict td;
			bidx_term t;
			sec[ent_at + off] ^= masks[m];
			cr_assert_eq(bidx_termdict_open(&td, sec, d.sec.len, d.post_size), 0);
			for (uint32_t i = 0; i < d.n; i++) {
				if (i / BIDX_TERMS_PER_BLOCK == b) {
					find_sane(&td, &d, d.key[i], "entry byte", off);
					find_sane(&td, &d, d.key[i] + 1, "entry byte", off);
					continue;
				}
				cr_assert_eq(tfind(&td, d.key[i], &t), 1,
				             "byte %zu of block %u hurt term %u", off, b, i);
				expect_term(&d, i, &t);
			}
			visit v = {&d, 0, 0, 0};
			int r = teach(&td, visit_cb, &v);
			cr_assert(r == 0 || r == -1, "entry byte %zu: each() gave %d", off, r);
			if (r == 0)
				cr_assert_eq(v.seen, d.n);
			free(sec);
		}
	}
	drop(&d);
}

Test(termdict, flipped_index_bytes, .timeout = 300)
{
	dict d;
	make(&d, 200, 59, 0);
	uint8_t masks[] = {0x01, 0x80, 0xff};
	for (size_t off = BIDX_TERMS_HEADER_SIZE; off < entries_at(&d); off++) {
		for (size_t m = 0; m < sizeof masks; m++) {
			uint8_t *sec = copy_of(&d, d.sec.len);
			bidx_termdict td;
			sec[off] ^= masks[m];
			cr_assert_eq(bidx_termdict_open(&td, sec, d.sec.len, d.post_size), 0);
			/* a damaged block index may misdirect a lookup anywhere */
			for (uint32_t i = 0; i < d.n; i++) {
				find_sane(&td, &d, d.key[i], "index byte", off);
				find_sane(&td, &d, d.key[i] - 1, "index byte", off);
			}
			visit v = {&d, 0, 0, 0};
			int r = teach(&td, visit_cb, &v);
			cr_assert(r == 0 || r == -1, "index byte %zu: each() gave %d", off, r);
			free(sec);
		}
	}
	drop(&d);
}
