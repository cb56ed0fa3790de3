/*
 * test_codecs.c - the small codecs every section is built from: LEB128
 * varints and little-endian fixed ints (varint.h), and the document store
 * (docstore.h) round-tripped on real text, with and without a trained
 * dictionary, and fed damaged frames.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "docstore.h"
#include "testutil.h"
#include "varint.h"

#define ZSTD_STATIC_LINKING_ONLY   /* the buffer-less decoder: a frame's blocks */
#include <zstd.h>

static uint64_t rnd64(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	uint64_t x = *s;
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

/* ------------------------------------------------------------------ varint */

/* Values at every 7-bit length boundary, plus the extremes. */
static size_t edge_values(uint64_t *v)
{
	size_t n = 0;
	v[n++] = 0;
	v[n++] = 1;
	for (unsigned b = 7; b < 64; b += 7) {
		v[n++] = (1ULL << b) - 1;
		v[n++] = 1ULL << b;
	}
	v[n++] = UINT32_MAX;
	v[n++] = (uint64_t)UINT32_MAX + 1;
	v[n++] = 1ULL << 63;
	v[n++] = UINT64_MAX - 1;
	v[n++] = UINT64_MAX;
	return n;
}

/* Bytes a canonical LEB128 encoding of v takes. */
static size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

Test(varint, known_encodings)
{
	uint8_t b[BIDX_VARINT_MAX];

	cr_assert_eq(bidx_varint_put(b, 0), 1);
	cr_assert_eq(b[0], 0x00);
	cr_assert_eq(bidx_varint_put(b, 127), 1);
	cr_assert_eq(b[0], 0x7f);
	cr_assert_eq(bidx_varint_put(b, 128), 2);
	cr_assert(b[0] == 0x80 && b[1] == 0x01);
	cr_assert_eq(bidx_varint_put(b, 300), 2);   /* the protobuf example */
	cr_assert(b[0] == 0xac && b[1] == 0x02);
	cr_assert_eq(bidx_varint_put(b, UINT32_MAX), 5);
	cr_assert(b[0] == 0xff && b[1] == 0xff && b[2] == 0xff && b[3] == 0xff && b[4] == 0x0f);
	cr_assert_eq(bidx_varint_put(b, UINT64_MAX), BIDX_VARINT_MAX);
	for (int i = 0; i < 9; i++)
		cr_assert_eq(b[i], 0xff, "byte %d", i);
	cr_assert_eq(b[9], 0x01);
}

Test(varint, roundtrip_edges_and_random)
{
	uint64_t vals[40], s = 7;
	size_t nv = edge_values(vals);
	uint8_t b[BIDX_VARINT_MAX + 4];

	for (size_t i = 0; i < nv + 20000; i++) {
		/* random values of every magnitude, not just huge ones */
		uint64_t v = i < nv ? vals[i] : rnd64(&s) >> (rnd64(&s) % 64);
		memset(b, 0xee, sizeof b);
		size_t n = bidx_varint_put(b, v);
		cr_assert_eq(n, varint_len(v), "length of %llu", (unsigned long long)v);
		cr_assert_eq(b[n], 0xee, "put wrote past its length");
		const uint8_t *p = b;
		uint64_t got = ~v;
		cr_assert_eq(bidx_varint_get(&p, b + n, &got), 0);
		cr_assert_eq(got, v);
		cr_assert_eq(p, b + n, "get must consume exactly the encoding");

		/* trailing bytes are left alone */
		p = b;
		cr_assert_eq(bidx_varint_get(&p, b + sizeof b, &got), 0);
		cr_assert_eq(got, v);
		cr_assert_eq(p, b + n);

		uint32_t g32 = 0;
		p = b;
		if (v <= UINT32_MAX) {
			cr_assert_eq(bidx_varint_get32(&p, b + n, &g32), 0);
			cr_assert_eq(g32, (uint32_t)v);
			cr_assert_eq(p, b + n);
		} else {
			cr_assert_eq(bidx_varint_get32(&p, b + n, &g32), -1,
			             "get32 accepted %llu", (unsigned long long)v);
		}
	}
}

Test(varint, every_truncation_refused)
{
	uint64_t vals[40];
	size_t nv = edge_values(vals);
	uint8_t b[BIDX_VARINT_MAX];

	for (size_t i = 0; i < nv; i++) {
		size_t n = bidx_varint_put(b, vals[i]);
		for (size_t cut = 0; cut < n; cut++) {
			/* the truncated copy sits at the end of a heap block, so ASan
			 * catches any read past `end` */
			uint8_t *t = malloc(cut ? cut : 1);
			memcpy(t, b, cut);
			const uint8_t *p = t;
			uint64_t got = 12345;
			uint32_t g32 = 12345;
			cr_assert_eq(bidx_varint_get(&p, t + cut, &got), -1,
			             "%llu cut to %zu bytes", (unsigned long long)vals[i], cut);
			cr_assert_eq(p, t, "pointer moved on failure");
			cr_assert_eq(bidx_varint_get32(&p, t + cut, &g32), -1);
			cr_assert_eq(p, t);
			free(t);
		}
	}
}

Test(varint, overlong_refused)
{
	uint8_t b[16] = {0};
	const uint8_t *p;
	uint64_t v;

	/* 11 bytes: ten continuation bytes then a terminator */
	memset(b, 0x80, 10);
	b[10] = 0x00;
	p = b;
	cr_assert_eq(bidx_varint_get(&p, b + 11, &v), -1);
	cr_assert_eq(p, b);

	/* 11 bytes of all ones */
	memset(b, 0xff, 10);
	b[10] = 0x01;
	p = b;
	cr_assert_eq(bidx_varint_get(&p, b + 11, &v), -1);
	cr_assert_eq(p, b);

	/* 10 bytes whose last one carries bits beyond 2^64 */
	for (uint8_t last = 0x02; last < 0x80; last++) {
		memset(b, 0xff, 9);
		b[9] = last;
		p = b;
		cr_assert_eq(bidx_varint_get(&p, b + 10, &v), -1, "last byte %#x", last);
		cr_assert_eq(p, b);
	}

	/* the largest legal 10-byte form still decodes */
	memset(b, 0xff, 9);
	b[9] = 0x01;
	p = b;
	cr_assert_eq(bidx_varint_get(&p, b + 10, &v), 0);
	cr_assert_eq(v, UINT64_MAX);
}

Test(varint, get32_limits)
{
	uint8_t b[BIDX_VARINT_MAX];
	const uint8_t *p;
	uint32_t v;

	size_t n = bidx_varint_put(b, UINT32_MAX);
	p = b;
	cr_assert_eq(bidx_varint_get32(&p, b + n, &v), 0);
	cr_assert_eq(v, UINT32_MAX);

	uint64_t too_big[] = {(uint64_t)UINT32_MAX + 1, 1ULL << 35, 1ULL << 63, UINT64_MAX};
	for (size_t i = 0; i < sizeof too_big / sizeof *too_big; i++) {
		n = bidx_varint_put(b, too_big[i]);
		p = b;
		v = 7;
		cr_assert_eq(bidx_varint_get32(&p, b + n, &v), -1, "%llu",
		             (unsigned long long)too_big[i]);
	}
}

/* varint.h: get32 is "the same" as get, whose failures leave *pp unchanged;
 * but a value over 2^32-1 is refused after *pp has been advanced. */
Test(varint, get32_refusal_leaves_pointer)
{
	uint8_t b[BIDX_VARINT_MAX];
	size_t n = bidx_varint_put(b, (uint64_t)UINT32_MAX + 1);
	const uint8_t *p = b;
	uint32_t v;
	cr_assert_eq(bidx_varint_get32(&p, b + n, &v), -1);
	cr_assert_eq(p, b, "get32 advanced the pointer by %td bytes on failure", p - b);
}

Test(varint, buf_writer_matches)
{
	uint64_t vals[40];
	size_t nv = edge_values(vals);
	bidx_buf out = BIDX_BUF_INIT;
	uint8_t b[BIDX_VARINT_MAX];
	size_t want = 0;

	for (size_t i = 0; i < nv; i++)
		bidx_buf_put_varint(&out, vals[i]);
	cr_assert_eq(out.err, BIDX_OK);
	const uint8_t *p = out.p, *end = out.p + out.len;
	for (size_t i = 0; i < nv; i++) {
		size_t n = bidx_varint_put(b, vals[i]);
		cr_assert_eq(memcmp(p, b, n), 0, "value %zu encoded differently", i);
		uint64_t v;
		cr_assert_eq(bidx_varint_get(&p, end, &v), 0);
		cr_assert_eq(v, vals[i]);
		want += n;
	}
	cr_assert_eq(out.len, want);
	cr_assert_eq(p, end);
	bidx_buf_free(&out);
}

/* -------------------------------------------------------- fixed-width LE */

Test(fixed, byte_order)
{
	uint8_t b[8];

	bidx_put_u32le(b, 0x01020304u);
	cr_assert(b[0] == 4 && b[1] == 3 && b[2] == 2 && b[3] == 1);
	bidx_put_u64le(b, 0x0102030405060708ULL);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(b[i], 8 - i, "byte %d", i);

	/* high bits must not sign-extend */
	const uint8_t hi[8] = {0x00, 0x00, 0x00, 0x80, 0xff, 0x00, 0x00, 0x80};
	cr_assert_eq(bidx_get_u32le(hi), 0x80000000u);
	cr_assert_eq(bidx_get_u64le(hi), 0x800000ff80000000ULL);
	const uint8_t ones[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	cr_assert_eq(bidx_get_u32le(ones), UINT32_MAX);
	cr_assert_eq(bidx_get_u64le(ones), UINT64_MAX);
}

Test(fixed, roundtrip)
{
	uint64_t s = 99;
	uint8_t b[8];
	for (int i = 0; i < 10000; i++) {
		uint64_t v = rnd64(&s);
		bidx_put_u64le(b, v);
		cr_assert_eq(bidx_get_u64le(b), v);
		cr_assert_eq(bidx_get_u32le(b), (uint32_t)v, "low half first");
		cr_assert_eq(bidx_get_u32le(b + 4), (uint32_t)(v >> 32));
		bidx_put_u32le(b, (uint32_t)v);
		cr_assert_eq(bidx_get_u32le(b), (uint32_t)v);
	}

	bidx_buf out = BIDX_BUF_INIT;
	bidx_buf_put_u32le(&out, 0xdeadbeefu);
	bidx_buf_put_u64le(&out, 0x0123456789abcdefULL);
	cr_assert_eq(out.len, 12);
	cr_assert_eq(bidx_get_u32le(out.p), 0xdeadbeefu);
	cr_assert_eq(bidx_get_u64le(out.p + 4), 0x0123456789abcdefULL);
	bidx_buf_free(&out);
}

/* --------------------------------------------------------------- docstore */

typedef struct doc {
	char *title, *text;   /* text owns the bytes; title points into a copy */
	size_t tlen, len;
} doc;

typedef struct docset {
	doc *d;
	size_t n, cap, bytes;
} docset;

static void docset_add(docset *s, const char *title, size_t tlen, const char *text, size_t len)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->d = realloc(s->d, s->cap * sizeof *s->d);
		cr_assert_not_null(s->d);
	}
	doc *d = &s->d[s->n++];
	d->title = malloc(tlen + 1);
	d->text = malloc(len + 1);
	cr_assert(d->title && d->text);
	memcpy(d->title, title, tlen);
	memcpy(d->text, text, len);
	d->tlen = tlen;
	d->len = len;
	s->bytes += tlen + len;
}

