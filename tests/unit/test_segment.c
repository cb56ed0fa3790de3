/*
 * test_segment.c - the segment codec round trip: a small segment written by
 * the segment writer (indexer/segment_writer.h) from documents analysed by
 * hand, opened by the reader (common/segment.h) and read back section by
 * section through the accessors; then verified at every depth, whole and
 * with one byte flipped in each section (every flip is reported under the
 * section's name), and with resealed edits that only the structure or the
 * content pass can see.  No MeCab: the word boundaries are made up.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "docstore.h"
#include "fields.h"
#include "invert.h"
#include "io.h"
#include "normalize.h"
#include "postings.h"
#include "segment.h"
#include "segment_writer.h"
#include "testutil.h"
#include "varint.h"

/* Enough documents (16) and text (64 KiB) for the store to train a
 * dictionary, so that ZDICT is not empty either. */
#define NDOCS 40
#define WORDS_PER_DOC 400

static const char *const vocab[] = {
	"個人情報", "漏えい", "の", "お詫び", "について", "弊社", "が", "運営する", "サイト",
	"において", "不正アクセス", "を", "受け", "クレジットカード", "情報", "流出", "した",
	"可能性", "あります", "。", "お客様", "に", "多大な", "ご迷惑", "と", "ご心配", "おかけ",
	"し", "深く", "お詫び申し上げます", "長崎市", "令和6年", "5月", "21日", "調査", "結果",
	"第三者", "委員会", "再発防止", "策", "メール", "住所", "氏名", "電話番号", "件", "名",
	"ABC", "2024", "対策", "、",
};
#define NVOCAB (sizeof vocab / sizeof *vocab)

typedef struct doc {
	char *text;           /* the first line is the title */
	size_t len, tlen;
	bidx_norm n;
	uint8_t *bits;        /* a boundary at every character */
	uint32_t title_end;   /* characters of the title */
	char path[32];
} doc;

static char *dir, *file;
static doc docs[NDOCS];
static uint64_t nterms;

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

static void make_doc(doc *d, int i, uint64_t *seed)
{
	bidx_buf b = BIDX_BUF_INIT;
	char title[64];
	int tl = snprintf(title, sizeof title, "お知らせ第%d号", i);
	bidx_buf_put(&b, title, (size_t)tl);
	bidx_buf_putc(&b, '\n');
	for (int w = 0; w < WORDS_PER_DOC; w++) {
		const char *v = vocab[rnd(seed) % NVOCAB];
		bidx_buf_put(&b, v, strlen(v));
	}
	cr_assert_eq(b.err, BIDX_OK);
	d->text = (char *)b.p;
	d->len = b.len;
	d->tlen = (size_t)tl;
	cr_assert_eq(bidx_normalize(d->text, d->len, 0, &d->n), BIDX_OK);
	bidx_norm t;
	cr_assert_eq(bidx_normalize(title, (size_t)tl, 0, &t), BIDX_OK);
	d->title_end = t.nchars;
	bidx_norm_free(&t);
	d->bits = calloc(((size_t)d->n.nchars + 8) / 8, 1);
	cr_assert(d->bits);
	for (uint32_t k = 0; k <= d->n.nchars; k++)
		d->bits[k >> 3] |= (uint8_t)(1u << (k & 7));
	snprintf(d->path, sizeof d->path, "/corpus/notice-%02d.txt", i);
}

static bidx_err inv_terms(void *inv, bidx_segw_term_fn fn, void *w)
{
	return bidx_inv_write(inv, fn, w);
}

/* The byte of each document's text where its character k starts, found by
 * normalising the prefix (the texts are short). */
static uint32_t byte_of(const doc *d, uint32_t k)
{
	for (uint32_t b = 0; b < d->len; b++) {
		bidx_norm p;
		if (((uint8_t)d->text[b] & 0xC0) == 0x80)
			continue;   /* inside a character */
		cr_assert_eq(bidx_normalize(d->text, b, 0, &p), BIDX_OK);
		uint32_t n = p.nchars;
		bidx_norm_free(&p);
		if (n == k)
			return b;
	}
	return 0;
}

