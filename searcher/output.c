#include "output.h"
#include "facet.h"
#include "checksum.h"
#include "fault.h"
#include "html.h"
#include "json.h"
#include "notices.h"
#include "pathshow.h"
#include "ostream.h"
#include "snippet.h"
#include "markdown.h"
#include "termsafe.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define C_TITLE "\033[1m"
#define C_PATH "\033[35m"
#define C_MATCH "\033[1;31m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

static void print_snippet(FILE *f, const bidx_snippet *s, int color)
{
	size_t pos = 0;
	fputs("    ", f);
	if (s->elided_before)
		fputs("…", f);
	for (size_t i = 0; i < s->nmarks; i++) {
		bidx_ts_write(f, s->text + pos, s->marks[i].start - pos);
		fputs(color ? C_MATCH : "[", f);
		bidx_ts_write(f, s->text + s->marks[i].start, s->marks[i].end - s->marks[i].start);
		fputs(color ? C_OFF : "]", f);
		pos = s->marks[i].end;
	}
	bidx_ts_write(f, s->text + pos, s->len - pos);
	if (s->elided_after)
		fputs("…", f);
	putc('\n', f);
}

/* Bytes of the first max characters of s[0..n) (UTF-8). */
static size_t clip_chars(const char *s, size_t n, size_t max)
{
	size_t i = 0, chars = 0;
	while (i < n && chars < max) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		chars++;
	}
	return i;
}

#define TITLE_SHOWN_CHARS 60

static void print_human(FILE *f, uint32_t rank, const bidx_hit *h, const char *path,
                        size_t plen, const char *title, size_t tlen, int color)
{
	fprintf(f, "%3u. %s%7.3f%s  %s", rank, color ? C_DIM : "", h->score, color ? C_OFF : "",
	        color ? C_TITLE : "");
	size_t shown = clip_chars(title, tlen, TITLE_SHOWN_CHARS);
	if (tlen) {
		bidx_ts_write(f, title, shown);
		if (shown < tlen)
			fputs("…", f);
	} else
		fputs("(no title)", f);
	fprintf(f, "%s\n     %s", color ? C_OFF : "", color ? C_PATH : "");
	size_t sl;
	const char *spath = bidx_path_shown(path, plen, &sl);
	bidx_ts_write(f, spath, sl);
	fprintf(f, "%s\n", color ? C_OFF : "");
}

static void print_spans(FILE *f, const char *name, const bidx_span *v, size_t n)
{
	fprintf(f, ",\"%s\":[", name);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s[%u,%u]", i ? "," : "", v[i].start, v[i].end);
	putc(']', f);
}

static void print_json(FILE *f, uint32_t rank, const bidx_hit *h, const char *path,
                       size_t plen, const char *title, size_t tlen, const bidx_snippet *s)
{
	size_t sl;
	const char *shown = bidx_path_shown(path, plen, &sl);
	fprintf(f, "{\"rank\":%u,\"doc\":%u,\"score\":%.6f,\"path\":", rank, h->doc, h->score);
	bidx_json_str(f, shown, sl);
	fputs(",\"abspath\":", f);
	bidx_json_str(f, path, plen);
	fputs(",\"title\":", f);
	bidx_json_str(f, title, tlen);
	fputs(",\"snippet\":", f);
	bidx_json_str(f, s->text ? s->text : "", s->len);
	fprintf(f, ",\"snippet_truncated\":%s",
	        s->elided_before || s->elided_after ? "true" : "false");
	print_spans(f, "snippet_marks", s->marks, s->nmarks);
	print_spans(f, "matches", s->matches, s->nmatches);
}

/* Bytes of a long document's head tried first for a snippet when the match
 * position is not known. */
#define HEAD_TRY ((size_t)16 << 10)

/* Cuts a partial text back to its last line end (or character start), so
 * that nothing is normalised from half a line or half a character. */