static void docset_free(docset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->d[i].title);
		free(s->d[i].text);
	}
	free(s->d);
	memset(s, 0, sizeof *s);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	cr_assert_not_null(b);
	cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Adds a file with its first line as the title. */
static void add_file(docset *s, const char *path)
{
	size_t len;
	char *t = slurp(path, &len);
	const char *nl = memchr(t, '\n', len);
	docset_add(s, t, nl ? (size_t)(nl - t) : len, t, len);
	free(t);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular *.txt file under dir, recursively, sorted. */
static void list_txt(const char *dir, char ***paths, size_t *n, size_t *cap)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096];
		struct stat st;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		if (stat(p, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			list_txt(p, paths, n, cap);
		} else if (S_ISREG(st.st_mode) && strlen(p) > 4 && !strcmp(p + strlen(p) - 4, ".txt")) {
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 256;
				*paths = realloc(*paths, *cap * sizeof **paths);
			}
			(*paths)[(*n)++] = strdup(p);
		}
	}
	closedir(d);
	qsort(*paths, *n, sizeof **paths, cmp_str);
}

static void add_dir(docset *s, const char *dir, size_t budget)
{
	char **paths = NULL;
	size_t n = 0, cap = 0;
	list_txt(dir, &paths, &n, &cap);
	for (size_t i = 0; i < n; i++) {
		if (s->bytes < budget)
			add_file(s, paths[i]);
		free(paths[i]);
	}
	free(paths);
}