/* Writes the segment DIR/seg-000001.bidx of NDOCS made-up documents. */
static void setup(void)
{
	uint64_t seed = 42;
	dir = tu_tmpdir("segment");
	file = bidx_path_join(dir, TU_SEGMENT);
	bidx_inverter *inv;
	bidx_dsw *dsw;
	cr_assert_eq(bidx_inv_new(&inv), BIDX_OK);
	cr_assert_eq(bidx_dsw_new(&dsw), BIDX_OK);
	bidx_buf bounds = BIDX_BUF_INIT, paths = BIDX_BUF_INIT, fields = BIDX_BUF_INIT;
	bidx_buf fieldstr = BIDX_BUF_INIT, first = BIDX_BUF_INIT, ckpts = BIDX_BUF_INIT;
	bidx_docrec recs[NDOCS];
	bidx_meta meta = {NDOCS, 0, 0, 0, 1700000000, 0};
	uint64_t nck = 0;
	for (int i = 0; i < NDOCS; i++) {
		doc *d = &docs[i];
		make_doc(d, i, &seed);
		cr_assert_eq(bidx_inv_add(inv, (uint32_t)i, d->n.cp, d->n.nchars, d->bits, 0,
		                          d->title_end), BIDX_OK);
		cr_assert_eq(bidx_dsw_add(dsw, d->text, d->tlen, d->text, d->len), BIDX_OK);
		bidx_docrec r = {0, bounds.len, 0, (uint32_t)paths.len, (uint32_t)strlen(d->path),
		                 d->n.nchars, d->n.nchars, 0, d->title_end, (uint32_t)d->len};
		recs[i] = r;
		bidx_buf_put(&bounds, d->bits, ((size_t)d->n.nchars + 8) / 8);
		bidx_buf_put(&paths, d->path, strlen(d->path));
		bidx_fieldrec fr = {20240521, 20240521, 3, 2, 0, (uint64_t)i + 1, 1, 2, 0,
		                    fieldstr.len, 0};
		size_t at = fieldstr.len;
		bidx_fstr_put(&fieldstr, "org", "長崎市", strlen("長崎市"), "長崎市",
		              strlen("長崎市"), "text");
		fr.str_len = (uint32_t)(fieldstr.len - at);
		uint8_t frec[BIDX_FIELDS_SIZE];
		bidx_fieldrec_encode(&fr, frec);
		bidx_buf_put(&fields, frec, sizeof frec);
		bidx_buf_put_u64le(&first, nck);
		if (i % 2 == 0) {   /* one checkpoint, at character 200 */
			bidx_buf_put_u32le(&ckpts, 200);
			bidx_buf_put_u32le(&ckpts, byte_of(d, 200));
			nck++;
		}
		meta.total_tokens += r.ntokens;
		meta.total_chars += r.nchars;
		meta.corpus_bytes += r.text_len;
	}
	meta.nterms = nterms = bidx_inv_nterms(inv);
	bidx_segw_input in = {meta, inv_terms, inv, recs, dsw,
	                      {bounds.p, bounds.len}, {paths.p, paths.len},
	                      {fields.p, fields.len}, {fieldstr.p, fieldstr.len},
	                      {first.p, first.len}, {ckpts.p, ckpts.len}, nck};
	uint64_t size;
	char why[512];
	cr_assert_eq(bidx_segw_write(dir, TU_SEGMENT, &in, &size, why, sizeof why), BIDX_OK, "%s",
	             why);
	cr_assert_gt(size, 0);
	bidx_inv_free(inv);
	bidx_dsw_free(dsw);
	bidx_buf_free(&bounds);
	bidx_buf_free(&paths);
	bidx_buf_free(&fields);
	bidx_buf_free(&fieldstr);
	bidx_buf_free(&first);
	bidx_buf_free(&ckpts);
}