static size_t line_cut(const char *t, size_t n)
{
	size_t k = n;
	while (k > n / 2 && t[k - 1] != '\n')
		k--;
	if (k > n / 2)
		return k;
	while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* The page (1-based) of byte `at` of a PDF's text, from its "pages" field
 * (page start offsets, docs/FORMAT.md FIELDSTR); 0 for other documents. */
static uint32_t page_of(bidx_segment *seg, uint32_t local, size_t at)
{
	bidx_fieldrec fr;
	bidx_fstr f;
	if (bidx_segment_fields(seg, local, &fr))
		return 0;
	const uint8_t *p = bidx_segment_fieldstr(seg, &fr), *end = p + fr.str_len;
	while (bidx_fstr_next(&p, end, &f) == 1) {
		if (f.nlen != 5 || memcmp(f.name, "pages", 5))
			continue;
		uint32_t page = 0;
		size_t i = 0;
		while (i < f.vlen) {
			size_t v = 0, k = i;
			while (k < f.vlen && f.value[k] >= '0' && f.value[k] <= '9')
				v = v * 10 + (size_t)(f.value[k++] - '0');
			if (k == i || v > at)
				break;
			page++;
			i = k + 1;
		}
		return page;
	}
	return 0;
}

/* Prints one ranked hit with its title and snippet. */
/* The parts of a hit's score: one line per word under the hit, or the JSON
 * member "explain".  Numbers at the precision of the score shown, so the
 * parts visibly sum to it. */
static void print_explain(FILE *f, const bidx_explain *x, int json)
{
	if (json) {
		fprintf(f, ",\"explain\":{\"score\":%.6f,\"words\":[", x->score);
		for (uint32_t i = 0; i < x->n; i++) {
			const bidx_xterm *t = &x->t[i];
			fputs(i ? ",{\"word\":" : "{\"word\":", f);
			bidx_json_str(f, t->word, strlen(t->word));
			fprintf(f, ",\"whole\":%u,\"edge\":%u,\"inside\":%u,\"across\":%u,\"title\":%u,"
			        "\"body\":%u,\"tf\":%.6f,\"df\":%u,\"idf\":%.6f,\"dl\":%.0f,\"avgdl\":%.3f,"
			        "\"length_norm\":%.6f,\"tf_part\":%.6f,\"proximity\":0,\"boost\":%.3f,"
			        "\"score\":%.6f}", t->whole, t->edge, t->inside, t->across, t->title,
			        t->whole + t->edge + t->inside + t->across - t->title, t->wtf, t->df, t->idf,
			        t->dl, t->avgdl, t->norm, t->tfpart, t->weight, t->score);
		}
		fputs("]}", f);
		return;
	}
	fprintf(f, "     explain: %.3f =", x->score);
	for (uint32_t i = 0; i < x->n; i++)
		fprintf(f, "%s %.3f", i ? " +" : "", x->t[i].score);
	fputc('\n', f);
	for (uint32_t i = 0; i < x->n; i++) {
		const bidx_xterm *t = &x->t[i];
		fputs("       ", f);
		bidx_ts_write(f, t->word, strlen(t->word));
		fprintf(f, ": %.3f = %s%.3f idf (df %u) x %.3f tf part; tf %.2f from whole %u, edge %u, "
		        "inside %u, across %u (title %u, body %u); length norm %.3f (%.0f words, "
		        "average %.1f); proximity none\n", t->score, t->weight != 1.0 ? "synonym 0.5 x " : "",
		        t->idf, t->df, t->tfpart, t->wtf, t->whole, t->edge, t->inside, t->across, t->title,
		        t->whole + t->edge + t->inside + t->across - t->title, t->norm, t->dl, t->avgdl);
	}
}

static bidx_err explain_hit(bidx_index *ix, const bidx_result *r, const bidx_hit *h, int json,
                            FILE *f)
{
	bidx_explain x;
	char why[512];
	if (!r->query)
		return BIDX_OK;
	bidx_err rc = bidx_query_explain(ix, r->query, h->doc, &x, why, sizeof why);
	if (!rc)
		print_explain(f, &x, json);
	bidx_explain_free(&x);
	return rc;
}

static bidx_err show_hit(bidx_index *ix, const bidx_result *r, const bidx_hit *h,
                         uint32_t rank, const bidx_outopts *o, const uint32_t *group_docs,
                         uint32_t group_n)
{
	uint32_t local;
	bidx_segment *seg = bidx_index_locate(ix, h->doc, &local);
	bidx_docrec d;
	char *buf;
	const char *title, *text;
	size_t tlen;
	bidx_snippet s;
	const uint8_t *ck;
	uint32_t nck;
	size_t b0, b1, avail;
	bidx_err rc = seg ? bidx_segment_doc(seg, local, &d) : bidx_corrupt();
	if (!rc)
		rc = bidx_segment_ckpts(seg, local, &ck, &nck);
	if (rc)
		return rc;
	/* decompress only as far as the snippet window reaches; without a known
	 * match position (one-character words, filters) try the head first */
	bidx_snippet_window(d.text_len, h->pos, ck, nck, &b0, &b1);
	int md = bidx_md_path(bidx_segment_path(seg, &d), d.path_len);
	int head_only = h->pos == BIDX_NOPOS && d.text_len > HEAD_TRY;
	rc = bidx_segment_fetch_prefix(seg, &d, head_only ? HEAD_TRY : b1, &buf, &title, &tlen,
	                               &text, &avail);
	if (rc)
		return rc;
	if (head_only)
		avail = line_cut(text, avail);
	rc = bidx_snippet_make_near(text, d.text_len, avail, r->terms, r->nterms, h->pos, ck, nck,
	                            md, &s);
	if (!rc && head_only && !s.nmarks) {   /* not in the head: the whole text */
		bidx_snippet_free(&s);
		free(buf);
		rc = bidx_segment_fetch_prefix(seg, &d, d.text_len, &buf, &title, &tlen, &text, &avail);
		if (rc)
			return rc;
		rc = bidx_snippet_make_near(text, d.text_len, avail, r->terms, r->nterms, h->pos, ck,
		                            nck, md, &s);
	}
	if (!rc) {
		const char *path = bidx_segment_path(seg, &d);
		int json = o->mode == BIDX_OUT_JSON;
		uint32_t page = s.nmatches ? page_of(seg, local, s.matches[0].start) : 0;
		if (json) {
			print_json(o->f, rank, h, path, d.path_len, title, tlen, &s);
			if (o->json_extra)
				o->json_extra(o->json_ctx, h, o->f);
		} else
			print_human(o->f, rank, h, path, d.path_len, title, tlen, o->color);
		if (page && json)
			fprintf(o->f, ",\"page\":%u", page);
		else if (page)
			fprintf(o->f, "     p. %u\n", page);
		rc = bidx_facet_doc_fields(seg, local, json, o->f);
		if (!rc && o->explain && json)
			rc = explain_hit(ix, r, h, 1, o->f);
		if (!rc && json)
			rc = bidx_notice_json(seg, local, o->f);
		if (!rc && group_docs)
			rc = bidx_group_print(ix, group_docs, group_n, json, o->f);
		if (!rc && json && o->api) {
			fputs(",\"snippet_html\":", o->f);
			if (bidx_html_snippet_json(o->f, s.text ? s.text : "", s.len, s.marks, s.nmarks))
				rc = BIDX_ENOMEM;
		}
		if (json)
			fputs(o->api ? "}" : "}\n", o->f);
		else
			print_snippet(o->f, &s, o->color);
		if (!rc && o->explain && !json)
			rc = explain_hit(ix, r, h, 0, o->f);
		bidx_snippet_free(&s);
	}
	free(buf);
	return rc;
}

int bidx_sort_parse(const char *s, bidx_sort *out)
{
	static const char *const names[] = {"relevance", "date", "-date", "affected"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*out = (bidx_sort)i;
			return 0;
		}
	return -1;
}

/* Sort keys read from the FIELDS column: hits carry them in score while
 * sorting, so the order is (key, then relevance is lost; doc id breaks ties). */
typedef struct keyed {
	int64_t key;
	double score;
	uint32_t doc;
	uint32_t pos;
} keyed;

static int cmp_keyed(const void *pa, const void *pb)
{
	const keyed *a = pa, *b = pb;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return (a->doc > b->doc) - (a->doc < b->doc);
}

/* Orders hits by date (oldest first), -date (newest first) or affected
 * (largest first); documents without the value go last; ties keep
 * relevance order, then doc id. */
static bidx_err sort_by_field(bidx_index *ix, bidx_result *r, bidx_sort how)
{
	keyed *k = bidx_malloc((size_t)r->n * sizeof *k + 1);
	if (!k)
		return BIDX_ENOMEM;
	for (uint32_t i = 0; i < r->n; i++) {
		bidx_fieldrec f;
		uint32_t local;
		bidx_segment *seg = bidx_index_locate(ix, r->hits[i].doc, &local);
		if (!seg || bidx_segment_fields(seg, local, &f)) {
			free(k);
			return BIDX_ECORRUPT;
		}
		int64_t key = INT64_MAX;
		if (how == BIDX_SORT_DATE && f.date_lo)
			key = f.date_lo;
		else if (how == BIDX_SORT_DATE_DESC && f.date_lo)
			key = -(int64_t)f.date_hi;
		else if (how == BIDX_SORT_AFFECTED && f.affected)
			key = -(int64_t)(f.affected > INT64_MAX ? INT64_MAX : f.affected);
		k[i] = (keyed){key, r->hits[i].score, r->hits[i].doc, r->hits[i].pos};
	}
	if (r->n)
		qsort(k, r->n, sizeof *k, cmp_keyed);
	for (uint32_t i = 0; i < r->n; i++)
		r->hits[i] = (bidx_hit){k[i].doc, k[i].score, k[i].pos};
	free(k);
	return BIDX_OK;
}

bidx_err bidx_output_order(bidx_index *ix, bidx_result *r, bidx_sort sort, uint32_t k)
{
	bidx_rank_sort(r->hits, r->n, sort == BIDX_SORT_RELEVANCE ? k : r->n);
	return sort == BIDX_SORT_RELEVANCE ? BIDX_OK : sort_by_field(ix, r, sort);
}

int64_t bidx_output_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The facet counts: human lines, the API's member ,"facets":{...}, or
 * --json's last line {"total":N,"took_us":T,"query":Q[,"facets":{...}]}. */
static bidx_err print_facets(bidx_index *ix, const bidx_result *r, const bidx_outopts *o)
{
	bidx_err rc = BIDX_OK;
	int json = o->mode == BIDX_OUT_JSON;
	if (json && !o->api) {
		fprintf(o->f, "{\"total\":%u", r->n);
		if (o->query) {   /* bsearch always sets it; a program may not */
			fprintf(o->f, ",\"took_us\":%lld,\"query\":",
			        (long long)(bidx_output_now_us() - o->t0_us));
			bidx_json_str(o->f, o->query, strlen(o->query));
		}
		if (!o->nfacets) {
			fputs("}\n", o->f);
			return BIDX_OK;
		}
	}
	if (json)
		fputs(",\"facets\":{", o->f);
	else if (!o->nfacets || o->mode != BIDX_OUT_HUMAN)
		return BIDX_OK;
	else
		fputs("\nfacets over all hits:\n", o->f);
	for (int i = 0; i < o->nfacets && !rc; i++) {
		if (json && i)
			fputc(',', o->f);
		if (!json)
			fputs("  ", o->f);
		rc = bidx_facet_print(ix, r, o->facets[i], json, o->f);
	}
	if (json)
		fputs(o->api ? "}" : "}}\n", o->f);
	return rc;
}

/* The files -l has printed: open addressing over XXH3 of their paths. */
typedef struct pathset {
	struct pent { uint64_t h; const char *p; size_t n; } *h;
	size_t cap, n;
} pathset;

/* 1 when p[0..n) is new to the set (and now in it), 0 when there, -1 when
 * out of memory.  p points into the index map, which outlives the set. */
static int pathset_add(pathset *s, const char *p, size_t n)
{
	if (2 * (s->n + 1) > s->cap) {
		pathset g = {bidx_calloc(s->cap ? 2 * s->cap : 64, sizeof *g.h), s->cap ? 2 * s->cap : 64, 0};
		if (!g.h)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->h[i].p) {
				size_t k = s->h[i].h & (g.cap - 1);
				while (g.h[k].p)
					k = (k + 1) & (g.cap - 1);
				g.h[k] = s->h[i];
			}
		g.n = s->n;
		free(s->h);
		*s = g;
	}
	uint64_t h = bidx_xxh3(p, n);
	size_t k = h & (s->cap - 1);
	for (; s->h[k].p; k = (k + 1) & (s->cap - 1))
		if (s->h[k].h == h && s->h[k].n == n && !memcmp(s->h[k].p, p, n))
			return 0;
	s->h[k] = (struct pent){h, p, n};
	s->n++;
	return 1;
}

