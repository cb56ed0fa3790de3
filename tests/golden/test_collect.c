/*
 * test_collect.c - the result page (searcher/collect.h) over a real index:
 * the seed notices, the municipal rows, the seeds as HTML and PDF, and one
 * long notice whose only match of a rare character lies past the head of
 * its text.  Checked: the hits of the page in rank order with offset and
 * limit respected; the field orders; facet counts equal to counting every
 * hit by hand; titles and snippets only when asked, and -c and -l reading
 * no stored text (counted through the allocation counter of fault.h: every
 * decompression allocates its buffer); the head-then-whole snippet of a
 * long document; grouping by incident, made once per opened index and
 * afresh for a newer manifest; explanations; and every failed
 * allocation giving a clean BIDX_ENOMEM and an empty page.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "collect.h"
#include "facet.h"
#include "fault.h"
#include "filter.h"
#include "json.h"
#include "notices.h"
#include "output.h"
#include "query_eval.h"
#include "query_parse.h"
#include "testutil.h"

static char *tmp;
static bidx_index *ix;

/* A notice of more than 16 KiB of text whose one 鑫 is in its last line. */
static void write_long_notice(const char *dir)
{
	char path[4300];
	snprintf(path, sizeof path, "%s/long.txt", dir);
	FILE *f = fopen(path, "w");
	cr_assert(f, "cannot create %s", path);
	fputs("長い文書のお知らせ\n\n", f);
	for (int i = 0; i < 600; i++)
		fprintf(f, "本日は晴天なり。これは試験のための長い文書の%d行目です。\n", i);
	fputs("最後の行にだけ鑫という字があります。\n", f);
	cr_assert_eq(fclose(f), 0);
}

static void setup(void)
{
	tmp = tu_tmpdir("collect");
	char ixdir[4200], longdir[4200], why[256], cmd[16384];
	snprintf(ixdir, sizeof ixdir, "%s/index", tmp);
	snprintf(longdir, sizeof longdir, "%s/long", tmp);
	cr_assert_eq(mkdir(longdir, 0755), 0);
	write_long_notice(longdir);
	const char *seeds = tu_corpus("seeds"), *muni = tu_corpus("municipal");
	cr_assert(seeds && muni);
	/* the program, not bidx_build in this process: PDFs are read in a
	 * child under an address-space limit */
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i '%s' '%s' '%s' '%s/corpus/seeds-html' '%s' 2>&1",
	         BIDX_BINARY_DIR, ixdir, seeds, muni, BIDX_SOURCE_DIR, longdir);
	int st;
	char *out = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "bidx build failed: %s", out);
	free(out);
	cr_assert_eq(bidx_index_open(ixdir, &ix, why, sizeof why), BIDX_OK, "%s", why);
}

static void teardown(void)
{
	bidx_index_close(ix);
	ix = NULL;
	tu_rmtree(tmp);
	free(tmp);
}

TestSuite(collect, .init = setup, .fini = teardown, .timeout = 300);

/* A query evaluated, with the hits as evaluated kept aside so that each
 * collect can start from them (collect orders, and groups, in place). */
typedef struct evaluated {
	bidx_qnode *q;
	bidx_result r;
	bidx_hit *orig;
	uint32_t n;
} evaluated;

static evaluated eval(const char *text)
{
	evaluated e = {0};
	char why[256];
	size_t ep;
	cr_assert_eq(bidx_query_parse(text, &e.q, why, sizeof why, &ep), BIDX_OK, "%s", why);
	cr_assert_eq(bidx_query_eval(ix, e.q, &e.r, why, sizeof why), BIDX_OK, "%s", why);
	e.n = e.r.n;
	e.orig = malloc(((size_t)e.n + 1) * sizeof *e.orig);
	memcpy(e.orig, e.r.hits, (size_t)e.n * sizeof *e.orig);
	return e;
}

