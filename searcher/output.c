/*
 * output.c - formats a result page (output.h): human lines, JSON lines,
 * the API's JSON members, CSV/TSV rows, paths, a count.
 *
 * Everything shown comes from the page collect.c built; the only reads of
 * the index left here are a hit's field record, formatted by facet.c and
 * notices.c straight from the mapping.
 */
#include "output.h"
#include "facet.h"
#include "checksum.h"
#include "fault.h"
#include "html.h"
#include "json.h"
#include "notices.h"
#include "pathshow.h"
#include "ostream.h"
#include "termsafe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define C_TITLE "\033[1m"
#define C_PATH "\033[35m"
#define C_MATCH "\033[1;31m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

static void put_str(bidx_buf *b, const char *s)
{
	bidx_buf_put(b, s, strlen(s));
}

/* A hit's snippet line, rendered into b (one write for the line). */
static void print_snippet(bidx_buf *b, const bidx_snippet *s, int color)
{
	size_t pos = 0;
	put_str(b, "    ");
	if (s->elided_before)
		put_str(b, "…");
	for (size_t i = 0; i < s->nmarks; i++) {
		bidx_ts_put(b, s->text + pos, s->marks[i].start - pos);
		put_str(b, color ? C_MATCH : "[");
		bidx_ts_put(b, s->text + s->marks[i].start, s->marks[i].end - s->marks[i].start);
		put_str(b, color ? C_OFF : "]");
		pos = s->marks[i].end;
	}
	bidx_ts_put(b, s->text + pos, s->len - pos);
	if (s->elided_after)
		put_str(b, "…");
	bidx_buf_putc(b, '\n');
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

/* printf costs some 2,500 instructions a call; a score is a small
 * positive number, whose thousandths are v * 1000 rounded, except near a
 * half (a tie printf breaks on v's exact value), which is left to
 * snprintf, as is anything else. */
size_t bidx_output_score(char *out, double v, int w)
{
	double m = v * 1000.0, fl = floor(m);
	if (!(v >= 0 && v < 1e6) || signbit(v) || fabs(m - fl - 0.5) < 1e-3)
		return (size_t)snprintf(out, 32, "%*.3f", w, v);
	uint64_t k = (uint64_t)fl + (m - fl > 0.5);
	char d[24];
	size_t n = 0;
	for (int i = 0; i < 3; i++, k /= 10)
		d[n++] = (char)('0' + k % 10);
	d[n++] = '.';
	do
		d[n++] = (char)('0' + k % 10);
	while ((k /= 10) > 0);
	size_t len = 0;
	for (; len + n < (size_t)w; len++)
		out[len] = ' ';
	while (n > 0)
		out[len++] = d[--n];
	out[len] = 0;
	return len;
}

/* A hit's rank, score and title line and its path line, rendered into b. */
static void print_human(bidx_buf *b, uint32_t rank, const bidx_hit *h, const char *path,
                        size_t plen, const char *title, size_t tlen, int color)
{
	char line[48];
	size_t n = 0;
	if (rank < 1000) {   /* "%3u. " */
		line[n++] = rank >= 100 ? (char)('0' + rank / 100) : ' ';
		line[n++] = rank >= 10 ? (char)('0' + rank / 10 % 10) : ' ';
		line[n++] = (char)('0' + rank % 10);
	} else
		n = (size_t)snprintf(line, 16, "%u", rank);
	line[n++] = '.';
	line[n++] = ' ';
	bidx_buf_put(b, line, n);
	if (color)
		put_str(b, C_DIM);
	bidx_buf_put(b, line, bidx_output_score(line, h->score, 7));
	put_str(b, color ? C_OFF "  " C_TITLE : "  ");
	size_t shown = clip_chars(title, tlen, TITLE_SHOWN_CHARS);
	if (tlen) {
		bidx_ts_put(b, title, shown);
		if (shown < tlen)
			put_str(b, "…");
	} else
		put_str(b, "(no title)");
	put_str(b, color ? C_OFF "\n     " C_PATH : "\n     ");
	size_t sl;
	const char *spath = bidx_path_shown(path, plen, &sl);
	bidx_ts_put(b, spath, sl);
	put_str(b, color ? C_OFF "\n" : "\n");
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
			        "\"body\":%u,\"synonyms\":%u,\"synonym_tf\":%.6f,\"tf\":%.6f,\"df\":%u,\"idf\":%.6f,\"dl\":%.0f,\"avgdl\":%.3f,"
			        "\"length_norm\":%.6f,\"tf_part\":%.6f,\"proximity\":0,\"boost\":%.3f,"
			        "\"score\":%.6f}", t->whole, t->edge, t->inside, t->across, t->title,
			        t->whole + t->edge + t->inside + t->across - t->title, t->syn, t->syn_wtf, t->wtf,
			        t->df, t->idf,
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
		        "inside %u, across %u (title %u, body %u)", t->score,
		        t->weight != 1.0 ? "synonym 0.5 x " : "", t->idf, t->df, t->tfpart, t->wtf, t->whole,
		        t->edge, t->inside, t->across, t->title,
		        t->whole + t->edge + t->inside + t->across - t->title);
		if (t->syn)
			fprintf(f, " + synonyms %u (tf %.2f)", t->syn, t->syn_wtf);
		fprintf(f, "; length norm %.3f (%.0f words, average %.1f); proximity none\n", t->norm,
		        t->dl, t->avgdl);
	}
}