static void teardown(void)
{
	for (int i = 0; i < NDOCS; i++) {
		free(docs[i].text);
		free(docs[i].bits);
		bidx_norm_free(&docs[i].n);
	}
	tu_rmtree(dir);
	free(dir);
	free(file);
}

TestSuite(segment, .init = setup, .fini = teardown, .timeout = 300);

static bidx_segment *open_good(void)
{
	bidx_segment *s;
	char why[256];
	cr_assert_eq(bidx_segment_open_file(file, &s, why, sizeof why), BIDX_OK, "%s", why);
	return s;
}

Test(segment, every_section_reads_back)
{
	bidx_segment *s = open_good();
	/* META */
	const bidx_meta *m = bidx_segment_meta(s);
	cr_assert_eq(bidx_segment_ndocs(s), NDOCS);
	cr_assert_eq(m->nterms, nterms);
	cr_assert_eq(m->build_time, 1700000000);
	uint64_t chars = 0, bytes = 0;
	for (int i = 0; i < NDOCS; i++)
		chars += docs[i].n.nchars, bytes += docs[i].len;
	cr_assert_eq(m->total_chars, chars);
	cr_assert_eq(m->total_tokens, chars);
	cr_assert_eq(m->corpus_bytes, bytes);
	for (uint32_t i = 0; i < NDOCS; i++) {
		const doc *d = &docs[i];
		/* DOCS, BOUNDS, PATHS */
		bidx_docrec r;
		cr_assert_eq(bidx_segment_doc(s, i, &r), BIDX_OK);
		cr_assert_eq(r.nchars, d->n.nchars);
		cr_assert_eq(bidx_segment_ntokens(s, i), d->n.nchars);
		cr_assert_eq(r.title_end, d->title_end);
		cr_assert_eq(r.text_len, d->len);
		cr_assert_eq(r.path_len, strlen(d->path));
		cr_assert(!memcmp(bidx_segment_path(s, &r), d->path, r.path_len));
		cr_assert(!memcmp(bidx_segment_bounds(s, &r), d->bits, ((size_t)r.nchars + 8) / 8));
		/* STORE, with ZDICT */
		char *buf;
		const char *title, *text;
		size_t tlen;
		cr_assert_eq(bidx_segment_fetch(s, &r, &buf, &title, &tlen, &text), BIDX_OK);
		cr_assert_eq(tlen, d->tlen);
		cr_assert(!memcmp(title, d->text, tlen));
		cr_assert(!memcmp(text, d->text, d->len));
		free(buf);
		/* FIELDS, FIELDSTR */
		bidx_fieldrec fr;
		bidx_fstr f;
		cr_assert_eq(bidx_segment_fields(s, i, &fr), BIDX_OK);
		cr_assert_eq(fr.date_lo, 20240521);
		cr_assert_eq(fr.affected, (uint64_t)i + 1);
		const uint8_t *p = bidx_segment_fieldstr(s, &fr), *end = p + fr.str_len;
		int have;
		cr_assert_eq(bidx_fstr_next(&p, end, &f, &have), BIDX_OK);
		cr_assert_eq(have, 1);
		cr_assert(f.nlen == 3 && !memcmp(f.name, "org", 3));
		cr_assert(f.vlen == strlen("長崎市") && !memcmp(f.value, "長崎市", f.vlen));
		cr_assert_eq(bidx_fstr_next(&p, end, &f, &have), BIDX_OK);
		cr_assert_eq(have, 0);
		/* CKPTS */
		const uint8_t *pairs;
		uint32_t np;
		cr_assert_eq(bidx_segment_ckpts(s, i, &pairs, &np), BIDX_OK);
		cr_assert_eq(np, i % 2 == 0);
		if (np)
			cr_assert_eq(bidx_get_u32le(pairs), 200);
	}
	cr_assert_eq(bidx_segment_ntokens(s, NDOCS), 0, "out of range is 0");
	bidx_docrec r;
	cr_assert_eq(bidx_segment_doc(s, NDOCS, &r), BIDX_ECORRUPT);
	/* TERMS, POSTINGS (through CHUNKS): 情報 at every place the texts have it */
	bidx_term t;
	uint32_t c1 = 0x60C5, c2 = 0x5831;   /* 情 報 */
	int have;
	cr_assert_eq(bidx_termdict_find(bidx_segment_termdict(s), bidx_key2(c1, c2), &t, &have),
	             BIDX_OK);
	cr_assert_eq(have, 1);
	cr_assert_eq(bidx_segment_need(s, BIDX_SEC_POSTINGS, t.post_off, t.post_len), BIDX_OK);
	bidx_pcur cur;
	cr_assert_eq(bidx_pcur_init(&cur, bidx_segment_postings(s, &t), t.post_len, t.df, 2, NDOCS), 0);
	uint32_t seen = 0, pos[WORDS_PER_DOC * 2];
	while (bidx_pcur_next(&cur, &have) == BIDX_OK && have) {
		const doc *d = &docs[cur.doc];
		cr_assert_leq(cur.tf, sizeof pos / sizeof *pos);
		cr_assert_eq(bidx_pcur_positions(&cur, pos, d->n.nchars - 1), 0);
		for (uint32_t k = 0; k < cur.tf; k++)
			cr_assert(d->n.cp[pos[k]] == c1 && d->n.cp[pos[k] + 1] == c2);
		seen++;
	}
	cr_assert_eq(seen, t.df);
	/* every section is there, ZDICT too (trained), and laid out in id order */
	const uint8_t *prev = NULL;
	for (int id = 1; id <= BIDX_SEC_MAX; id++) {
		const uint8_t *p;
		size_t len;
		bidx_segment_section(s, id, &p, &len);
		cr_assert_gt(len, 0, "section %s is empty", bidx_section_name(id));
		cr_assert(!prev || p > prev);
		prev = p;
	}
	bidx_segment_close(s);
}