/* One line of -l: the hit's file, shown relative to the current directory
 * when below it, once per file (a record's FILE:LINE with --records). */
static bidx_err print_path(bidx_index *ix, const bidx_hit *h, const bidx_outopts *o,
                           pathset *seen)
{
	bidx_docrec d;
	uint32_t local;
	bidx_segment *seg = bidx_index_locate(ix, h->doc, &local);
	bidx_err rc = seg ? bidx_segment_doc(seg, local, &d) : bidx_corrupt();
	if (rc)
		return rc;
	const char *path = bidx_segment_path(seg, &d);
	size_t n = o->records ? d.path_len : bidx_path_file_len(path, d.path_len);
	if (!o->records) {
		int fresh = pathset_add(seen, path, n);
		if (fresh <= 0)
			return fresh < 0 ? BIDX_ENOMEM : BIDX_OK;
	}
	path = bidx_path_shown(path, n, &n);
	if (o->null) {   /* -0: the exact bytes */
		fwrite(path, 1, n, o->f);
		putc('\0', o->f);
	} else if (o->json) {   /* --json -l: one JSON string a line */
		bidx_json_str(o->f, path, n);
		putc('\n', o->f);
	} else {
		bidx_ts_write(o->f, path, n);
		putc('\n', o->f);
	}
	return BIDX_OK;
}

