/* Round trip of the postings codec: random lists, next() and seek(), and
 * corrupt input that must be refused, never read past. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "postings.h"

typedef struct plist {
	uint32_t *docs, *tf, **pos;
	uint32_t n;
} plist;

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

/* A random list of n docs below ndocs, with bigram positions; raw form in raw. */
static void make_near_start(plist *l, uint32_t n, uint32_t ndocs, uint64_t seed,
                            bidx_buf *raw, int near);

static void make(plist *l, uint32_t n, uint32_t ndocs, uint64_t seed, bidx_buf *raw)
{
	make_near_start(l, n, ndocs, seed, raw, 0);
}

/* make, with `near`: most docs' positions from 0 on, one after the other
 * (a text that starts with the bigram, a run of it), a few far apart: the
 * blocks of position width 0 whose other fields are exceptions. */
static void make_near_start(plist *l, uint32_t n, uint32_t ndocs, uint64_t seed,
                            bidx_buf *raw, int near)
{
	uint64_t s = seed;
	l->docs = calloc(n, 4);
	l->tf = calloc(n, 4);
	l->pos = calloc(n, sizeof *l->pos);
	l->n = n;
	int64_t prev = -1;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t room = ndocs - (uint32_t)(prev + 1) - (n - i);
		uint32_t gap = room ? rnd(&s) % (room / (n - i) * 2 + 1) : 0;
		if (gap > room)
			gap = room;
		l->docs[i] = (uint32_t)(prev + 1) + gap;
		l->tf[i] = 1 + rnd(&s) % (i % 7 == 0 ? 300 : 4);
		l->pos[i] = calloc(l->tf[i], 4);
		uint32_t p = near ? (rnd(&s) % 16 ? 0 : rnd(&s) % 3000) : rnd(&s) % 5;
		for (uint32_t k = 0; k < l->tf[i]; k++) {
			l->pos[i][k] = p;
			p += 1 + (near ? (rnd(&s) % 8 ? 0 : rnd(&s) % 3000) : rnd(&s) % 200);
		}
		bidx_buf_put_varint(raw, (uint64_t)((int64_t)l->docs[i] - prev - 1));
		bidx_buf_put_varint(raw, l->tf[i]);
		int64_t pp = -1;
		for (uint32_t k = 0; k < l->tf[i]; k++) {
			bidx_buf_put_varint(raw, (uint64_t)(l->pos[i][k] - pp - 1));
			pp = l->pos[i][k];
		}
		prev = l->docs[i];
	}
}

static void drop(plist *l)
{
	for (uint32_t i = 0; i < l->n; i++)
		free(l->pos[i]);
	free(l->docs);
	free(l->tf);
	free(l->pos);
}

/* bidx_pcur_next / bidx_pcur_seek as 1 (a doc), 0 (the end) or -1
 * (corrupt), checking their contract: an error is BIDX_ECORRUPT, with no doc. */
static int flag(bidx_err rc, int have)
{
	cr_assert(rc == BIDX_OK || rc == BIDX_ECORRUPT, "rc %d", (int)rc);
	cr_assert(have == 0 || (have == 1 && rc == BIDX_OK), "have %d with rc %d", have, (int)rc);
	return rc ? -1 : have;
}

static int pnext(bidx_pcur *c)
{
	int have = -1;
	bidx_err rc = bidx_pcur_next(c, &have);
	return flag(rc, have);
}

static int pseek(bidx_pcur *c, uint32_t target)
{
	int have = -1;
	bidx_err rc = bidx_pcur_seek(c, target, &have);
	return flag(rc, have);
}

Test(postings, roundtrip_next_with_positions)
{
	uint32_t sizes[] = {1, 2, 127, 128, 129, 255, 256, 257, 1000, 5000};
	for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
		plist l;
		bidx_buf raw = BIDX_BUF_INIT, enc = BIDX_BUF_INIT;
		uint32_t ndocs = sizes[z] * 3 + 10;
		make(&l, sizes[z], ndocs, 42 + z, &raw);
		cr_assert_eq(bidx_postings_encode(&enc, raw.p, raw.len, l.n, 2), BIDX_OK);
		bidx_pcur c;
		cr_assert_eq(bidx_pcur_init(&c, enc.p, enc.len, l.n, 2, ndocs), 0);
		uint32_t buf[400];
		for (uint32_t i = 0; i < l.n; i++) {
			cr_assert_eq(pnext(&c), 1, "size %u doc %u", sizes[z], i);
			cr_assert_eq(c.doc, l.docs[i]);
			cr_assert_eq(c.tf, l.tf[i]);
			if (i % 3 == 0) {   /* decode some, skip others */
				cr_assert_eq(bidx_pcur_positions(&c, buf, 1u << 30), 0);
				cr_assert_arr_eq(buf, l.pos[i], l.tf[i] * 4);
			}
		}
		cr_assert_eq(pnext(&c), 0);
		drop(&l);
		bidx_buf_free(&raw);
		bidx_buf_free(&enc);
	}
}