static void restore(evaluated *e)
{
	memcpy(e->r.hits, e->orig, (size_t)e->n * sizeof *e->orig);
	e->r.n = e->n;
}

static void drop(evaluated *e)
{
	bidx_result_free(&e->r);
	bidx_query_free(e->q);
	free(e->orig);
}

static bidx_page collect(evaluated *e, bidx_collect_opts o)
{
	bidx_page p;
	restore(e);
	cr_assert_eq(bidx_collect(ix, &e->r, &o, &p), BIDX_OK);
	return p;
}

/* The stored path of collection document doc. */
static void stored_path(uint32_t doc, const char **path, size_t *len)
{
	uint32_t local;
	bidx_docrec d;
	bidx_segment *seg = bidx_index_locate(ix, doc, &local);
	cr_assert(seg);
	cr_assert_eq(bidx_segment_doc(seg, local, &d), BIDX_OK);
	*path = bidx_segment_path(seg, &d);
	*len = d.path_len;
}

Test(collect, hits_in_rank_order_with_offset_and_limit)
{
	evaluated e = eval("個人情報");
	uint32_t n = e.n;
	cr_assert_gt(n, 15, "個人情報 should match many notices and rows");
	bidx_hit *best = malloc((size_t)n * sizeof *best);
	memcpy(best, e.orig, (size_t)n * sizeof *best);
	bidx_rank_sort(best, n, n);
	const uint32_t pages[][2] = {{0, 10}, {2, 5}, {n - 3, 10}, {n, 10}, {n + 7, 3}, {0, 0},
	                             {0, n + 5}, {7, 1}};
	for (size_t k = 0; k < sizeof pages / sizeof *pages; k++) {
		uint32_t off = pages[k][0], lim = pages[k][1];
		bidx_page p = collect(&e, (bidx_collect_opts){.offset = off, .limit = lim,
		                                              .want = BIDX_WANT_SNIPPET});
		uint32_t want = off >= n ? 0 : n - off < lim ? n - off : lim;
		cr_assert_eq(p.total, n);
		cr_assert_eq(p.ranked, n);
		cr_assert_eq(p.n, want, "offset %u limit %u: %u hits, not %u", off, lim, p.n, want);
		for (uint32_t i = 0; i < p.n; i++) {
			const bidx_page_hit *h = &p.hits[i];
			cr_assert_eq(h->hit.doc, best[off + i].doc, "offset %u: hit %u out of rank order",
			             off, i);
			cr_assert_eq(h->hit.score, best[off + i].score);
			cr_assert_eq(h->rank, off + i + 1);
			if (i)
				cr_assert(h[-1].hit.score >= h->hit.score);
			const char *path;
			size_t len;
			stored_path(h->hit.doc, &path, &len);
			cr_assert(h->path_len == len && !memcmp(h->path, path, len));
			cr_assert_not_null(h->text);
			cr_assert_not_null(h->text->title);
		}
		bidx_page_free(&p);
		cr_assert_null(p.hits);
	}
	free(best);
	drop(&e);
}

/* The key a field order sorts by (INT64_MAX: the document has none). */
static int64_t key_of(const bidx_page_hit *h, bidx_sort s)
{
	bidx_fieldrec fr;
	cr_assert_eq(bidx_segment_fields(h->seg, h->local, &fr), BIDX_OK);
	if (s == BIDX_SORT_DATE)
		return fr.date_lo ? fr.date_lo : INT64_MAX;
	if (s == BIDX_SORT_DATE_DESC)
		return fr.date_lo ? -(int64_t)fr.date_hi : INT64_MAX;
	return fr.affected ? -(int64_t)fr.affected : INT64_MAX;
}