/* The seed notices, then livedoor articles until about `budget` bytes; without
 * livedoor, the seeds again under numbered titles. */
static void load_corpus(docset *s, size_t budget)
{
	const char *seeds = tu_corpus("seeds");
	cr_assert_not_null(seeds, "no seed corpus found");
	add_dir(s, seeds, SIZE_MAX);
	size_t nseeds = s->n;
	cr_assert_gt(nseeds, 0, "no .txt files in %s", seeds);
	const char *ld = tu_corpus("livedoor");
	if (ld)
		add_dir(s, ld, budget);
	for (size_t i = 0; s->bytes < budget; i++) {
		char title[64];
		const doc *o = &s->d[i % nseeds];
		int tl = snprintf(title, sizeof title, "copy %zu", i);
		docset_add(s, title, (size_t)tl, o->text, o->len);
	}
}

typedef struct store {
	bidx_dsw *w;
	const uint8_t *frames;   /* the STORE bytes */
	const uint8_t *dict;
	size_t dict_len;
	uint64_t *off;
	uint32_t *len;
} store;

static void store_build_with(store *st, const docset *s, int background)
{
	cr_assert_eq(bidx_dsw_new(&st->w), BIDX_OK);
	if (background)
		bidx_dsw_background(st->w);
	for (size_t i = 0; i < s->n; i++)
		cr_assert_eq(bidx_dsw_add(st->w, s->d[i].title, s->d[i].tlen, s->d[i].text, s->d[i].len),
		             BIDX_OK, "add doc %zu", i);
	cr_assert_eq(bidx_dsw_finish(st->w), BIDX_OK);
	const bidx_buf *b = bidx_dsw_store(st->w), *dict = bidx_dsw_dict(st->w);
	st->frames = b->p;
	st->dict = dict->p;
	st->dict_len = dict->len;
	st->off = calloc(s->n ? s->n : 1, sizeof *st->off);
	st->len = calloc(s->n ? s->n : 1, sizeof *st->len);
	uint64_t next = 0;
	for (size_t i = 0; i < s->n; i++) {
		bidx_dsw_frame(st->w, (uint32_t)i, &st->off[i], &st->len[i]);
		/* frames lie back to back in id order */
		cr_assert_eq(st->off[i], next, "frame %zu not contiguous", i);
		cr_assert_gt(st->len[i], 0);
		next += st->len[i];
	}
	cr_assert_eq(next, b->len, "STORE holds exactly the frames");
}