Test(postings, seek_matches_linear_scan)
{
	plist l;
	bidx_buf raw = BIDX_BUF_INIT, enc = BIDX_BUF_INIT;
	uint32_t ndocs = 20000;
	make(&l, 3000, ndocs, 7, &raw);
	cr_assert_eq(bidx_postings_encode(&enc, raw.p, raw.len, l.n, 2), BIDX_OK);
	uint64_t s = 99;
	for (int trial = 0; trial < 200; trial++) {
		bidx_pcur c;
		cr_assert_eq(bidx_pcur_init(&c, enc.p, enc.len, l.n, 2, ndocs), 0);
		uint32_t target = 0, i = 0;
		for (;;) {
			target += rnd(&s) % (trial % 2 ? 50 : 2000);
			while (i < l.n && l.docs[i] < target)
				i++;
			int r = pseek(&c, target);
			if (i == l.n) {
				cr_assert_eq(r, 0);
				break;
			}
			(void)0;
			cr_assert_eq(r, 1, "trial %d target %u", trial, target);
			cr_assert_eq(c.doc, l.docs[i], "trial %d target %u", trial, target);
			if (rnd(&s) % 2) {
				uint32_t *buf = malloc(c.tf * 4);
				cr_assert_eq(bidx_pcur_positions(&c, buf, 1u << 30), 0);
				cr_assert_arr_eq(buf, l.pos[i], c.tf * 4);
				free(buf);
				if (rnd(&s) % 2)
					target = l.docs[i] + 1;   /* do not seek to the same doc */
			}
		}
	}
	drop(&l);
	bidx_buf_free(&raw);
	bidx_buf_free(&enc);
}

Test(postings, unigram_counts)
{
	bidx_buf raw = BIDX_BUF_INIT, enc = BIDX_BUF_INIT;
	for (uint32_t d = 0; d < 300; d++) {
		bidx_buf_put_varint(&raw, 1);                 /* docs 1, 3, 5, ... */
		bidx_buf_put_varint(&raw, 5);
		bidx_buf_put_varint(&raw, 1);
		bidx_buf_put_varint(&raw, 2);
		bidx_buf_put_varint(&raw, 3);
	}
	cr_assert_eq(bidx_postings_encode(&enc, raw.p, raw.len, 300, 1), BIDX_OK);
	bidx_pcur c;
	cr_assert_eq(bidx_pcur_init(&c, enc.p, enc.len, 300, 1, 1000), 0);
	for (uint32_t d = 0; d < 300; d++) {
		cr_assert_eq(pnext(&c), 1);
		cr_assert_eq(c.doc, 2 * d + 1);
		cr_assert(c.tf == 5 && c.tf_title == 1 && c.tf_word == 2 && c.tf_edge == 3);
	}
	cr_assert_eq(pnext(&c), 0);
	cr_assert_eq(bidx_pcur_init(&c, enc.p, enc.len, 300, 1, 1000), 0);
	cr_assert_eq(pseek(&c, 400), 1);   /* into the second block, past some of its docs */
	cr_assert_eq(c.doc, 401);
	cr_assert(c.tf == 5 && c.tf_title == 1 && c.tf_word == 2 && c.tf_edge == 3);
	cr_assert_eq(pnext(&c), 1);
	cr_assert_eq(c.doc, 403);
	cr_assert_eq(pseek(&c, 599), 1);   /* the last doc, in the last block */
	cr_assert_eq(c.doc, 599);
	cr_assert_eq(pnext(&c), 0);
	bidx_buf_free(&raw);
	bidx_buf_free(&enc);
}

/* Every truncation and every single-byte change either decodes to a
 * consistent list or is refused; nothing reads outside the buffer (ASan). */