Test(collect, field_orders)
{
	evaluated e = eval("個人情報");
	const bidx_sort sorts[] = {BIDX_SORT_DATE, BIDX_SORT_DATE_DESC, BIDX_SORT_AFFECTED};
	for (int s = 0; s < 3; s++) {
		bidx_page all = collect(&e, (bidx_collect_opts){.sort = sorts[s], .limit = e.n,
		                                                .want = BIDX_WANT_PATH});
		cr_assert_eq(all.n, e.n);
		int keyed = 0;
		for (uint32_t i = 1; i < all.n; i++) {
			int64_t a = key_of(&all.hits[i - 1], sorts[s]), b = key_of(&all.hits[i], sorts[s]);
			cr_assert(a <= b, "sort %d: hit %u is out of order", s, i);
			if (a == b)
				cr_assert(all.hits[i - 1].hit.score >= all.hits[i].hit.score);
			keyed += b != INT64_MAX;
		}
		cr_assert_gt(keyed, 0, "sort %d: no hit has the field", s);
		/* a page of a field order is that slice of the whole order */
		bidx_page p = collect(&e, (bidx_collect_opts){.sort = sorts[s], .offset = 3, .limit = 4,
		                                              .want = BIDX_WANT_TITLE});
		cr_assert_eq(p.n, 4);
		for (uint32_t i = 0; i < p.n; i++)
			cr_assert_eq(p.hits[i].hit.doc, all.hits[3 + i].hit.doc);
		bidx_page_free(&p);
		bidx_page_free(&all);
	}
	drop(&e);
}

/* Counting by hand: a value and how many hits have it. */
typedef struct tally {
	char v[512];   /* the value as --json writes it (a JSON string) */
	uint32_t n;
} tally;

static void bump(tally *t, size_t *nt, size_t cap, const char *v)
{
	for (size_t i = 0; i < *nt; i++)
		if (!strcmp(t[i].v, v)) {
			t[i].n++;
			return;
		}
	cr_assert_lt(*nt, cap);
	snprintf(t[*nt].v, sizeof t[*nt].v, "%s", v);
	t[(*nt)++].n = 1;
}

static char *json_of(const char *s, size_t n)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	bidx_json_str(f, s, n);
	fclose(f);
	return out;
}

/* The first org of a hit, as its --json fields show it; 0 when none. */
static int org_of(const bidx_page_hit *h, char *out, size_t cap)
{
	char *js = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&js, &len);
	cr_assert_eq(bidx_facet_doc_fields(h->seg, h->local, 1, f), BIDX_OK);
	fclose(f);
	const char *at = strstr(js, "{\"name\":\"org\",\"value\":");
	int found = at != NULL;
	if (found) {
		at += strlen("{\"name\":\"org\",\"value\":");
		const char *end = strstr(at, ",\"source\":");
		cr_assert(end);
		snprintf(out, cap, "%.*s", (int)(end - at), at);
	}
	free(js);
	return found;
}

/* The page's counts of a facet are the hand counts, largest first, ties
 * by value. */
static void same_counts(const bidx_page_facet *pf, const tally *t, size_t nt)
{
	cr_assert_eq(pf->n, nt, "%s: %zu values, by hand %zu", pf->name, pf->n, nt);
	for (size_t i = 0; i < pf->n; i++) {
		char *js = json_of(pf->values[i].value, pf->values[i].len);
		size_t k = 0;
		while (k < nt && strcmp(t[k].v, js))
			k++;
		cr_assert_lt(k, nt, "%s: %s is not among the hits' values", pf->name, js);
		cr_assert_eq(pf->values[i].count, t[k].n, "%s %s: %u, by hand %u", pf->name, js,
		             pf->values[i].count, t[k].n);
		free(js);
		if (i) {
			const bidx_facet_count *a = &pf->values[i - 1], *b = &pf->values[i];
			size_t m = a->len < b->len ? a->len : b->len;
			int c = memcmp(a->value, b->value, m);
			cr_assert(a->count > b->count ||
			          (a->count == b->count && (c < 0 || (c == 0 && a->len < b->len))),
			          "%s: values out of order at %zu", pf->name, i);
		}
	}
}