static void store_build(store *st, const docset *s)
{
	store_build_with(st, s, 0);
}

static void store_free(store *st)
{
	bidx_dsw_free(st->w);
	free(st->off);
	free(st->len);
}

/* Every document comes back byte for byte. */
static void check_all(const store *st, const docset *s)
{
	bidx_dsr *r;
	cr_assert_eq(bidx_dsr_new(st->dict, st->dict_len, &r), BIDX_OK);
	for (size_t i = 0; i < s->n; i++) {
		const doc *d = &s->d[i];
		char *buf;
		const char *title, *text;
		size_t tlen;
		cr_assert_eq(bidx_dsr_get(r, st->frames + st->off[i], st->len[i], (uint32_t)d->len,
		                          &buf, &title, &tlen, &text), BIDX_OK, "doc %zu", i);
		cr_assert_eq(tlen, d->tlen, "doc %zu title length", i);
		cr_assert_eq(memcmp(title, d->title, tlen), 0, "doc %zu title", i);
		cr_assert_eq(memcmp(text, d->text, d->len), 0, "doc %zu text", i);
		cr_assert_eq(text[d->len], 0, "doc %zu: buffer NUL-terminated", i);
		free(buf);
	}
	bidx_dsr_free(r);
}

Test(docstore, small_corpus_has_no_dictionary)
{
	docset s = {0};
	store st = {0};
	const char *seeds = tu_corpus("seeds");
	cr_assert_not_null(seeds, "no seed corpus found");
	add_dir(&s, seeds, SIZE_MAX);
	/* the writer trains only on >= 16 records and >= 64 KB */
	cr_assert(s.n < 16 || s.bytes < 64 * 1024, "seed corpus grew: adjust this test");
	store_build(&st, &s);
	cr_assert_eq(st.dict_len, 0);
	check_all(&st, &s);
	store_free(&st);
	docset_free(&s);
}

Test(docstore, few_large_records_have_no_dictionary)
{
	docset s = {0};
	store st = {0};
	size_t big = 100 * 1024;
	char *t = malloc(big);
	uint64_t r = 3;
	for (size_t i = 0; i < big; i++)
		t[i] = (char)('a' + rnd64(&r) % 26);
	for (int i = 0; i < 15; i++)
		docset_add(&s, "big", 3, t, big);
	free(t);
	store_build(&st, &s);
	cr_assert_eq(st.dict_len, 0, "15 records must not train a dictionary");
	check_all(&st, &s);
	store_free(&st);
	docset_free(&s);
}

Test(docstore, dictionary_trained_at_finish)
{
	docset s = {0};
	store st = {0};
	load_corpus(&s, 512 * 1024);   /* well under the 4 MB training point */
	cr_assert_geq(s.n, 16);
	store_build(&st, &s);
	cr_assert_gt(st.dict_len, 0, "%zu docs, %zu bytes: expected a dictionary", s.n, s.bytes);
	check_all(&st, &s);

	/* the frames need that dictionary: a reader without it refuses them */
	bidx_dsr *r;
	cr_assert_eq(bidx_dsr_new(NULL, 0, &r), BIDX_OK);
	for (size_t i = 0; i < s.n; i++) {
		char *buf = (char *)1;
		const char *title, *text;
		size_t tlen;
		cr_assert_eq(bidx_dsr_get(r, st.frames + st.off[i], st.len[i], (uint32_t)s.d[i].len,
		                          &buf, &title, &tlen, &text), BIDX_ECORRUPT, "doc %zu", i);
		cr_assert_null(buf);
	}
	bidx_dsr_free(r);
	store_free(&st);
	docset_free(&s);
}

Test(docstore, dictionary_trained_midstream, .timeout = 300)
{
	docset s = {0};
	store st = {0};
	load_corpus(&s, 5u << 20);   /* past 4 MB: later documents use the dictionary at once */
	store_build(&st, &s);
	cr_assert_gt(st.dict_len, 0);
	check_all(&st, &s);
	store_free(&st);
	docset_free(&s);
}

/* With the compression on the writer's thread, the dictionary and every
 * frame are the same bytes as without it: past the training point (the
 * records queued while it trains) and below it (trained at finish). */