Test(postings, damaged_input_is_refused_or_consistent)
{
	plist l;
	bidx_buf raw = BIDX_BUF_INIT, enc = BIDX_BUF_INIT;
	make(&l, 300, 1000, 5, &raw);
	cr_assert_eq(bidx_postings_encode(&enc, raw.p, raw.len, l.n, 2), BIDX_OK);
	for (size_t cut = 0; cut < enc.len; cut += 7) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, enc.p, cut);
		bidx_pcur c;
		bidx_err rc = bidx_pcur_init(&c, copy, cut, l.n, 2, 1000);
		uint32_t got = 0, buf[400];
		int have = 1;
		while (rc == BIDX_OK && have) {
			if ((rc = bidx_pcur_next(&c, &have)) != BIDX_OK || !have)
				break;
			got++;
			rc = bidx_pcur_positions(&c, buf, 1u << 30);
		}
		cr_assert(rc == BIDX_ECORRUPT, "truncated at %zu of %zu not refused (%u docs)", cut,
		          enc.len, got);
		free(copy);
	}
	for (size_t at = 0; at < enc.len; at += 3) {
		uint8_t *copy = malloc(enc.len);
		memcpy(copy, enc.p, enc.len);
		copy[at] ^= 0x5a;
		bidx_pcur c;
		int r = bidx_pcur_init(&c, copy, enc.len, l.n, 2, 1000) ? -1 : 0;
		int64_t prev = -1;
		uint32_t buf[400];
		while (r == 0) {
			if ((r = pnext(&c)) != 1)
				break;
			cr_assert(c.doc > prev && c.doc < 1000);
			prev = c.doc;
			r = c.tf <= 400 && bidx_pcur_positions(&c, buf, 1u << 30) ? -1 : 0;
		}
		free(copy);
	}
	drop(&l);
	bidx_buf_free(&raw);
	bidx_buf_free(&enc);
}

/* The worked example of docs/FORMAT.md: 人情 at position 1 of doc 0. */
Test(postings, format_worked_example)
{
	bidx_buf raw = BIDX_BUF_INIT, enc = BIDX_BUF_INIT;
	bidx_buf_put_varint(&raw, 0);   /* doc 0 */
	bidx_buf_put_varint(&raw, 1);   /* tf 1 */
	bidx_buf_put_varint(&raw, 1);   /* position 1 */
	cr_assert_eq(bidx_postings_encode(&enc, raw.p, raw.len, 1, 2), BIDX_OK);
	/* the only block, so no header: widths 0 (doc gap 0), 0 (tf 1), 1 (a
	 * position of 1 bit), then the position stream: one field, value 1 */
	const uint8_t want[] = {0x00, 0x00, 0x01, 0x01};
	cr_assert_eq(enc.len, sizeof want);
	cr_assert_arr_eq(enc.p, want, sizeof want);
	bidx_buf_free(&raw);
	bidx_buf_free(&enc);
}

/* A refusal records where it was detected (error.h): a line of this codec
 * that tests for corruption. */
Test(postings, refusal_records_the_detecting_line)
{
	plist l;
	bidx_buf raw = BIDX_BUF_INIT, enc = BIDX_BUF_INIT;
	make(&l, 10, 100, 3, &raw);
	cr_assert_eq(bidx_postings_encode(&enc, raw.p, raw.len, l.n, 2), BIDX_OK);
	bidx_pcur c;
	cr_assert_eq(bidx_pcur_init(&c, enc.p, enc.len, l.n, 2, 100), BIDX_OK);
	enc.p[0] = 0x7f;   /* the doc gaps' width past 32 bits */
	bidx_corrupt_at(NULL, 0);
	int have = -1;
	cr_assert_eq(bidx_pcur_next(&c, &have), BIDX_ECORRUPT);
	cr_assert_eq(have, 0);
	int line;
	const char *file = bidx_corrupt_where(&line);
	cr_assert(file && strstr(file, "postings.c"), "detected in %s", file ? file : "(nowhere)");
	cr_assert_gt(line, 0);
	FILE *f = fopen(file, "r");   /* __FILE__ is the source path under CMake */
	if (f) {
		char buf[512] = "";
		for (int k = 0; k < line && fgets(buf, sizeof buf, f); k++)
			;
		fclose(f);
		cr_assert(strstr(buf, "BIDX_CORRUPT_IF") || strstr(buf, "bidx_corrupt"),
		          "%s:%d is not a corruption test: %s", file, line, buf);
	}
	drop(&l);
	bidx_buf_free(&raw);
	bidx_buf_free(&enc);
}

/* A block packs each field at the width of its largest value: 300 docs in
 * a row holding a bigram once near their start take under a byte each
 * (doc gap 0 and tf 1 at width 0, positions < 16 at 4 bits), where a byte
 * per varint took three. */
Test(postings, dense_list_is_bit_packed)
{
	bidx_buf raw = BIDX_BUF_INIT, enc = BIDX_BUF_INIT;
	for (uint32_t d = 0; d < 300; d++) {
		bidx_buf_put_varint(&raw, 0);        /* docs 0, 1, 2, ... */
		bidx_buf_put_varint(&raw, 1);        /* tf 1 */
		bidx_buf_put_varint(&raw, d % 16);   /* the position */
	}
	cr_assert_eq(bidx_postings_encode(&enc, raw.p, raw.len, 300, 2), BIDX_OK);
	cr_assert_lt(enc.len, 300, "%zu bytes for 300 docs", enc.len);
	bidx_pcur c;
	cr_assert_eq(bidx_pcur_init(&c, enc.p, enc.len, 300, 2, 300), BIDX_OK);
	uint32_t pos;
	for (uint32_t d = 0; d < 300; d++) {
		cr_assert_eq(pnext(&c), 1);
		cr_assert(c.doc == d && c.tf == 1);
		cr_assert_eq(bidx_pcur_positions(&c, &pos, 300), BIDX_OK);
		cr_assert_eq(pos, d % 16);
	}
	cr_assert_eq(pnext(&c), 0);
	cr_assert_eq(bidx_pcur_init(&c, enc.p, enc.len, 300, 2, 300), BIDX_OK);
	cr_assert_eq(pseek(&c, 290), 1);     /* hops two blocks, decodes the last */
	cr_assert_eq(c.doc, 290);
	cr_assert_eq(bidx_pcur_positions(&c, &pos, 300), BIDX_OK);
	cr_assert_eq(pos, 290 % 16);
	bidx_buf_free(&raw);
	bidx_buf_free(&enc);
}