Test(collect, facet_counts_are_the_hits_counted_by_hand)
{
	evaluated e = eval("市");
	cr_assert_gt(e.n, 100);
	const char *names[] = {"year", "org", "leaked"};
	/* the counts, with no page (as the API's facets) and with one */
	bidx_page none = collect(&e, (bidx_collect_opts){.want = BIDX_WANT_NONE, .facets = names,
	                                                 .nfacets = 3});
	bidx_page page = collect(&e, (bidx_collect_opts){.limit = 5, .want = BIDX_WANT_SNIPPET,
	                                                 .facets = names, .nfacets = 3});
	bidx_page all = collect(&e, (bidx_collect_opts){.limit = e.n, .want = BIDX_WANT_PATH});
	cr_assert_eq(none.n, 0);
	cr_assert_eq(page.n, 5);
	cr_assert_eq(all.n, e.n);
	static tally years[256], orgs[4096], leaked[64];
	size_t ny = 0, no = 0, nl = 0;
	const char *const *vocab = bidx_filter_vocab("leaked");
	for (uint32_t i = 0; i < all.n; i++) {
		bidx_fieldrec fr;
		char v[512];
		cr_assert_eq(bidx_segment_fields(all.hits[i].seg, all.hits[i].local, &fr), BIDX_OK);
		if (fr.date_lo) {
			snprintf(v, sizeof v, "\"%d\"", fr.date_lo / 10000);
			bump(years, &ny, 256, v);
		}
		if (org_of(&all.hits[i], v, sizeof v))
			bump(orgs, &no, 4096, v);
		uint32_t bits = bidx_filter_vocab_bits("leaked", &fr);
		for (int b = 0; b < 32 && vocab[b]; b++)
			if (bits >> b & 1) {
				char *js = json_of(vocab[b], strlen(vocab[b]));
				bump(leaked, &nl, 64, js);
				free(js);
			}
	}
	cr_assert_gt(ny, 1);
	cr_assert_gt(no, 1);
	const tally *hand[] = {years, orgs, leaked};
	const size_t nhand[] = {ny, no, nl};
	for (int f = 0; f < 3; f++) {
		cr_assert_str_eq(none.facets[f].name, names[f]);
		same_counts(&none.facets[f], hand[f], nhand[f]);
		same_counts(&page.facets[f], hand[f], nhand[f]);
	}
	bidx_page_free(&none);
	bidx_page_free(&page);
	bidx_page_free(&all);
	drop(&e);
}

/* Titles and snippets only when asked; -c reads nothing and allocates
 * nothing, -l reads document records only (a decompression allocates its
 * buffer, so no allocation per hit means no stored text read). */