Test(docstore, background_thread_writes_the_same_store, .timeout = 300)
{
	size_t budgets[] = {5u << 20, 300 * 1024};
	for (int k = 0; k < 2; k++) {
		docset s = {0};
		store a = {0}, b = {0};
		load_corpus(&s, budgets[k]);
		store_build_with(&a, &s, 0);
		store_build_with(&b, &s, 1);
		cr_assert_gt(a.dict_len, 0);
		cr_assert_eq(b.dict_len, a.dict_len, "budget %zu", budgets[k]);
		cr_assert_eq(memcmp(b.dict, a.dict, a.dict_len), 0);
		const bidx_buf *sa = bidx_dsw_store(a.w), *sb = bidx_dsw_store(b.w);
		cr_assert_eq(sb->len, sa->len, "budget %zu", budgets[k]);
		cr_assert_eq(memcmp(sb->p, sa->p, sa->len), 0);
		for (size_t i = 0; i < s.n; i++)
			cr_assert(a.off[i] == b.off[i] && a.len[i] == b.len[i], "frame %zu", i);
		check_all(&b, &s);
		store_free(&a);
		store_free(&b);
		docset_free(&s);
	}
	/* a writer freed with its thread still running, and one finished twice */
	bidx_dsw *w;
	cr_assert_eq(bidx_dsw_new(&w), BIDX_OK);
	bidx_dsw_background(w);
	cr_assert_eq(bidx_dsw_add(w, "t", 1, "text", 4), BIDX_OK);
	bidx_dsw_free(w);
	cr_assert_eq(bidx_dsw_new(&w), BIDX_OK);
	bidx_dsw_background(w);
	cr_assert_eq(bidx_dsw_add(w, "t", 1, "text", 4), BIDX_OK);
	cr_assert_eq(bidx_dsw_finish(w), BIDX_OK);
	cr_assert_eq(bidx_dsw_finish(w), BIDX_OK);
	uint64_t off;
	uint32_t len;
	bidx_dsw_frame(w, 0, &off, &len);
	cr_assert(off == 0 && len > 0 && bidx_dsw_store(w)->len == len);
	bidx_dsw_free(w);
	/* a merge adopts a dictionary before any document, thread or not */
	static const uint8_t raw_dict[] = "a raw-content dictionary of some text to refer to";
	cr_assert_eq(bidx_dsw_new(&w), BIDX_OK);
	bidx_dsw_background(w);
	cr_assert_eq(bidx_dsw_add_frame(w, raw_dict, sizeof raw_dict, NULL, 0), BIDX_OK);
	cr_assert_eq(bidx_dsw_add(w, "t", 1, "some text", 9), BIDX_OK);
	cr_assert_eq(bidx_dsw_finish(w), BIDX_OK);
	cr_assert_eq(bidx_dsw_dict(w)->len, sizeof raw_dict);
	bidx_dsw_free(w);
}

Test(docstore, empty_and_odd_records)
{
	docset s = {0};
	store st = {0};
	char longt[300], bin[256];
	for (size_t i = 0; i < sizeof longt; i++)
		longt[i] = (char)('A' + i % 26);
	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (char)i;
	docset_add(&s, "", 0, "", 0);
	docset_add(&s, "title only", 10, "", 0);
	docset_add(&s, "", 0, "text only", 9);
	docset_add(&s, longt, 127, "127-byte title", 14);
	docset_add(&s, longt, 128, "128-byte title: a two-byte varint", 33);
	docset_add(&s, longt, sizeof longt, bin, sizeof bin);   /* NULs and high bytes */
	store_build(&st, &s);
	check_all(&st, &s);
	store_free(&st);
	docset_free(&s);
}

/* A long record's frame is cut into blocks: reading the start of its text
 * decodes only the blocks up to there, so damage far past the prefix asked
 * for leaves the prefix readable (a frame of one block fails), while the
 * whole record is refused. */
Test(docstore, prefix_read_decodes_only_its_blocks)
{
	docset s = {0};
	store st = {0};
	size_t len = 96 << 10;
	char *text = malloc(len);
	cr_assert_not_null(text);
	uint32_t x = 12345;
	for (size_t i = 0; i + 3 <= len; i += 3) {   /* kana in a poorly compressible order */
		x = x * 1103515245u + 12345u;
		uint32_t c = 0x3041 + (x >> 16) % 83;
		text[i] = (char)(0xE0 | c >> 12);
		text[i + 1] = (char)(0x80 | (c >> 6 & 0x3F));
		text[i + 2] = (char)(0x80 | (c & 0x3F));
	}
	docset_add(&s, "long", 4, text, len - len % 3);
	store_build(&st, &s);
	check_all(&st, &s);
	uint8_t *f = malloc(st.len[0]);
	cr_assert_not_null(f);
	memcpy(f, st.frames + st.off[0], st.len[0]);
	for (size_t i = st.len[0] - st.len[0] / 4; i < st.len[0] - 8; i++)
		f[i] = 0xFF;   /* the last quarter of the frame, but not the checksum */
	bidx_dsr *r;
	cr_assert_eq(bidx_dsr_new(st.dict, st.dict_len, &r), BIDX_OK);
	char *buf;
	const char *title, *got;
	size_t tlen, avail;
	cr_assert_eq(bidx_dsr_get_prefix(r, f, st.len[0], (uint32_t)s.d[0].len, 3000, &buf, &title,
	                                 &tlen, &got, &avail), BIDX_OK,
	             "a prefix decodes only the blocks it needs");
	cr_assert_eq(avail, 3000);
	cr_assert_eq(memcmp(got, text, 3000), 0);
	cr_assert_eq(tlen, 4);
	free(buf);
	cr_assert_neq(bidx_dsr_get(r, f, st.len[0], (uint32_t)s.d[0].len, &buf, &title, &tlen, &got),
	              BIDX_OK, "the whole damaged record is refused");
	bidx_dsr_free(r);
	free(f);
	free(text);
	store_free(&st);
	docset_free(&s);
}