/* Patched frame of reference: a few large position gaps are exceptions,
 * stored apart (their index and high bits), so they do not set the width
 * of the whole block.  Three docs of 100 positions, the gaps 0 but three of
 * them (up to 2,000,000: 21 bits), take under 40 bytes, where packing all
 * 300 at 21 bits took 788. */
static void exc_positions(uint32_t d, uint32_t *want)
{
	uint32_t p = d == 2 ? 2000000 : 0;
	for (uint32_t k = 0; k < 100; k++) {
		if (k > 0)
			p += 1 + (d == 1 && k == 50 ? 1000000 : d == 2 && k == 99 ? 70000 : 0);
		want[k] = p;
	}
}

Test(postings, large_position_gaps_are_exceptions)
{
	bidx_buf raw = BIDX_BUF_INIT, enc = BIDX_BUF_INIT;
	uint32_t want[100], got[100];
	for (uint32_t d = 0; d < 3; d++) {
		exc_positions(d, want);
		bidx_buf_put_varint(&raw, 0);     /* docs 0, 1, 2 */
		bidx_buf_put_varint(&raw, 100);   /* tf */
		for (uint32_t k = 0; k < 100; k++)
			bidx_buf_put_varint(&raw, k ? want[k] - want[k - 1] - 1 : want[0]);
	}
	cr_assert_eq(bidx_postings_encode(&enc, raw.p, raw.len, 3, 2), BIDX_OK);
	cr_assert_lt(enc.len, 40, "%zu bytes", enc.len);
	cr_assert(enc.p[2] & BIDX_POS_EXCEPTIONS);
	/* every doc read, one skipped, one read twice: the same positions */
	for (int pass = 0; pass < 2; pass++) {
		bidx_pcur c;
		cr_assert_eq(bidx_pcur_init(&c, enc.p, enc.len, 3, 2, 3), BIDX_OK);
		for (uint32_t d = 0; d < 3; d++) {
			cr_assert_eq(pnext(&c), 1);
			cr_assert(c.doc == d && c.tf == 100);
			if (pass == 1 && d == 0)
				continue;
			for (int again = 0; again < 1 + (pass == 1 && d == 1); again++) {
				exc_positions(d, want);
				cr_assert_eq(bidx_pcur_positions(&c, got, 3000000), BIDX_OK);
				cr_assert_arr_eq(got, want, sizeof want, "doc %u", d);
			}
		}
		cr_assert_eq(pnext(&c), 0);
	}
	bidx_pcur c;
	cr_assert_eq(bidx_pcur_init(&c, enc.p, enc.len, 3, 2, 3), BIDX_OK);
	cr_assert_eq(pseek(&c, 2), 1);
	exc_positions(2, want);
	cr_assert_eq(bidx_pcur_positions(&c, got, 3000000), BIDX_OK);
	cr_assert_arr_eq(got, want, sizeof want);
	/* a position past the document's end, through its high bits, is refused */
	cr_assert_eq(bidx_pcur_init(&c, enc.p, enc.len, 3, 2, 3), BIDX_OK);
	cr_assert_eq(pnext(&c), 1);
	cr_assert_eq(pnext(&c), 1);
	cr_assert_eq(bidx_pcur_positions(&c, got, 1000000), BIDX_ECORRUPT);
	bidx_buf_free(&raw);
	bidx_buf_free(&enc);
}

/* The exception list is checked: indexes must increase, fall inside the
 * block's position stream, and the list inside the block.  One doc with
 * tf 2: widths 0, 1 and 0 with the exception flag; the tf stream (tf - 1 =
 * 1); nexc, w_idx, w_high, the indexes, the high bits; no low bits. */