static void collect(const char *section, const char *msg, void *arg)
{
	bidx_buf *b = arg;
	bidx_buf_put(b, section, strlen(section));
	bidx_buf_put(b, ": ", 2);
	bidx_buf_put(b, msg, strlen(msg));
	bidx_buf_put(b, "\n", 2);   /* the NUL too: the buffer stays a string */
	b->len--;
}

Test(segment, a_sound_segment_verifies_at_every_depth)
{
	bidx_segment *s = open_good();
	for (int depth = BIDX_VERIFY_SUMS; depth <= BIDX_VERIFY_DEEP; depth++) {
		bidx_buf msgs = BIDX_BUF_INIT;
		bidx_findings f = {.fn = collect, .arg = &msgs};
		cr_assert_eq(bidx_segment_verify(s, depth, &f), BIDX_OK, "depth %d:\n%s", depth,
		             msgs.p ? (char *)msgs.p : "");
		cr_assert_eq(f.problems, 0);
		if (depth >= BIDX_VERIFY_STRUCTURE) {
			cr_assert_eq(f.docs, NDOCS);
			cr_assert_eq(f.terms, nterms);
			cr_assert_gt(f.postings, nterms - 1);
		}
		cr_assert_eq(f.content_checked, depth == BIDX_VERIFY_DEEP);
		bidx_buf_free(&msgs);
	}
	bidx_segment_close(s);
}

static uint8_t *read_good(size_t *size)
{
	char *data;
	cr_assert_eq(bidx_read_file(file, &data, size), BIDX_OK);
	return (uint8_t *)data;
}

static void write_file(const char *path, const uint8_t *m, size_t n)
{
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	cr_assert_eq(fwrite(m, 1, n, f), n);
	cr_assert_eq(fclose(f), 0);
}