Test(collect, titles_and_snippets_only_when_asked)
{
	evaluated e = eval("クレジットカード");
	cr_assert_gt(e.n, 5);
	long before = bidx_fault_count(BIDX_FAULT_ALLOC);
	bidx_page p = collect(&e, (bidx_collect_opts){.limit = 10, .want = BIDX_WANT_NONE});
	cr_assert_eq(bidx_fault_count(BIDX_FAULT_ALLOC), before, "-c allocated");
	cr_assert_eq(p.n, 0);
	cr_assert_eq(p.total, e.n);
	bidx_page_free(&p);
	/* bsearch -c as it runs: bidx_output in count mode */
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	bidx_outopts oo = {.mode = BIDX_OUT_COUNT, .limit = 10, .f = f, .facets = {"org"},
	                   .nfacets = 1, .group = 1};
	restore(&e);
	before = bidx_fault_count(BIDX_FAULT_ALLOC);
	cr_assert_eq(bidx_output(ix, &e.r, &oo), BIDX_OK);
	cr_assert_eq(bidx_fault_count(BIDX_FAULT_ALLOC), before, "bsearch -c allocated");
	fclose(f);
	char want[32];
	snprintf(want, sizeof want, "%u\n", e.n);
	cr_assert_str_eq(out, want);
	free(out);

	before = bidx_fault_count(BIDX_FAULT_ALLOC);
	p = collect(&e, (bidx_collect_opts){.limit = UINT32_MAX, .want = BIDX_WANT_PATH});
	cr_assert_leq(bidx_fault_count(BIDX_FAULT_ALLOC) - before, 1, "-l read stored text");
	cr_assert_eq(p.n, e.n);
	for (uint32_t i = 0; i < p.n; i++) {
		cr_assert_null(p.hits[i].text);
		cr_assert_gt(p.hits[i].path_len, 0);
	}
	bidx_page_free(&p);

	p = collect(&e, (bidx_collect_opts){.limit = 10, .want = BIDX_WANT_TITLE});
	for (uint32_t i = 0; i < p.n; i++) {
		cr_assert_not_null(p.hits[i].text);
		cr_assert_eq(strlen(p.hits[i].text->title), p.hits[i].text->title_len);
		cr_assert_null(p.hits[i].text->snippet.text, "a snippet not asked for");
	}
	bidx_page_free(&p);

	before = bidx_fault_count(BIDX_FAULT_ALLOC);
	p = collect(&e, (bidx_collect_opts){.limit = 10, .want = BIDX_WANT_SNIPPET});
	cr_assert_geq(bidx_fault_count(BIDX_FAULT_ALLOC) - before, p.n,
	              "snippets without reading the stored texts?");
	cr_assert_eq(p.n, e.n < 10 ? e.n : 10);
	int titled = 0;
	for (uint32_t i = 0; i < p.n; i++) {
		const bidx_snippet *s = &p.hits[i].text->snippet;
		titled += p.hits[i].text->title_len > 0;
		cr_assert_not_null(s->text);
		cr_assert_geq(s->nmarks, 1, "hit %u: no match marked", i);
		for (size_t m = 0; m < s->nmarks; m++)
			cr_assert(s->marks[m].end - s->marks[m].start == strlen("クレジットカード") &&
			          !memcmp(s->text + s->marks[m].start, "クレジットカード",
			                  strlen("クレジットカード")),
			          "hit %u: mark %zu is not the word", i, m);
	}
	cr_assert_gt(titled, 0);
	bidx_page_free(&p);
	drop(&e);
}

/* A PDF's hit carries the page of its first match; other documents none. */
Test(collect, pdf_page_of_the_first_match)
{
	evaluated e = eval("e-ながさきどっとこむ");
	bidx_page p = collect(&e, (bidx_collect_opts){.limit = 10, .want = BIDX_WANT_SNIPPET});
	int pdfs = 0;
	for (uint32_t i = 0; i < p.n; i++) {
		const bidx_page_hit *h = &p.hits[i];
		int pdf = h->path_len > 4 && !memcmp(h->path + h->path_len - 4, ".pdf", 4);
		pdfs += pdf;
		if (pdf)
			cr_assert_eq(h->text->pdf_page, 1, "the PDF's match is on its page 1");
		else
			cr_assert_eq(h->text->pdf_page, 0);
	}
	cr_assert_eq(pdfs, 1, "the seed notice as PDF should be among the hits");
	bidx_page_free(&p);
	drop(&e);
}

/* A one-character word has no match position: the head of a long text is
 * tried first, then, when the match lies past it, the whole text. */
Test(collect, snippet_past_the_head_of_a_long_document)
{
	evaluated e = eval("鑫");
	cr_assert_eq(e.n, 1);
	cr_assert_eq(e.orig[0].pos, BIDX_NOPOS);
	bidx_page p = collect(&e, (bidx_collect_opts){.limit = 10, .want = BIDX_WANT_SNIPPET});
	cr_assert_eq(p.n, 1);
	const bidx_page_text *t = p.hits[0].text;
	cr_assert_str_eq(t->title, "長い文書のお知らせ");
	cr_assert_eq(t->snippet.nmarks, 1, "the match past the head is not in the snippet");
	cr_assert(!memcmp(t->snippet.text + t->snippet.marks[0].start, "鑫", strlen("鑫")));
	cr_assert(t->snippet.elided_before);
	cr_assert_gt(t->snippet.matches[0].start, 16 << 10);
	bidx_page_free(&p);
	drop(&e);
}