/* The writer ends a frame's first block after 1,280 bytes of record (the
 * title and a news article's first snippet window), then one every 2 KiB:
 * a snippet near the start decodes 1,280 bytes, not 2,048. */
Test(docstore, blocks_end_after_1280_bytes_then_every_2_kib)
{
	docset s = {0};
	store st = {0};
	size_t len = 9000;
	char *text = malloc(len);
	cr_assert_not_null(text);
	for (size_t i = 0; i < len; i++)
		text[i] = (char)('a' + (i * 7919 % 26));
	docset_add(&s, "title", 5, text, len);
	store_build(&st, &s);
	ZSTD_DCtx *z = ZSTD_createDCtx();
	size_t rlen = 1 + 5 + len, at = 0, pos = 0, nblocks = 0, sizes[16];
	char *out = malloc(rlen);
	cr_assert(z && out);
	cr_assert(!ZSTD_isError(ZSTD_decompressBegin(z)));
	for (size_t step; (step = ZSTD_nextSrcSizeToDecompress(z)) != 0; at += step) {
		cr_assert_leq(at + step, st.len[0]);
		size_t got = ZSTD_decompressContinue(z, out + pos, rlen - pos, st.frames + at, step);
		cr_assert(!ZSTD_isError(got));
		if (got && nblocks < 16)
			sizes[nblocks++] = got;
		pos += got;
	}
	cr_assert_eq(pos, rlen);
	cr_assert_eq(memcmp(out + 6, text, len), 0);
	cr_assert_eq(nblocks, 5);   /* 1280 + 3 * 2048 + 1576 = 9006 */
	cr_assert_eq(sizes[0], 1280);
	for (size_t i = 1; i < 4; i++)
		cr_assert_eq(sizes[i], 2048, "block %zu", i);
	cr_assert_eq(sizes[4], rlen - 1280 - 3 * 2048);
	free(out);
	ZSTD_freeDCtx(z);
	free(text);
	store_free(&st);
	docset_free(&s);
}

/* A prefix of every length reads back the text's first bytes, across the
 * writer's block ends, and from a frame of one long block too (another
 * writer's): the prefix decode writes straight into a buffer that ends
 * with the block of the prefix's end, and takes the whole frame when a
 * block does not fit. */
Test(docstore, prefix_of_every_length_across_blocks)
{
	docset s = {0};
	store st = {0};
	size_t len = 3 * 7000;
	char *text = malloc(len);
	cr_assert_not_null(text);
	for (size_t i = 0; i < len; i += 3) {   /* あいう... */
		uint32_t c = 0x3041 + (uint32_t)(i / 3 * 7 % 83);
		text[i] = (char)(0xE0 | c >> 12);
		text[i + 1] = (char)(0x80 | (c >> 6 & 0x3F));
		text[i + 2] = (char)(0x80 | (c & 0x3F));
	}
	docset_add(&s, "title", 5, text, len);
	store_build(&st, &s);
	/* the same record as one zstd block, without a dictionary */
	size_t rlen = 1 + 5 + len, bound = ZSTD_compressBound(rlen);
	char *rec = malloc(rlen);
	uint8_t *one = malloc(bound);
	cr_assert(rec && one);
	rec[0] = 5;
	memcpy(rec + 1, "title", 5);
	memcpy(rec + 6, text, len);
	size_t olen = ZSTD_compress(one, bound, rec, rlen, 3);
	cr_assert(!ZSTD_isError(olen));
	bidx_dsr *r, *plain;
	cr_assert_eq(bidx_dsr_new(st.dict, st.dict_len, &r), BIDX_OK);
	cr_assert_eq(bidx_dsr_new(NULL, 0, &plain), BIDX_OK);
	for (size_t want = 0; want < len + 10; want += want < 4200 ? 1 : 61) {
		for (int k = 0; k < 2; k++) {
			char *buf;
			const char *title, *got;
			size_t tlen, avail;
			bidx_err rc = k ? bidx_dsr_get_prefix(plain, one, olen, (uint32_t)len, want, &buf,
			                                      &title, &tlen, &got, &avail)
			                : bidx_dsr_get_prefix(r, st.frames + st.off[0], st.len[0],
			                                      (uint32_t)len, want, &buf, &title, &tlen, &got,
			                                      &avail);
			cr_assert_eq(rc, BIDX_OK, "want %zu (%s)", want, k ? "one block" : "blocks");
			cr_assert_geq(avail, want < len ? want : len);
			cr_assert_leq(avail, len);
			cr_assert_eq(tlen, 5);
			cr_assert_eq(memcmp(title, "title", 5), 0);
			cr_assert_eq(memcmp(got, text, avail), 0, "want %zu", want);
			cr_assert_eq(got[avail], 0, "want %zu: NUL-terminated", want);
			free(buf);
		}
	}
	bidx_dsr_free(r);
	bidx_dsr_free(plain);
	free(one);
	free(rec);
	free(text);
	store_free(&st);
	docset_free(&s);
}

