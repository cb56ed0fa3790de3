/*
 * Snippets: the sentence around a match on one line, the matches marked;
 * and the windowed path (normalise only around the known match position,
 * cut at the index's checkpoints) marks the same text as the full path.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "normalize.h"
#include "index.h"
#include "query_eval.h"
#include "query_parse.h"
#include "segment.h"
#include "snippet.h"
#include "varint.h"
#include "testutil.h"

/* Every mark normalises to one of the terms. */
static void marks_are_terms(const bidx_snippet *s, char *const *terms, size_t nterms)
{
	cr_assert_gt(s->nmarks, 0, "no mark in \"%s\"", s->text);
	for (size_t i = 0; i < s->nmarks; i++) {
		bidx_norm n;
		cr_assert_eq(bidx_normalize(s->text + s->marks[i].start,
		                            s->marks[i].end - s->marks[i].start, 0, &n), BIDX_OK);
		int ok = 0;
		for (size_t t = 0; t < nterms; t++)
			ok |= !strcmp(n.text, terms[t]);
		cr_assert(ok, "mark \"%s\" is no term", n.text);
		bidx_norm_free(&n);
	}
	cr_assert_null(memchr(s->text, '\n', s->len), "snippet spans lines: %s", s->text);
}

Test(snippet, marks_and_one_line)
{
	static const char text[] = "お知らせ\n当社のサーバーに\n不正アクセスがありました。"
	                           "詳細は調査中です。\n以上";
	char term[] = "不正アクセス";
	char *terms[] = {term};
	bidx_snippet s;
	cr_assert_eq(bidx_snippet_make(text, sizeof text - 1, terms, 1, &s), BIDX_OK);
	marks_are_terms(&s, terms, 1);
	/* the line break inside the sentence is gone, the sentence is whole */
	cr_assert(strstr(s.text, "サーバーに不正アクセスがありました。"), "%s", s.text);
	cr_assert_eq(s.nmatches, 1);
	cr_assert_eq(s.matches[0].end - s.matches[0].start, strlen("不正アクセス"));
	cr_assert(!memcmp(text + s.matches[0].start, "不正アクセス", strlen("不正アクセス")));
	bidx_snippet_free(&s);
}

/* An index of a real corpus's news folder (livedoor's it-life-hack, else
 * the seeds) in a fresh directory *dir (tag names it), opened. */
static bidx_index *news_index(const char *tag, char **dir)
{
	const char *src = tu_corpus("livedoor");
	if (!src)
		src = tu_corpus("seeds");
	cr_assert(src, "no corpus");
	*dir = tu_tmpdir(tag);
	bidx_build_opts o = {.index_dir = *dir, .msg = stderr};
	bidx_build_stats st;
	char why[256], sub[4200];
	snprintf(sub, sizeof sub, "%s%s", src, strstr(src, "livedoor") ? "/text/it-life-hack" : "");
	const char *paths[] = {sub};
	cr_assert_eq(bidx_build(paths, 1, &o, &st, why, sizeof why), BIDX_OK, "%s", why);
	bidx_index *ix;
	cr_assert_eq(bidx_index_open(*dir, &ix, why, sizeof why), BIDX_OK, "%s", why);
	return ix;
}

/* The hits of query in full, parsed into *q (the caller frees both). */
static void eval_all(bidx_index *ix, const char *query, bidx_qnode **q, bidx_result *r)
{
	char why[256];
	size_t ep;
	cr_assert_eq(bidx_query_parse(query, q, why, sizeof why, &ep), BIDX_OK, "%s: %s", query, why);
	cr_assert_eq(bidx_query_eval(ix, *q, r, why, sizeof why), BIDX_OK, "%s: %s", query, why);
}

/* Document doc's record, its stored title and text (in *buf, to free) and
 * its checkpoints. */
static void hit_text(bidx_segment *seg, uint32_t doc, bidx_docrec *d, char **buf,
                     const char **title, size_t *tlen, const char **text, const uint8_t **ck,
                     uint32_t *nck)
{
	cr_assert_eq(bidx_segment_doc(seg, doc, d), BIDX_OK, "doc %u", doc);
	cr_assert_eq(bidx_segment_fetch(seg, d, buf, title, tlen, text), BIDX_OK, "doc %u", doc);
	cr_assert_eq(bidx_segment_ckpts(seg, doc, ck, nck), BIDX_OK, "doc %u", doc);
}