Test(postings, bad_exception_list_is_refused)
{
	const uint8_t good[] = {0x00, 0x01, 0x80, 0x01, 0x01, 0x01, 0x02, 0x01, 0x03};
	const uint8_t bad[][9] = {
		{0x00, 0x01, 0x80, 0x01, 0x02, 0x01, 0x02, 0x01, 0x0f},   /* indexes 1, 0 */
		{0x00, 0x01, 0x80, 0x01, 0x01, 0x02, 0x02, 0x02, 0x03},   /* index 2 of 2 */
		{0x00, 0x01, 0x80, 0x01, 0x01, 0x01, 0x20, 0x01, 0x03},   /* high bits past the block */
		{0x00, 0x01, 0x80, 0x01, 0x00, 0x01, 0x02, 0x01, 0x03},   /* flagged, but none */
		{0x00, 0x01, 0x80, 0x01, 0x01, 0x21, 0x02, 0x01, 0x03},   /* index width 33 */
	};
	uint32_t got[2];
	bidx_pcur c;
	cr_assert_eq(bidx_pcur_init(&c, good, sizeof good, 1, 2, 1), BIDX_OK);
	cr_assert_eq(pnext(&c), 1);
	cr_assert_eq(c.tf, 2);
	cr_assert_eq(bidx_pcur_positions(&c, got, 100), BIDX_OK);
	cr_assert(got[0] == 0 && got[1] == 4, "%u %u", got[0], got[1]);   /* 0, 0 + 1 + (3 << 0) */
	cr_assert_eq(pnext(&c), 0);
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		cr_assert_eq(bidx_pcur_init(&c, bad[k], sizeof bad[k], 1, 2, 1), BIDX_OK);
		cr_assert_eq(pnext(&c), -1, "bad list %zu accepted", k);
	}
}

/* The cursor keeps the index of the block's next exception from doc to
 * doc: docs whose fields hold exceptions (their first position, stored as
 * is, or a long gap) interleaved with docs without any, read in order,
 * some skipped by next() or seek(), one read twice, give the positions
 * written.  Doc d has tf 1 + d % 5; its first position is large for every
 * third doc, and its third gap is long for every seventh. */
static uint32_t mix_positions(uint32_t d, uint32_t *want)
{
	uint32_t tf = 1 + d % 5, p = d % 3 == 0 ? 5000 + 97 * d : d % 4;
	for (uint32_t k = 0; k < tf; k++) {
		if (k > 0)
			p += 1 + (d % 7 == 0 && k == 3 ? 40000 : k % 3);
		want[k] = p;
	}
	return tf;
}

/* enc gets the bigram list of docs 0 .. ndocs - 1, each with the
 * positions mix_positions gives it (raw: the list before encoding). */
static void encode_mixed(uint32_t ndocs, bidx_buf *raw, bidx_buf *enc)
{
	uint32_t want[8];
	for (uint32_t d = 0; d < ndocs; d++) {
		uint32_t tf = mix_positions(d, want);
		bidx_buf_put_varint(raw, 0);   /* docs 0, 1, 2, ... */
		bidx_buf_put_varint(raw, tf);
		for (uint32_t k = 0; k < tf; k++)
			bidx_buf_put_varint(raw, k ? want[k] - want[k - 1] - 1 : want[0]);
	}
	cr_assert_eq(bidx_postings_encode(enc, raw->p, raw->len, ndocs, 2), BIDX_OK);
}

Test(postings, exceptions_between_docs_read_or_skipped)
{
	enum { NDOCS = 300 };
	bidx_buf raw = BIDX_BUF_INIT, enc = BIDX_BUF_INIT;
	uint32_t want[8], got[8];
	encode_mixed(NDOCS, &raw, &enc);
	/* pass 0 reads every doc, pass 1 one in three (next), pass 2 seeks */
	for (int pass = 0; pass < 3; pass++) {
		bidx_pcur c;
		cr_assert_eq(bidx_pcur_init(&c, enc.p, enc.len, NDOCS, 2, NDOCS), BIDX_OK);
		for (uint32_t d = 0; d < NDOCS; d++) {
			if (pass == 2) {
				d += d % 11;
				if (d >= NDOCS)
					break;
				cr_assert_eq(pseek(&c, d), 1);
			} else {
				cr_assert_eq(pnext(&c), 1);
			}
			cr_assert_eq(c.doc, d);
			if (pass == 1 && d % 3 != 1)
				continue;
			uint32_t tf = mix_positions(d, want);
			cr_assert_eq(c.tf, tf, "doc %u", d);
			for (int again = 0; again < 1 + (d % 13 == 0); again++) {
				memset(got, 0xff, sizeof got);
				cr_assert_eq(bidx_pcur_positions(&c, got, 100000), BIDX_OK, "doc %u", d);
				cr_assert_arr_eq(got, want, tf * sizeof *want, "doc %u pass %d", d, pass);
			}
		}
	}
	bidx_buf_free(&raw);
	bidx_buf_free(&enc);
}

/* One encoder scratch used for many lists of both kinds, large then small,
 * writes what a fresh encoding of each writes (nothing of a previous list
 * leaks into the next), appended after what the buffer held. */