/* A group's reports under its hit (human) or as the member "reports". */
static void print_reports(FILE *f, const bidx_page_report *v, uint32_t n, int json)
{
	char iso[16];
	if (json)
		fputs(",\"reports\":[", f);
	for (uint32_t i = 0; i < n; i++) {
		if (n == 1 && !v[i].incident[0] && !json)
			break;   /* a document of its own: nothing to list */
		int32_t date = v[i].date;
		snprintf(iso, sizeof iso, "%04d-%02d-%02d", date / 10000, date / 100 % 100, date % 100);
		if (json) {
			fprintf(f, "%s{\"doc\":%u,\"path\":", i ? "," : "", v[i].doc);
			bidx_json_str(f, v[i].path, v[i].path_len);
			fputs(",\"report\":", f);
			bidx_json_str(f, v[i].report, strlen(v[i].report));
			fputs(",\"date\":", f);
			bidx_json_str(f, date ? iso : "", date ? strlen(iso) : 0);
			fputc('}', f);
		} else {
			if (!i)
				fprintf(f, "     incident %s, %u report%s:\n", v[i].incident, n,
				        n == 1 ? "" : "s");
			fprintf(f, "       %s  %s  ", v[i].report, date ? iso : "          ");
			bidx_ts_write(f, v[i].path, v[i].path_len);
			fputc('\n', f);
		}
	}
	if (json)
		fputc(']', f);
}

/* Writes what b holds to f and empties it. */
static bidx_err put_line(bidx_buf *b, FILE *f)
{
	if (b->err)
		return b->err;
	fwrite(b->p, 1, b->len, f);
	b->len = 0;
	return BIDX_OK;
}

/* One ranked hit with its title and snippet, and what o asks beside; the
 * human lines are rendered into `line` (kept between hits), each written
 * at once. */