Test(snippet, windowed_matches_full, .timeout = 300)
{
	char *dir;
	bidx_index *ix = news_index("snippet", &dir);
	bidx_segment *seg = ix->seg[0];   /* built from scratch: ids are local ids */
	const char *queries[] = {"情報", "iphone", "アプリ", "発表", "クレジットカード"};
	int windowed = 0, compared = 0, partial = 0;
	for (size_t qi = 0; qi < sizeof queries / sizeof *queries; qi++) {
		bidx_qnode *q;
		bidx_result r;
		eval_all(ix, queries[qi], &q, &r);
		for (uint32_t i = 0; i < r.n && i < 40; i++) {
			bidx_docrec d;
			char *buf;
			const char *title, *text;
			size_t tlen;
			const uint8_t *ck;
			uint32_t nck;
			bidx_snippet full, near;
			hit_text(seg, r.hits[i].doc, &d, &buf, &title, &tlen, &text, &ck, &nck);
			cr_assert_neq(r.hits[i].pos, BIDX_NOPOS);
			cr_assert_eq(bidx_snippet_make(text, d.text_len, r.terms, r.nterms, &full), BIDX_OK);
			cr_assert_eq(bidx_snippet_make_near(text, d.text_len, d.text_len, r.terms, r.nterms,
			                                    r.hits[i].pos, ck, nck, 0, &near), BIDX_OK);
			marks_are_terms(&full, r.terms, r.nterms);
			marks_are_terms(&near, r.terms, r.nterms);
			/* the first match the window sees is the document's first match */
			cr_assert_eq(near.matches[0].start, full.matches[0].start, "doc %u", r.hits[i].doc);
			/* decompressing only as far as the window reaches gives the same snippet */
			size_t b0, b1, avail;
			char *pbuf;
			const char *ptitle, *ptext;
			size_t ptlen;
			bidx_snippet part;
			bidx_snippet_window(d.text_len, r.hits[i].pos, ck, nck, &b0, &b1);
			cr_assert_eq(bidx_segment_fetch_prefix(seg, &d, b1, &pbuf, &ptitle, &ptlen, &ptext,
			                                       &avail), BIDX_OK);
			cr_assert_eq(avail, b1 < d.text_len ? b1 : d.text_len);
			cr_assert(ptlen == tlen && !memcmp(ptitle, title, tlen));
			cr_assert(!memcmp(ptext, text, avail));
			cr_assert_eq(bidx_snippet_make_near(ptext, d.text_len, avail, r.terms, r.nterms,
			                                    r.hits[i].pos, ck, nck, 0, &part), BIDX_OK);
			cr_assert_str_eq(part.text, near.text, "doc %u", r.hits[i].doc);
			partial += avail < d.text_len;
			bidx_snippet_free(&part);
			free(pbuf);
			windowed += nck > 0;
			compared++;
			bidx_snippet_free(&full);
			bidx_snippet_free(&near);
			free(buf);
		}
		bidx_result_free(&r);
		bidx_query_free(q);
	}
	fprintf(stderr, "snippets: %d compared, %d of documents long enough for checkpoints, "
	        "%d decompressed only in part\n", compared, windowed, partial);
	cr_assert_gt(partial, 0, "no hit used a partial decompression");
	cr_assert_gt(compared, 0);
	bidx_index_close(ix);
	tu_rmtree(dir);
	free(dir);
}

/* a and b show the same text with the same marks and elisions. */
static void same_snippet(const bidx_snippet *a, const bidx_snippet *b, uint32_t doc)
{
	cr_assert_str_eq(a->text, b->text, "doc %u", doc);
	cr_assert_eq(a->nmarks, b->nmarks, "doc %u", doc);
	for (size_t m = 0; m < a->nmarks; m++)
		cr_assert(a->marks[m].start == b->marks[m].start && a->marks[m].end == b->marks[m].end,
		          "doc %u: mark %zu", doc, m);
	cr_assert_eq(a->elided_before, b->elided_before, "doc %u", doc);
	cr_assert_eq(a->elided_after, b->elided_after, "doc %u", doc);
}

/* The matches near lists are those of the whole text's (full) inside the
 * window it read: the narrower one, or the window. */