Test(postings, reused_encoder_matches_fresh_encoding)
{
	uint32_t sizes[] = {5000, 3, 300, 1, 129, 2000, 2};
	bidx_penc *e = bidx_penc_new();
	cr_assert(e);
	bidx_buf all = BIDX_BUF_INIT;
	for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
		plist l;
		bidx_buf raw = BIDX_BUF_INIT, fresh = BIDX_BUF_INIT;
		unsigned n = z % 2 ? 1 : 2;
		make(&l, sizes[z], sizes[z] * 2 + 5, 7 + z, &raw);
		if (n == 1) {   /* a unigram's payload: tf, then its three counts */
			raw.len = 0;
			int64_t prev = -1;
			for (uint32_t i = 0; i < l.n; i++) {
				bidx_buf_put_varint(&raw, (uint64_t)((int64_t)l.docs[i] - prev - 1));
				bidx_buf_put_varint(&raw, l.tf[i]);
				for (int k = 0; k < 3; k++)
					bidx_buf_put_varint(&raw, (l.tf[i] + (uint32_t)k) % (l.tf[i] + 1));
				prev = l.docs[i];
			}
		}
		size_t at = all.len;
		cr_assert_eq(bidx_postings_encode_with(e, &all, raw.p, raw.len, l.n, n), BIDX_OK);
		cr_assert_eq(bidx_postings_encode(&fresh, raw.p, raw.len, l.n, n), BIDX_OK);
		cr_assert_eq(all.len - at, fresh.len, "list %zu", z);
		cr_assert_arr_eq(all.p + at, fresh.p, fresh.len, "list %zu", z);
		drop(&l);
		bidx_buf_free(&raw);
		bidx_buf_free(&fresh);
	}
	bidx_buf_free(&all);
	bidx_penc_free(e);
	bidx_penc_free(NULL);
}

/* The inlined decoder (bidx_pcur_positions_fast) reads what the general
 * one reads, in docs with and without exceptions, near the end of a list
 * and far from it, and refuses a position past the limit as it does. */
Test(postings, fast_positions_match_the_general_decoder)
{
	enum { NDOCS = 300 };
	bidx_buf raw = BIDX_BUF_INIT, enc = BIDX_BUF_INIT;
	uint32_t want[8], got[8];
	encode_mixed(NDOCS, &raw, &enc);
	for (int limited = 0; limited < 2; limited++) {
		bidx_pcur c;
		cr_assert_eq(bidx_pcur_init(&c, enc.p, enc.len, NDOCS, 2, NDOCS), BIDX_OK);
		for (uint32_t d = 0; d < NDOCS; d++) {
			cr_assert_eq(pnext(&c), 1);
			uint32_t tf = mix_positions(d, want);
			/* limited: the last position is one past what the text allows */
			uint32_t limit = limited ? want[tf - 1] : 100000;
			memset(got, 0xff, sizeof got);
			bidx_err rc = bidx_pcur_positions_fast(&c, got, limit);
			cr_assert_eq(rc, limited ? BIDX_ECORRUPT : BIDX_OK, "doc %u", d);
			if (!limited)
				cr_assert_arr_eq(got, want, tf * sizeof *want, "doc %u", d);
		}
	}
	for (uint32_t z = 0; z < 2; z++) {   /* long random lists: most docs take the fast path */
		plist l;
		bidx_buf r2 = BIDX_BUF_INIT, e2 = BIDX_BUF_INIT;
		uint32_t n = z ? 5000 : 129, ndocs = n * 3 + 10;
		make(&l, n, ndocs, 7 + z, &r2);
		cr_assert_eq(bidx_postings_encode(&e2, r2.p, r2.len, l.n, 2), BIDX_OK);
		bidx_pcur c;
		cr_assert_eq(bidx_pcur_init(&c, e2.p, e2.len, l.n, 2, ndocs), BIDX_OK);
		uint32_t buf[400];
		for (uint32_t i = 0; i < l.n; i++) {
			cr_assert_eq(pnext(&c), 1);
			cr_assert_eq(bidx_pcur_positions_fast(&c, buf, 1u << 30), BIDX_OK);
			cr_assert_arr_eq(buf, l.pos[i], l.tf[i] * 4, "list %u doc %u", z, i);
		}
		drop(&l);
		bidx_buf_free(&r2);
		bidx_buf_free(&e2);
	}
	bidx_buf_free(&raw);
	bidx_buf_free(&enc);
}

/* The current doc's positions into buf by bidx_pcur_positions_part and
 * its inlined form in turn, each part up to a random bound (its own
 * random numbers, so a walk takes the same steps whatever the parts):
 * every part decodes one field or more, ends at the first position at or
 * past its bound or at the last, and none before it reaches the bound. */