Test(collect, group_keeps_the_best_hit_of_each_incident)
{
	evaluated e = eval("クレジットカード");
	bidx_page p = collect(&e, (bidx_collect_opts){.limit = UINT32_MAX, .group = 1,
	                                              .want = BIDX_WANT_TITLE});
	cr_assert_eq(p.total, e.n);
	cr_assert_lt(p.ranked, p.total, "the seeds and their HTML and PDF copies are one incident");
	cr_assert_eq(p.ranked, e.r.n);
	cr_assert_eq(p.n, p.ranked);
	uint32_t reports = 0;
	for (uint32_t i = 0; i < p.n; i++) {
		const bidx_page_text *t = p.hits[i].text;
		int self = 0;
		cr_assert_geq(t->nreports, 1);
		for (uint32_t k = 0; k < t->nreports; k++) {
			self += t->reports[k].doc == p.hits[i].hit.doc;
			cr_assert_str_eq(t->reports[k].incident, t->reports[0].incident);
			if (k)
				cr_assert(t->reports[k - 1].date < t->reports[k].date ||
				          (t->reports[k - 1].date == t->reports[k].date &&
				           t->reports[k - 1].doc < t->reports[k].doc), "reports out of order");
		}
		cr_assert_eq(self, 1, "hit %u is not among its own reports", i);
		for (uint32_t j = 0; j < i && t->reports[0].incident[0]; j++)
			cr_assert_str_neq(p.hits[j].text->reports[0].incident, t->reports[0].incident,
			                  "incident %s twice", t->reports[0].incident);
		if (i)
			cr_assert(p.hits[i - 1].hit.score >= p.hits[i].hit.score);
		reports += t->nreports;
	}
	cr_assert_eq(reports, p.total, "every hit is a report of exactly one kept hit");
	bidx_page_free(&p);
	drop(&e);
}

/* The collection id of the document of index x whose path ends in name. */
static uint32_t doc_named(bidx_index *x, const char *name)
{
	size_t nl = strlen(name);
	for (uint32_t doc = 0; doc < x->ndocs; doc++) {
		uint32_t local;
		bidx_docrec d;
		bidx_segment *seg = bidx_index_locate(x, doc, &local);
		cr_assert(seg && !bidx_segment_doc(seg, local, &d));
		if (d.path_len >= nl && !memcmp(bidx_segment_path(seg, &d) + d.path_len - nl, name, nl))
			return doc;
	}
	cr_assert_fail("no document %s", name);
	return 0;
}

static const char *incident_id(bidx_index *x, const char *name)
{
	const bidx_incidents *t;
	cr_assert_eq(bidx_incidents_of(x, &t), BIDX_OK);
	const char *id = bidx_incidents_id(t, doc_named(x, name));
	cr_assert(id, "%s has no incident", name);
	return id;
}

/* The incident groups are made once per opened index and kept with it; an
 * index opened on a newer manifest makes its own, while the older one
 * still answers for its own manifest. */