static bidx_err show_hit(const bidx_page_hit *h, const bidx_outopts *o, bidx_buf *line)
{
	const bidx_page_text *t = h->text;
	const bidx_snippet *s = &t->snippet;
	int json = o->mode == BIDX_OUT_JSON;
	bidx_err rc;
	if (json) {
		print_json(o->f, h->rank, &h->hit, h->path, h->path_len, t->title, t->title_len, s);
		if (o->json_extra)
			o->json_extra(o->json_ctx, &h->hit, o->f);
	} else {
		print_human(line, h->rank, &h->hit, h->path, h->path_len, t->title, t->title_len,
		            o->color);
		if ((rc = put_line(line, o->f)) != BIDX_OK)
			return rc;
	}
	if (t->pdf_page && json)
		fprintf(o->f, ",\"page\":%u", t->pdf_page);
	else if (t->pdf_page)
		fprintf(o->f, "     p. %u\n", t->pdf_page);
	rc = bidx_facet_doc_fields(h->seg, h->local, json, o->f);
	if (!rc && t->explained && json)
		print_explain(o->f, &t->explain, 1);
	if (!rc && json)
		rc = bidx_notice_json(h->seg, h->local, h->incident[0] ? h->incident : NULL, o->f);
	if (!rc && o->group)
		print_reports(o->f, t->reports, t->nreports, json);
	if (!rc && json && o->api) {
		fputs(",\"snippet_html\":", o->f);
		if (bidx_html_snippet_json(o->f, s->text ? s->text : "", s->len, s->marks, s->nmarks))
			rc = BIDX_ENOMEM;
	}
	if (json)
		fputs(o->api ? "}" : "}\n", o->f);
	else if (!rc) {
		print_snippet(line, s, o->color);
		rc = put_line(line, o->f);
	}
	if (!rc && t->explained && !json)
		print_explain(o->f, &t->explain, 0);
	return rc;
}

int64_t bidx_output_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#define FACET_SHOWN 10

void bidx_output_facet(FILE *f, const bidx_page_facet *pf, int json)
{
	const char *name = pf->name;
	if (json) {
		bidx_json_str(f, name, strlen(name));
		fputs(":{", f);
		for (size_t i = 0; i < pf->n; i++) {
			fputs(i ? "," : "", f);
			bidx_json_str(f, pf->values[i].value, pf->values[i].len);
			fprintf(f, ":%u", pf->values[i].count);
		}
		fputs("}", f);
		return;
	}
	bidx_ts_write(f, name, strlen(name));
	fputc(':', f);
	for (size_t i = 0; i < pf->n && i < FACET_SHOWN; i++) {
		fputs(i ? ", " : " ", f);
		bidx_ts_write(f, pf->values[i].value, pf->values[i].len);
		fprintf(f, " (%u)", pf->values[i].count);
	}
	if (pf->n > FACET_SHOWN)
		fprintf(f, ", … %zu more", pf->n - FACET_SHOWN);
	if (!pf->n)
		fputs(" (none)", f);
	fputc('\n', f);
}

/* The facet counts: human lines, the API's member ,"facets":{...}, or
 * --json's last line {"total":N[,"incidents":G],"took_us":T,"query":Q[,"facets":{...}]}. */