bidx_err bidx_output(bidx_index *ix, bidx_result *r, const bidx_outopts *o)
{
	bidx_err rc = BIDX_OK;
	if (o->mode == BIDX_OUT_COUNT) {
		fprintf(o->f, o->json ? "{\"count\":%u}\n" : "%u\n", r->n);
		return bidx_ostream_error(o->f) ? BIDX_EIO : BIDX_OK;
	}
	uint64_t want = o->mode == BIDX_OUT_PATHS ? r->n : (uint64_t)o->offset + o->limit;
	uint32_t k = want < r->n ? (uint32_t)want : r->n;
	if ((rc = bidx_output_order(ix, r, o->sort, o->group ? r->n : k)))
		return rc;
	bidx_groups g = {0};
	if (o->group) {   /* one hit per incident: the best of each */
		if ((rc = bidx_group_hits(ix, r, &g)))
			return rc;
		k = want < r->n ? (uint32_t)want : r->n;
	}
	if (o->mode == BIDX_OUT_CSV || o->mode == BIDX_OUT_TSV) {
		char sep = o->mode == BIDX_OUT_CSV ? ',' : '\t';
		bidx_table_header(o->f, sep);
		for (uint32_t i = o->offset; i < k && !rc; i++)
			rc = bidx_table_row(ix, r->hits[i].doc, sep, o->f);
		bidx_groups_free(&g);
		fflush(o->f);
		return rc ? rc : bidx_ostream_error(o->f) ? BIDX_EIO : BIDX_OK;
	}
	uint32_t first = o->mode == BIDX_OUT_PATHS ? 0 : o->offset;
	pathset seen = {0};
	if (o->api)
		fputs("\"hits\":[", o->f);
	for (uint32_t i = first; i < k && !rc; i++) {
		if (o->api)
			fputs(i > first ? ",\n" : "\n", o->f);
		if (o->mode == BIDX_OUT_PATHS)
			rc = print_path(ix, &r->hits[i], o, &seen);
		else
			rc = show_hit(ix, r, &r->hits[i], i + 1, o, o->group ? g.members[i] : NULL,
			              o->group ? g.nmembers[i] : 0);
		if (!rc && bidx_ostream_error(o->f))
			rc = BIDX_EIO;   /* a full disk or a closed pipe: stop */
	}
	free(seen.h);
	bidx_groups_free(&g);
	if (o->api)
		fputs("]", o->f);
	if (!rc)
		rc = print_facets(ix, r, o);
	if (!rc) {
		fflush(o->f);
		if (bidx_ostream_error(o->f))   /* right after the write, for its errno */
			rc = BIDX_EIO;
	}
	return rc;
}