/* Verifies m as a file at the deepest level; the reports, one a line. */
static char *verify_bytes(const uint8_t *m, size_t size, uint64_t *problems)
{
	char *bad = bidx_path_join(dir, "bad.bidx"), why[256];
	write_file(bad, m, size);
	bidx_buf msgs = BIDX_BUF_INIT;
	bidx_findings f = {.fn = collect, .arg = &msgs};
	bidx_segment *s;
	bidx_err rc = bidx_segment_verify_file(bad, BIDX_VERIFY_DEEP, &f, &s, why, sizeof why);
	cr_assert(rc == BIDX_OK || rc == BIDX_ECORRUPT, "%d: %s", rc, why);
	cr_assert_eq(rc == BIDX_ECORRUPT, f.problems > 0);
	bidx_segment_close(s);
	free(bad);
	*problems = f.problems;
	return msgs.p ? (char *)msgs.p : strdup("");
}

Test(segment, a_flipped_byte_is_reported_in_its_section)
{
	size_t size;
	uint8_t *orig = read_good(&size), *m = malloc(size);
	uint64_t n;
	char *out = verify_bytes(orig, size, &n);
	cr_assert_eq(n, 0, "%s", out);
	free(out);
	for (int id = 1; id <= BIDX_SEC_MAX; id++) {
		uint64_t off, len;
		cr_assert_eq(bidx_segment_locate(orig, size, id, &off, &len), BIDX_OK);
		memcpy(m, orig, size);
		m[off + len / 2] ^= 0x20;
		out = verify_bytes(m, size, &n);
		char want[64];
		snprintf(want, sizeof want, "%s: checksum mismatch", bidx_section_name(id));
		cr_assert(strstr(out, want), "flip in %s:\n%s", bidx_section_name(id), out);
		free(out);
		if (bidx_section_chunked(id) >= 0) {
			/* a chunked section opens (its chunks are verified when read)
			 * unless opening reads the flipped chunk (the term dictionary's
			 * block index, the end of the CKPTS index): verifying the open
			 * segment finds the chunk */
			char *bad = bidx_path_join(dir, "bad.bidx"), why[256];
			bidx_segment *s;
			bidx_err orc = bidx_segment_open_file(bad, &s, why, sizeof why);
			if (orc) {
				cr_assert_eq(orc, BIDX_ECORRUPT, "%s", why);
				snprintf(want, sizeof want, "checksum mismatch in section %s",
				         bidx_section_name(id));
				cr_assert(strstr(why, want), "%s", why);
				free(bad);
				continue;
			}
			bidx_buf msgs = BIDX_BUF_INIT;
			bidx_findings f = {.fn = collect, .arg = &msgs, .why = why, .whylen = sizeof why};
			cr_assert_eq(bidx_segment_verify(s, BIDX_VERIFY_SUMS, &f), BIDX_ECORRUPT);
			snprintf(want, sizeof want, "%s: chunk ", bidx_section_name(id));
			cr_assert(strstr((char *)msgs.p, want), "%s", (char *)msgs.p);
			cr_assert(!strncmp(why, bidx_section_name(id), strlen(bidx_section_name(id))),
			          "the first problem: %s", why);
			bidx_buf_free(&msgs);
			bidx_segment_close(s);
			free(bad);
		}
	}
	/* the padding between sections, covered by no checksum */
	uint64_t prev_end = BIDX_HEADER_SIZE;
	int padded = 0;
	for (int id = 1; id <= BIDX_SEC_MAX; id++) {
		uint64_t off, len;
		cr_assert_eq(bidx_segment_locate(orig, size, id, &off, &len), BIDX_OK);
		if (off > prev_end) {
			memcpy(m, orig, size);
			m[prev_end] = 1;
			out = verify_bytes(m, size, &n);
			char want[64];
			snprintf(want, sizeof want, "%s: padding before the section", bidx_section_name(id));
			cr_assert(strstr(out, want), "%s", out);
			free(out);
			padded++;
		}
		prev_end = off + len;
	}
	cr_assert_gt(padded, 0, "no padding between the sections to flip");
	free(m);
	free(orig);
}