Test(collect, incidents_kept_per_index_and_made_afresh_for_a_new_manifest)
{
	const bidx_incidents *a, *b;
	cr_assert_eq(bidx_incidents_of(ix, &a), BIDX_OK);
	cr_assert_eq(bidx_incidents_of(ix, &b), BIDX_OK);
	cr_assert_eq(a, b, "made once per index");
	evaluated e = eval("クレジットカード");   /* a page with incident ids uses them */
	bidx_page p = collect(&e, (bidx_collect_opts){.limit = 3, .want = BIDX_WANT_TITLE,
	                                              .incidents = 1});
	cr_assert_eq(bidx_incidents_of(ix, &b), BIDX_OK);
	cr_assert_eq(a, b, "collect uses the index's groups");
	for (uint32_t i = 0; i < p.n; i++) {
		const char *id = bidx_incidents_id(a, p.hits[i].hit.doc);
		cr_assert_str_eq(p.hits[i].incident, id ? id : "");
	}
	bidx_page_free(&p);
	drop(&e);

	char corpus[4200], ixdir[4200], why[256];
	snprintf(corpus, sizeof corpus, "%s/followups", tmp);
	snprintf(ixdir, sizeof ixdir, "%s/followups-index", tmp);
	cr_assert_eq(mkdir(corpus, 0755), 0);
	const char *first[] = {"2023-10-02_first.txt", "2024-03-08_other.txt"};
	const char *later[] = {"2023-11-17_second.txt", "2024-01-19_final.txt"};
	char from[8400], to[8400];
	for (int i = 0; i < 2; i++) {
		snprintf(from, sizeof from, "%s/tests/fixtures/followups/%s", BIDX_SOURCE_DIR, first[i]);
		snprintf(to, sizeof to, "%s/%s", corpus, first[i]);
		tu_copy_file(from, to);
	}
	int st;
	free(tu_sh(".", &st, "%s/bidx build -q -i '%s' '%s'", BIDX_BINARY_DIR, ixdir, corpus));
	cr_assert_eq(st, 0);
	bidx_index *old;
	cr_assert_eq(bidx_index_open(ixdir, &old, why, sizeof why), BIDX_OK, "%s", why);
	char id_first[64];
	snprintf(id_first, sizeof id_first, "%s", incident_id(old, first[0]));
	cr_assert_str_neq(incident_id(old, first[1]), id_first);

	for (int i = 0; i < 2; i++) {   /* the follow-ups arrive: a new manifest */
		snprintf(from, sizeof from, "%s/tests/fixtures/followups/%s", BIDX_SOURCE_DIR, later[i]);
		snprintf(to, sizeof to, "%s/%s", corpus, later[i]);
		tu_copy_file(from, to);
	}
	free(tu_sh(".", &st, "%s/bidx build -q -i '%s' '%s'", BIDX_BINARY_DIR, ixdir, corpus));
	cr_assert_eq(st, 0);
	bidx_index *fresh;
	cr_assert_eq(bidx_index_open(ixdir, &fresh, why, sizeof why), BIDX_OK, "%s", why);
	long at = 1;
	for (;; at++) {   /* a failed first use keeps nothing and fails cleanly */
		const bidx_incidents *t = NULL;
		bidx_fault_set(BIDX_FAULT_ALLOC, at);
		bidx_err rc = bidx_incidents_of(fresh, &t);
		bidx_fault_set(BIDX_FAULT_ALLOC, 0);
		if (rc == BIDX_OK)
			break;
		cr_assert_eq(rc, BIDX_ENOMEM, "allocation %ld: error %d", at, rc);
		cr_assert_null(t);
		cr_assert_lt(at, 1000);
	}
	cr_assert_gt(at, 3, "making the groups allocates");
	cr_expect_str_eq(incident_id(fresh, later[0]), id_first, "the 第2報 joins the first report");
	cr_expect_str_eq(incident_id(fresh, later[1]), id_first, "the 最終報 joins the first report");
	cr_expect_str_eq(incident_id(fresh, first[0]), id_first);
	const bidx_incidents *t_old, *t_fresh;
	cr_assert_eq(bidx_incidents_of(old, &t_old), BIDX_OK);
	cr_assert_eq(bidx_incidents_of(fresh, &t_fresh), BIDX_OK);
	cr_assert_neq(t_old, t_fresh);
	cr_expect_eq(old->ndocs, 2, "the old index still answers for its own manifest");
	cr_expect_str_eq(incident_id(old, first[0]), id_first);
	bidx_index_close(old);
	bidx_index_close(fresh);
}