/* The reader keeps its own copy of the dictionary (it decodes a record
 * right after it): the caller's bytes may change or go at once.  Records shorter and
 * longer than the room after the copy read back whole and by prefix, in
 * any order on one reader; a prefix read skips the frame's checksum, which
 * a later whole read of the same reader still checks. */
Test(docstore, reader_keeps_its_dictionary_and_checks_whole_records)
{
	docset s = {0};
	store st = {0};
	load_corpus(&s, 512 * 1024);
	size_t nsmall = s.n, big = 0, cap = 200 * 1024;
	char *bigt = malloc(cap);
	cr_assert_not_null(bigt);
	for (size_t i = 0; big + s.d[i % nsmall].len <= cap && big < 150 * 1024; i++) {
		memcpy(bigt + big, s.d[i % nsmall].text, s.d[i % nsmall].len);
		big += s.d[i % nsmall].len;
	}
	cr_assert_gt(big, 100 * 1024, "a record past the reader's room");
	docset_add(&s, "big", 3, bigt, big);
	store_build(&st, &s);
	cr_assert_gt(st.dict_len, 0);
	uint8_t *dict = malloc(st.dict_len);
	cr_assert_not_null(dict);
	memcpy(dict, st.dict, st.dict_len);
	bidx_dsr *r;
	cr_assert_eq(bidx_dsr_new(dict, st.dict_len, &r), BIDX_OK);
	memset(dict, 0xA5, st.dict_len);   /* the caller's bytes changed (and freed at the end) */
	for (size_t j = 0; j < 2 * s.n; j++) {
		size_t i = j % 2 ? s.n - 1 : j / 2;   /* the big record between the others */
		const doc *d = &s.d[i];
		size_t want = j % 3 ? d->len / 2 : d->len;
		char *buf;
		const char *title, *text;
		size_t tlen, avail;
		cr_assert_eq(bidx_dsr_get_prefix(r, st.frames + st.off[i], st.len[i], (uint32_t)d->len,
		                                 want, &buf, &title, &tlen, &text, &avail), BIDX_OK,
		             "doc %zu, %zu bytes", i, want);
		cr_assert(tlen == d->tlen && memcmp(title, d->title, tlen) == 0, "doc %zu", i);
		cr_assert(avail >= want && memcmp(text, d->text, avail) == 0, "doc %zu", i);
		free(buf);
		cr_assert_eq(bidx_dsr_get(r, st.frames + st.off[i], st.len[i], (uint32_t)d->len, &buf,
		                          &title, &tlen, &text), BIDX_OK, "doc %zu", i);
		cr_assert_eq(memcmp(text, d->text, d->len), 0, "doc %zu", i);
		free(buf);
	}
	/* a damaged checksum: invisible to a prefix, refused whole, after a prefix too */
	for (size_t i = 0; i < s.n; i++) {
		if (s.d[i].len < 64)
			continue;
		uint8_t *f = malloc(st.len[i]);
		cr_assert_not_null(f);
		memcpy(f, st.frames + st.off[i], st.len[i]);
		f[st.len[i] - 1] ^= 0x55;
		char *buf;
		const char *title, *text;
		size_t tlen, avail;
		cr_assert_eq(bidx_dsr_get_prefix(r, f, st.len[i], (uint32_t)s.d[i].len, 8, &buf, &title,
		                                 &tlen, &text, &avail), BIDX_OK, "doc %zu", i);
		free(buf);
		cr_assert_eq(bidx_dsr_get(r, f, st.len[i], (uint32_t)s.d[i].len, &buf, &title, &tlen,
		                          &text), BIDX_ECORRUPT, "doc %zu: checksum after a prefix", i);
		free(f);
	}
	bidx_dsr_free(r);
	free(dict);
	free(bigt);
	store_free(&st);
	docset_free(&s);
}

/* A damaged frame: either refused as corrupt, or (zstd frames carry no
 * checksum, so some flipped literals decode fine) a consistent record. */