/* Edits the record of document 3 and reseals the file. */
static uint8_t *edit_doc(const uint8_t *orig, size_t size, void (*edit)(bidx_docrec *))
{
	uint64_t off, len;
	uint8_t *m = malloc(size);
	memcpy(m, orig, size);
	cr_assert_eq(bidx_segment_locate(m, size, BIDX_SEC_DOCS, &off, &len), BIDX_OK);
	bidx_docrec r;
	bidx_docrec_decode(m + off + 3 * BIDX_DOC_SIZE, &r);
	edit(&r);
	bidx_docrec_encode(&r, m + off + 3 * BIDX_DOC_SIZE);
	cr_assert_eq(bidx_segment_reseal(m, size, 1), BIDX_OK);
	return m;
}

static void no_words(bidx_docrec *r)
{
	r->ntokens = 0;
}

static void title_moved(bidx_docrec *r)
{
	r->title_start++;
}

Test(segment, resealed_edits_are_found_by_the_pass_that_can_see_them)
{
	size_t size;
	uint8_t *orig = read_good(&size);
	uint64_t n;
	/* a document of no words: the structure pass */
	uint8_t *m = edit_doc(orig, size, no_words);
	char *out = verify_bytes(m, size, &n);
	cr_assert(strstr(out, "DOCS: doc 3: 0 words in"), "%s", out);
	free(out);
	free(m);
	/* the title's characters moved by one: only the texts and the
	 * unigram postings say so (the content pass) */
	m = edit_doc(orig, size, title_moved);
	out = verify_bytes(m, size, &n);
	cr_assert(strstr(out, "POSTINGS: doc 3: the unigram postings disagree with the text about "
	                      "its title characters"), "%s", out);
	free(out);
	bidx_segment *s;
	char *bad = bidx_path_join(dir, "bad.bidx"), why[256];
	cr_assert_eq(bidx_segment_open_file(bad, &s, why, sizeof why), BIDX_OK, "%s", why);
	bidx_findings f = {0};
	cr_assert_eq(bidx_segment_verify(s, BIDX_VERIFY_STRUCTURE, &f), BIDX_OK,
	             "the structure holds");
	cr_assert_eq(bidx_segment_verify(s, BIDX_VERIFY_DEEP, &f), BIDX_ECORRUPT);
	bidx_segment_close(s);
	free(bad);
	free(m);
	free(orig);
}

/* Reads every record through the accessors, as queries do: the first
 * error, or BIDX_OK. */
static int term_need(const bidx_term *t, void *arg)
{
	bidx_segment *s = arg;
	return bidx_segment_need(s, BIDX_SEC_POSTINGS, t->post_off, t->post_len) != BIDX_OK;
}

static bidx_err read_all(bidx_segment *s)
{
	int stopped;
	BIDX_TRY(bidx_termdict_each(bidx_segment_termdict(s), term_need, s, &stopped));
	if (stopped)
		return BIDX_ECORRUPT;
	for (uint32_t i = 0; i < bidx_segment_ndocs(s); i++) {
		bidx_docrec r;
		bidx_fieldrec fr;
		const uint8_t *pairs;
		uint32_t n;
		char *buf;
		const char *title, *text;
		size_t tlen;
		BIDX_TRY(bidx_segment_doc(s, i, &r));
		BIDX_TRY(bidx_segment_fields(s, i, &fr));
		BIDX_TRY(bidx_segment_ckpts(s, i, &pairs, &n));
		BIDX_TRY(bidx_segment_fetch(s, &r, &buf, &title, &tlen, &text));
		free(buf);
	}
	return BIDX_OK;
}