static void print_facets(const bidx_page *p, const bidx_outopts *o)
{
	int json = o->mode == BIDX_OUT_JSON;
	if (json && !o->api) {
		fprintf(o->f, "{\"total\":%u", p->total);
		if (o->group)
			fprintf(o->f, ",\"incidents\":%u", p->ranked);
		if (o->query) {   /* bsearch always sets it; a program may not */
			fprintf(o->f, ",\"took_us\":%lld,\"query\":",
			        (long long)(bidx_output_now_us() - o->t0_us));
			bidx_json_str(o->f, o->query, strlen(o->query));
		}
		if (!p->nfacets) {
			fputs("}\n", o->f);
			return;
		}
	}
	if (json && p->facets_per_incident)
		fputs(",\"facets_count\":\"incidents\"", o->f);
	if (json)
		fputs(",\"facets\":{", o->f);
	else if (!p->nfacets || o->mode != BIDX_OUT_HUMAN)
		return;
	else
		fputs(p->facets_per_incident ? "\nfacets over all incidents (one count per incident, "
		                               "not per report):\n" : "\nfacets over all hits:\n", o->f);
	for (int i = 0; i < p->nfacets; i++) {
		if (json && i)
			fputc(',', o->f);
		if (!json)
			fputs("  ", o->f);
		bidx_output_facet(o->f, &p->facets[i], json);
	}
	if (json)
		fputs(o->api ? "}" : "}}\n", o->f);
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
static bidx_err print_path(const bidx_page_hit *h, const bidx_outopts *o, pathset *seen)
{
	const char *path = h->path;
	size_t n = o->records ? h->path_len : bidx_path_file_len(path, h->path_len);
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

/* CSV or TSV: a header, then a row per hit of the page. */
static bidx_err print_table(const bidx_page *p, const bidx_outopts *o)
{
	char sep = o->mode == BIDX_OUT_CSV ? ',' : '\t';
	bidx_err rc = BIDX_OK;
	bidx_table_header(o->f, sep);
	for (uint32_t i = 0; i < p->n && !rc; i++) {
		const bidx_page_hit *h = &p->hits[i];
		rc = bidx_table_row(h->seg, h->local, h->path, h->path_len, h->text->title,
		                    h->text->title_len, sep, o->f);
	}
	fflush(o->f);
	return rc ? rc : bidx_ostream_error(o->f) ? BIDX_EIO : BIDX_OK;
}

void bidx_output_collect(const bidx_outopts *o, bidx_collect_opts *c)
{
	int hits = o->mode == BIDX_OUT_HUMAN || o->mode == BIDX_OUT_JSON;
	*c = (bidx_collect_opts){.sort = o->sort, .offset = o->offset, .limit = o->limit,
	                         .want = BIDX_WANT_SNIPPET, .facets = o->facets,
	                         .nfacets = hits ? o->nfacets : 0, .group = o->group,
	                         .explain = hits && o->explain,
	                         .incidents = o->mode == BIDX_OUT_JSON};
	if (o->mode == BIDX_OUT_CSV || o->mode == BIDX_OUT_TSV)
		c->want = BIDX_WANT_TITLE;
	if (o->mode == BIDX_OUT_PATHS) {   /* every file, from the first */
		c->want = BIDX_WANT_PATH;
		c->offset = 0;
		c->limit = UINT32_MAX;
	}
	if (o->mode == BIDX_OUT_COUNT)   /* the total is all: no order, no group */
		*c = (bidx_collect_opts){.want = BIDX_WANT_NONE};
}

bidx_err bidx_output_page(const bidx_page *p, const bidx_outopts *o)
{
	bidx_err rc = BIDX_OK;
	if (o->mode == BIDX_OUT_COUNT) {
		fprintf(o->f, o->json ? "{\"count\":%u}\n" : "%u\n", p->total);
		return bidx_ostream_error(o->f) ? BIDX_EIO : BIDX_OK;
	}
	if (o->mode == BIDX_OUT_CSV || o->mode == BIDX_OUT_TSV)
		return print_table(p, o);
	pathset seen = {0};
	bidx_buf line = BIDX_BUF_INIT;
	if (o->api)
		fputs("\"hits\":[", o->f);
	for (uint32_t i = 0; i < p->n && !rc; i++) {
		if (o->api)
			fputs(i ? ",\n" : "\n", o->f);
		if (o->mode == BIDX_OUT_PATHS)
			rc = print_path(&p->hits[i], o, &seen);
		else
			rc = show_hit(&p->hits[i], o, &line);
		if (!rc && bidx_ostream_error(o->f))
			rc = BIDX_EIO;   /* a full disk or a closed pipe: stop */
	}
	free(seen.h);
	bidx_buf_free(&line);
	if (o->api)
		fputs("]", o->f);
	if (!rc)
		print_facets(p, o);
	if (!rc) {
		fflush(o->f);
		if (bidx_ostream_error(o->f))   /* right after the write, for its errno */
			rc = BIDX_EIO;
	}
	return rc;
}

bidx_err bidx_output(bidx_index *ix, bidx_result *r, const bidx_outopts *o)
{
	bidx_collect_opts c;
	bidx_page p;
	bidx_output_collect(o, &c);
	bidx_err rc = bidx_collect(ix, r, &c, &p);
	if (!rc)
		rc = bidx_output_page(&p, o);
	bidx_page_free(&p);
	return rc;
}