static void get_damaged(bidx_dsr *r, const uint8_t *f, size_t flen, uint32_t text_len,
                        int must_fail, const char *what, size_t at)
{
	uint8_t *copy = malloc(flen ? flen : 1);   /* exact size: ASan sees overreads */
	memcpy(copy, f, flen);
	char *buf = (char *)1;
	const char *title = "x", *text = "x";
	size_t tlen = 99;
	bidx_err rc = bidx_dsr_get(r, copy, flen, text_len, &buf, &title, &tlen, &text);
	if (rc != BIDX_OK || must_fail) {
		cr_assert_eq(rc, BIDX_ECORRUPT, "%s at %zu: got %d", what, at, rc);
		cr_assert_null(buf, "%s at %zu", what, at);
		cr_assert_null(title);
		cr_assert_null(text);
		cr_assert_eq(tlen, 0);
	} else {
		cr_assert_not_null(buf);
		cr_assert(title >= buf && title - buf <= BIDX_VARINT_MAX, "%s at %zu", what, at);
		cr_assert_eq(text, title + tlen);
		cr_assert_eq(text[text_len], 0, "%s at %zu: text_len bytes then the NUL", what, at);
		free(buf);
	}
	free(copy);
}

static void damage_frames(const store *st, const docset *s, size_t ndocs)
{
	bidx_dsr *r;
	cr_assert_eq(bidx_dsr_new(st->dict, st->dict_len, &r), BIDX_OK);
	for (size_t i = 0; i < ndocs && i < s->n; i++) {
		const uint8_t *f = st->frames + st->off[i];
		size_t flen = st->len[i];
		uint32_t tl = (uint32_t)s->d[i].len;
		uint8_t *m = malloc(flen + 8);
		memcpy(m, f, flen);

		for (size_t cut = 0; cut < flen; cut++)
			get_damaged(r, f, cut, tl, 1, "truncated", cut);

		/* wrong text_len: the stored title length no longer adds up */
		uint32_t bad_tl[] = {tl + 1, tl ? tl - 1 : 1, tl ? 0 : 5, UINT32_MAX, tl + (1u << 21)};
		for (size_t k = 0; k < sizeof bad_tl / sizeof *bad_tl; k++)
			get_damaged(r, f, flen, bad_tl[k], 1, "text_len", bad_tl[k]);

		/* trailing garbage after the frame */
		memset(m + flen, 0, 8);
		get_damaged(r, m, flen + 8, tl, 1, "8 zero bytes appended", flen);

		/* the magic number */
		for (size_t k = 0; k < 4; k++) {
			m[k] ^= 0x01;
			get_damaged(r, m, flen, tl, 1, "flipped magic", k);
			m[k] ^= 0x01;
		}

		/* every byte, one bit and all bits */
		for (size_t k = 0; k < flen; k++) {
			uint8_t masks[] = {0x01, 0x80, 0xff};
			for (size_t j = 0; j < sizeof masks; j++) {
				m[k] ^= masks[j];
				get_damaged(r, m, flen, tl, 0, "flipped byte", k);
				m[k] ^= masks[j];
			}
		}
		free(m);
	}
	bidx_dsr_free(r);
}

Test(docstore, corrupt_frames_without_dictionary, .timeout = 300)
{
	docset s = {0};
	store st = {0};
	const char *seeds = tu_corpus("seeds");
	cr_assert_not_null(seeds, "no seed corpus found");
	add_dir(&s, seeds, SIZE_MAX);
	docset_add(&s, "", 0, "", 0);
	store_build(&st, &s);
	cr_assert_eq(st.dict_len, 0);
	damage_frames(&st, &s, 2);
	damage_frames(&st, &s, s.n);   /* the empty record is last */
	store_free(&st);
	docset_free(&s);
}

Test(docstore, corrupt_frames_with_dictionary, .timeout = 300)
{
	docset s = {0};
	store st = {0};
	load_corpus(&s, 256 * 1024);
	store_build(&st, &s);
	cr_assert_gt(st.dict_len, 0);
	damage_frames(&st, &s, 3);
	store_free(&st);
	docset_free(&s);
}

Test(docstore, garbage_frames)
{
	bidx_dsr *r;
	uint64_t seed = 11;
	uint8_t g[512];
	cr_assert_eq(bidx_dsr_new(NULL, 0, &r), BIDX_OK);
	for (int i = 0; i < 2000; i++) {
		size_t n = rnd64(&seed) % sizeof g;
		for (size_t k = 0; k < n; k++)
			g[k] = (uint8_t)rnd64(&seed);
		if (i % 2 && n >= 4) {   /* half of them start like a zstd frame */
			g[0] = 0x28; g[1] = 0xb5; g[2] = 0x2f; g[3] = 0xfd;
		}
		get_damaged(r, g, n, (uint32_t)(rnd64(&seed) % 600), 0, "garbage", (size_t)i);
	}
	bidx_dsr_free(r);
}