static void window_matches(const bidx_snippet *near, const bidx_snippet *full, size_t len,
                           uint32_t pos, const uint8_t *ck, uint32_t nck, uint32_t doc)
{
	size_t b0, b1, ends[2];
	bidx_snippet_window(len, pos, ck, nck, &b0, &b1);
	ends[0] = bidx_snippet_first(len, pos, 1, ck, nck);
	ends[1] = b1;
	int same = 0;
	for (int e = 0; e < 2 && !same; e++) {
		size_t k = 0;
		while (k < full->nmatches && full->matches[k].end <= ends[e])
			k++;
		if (k == BIDX_SNIPPET_MAX_MATCHES || k != near->nmatches)
			continue;
		same = 1;
		for (size_t m = 0; m < k; m++)
			same &= near->matches[m].start == full->matches[m].start &&
			        near->matches[m].end == full->matches[m].end;
	}
	cr_assert(same || near->nmatches == BIDX_SNIPPET_MAX_MATCHES, "doc %u: %zu matches", doc,
	          near->nmatches);
}

/* The snippet of doc d as collect.c makes it: the bytes of
 * bidx_snippet_first() decompressed, then those of the whole window when
 * they do not settle it.  *shorter counts a first read shorter than the
 * window's, *again a second read. */
static void first_bytes_then_window(bidx_segment *seg, const bidx_docrec *d, const bidx_result *r,
                                    uint32_t pos, const uint8_t *ck, uint32_t nck,
                                    bidx_snippet *out, int *shorter, int *again)
{
	size_t b0, b1, avail, tlen;
	const char *title, *text;
	char *buf;
	int more = 0;
	bidx_snippet_window(d->text_len, pos, ck, nck, &b0, &b1);
	size_t first = bidx_snippet_first(d->text_len, pos, r->nterms, ck, nck);
	cr_assert_leq(first, b1);
	*shorter += first < b1;
	for (int k = 0; k < 2 && (k == 0 || more); k++) {
		cr_assert_eq(bidx_segment_fetch_prefix(seg, d, k ? b1 : first, &buf, &title, &tlen, &text,
		                                       &avail), BIDX_OK);
		cr_assert_eq(bidx_snippet_try_near(text, d->text_len, avail, r->terms, r->nterms, pos, ck,
		                                   nck, 0, out, &more), BIDX_OK);
		free(buf);
		*again += k;
	}
	cr_assert(!more);
}

/* The narrower window tried first for a one-term query, and the head tried
 * first when no position is known, are kept only when they settle the
 * snippet: then it is exactly the whole text's, over every hit of common
 * words of a real corpus. */
Test(snippet, narrow_window_and_head_match_the_whole_text, .timeout = 300)
{
	char *dir;
	bidx_index *ix = news_index("snipnarrow", &dir);
	bidx_segment *seg = ix->seg[0];   /* built from scratch: ids are local ids */
	const char *queries[] = {"情報", "アプリ", "発表", "セキュリティ", "の", "に", "猫", "個"};
	int narrowed = 0, heads = 0, settled_heads = 0, shorter = 0, again = 0;
	for (size_t qi = 0; qi < sizeof queries / sizeof *queries; qi++) {
		bidx_qnode *q;
		bidx_result r;
		eval_all(ix, queries[qi], &q, &r);
		cr_assert_eq(r.nterms, 1, "%s", queries[qi]);
		for (uint32_t i = 0; i < r.n && i < 200; i++) {
			bidx_docrec d;
			char *buf;
			const char *title, *text;
			size_t tlen, b0, b1;
			const uint8_t *ck;
			uint32_t nck, pos = r.hits[i].pos, doc = r.hits[i].doc;
			bidx_snippet full, near;
			hit_text(seg, doc, &d, &buf, &title, &tlen, &text, &ck, &nck);
			cr_assert_eq(bidx_snippet_make(text, d.text_len, r.terms, r.nterms, &full), BIDX_OK);
			if (pos != BIDX_NOPOS) {
				/* one term: the window's first match is the document's */
				cr_assert_eq(bidx_snippet_make_near(text, d.text_len, d.text_len, r.terms,
				                                    r.nterms, pos, ck, nck, 0, &near), BIDX_OK);
				same_snippet(&near, &full, doc);
				/* the narrower window normalised from later than its start
				 * still lists every match of the window it reads */
				window_matches(&near, &full, d.text_len, pos, ck, nck, doc);
				/* reading only the narrower window's bytes first: the same
				 * snippet, and the same matches */
				bidx_snippet two;
				first_bytes_then_window(seg, &d, &r, pos, ck, nck, &two, &shorter, &again);
				same_snippet(&two, &near, doc);
				cr_assert_eq(two.nmatches, near.nmatches, "doc %u", doc);
				for (size_t m = 0; m < two.nmatches; m++)
					cr_assert(two.matches[m].start == near.matches[m].start &&
					          two.matches[m].end == near.matches[m].end, "doc %u", doc);
				bidx_snippet_free(&two);
				bidx_snippet_window(d.text_len, pos, ck, nck, &b0, &b1);
				narrowed += b1 < d.text_len;
				bidx_snippet_free(&near);
			} else {
				for (uint32_t c = 256; c <= 4096; c *= 4) {
					size_t hb = bidx_snippet_head(d.text_len, c, ck, nck);
					int settled;
					cr_assert_leq(hb, d.text_len);
					cr_assert_eq(bidx_snippet_make_head(text, d.text_len, hb, r.terms, r.nterms,
					                                    0, &near, &settled), BIDX_OK);
					heads += hb < d.text_len;
					if (settled)
						same_snippet(&near, &full, doc);
					settled_heads += settled && hb < d.text_len;
					bidx_snippet_free(&near);
				}
			}
			bidx_snippet_free(&full);
			free(buf);
		}
		bidx_result_free(&r);
		bidx_query_free(q);
	}
	fprintf(stderr, "narrow windows: %d hits in long documents; heads: %d tried, %d settled; "
	        "%d first reads shorter than the window, %d read again\n", narrowed, heads,
	        settled_heads, shorter, again);
	cr_assert_gt(narrowed, 0);
	cr_assert_gt(shorter, 0);
	cr_assert_gt(settled_heads, 0);
	bidx_index_close(ix);
	tu_rmtree(dir);
	free(dir);
}