Test(collect, explanations_sum_to_the_scores)
{
	evaluated e = eval("個人情報 漏えい");
	bidx_page p = collect(&e, (bidx_collect_opts){.limit = 5, .explain = 1,
	                                              .want = BIDX_WANT_SNIPPET});
	cr_assert_gt(p.n, 0);
	for (uint32_t i = 0; i < p.n; i++) {
		const bidx_page_text *t = p.hits[i].text;
		cr_assert(t->explained);
		cr_assert_geq(t->explain.n, 1);
		double diff = t->explain.score - p.hits[i].hit.score;
		cr_assert(diff < 1e-9 && diff > -1e-9, "hit %u: explained %f, scored %f", i,
		          t->explain.score, p.hits[i].hit.score);
	}
	bidx_page_free(&p);
	drop(&e);
}

/* Every allocation of a full page (snippets, facets, groups,
 * explanations) failed in turn: a clean BIDX_ENOMEM and an empty page,
 * then with no failure the same page as without fault injection. */
Test(collect, failed_allocations)
{
	evaluated e = eval("クレジットカード");
	const char *names[] = {"year", "org"};
	bidx_collect_opts o = {.limit = 4, .offset = 1, .want = BIDX_WANT_SNIPPET, .group = 1,
	                       .explain = 1, .facets = names, .nfacets = 2};
	bidx_page good = collect(&e, o);
	int failures = 0;
	for (long at = 1;; at++) {
		bidx_page p;
		restore(&e);
		bidx_fault_set(BIDX_FAULT_ALLOC, at);
		bidx_err rc = bidx_collect(ix, &e.r, &o, &p);
		bidx_fault_set(BIDX_FAULT_ALLOC, 0);
		if (rc == BIDX_OK) {
			cr_assert_eq(p.n, good.n);
			for (uint32_t i = 0; i < p.n; i++)
				cr_assert_str_eq(p.hits[i].text->snippet.text, good.hits[i].text->snippet.text);
			bidx_page_free(&p);
			break;
		}
		cr_assert_eq(rc, BIDX_ENOMEM, "allocation %ld: error %d", at, rc);
		cr_assert(p.n == 0 && !p.hits && !p.texts && !p.nfacets, "allocation %ld: a page left",
		          at);
		failures++;
		cr_assert_lt(at, 100000);
	}
	cr_assert_gt(failures, 20);
	bidx_page_free(&good);
	drop(&e);
	TU_ASSERT_NO_LEAKS();
}

/* A hit's score in its human line is written without printf, exactly as
 * "%7.3f" writes it: BM25 sums, round values, ties (0.0625 and 2.0625 are
 * exact halves of a thousandth: printf rounds them to even), and what the
 * short path leaves to snprintf (negative, zero's sign, huge, NaN). */
Test(collect, scores_written_as_printf_writes_them)
{
	static const double fixed[] = {0, -0.0, 0.0625, 2.0625, 0.0005, 1.0005, 9.9995, 999.9995,
	                               12.3455, 4.0, 3.974, 1e5, 999999.9999, 1e6, 1e12, -1.5,
	                               1.0 / 0.0, 0.0 / 0.0};
	char want[64], got[64];
	uint32_t seed = 99;
	for (int i = 0; i < 200000; i++) {
		double v;
		if (i < (int)(sizeof fixed / sizeof *fixed))
			v = fixed[i];
		else if (i % 3 == 0)   /* thousandths and their halves, at random */
			v = (double)((seed = seed * 1103515245u + 12345u) >> 8 & 0xFFFFF) / 2000.0;
		else   /* sums of random terms, as BM25 gives */
			v = (double)((seed = seed * 1103515245u + 12345u) >> 4) / 1e8;
		for (int w = 0; w <= 7; w += 7) {
			snprintf(want, sizeof want, "%*.3f", w, v);
			size_t n = bidx_output_score(got, v, w);
			cr_assert_str_eq(got, want, "%.17g, width %d", v, w);
			cr_assert_eq(n, strlen(want));
		}
	}
}