static bidx_err positions_by_parts(bidx_pcur *c, uint32_t *buf, uint64_t seed)
{
	uint32_t from = 0;
	bidx_err rc = BIDX_OK;
	for (unsigned k = 0; !rc && from < c->tf; k++) {
		uint32_t upto = (from ? buf[from - 1] + 1 : 0) + (uint32_t)(rnd(&seed) % 64), n;
		rc = k % 2 ? bidx_pcur_positions_part(c, buf, 1u << 30, from, upto, &n)
		           : bidx_pcur_positions_part_fast(c, buf, 1u << 30, from, upto, &n);
		if (rc)
			break;
		cr_assert(n > from && n <= c->tf, "doc %lld: %u decoded from %u", (long long)c->doc,
		          n, from);
		cr_assert(n == c->tf || buf[n - 1] >= upto, "doc %lld: stopped short", (long long)c->doc);
		cr_assert(n - 1 == from || buf[n - 2] < upto, "doc %lld: went past", (long long)c->doc);
		from = n;
	}
	return rc;
}

/* A random walk of next, seek and positions over data, with the inlined
 * cursor functions (fast 1), the others (0) or the inlined steps and the
 * positions by parts (2, positions_by_parts), logged step by step as
 * (result, doc, tf, a hash of the positions); returns the steps. */
static uint32_t walk(const uint8_t *data, size_t len, uint32_t df, uint32_t ndocs, int fast,
                     uint64_t seed, uint64_t *log, uint32_t cap)
{
	bidx_pcur c;
	uint32_t n = 0, buf[400];
	uint64_t s = seed;
	if (bidx_pcur_init(&c, data, len, df, 2, ndocs))
		return 0;
	while (n + 1 < cap) {
		int have = 0, op = (int)(rnd(&s) % 3);
		bidx_err rc;
		if (op == 0)
			rc = fast ? bidx_pcur_next_fast(&c, &have) : bidx_pcur_next(&c, &have);
		else {
			uint32_t t = (uint32_t)(c.doc + 1) + rnd(&s) % (op == 1 ? 4 : 300);
			rc = fast ? bidx_pcur_seek_fast(&c, t, &have) : bidx_pcur_seek(&c, t, &have);
		}
		uint64_t h = 0;
		if (!rc && have && c.tf <= 400 && rnd(&s) % 2) {
			if (fast == 2)
				rc = positions_by_parts(&c, buf, seed ^ (uint64_t)c.doc << 20);
			else
				rc = fast ? bidx_pcur_positions_fast(&c, buf, 1u << 30)
				          : bidx_pcur_positions(&c, buf, 1u << 30);
			for (uint32_t k = 0; !rc && k < c.tf; k++)
				h = h * 1000003 + buf[k];
		}
		/* after a refusal the cursor is not to be used: only that counts */
		log[n++] = rc ? (uint64_t)rc << 62 : (uint64_t)have << 61 ^
		           (uint64_t)(c.doc + 1) << 32 ^ c.tf ^ h << 20;
		if (rc || !have || c.tf > 400)
			break;
	}
	return n;
}

/* copy[] gets the encoded list p[0..len) with the damage of step `at`: an
 * odd byte below len changed, an even one where the list is cut off, len
 * itself intact; returns the length left. */
static size_t damaged_copy(uint8_t *copy, const uint8_t *p, size_t len, size_t at)
{
	memcpy(copy, p, len);
	if (at < len && at % 2)
		copy[at] ^= 0x5a;
	else if (at < len)
		len = at;   /* cut off */
	return len;
}

/* The two walks' logs a[0..na) and b[0..nb) are the same; what names the
 * walk. */
static void same_walks(const uint64_t *a, uint32_t na, const uint64_t *b, uint32_t nb,
                       const char *what)
{
	cr_assert_eq(na, nb, "%s: %u steps, %u inlined", what, na, nb);
	for (uint32_t k = 0; k < na; k++)
		cr_assert_eq(a[k], b[k], "%s, step %u", what, k);
}

/* next, seek and positions inlined walk a list exactly as the functions
 * do, intact or with any byte changed or cut off: the same docs, the same
 * positions, the same refusals at the same step; and so do the positions
 * decoded by parts to the last (bidx_pcur_positions_part). */