/* A query of several terms: its window gives exactly what the window's
 * bytes give normalised whole (text, marks, elisions, matches), over every
 * hit of AND, OR and phrase queries of a real corpus.  (The first match
 * position is one term's: starting the window's normalisation later as for
 * one term, without more checks, fails here.) */
Test(snippet, later_start_matches_the_whole_window, .timeout = 300)
{
	char *dir;
	bidx_index *ix = news_index("snipwin", &dir);
	bidx_segment *seg = ix->seg[0];   /* built from scratch: ids are local ids */
	const char *queries[] = {"情報 セキュリティ", "アプリ OR 発表", "iphone アプリ", "サービス 開始",
	                         "ソフトバンク OR ドコモ OR au", "\"スマート フォン\" 発売"};
	int windows = 0, cut = 0;
	for (size_t qi = 0; qi < sizeof queries / sizeof *queries; qi++) {
		bidx_qnode *q;
		bidx_result r;
		eval_all(ix, queries[qi], &q, &r);
		for (uint32_t i = 0; i < r.n && i < 200; i++) {
			bidx_docrec d;
			char *buf;
			const char *title, *text;
			size_t tlen, b0, b1;
			const uint8_t *ck;
			uint32_t nck, pos = r.hits[i].pos, doc = r.hits[i].doc;
			bidx_snippet near, ref;
			if (pos == BIDX_NOPOS || r.nterms < 2)
				continue;
			hit_text(seg, doc, &d, &buf, &title, &tlen, &text, &ck, &nck);
			bidx_snippet_window(d.text_len, pos, ck, nck, &b0, &b1);
			cr_assert_eq(bidx_snippet_make_near(text, d.text_len, d.text_len, r.terms, r.nterms,
			                                    pos, ck, nck, 0, &near), BIDX_OK);
			cr_assert_eq(bidx_snippet_make(text + b0, b1 - b0, r.terms, r.nterms, &ref), BIDX_OK);
			if (!ref.nmarks) {   /* the window missed: make_near looked everywhere */
				bidx_snippet_free(&ref);
				bidx_snippet_free(&near);
				free(buf);
				continue;
			}
			ref.elided_before |= b0 > 0;
			ref.elided_after |= b1 < d.text_len;
			same_snippet(&near, &ref, doc);
			cr_assert_eq(near.nmatches, ref.nmatches, "doc %u", doc);
			for (size_t m = 0; m < ref.nmatches; m++)
				cr_assert(near.matches[m].start == ref.matches[m].start + b0 &&
				          near.matches[m].end == ref.matches[m].end + b0, "doc %u: match %zu",
				          doc, m);
			windows++;
			cut += b0 > 0;
			bidx_snippet_free(&ref);
			bidx_snippet_free(&near);
			free(buf);
		}
		bidx_result_free(&r);
		bidx_query_free(q);
	}
	fprintf(stderr, "several terms: %d windows compared, %d from a checkpoint\n", windows, cut);
	cr_assert_gt(windows, 0);
	bidx_index_close(ix);
	tu_rmtree(dir);
	free(dir);
}