Test(segment, a_flipped_byte_in_a_chunked_section_is_refused_when_read)
{
	size_t size;
	uint8_t *orig = read_good(&size), *m = malloc(size);
	char *bad = bidx_path_join(dir, "bad.bidx"), why[256];
	bidx_segment *s = open_good();
	cr_assert_eq(read_all(s), BIDX_OK);
	bidx_segment_close(s);
	for (int id = 1; id <= BIDX_SEC_MAX; id++) {
		uint64_t off, len;
		if (bidx_section_chunked(id) < 0)
			continue;
		cr_assert_eq(bidx_segment_locate(orig, size, id, &off, &len), BIDX_OK);
		cr_assert_gt(len, 0, "%s is empty", bidx_section_name(id));
		/* the first, the middle and the last byte */
		uint64_t at[3] = {0, len / 2, len - 1};
		for (int k = 0; k < 3; k++) {
			memcpy(m, orig, size);
			m[off + at[k]] ^= 0x01;
			write_file(bad, m, size);
			bidx_err rc = bidx_segment_open_file(bad, &s, why, sizeof why);
			if (rc == BIDX_OK) {
				rc = read_all(s);
				bidx_segment_close(s);
			}
			cr_assert_eq(rc, BIDX_ECORRUPT, "%s byte %llu flipped: read without complaint",
			             bidx_section_name(id), (unsigned long long)at[k]);
			/* and bidx check's verification reports it in its section */
			uint64_t n;
			char *out = verify_bytes(m, size, &n), want[64];
			snprintf(want, sizeof want, "%s: chunk 0", bidx_section_name(id));
			cr_assert(len > BIDX_CHUNK_SIZE || strstr(out, want), "%s", out);
			free(out);
		}
	}
	free(bad);
	free(m);
	free(orig);
}

Test(segment, opening_checksums_only_what_it_reads)
{
	size_t size;
	uint8_t *orig = read_good(&size);
	uint64_t len[BIDX_SEC_MAX + 1], off, whole = 0;
	for (int id = 1; id <= BIDX_SEC_MAX; id++) {
		cr_assert_eq(bidx_segment_locate(orig, size, id, &off, &len[id]), BIDX_OK);
		if (bidx_section_chunked(id) < 0)
			whole += len[id];
	}
	free(orig);
	static const int small[] = {BIDX_SEC_TERMS, BIDX_SEC_BOUNDS, BIDX_SEC_PATHS,
	                            BIDX_SEC_FIELDS, BIDX_SEC_FIELDSTR, BIDX_SEC_CKPTS};
	for (size_t i = 0; i < sizeof small / sizeof *small; i++)
		cr_assert_lt(len[small[i]], BIDX_CHUNK_SIZE, "%s: one chunk expected",
		             bidx_section_name(small[i]));
	cr_assert_gt(len[BIDX_SEC_FIELDSTR], 0);
	bidx_segment *s = open_good();
	/* META, DOCS, ZDICT and CHUNKS whole, and the one chunk of TERMS (its
	 * block index) and of CKPTS (its index's end); not POSTINGS, BOUNDS,
	 * PATHS, STORE, FIELDS, FIELDSTR */
	uint64_t opened = whole + len[BIDX_SEC_TERMS] + len[BIDX_SEC_CKPTS];
	cr_assert_eq(bidx_segment_hashed(s), opened);
	bidx_fieldrec fr;
	cr_assert_eq(bidx_segment_fields(s, 3, &fr), BIDX_OK);
	uint64_t fields = len[BIDX_SEC_FIELDS] + len[BIDX_SEC_FIELDSTR];
	cr_assert_eq(bidx_segment_hashed(s), opened + fields, "the chunks a record lies in");
	cr_assert_eq(bidx_segment_fields(s, 7, &fr), BIDX_OK);
	cr_assert_eq(bidx_segment_hashed(s), opened + fields, "a chunk is checksummed once");
	bidx_docrec r;
	cr_assert_eq(bidx_segment_doc_bounds(s, 0, &r), BIDX_OK);
	cr_assert_eq(bidx_segment_hashed(s), opened + fields + len[BIDX_SEC_BOUNDS],
	             "a record for scoring: its bitmap, not its path");
	cr_assert_eq(bidx_segment_doc(s, 0, &r), BIDX_OK);
	cr_assert_eq(bidx_segment_hashed(s),
	             opened + fields + len[BIDX_SEC_BOUNDS] + len[BIDX_SEC_PATHS]);
	bidx_segment_close(s);
}