Test(postings, inlined_cursor_walks_as_the_functions_do)
{
	enum { CAP = 4000 };
	uint64_t *a = malloc(CAP * sizeof *a), *b = malloc(CAP * sizeof *b);
	for (uint32_t z = 0; z < 4; z++) {
		plist l;
		bidx_buf raw = BIDX_BUF_INIT, enc = BIDX_BUF_INIT;
		uint32_t n = z == 0 || z == 3 ? 300 : z == 1 ? 3000 : 129;
		uint32_t ndocs = z == 1 ? 20000 : n * 3 + 10;
		make_near_start(&l, n, ndocs, 11 + z, &raw, z == 3);
		cr_assert_eq(bidx_postings_encode(&enc, raw.p, raw.len, l.n, 2), BIDX_OK);
		uint8_t *copy = malloc(enc.len);
		for (size_t at = 0; at <= enc.len; at += z == 1 ? 97 : 5) {
			size_t len = damaged_copy(copy, enc.p, enc.len, at);
			for (uint64_t seed = 0; seed < 3; seed++) {
				uint32_t na = walk(copy, len, l.n, ndocs, 0, seed, a, CAP);
				uint32_t nb = walk(copy, len, l.n, ndocs, 1, seed, b, CAP);
				char what[80];
				snprintf(what, sizeof what, "list %u, byte %zu, walk %llu", z, at,
				         (unsigned long long)seed);
				same_walks(a, na, b, nb, what);
				nb = walk(copy, len, l.n, ndocs, 2, seed, b, CAP);
				snprintf(what, sizeof what, "list %u, byte %zu, walk %llu by parts", z, at,
				         (unsigned long long)seed);
				same_walks(a, na, b, nb, what);
			}
		}
		free(copy);
		drop(&l);
		bidx_buf_free(&raw);
		bidx_buf_free(&enc);
	}
	free(a);
	free(b);
}

/* The unigram cursor's steps, next only, logged as walk logs them (with
 * the three counts); returns the steps. */
static uint32_t walk_counts(const uint8_t *data, size_t len, uint32_t df, uint32_t ndocs,
                            int fast, uint64_t *log, uint32_t cap)
{
	bidx_pcur c;
	uint32_t n = 0;
	if (bidx_pcur_init(&c, data, len, df, 1, ndocs))
		return 0;
	while (n + 1 < cap) {
		int have = 0;
		bidx_err rc = fast ? bidx_pcur_next_counts_fast(&c, &have) : bidx_pcur_next(&c, &have);
		log[n++] = rc ? (uint64_t)rc << 62 : (uint64_t)have << 61 ^ (uint64_t)(c.doc + 1) << 32 ^
		           (uint64_t)c.tf ^ (uint64_t)c.tf_title << 8 ^ (uint64_t)c.tf_word << 16 ^
		           (uint64_t)c.tf_edge << 24;
		if (rc || !have)
			break;
	}
	return n;
}

/* next inlined on a unigram cursor walks a list exactly as the function
 * does, intact or with any byte changed or cut off: the same docs and
 * counts, the same refusals at the same step. */
Test(postings, inlined_unigram_cursor_walks_as_the_function_does)
{
	enum { CAP = 4000 };
	uint64_t *a = malloc(CAP * sizeof *a), *b = malloc(CAP * sizeof *b);
	for (uint32_t z = 0; z < 3; z++) {
		uint32_t n = z == 0 ? 300 : z == 1 ? 3000 : 129, ndocs = z == 1 ? 20000 : n * 3 + 10;
		bidx_buf raw = BIDX_BUF_INIT, enc = BIDX_BUF_INIT;
		uint64_t s = 5 + z;
		uint32_t prev = 0;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t room = ndocs - prev - (n - i);   /* docs left to place the rest in */
			uint32_t gap = room ? rnd(&s) % (room / (n - i) * 2 + 1) : 0;
			if (gap > room)
				gap = room;
			uint32_t tf = 1 + rnd(&s) % (i % 5 ? 6 : 900), title = rnd(&s) % (tf + 1);
			uint32_t word = rnd(&s) % (tf + 1), edge = rnd(&s) % (tf - word + 1);
			bidx_buf_put_varint(&raw, gap);
			bidx_buf_put_varint(&raw, tf);
			bidx_buf_put_varint(&raw, title);
			bidx_buf_put_varint(&raw, word);
			bidx_buf_put_varint(&raw, edge);
			prev += gap + 1;
		}
		cr_assert_eq(bidx_postings_encode(&enc, raw.p, raw.len, n, 1), BIDX_OK);
		uint8_t *copy = malloc(enc.len);
		cr_assert_eq(walk_counts(enc.p, enc.len, n, ndocs, 1, b, CAP), n + 1,
		             "list %u: the intact list walks its %u docs", z, n);
		for (size_t at = 0; at <= enc.len; at += z == 1 ? 7 : 3) {
			size_t len = damaged_copy(copy, enc.p, enc.len, at);
			uint32_t na = walk_counts(copy, len, n, ndocs, 0, a, CAP);
			uint32_t nb = walk_counts(copy, len, n, ndocs, 1, b, CAP);
			char what[64];
			snprintf(what, sizeof what, "list %u, byte %zu", z, at);
			same_walks(a, na, b, nb, what);
		}
		free(copy);
		bidx_buf_free(&raw);
		bidx_buf_free(&enc);
	}
	free(a);
	free(b);
}