/* A long term's narrower window cannot settle the snippet: the first read
 * asks for the window's bytes (more), and the second read gives what the
 * whole text gives. */
Test(snippet, first_read_too_short_reads_the_window)
{
	size_t nch = 1200, len = 3 * nch;
	char *text = malloc(len + 1), term[3 * 40 + 1];
	uint8_t ck[8 * 16];
	uint32_t nck = 0;
	cr_assert(text);
	for (size_t i = 0; i < nch; i++) {   /* distinct kanji, a restart point at each */
		uint32_t c = 0x4E00 + (uint32_t)(i * 7919 % 5000);
		text[3 * i] = (char)(0xE0 | c >> 12);
		text[3 * i + 1] = (char)(0x80 | (c >> 6 & 0x3F));
		text[3 * i + 2] = (char)(0x80 | (c & 0x3F));
	}
	text[len] = 0;
	for (uint32_t c = 128; c < nch && nck < 16; c += 128, nck++) {
		bidx_put_u32le(ck + 8 * nck, c);
		bidx_put_u32le(ck + 8 * nck + 4, 3 * c);
	}
	uint32_t pos = 300;   /* a 40-character term from there: its first occurrence */
	memcpy(term, text + 3 * pos, 3 * 40);
	term[3 * 40] = 0;
	char *terms[] = {term};
	bidx_snippet whole, two;
	cr_assert_eq(bidx_snippet_make_near(text, len, len, terms, 1, pos, ck, nck, 0, &whole),
	             BIDX_OK);
	cr_assert_gt(whole.nmarks, 0);
	size_t b0, b1, first = bidx_snippet_first(len, pos, 1, ck, nck);
	bidx_snippet_window(len, pos, ck, nck, &b0, &b1);
	cr_assert_lt(first, b1);
	int more = 0, reads = 0;
	for (size_t avail = first; reads < 2 && (reads == 0 || more); avail = b1, reads++) {
		char *part = malloc(avail + 1);   /* only the bytes read are there */
		cr_assert(part);
		memcpy(part, text, avail);
		part[avail] = 0;
		cr_assert_eq(bidx_snippet_try_near(part, len, avail, terms, 1, pos, ck, nck, 0, &two,
		                                   &more), BIDX_OK);
		free(part);
		if (!reads)
			cr_assert(more, "a 40-character term settles in 128 characters?");
	}
	cr_assert(!more);
	cr_assert_eq(reads, 2);
	same_snippet(&two, &whole, 0);
	bidx_snippet_free(&two);
	bidx_snippet_free(&whole);
	free(text);
}

/* One-character words have no known match position: bsearch tries the head
 * of a long document first, then the whole text. */
Test(snippet, one_character_words_in_long_documents, .timeout = 120)
{
	char *dir = tu_tmpdir("longdoc"), path[4200], cmd[8192];
	snprintf(path, sizeof path, "%s/long.txt", dir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs("冒頭に鶴が一羽いた。\n", f);
	for (int i = 0; i < 2000; i++)
		fputs("あいうえおかきくけこさしすせそ。\n", f);   /* about 100 KB */
	fputs("最後に亀が現れた。\n", f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i %s/ix %s 2>&1", BIDX_BINARY_DIR, dir, path);
	int st;
	char *o = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "%s", o);
	free(o);
	const char *words[] = {"鶴", "亀"};   /* in the head, past it */
	for (int i = 0; i < 2; i++) {
		snprintf(cmd, sizeof cmd, "%s/bsearch -i %s/ix --color never %s", BIDX_BINARY_DIR, dir,
		         words[i]);
		o = tu_run(cmd, &st);
		char want[32];
		snprintf(want, sizeof want, "[%s]", words[i]);
		cr_assert_eq(st, 0, "%s", o);
		cr_assert(strstr(o, want), "no %s in:\n%s", want, o);
		free(o);
	}
	tu_rmtree(dir);
	free(dir);
}