Test(segment, a_segment_matches_only_the_manifest_entry_that_pins_it)
{
	bidx_segment *s = open_good();
	bidx_man_seg ms = {1, 0, 0, 0, NULL, 0};
	char why[256];
	bidx_segment_pin(s, &ms);
	cr_assert_eq(ms.ndocs, NDOCS);
	cr_assert_eq(bidx_segment_pin_check(s, &ms, why, sizeof why), BIDX_OK);
	bidx_man_seg other = ms;
	other.size++;
	cr_assert_eq(bidx_segment_pin_check(s, &other, why, sizeof why), BIDX_ECORRUPT);
	cr_assert(strstr(why, "differs from what the manifest says"), "%s", why);
	other = ms;
	other.ndocs--;
	cr_assert_eq(bidx_segment_pin_check(s, &other, why, sizeof why), BIDX_ECORRUPT);
	other = ms;
	other.sum ^= 1;
	cr_assert_eq(bidx_segment_pin_check(s, &other, why, sizeof why), BIDX_ECORRUPT);
	cr_assert(strstr(why, "changed after it was written"), "%s", why);
	bidx_segment_close(s);
}

Test(segment, keys_decode_what_they_encode)
{
	uint32_t cps[] = {0, 0x20, 0x3042, 0x60C5, 0xFFFF, 0x10FFFF};
	for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
		uint64_t k1 = bidx_key1(cps[i]);
		cr_assert_eq(bidx_key_n(k1), 1);
		cr_assert_eq(bidx_key_c1(k1), cps[i]);
		cr_assert_eq(bidx_key_c2(k1), 0);
		cr_assert(bidx_key_valid(k1));
		for (size_t j = 0; j < sizeof cps / sizeof *cps; j++) {
			uint64_t k2 = bidx_key2(cps[i], cps[j]);
			cr_assert_eq(bidx_key_n(k2), 2);
			cr_assert_eq(bidx_key_c1(k2), cps[i]);
			cr_assert_eq(bidx_key_c2(k2), cps[j]);
			cr_assert(bidx_key_valid(k2));
			cr_assert_lt(k1, k2, "unigrams sort before bigrams");
		}
	}
	cr_assert(!bidx_key_valid(bidx_key1(0x60C5) | 1), "a unigram has no second character");
	cr_assert(!bidx_key_valid(bidx_key1(0x110000)));
	cr_assert(!bidx_key_valid(bidx_key2(0x60C5, 0x110000)));
	cr_assert(!bidx_key_valid((uint64_t)3 << 42));
	char name[96];
	bidx_key_describe(bidx_key2(0x60C5, 0x5831), name, sizeof name);
	cr_assert_str_eq(name, "bigram \"情報\" (U+60C5 U+5831)");
}

Test(segment, section_names_are_the_format_document_s)
{
	static const char *const want[] = {"FILE", "META", "POSTINGS", "TERMS", "DOCS", "BOUNDS",
	                                   "PATHS", "STORE", "ZDICT", "CHUNKS", "FIELDS",
	                                   "FIELDSTR", "CKPTS"};
	for (int id = 0; id <= BIDX_SEC_MAX; id++)
		cr_assert_str_eq(bidx_section_name(id), want[id]);
	cr_assert_str_eq(bidx_section_name(BIDX_SEC_MAX + 1), "?");
}
