/*
 * notices.c - the notice side of bsearch's output (notices.h): kinds and
 * their cues, counts with what they count, timelines, incidents and their
 * reports, table rows and whole documents.
 *
 * Everything is read from a document's FIELDSTR record: analysis stores
 * `kind` (its source holds the cues), `incident` (its source the report),
 * `affected_count` ("18746 名 exact|クレジットカード情報") and `event`
 * ("2024-05-21 what happened").
 *
 * Incidents are grouped at query time (bidx_incidents_load; once per
 * opened index, bidx_incidents_of), over every live document, from what analysis stored per document: a document sees
 * one notice, but grouping needs all of them, and segments are immutable,
 * so a build could not rename the incident of an old report when a new
 * one joins it.  Two incident notices of the same org (the hash in their
 * ids) are one incident when they share the id analysis gave (the month
 * it came to light), their incident periods overlap, they share a dated
 * step of their timelines or an affected count (10 or more), or one cites
 * the other's day (incident_cites, within a year before it); a follow-up
 * (第2報, 続報, 最終報, 訂正) that none of these joins goes with the latest
 * earlier report of its org within half a year.  A group is named by the
 * id of its earliest report.  The groups depend only on the live
 * documents' fields, so an incremental build and a build from scratch give
 * the same ids.
 */
#define _GNU_SOURCE /* memmem */
#include "notices.h"
#include "facet.h"
#include "fault.h"
#include "fields.h"
#include "filter.h"
#include "json.h"
#include "termsafe.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int named(const bidx_fstr *f, const char *name)
{
	return f->nlen == strlen(name) && !memcmp(f->name, name, f->nlen);
}

typedef struct rec {
	const uint8_t *p, *end;
	bidx_fieldrec fr;
} rec;

static bidx_err open_rec(bidx_segment *seg, uint32_t local, rec *r)
{
	bidx_err rc = bidx_segment_fields(seg, local, &r->fr);
	if (rc)
		return rc;
	r->p = bidx_segment_fieldstr(seg, &r->fr);
	r->end = r->p + r->fr.str_len;
	return BIDX_OK;
}

/* The first entry called name, 1 when found. */
static int get(const rec *r, const char *name, bidx_fstr *out)
{
	const uint8_t *p = r->p;
	int have;
	while (!bidx_fstr_next(&p, r->end, out, &have) && have)
		if (named(out, name))
			return 1;
	return 0;
}

/* 0 when r surely has no entry called name: a walk over the entries that
 * compares names only and gives up (1: ask get()) at the first length of
 * more than one byte.  Grouping incidents asks this of every document,
 * most of which have none. */
static int may_have(const rec *r, const char *name)
{
	size_t nlen = strlen(name);
	const uint8_t *p = r->p;
	while (p < r->end) {
		for (int k = 0; k < 4; k++) {   /* name, value, norm, source */
			if (p >= r->end || *p >= 0x80 || (size_t)(r->end - p) < 1u + *p)
				return 1;
			if (k == 0 && *p == nlen && !memcmp(p + 1, name, nlen))
				return 1;
			p += 1u + *p;
		}
	}
	return 0;
}

/* Cues are written "family:word family:word". */
static void json_cues(FILE *f, const char *s, size_t n)
{
	size_t i = 0;
	int first = 1;
	fputs(",\"kind_cues\":[", f);
	while (i < n) {
		size_t j = i;
		while (j < n && s[j] != ' ')
			j++;
		if (j > i) {
			fputs(first ? "" : ",", f);
			bidx_json_str(f, s + i, j - i);
			first = 0;
		}
		i = j + 1;
	}
	fputc(']', f);
}

/* "18746 名 exact|クレジットカード情報" */
static void json_count(FILE *f, const bidx_fstr *e, int *first)
{
	const char *v = e->value, *end = v + e->vlen;
	const char *sp1 = memchr(v, ' ', e->vlen);
	const char *bar = memchr(v, '|', e->vlen);
	if (!sp1 || !bar || bar < sp1)
		return;
	const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(bar - sp1 - 1));
	if (!sp2)
		return;
	fputs(*first ? "{\"value\":" : ",{\"value\":", f);
	fwrite(v, 1, (size_t)(sp1 - v), f);
	fputs(",\"unit\":", f);
	bidx_json_str(f, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	fputs(",\"what\":", f);
	bidx_json_str(f, bar + 1, (size_t)(end - bar - 1));
	fputs(",\"qualifier\":", f);
	bidx_json_str(f, sp2 + 1, (size_t)(bar - sp2 - 1));
	fputs(",\"source\":", f);
	bidx_json_str(f, e->source, e->slen);
	fputc('}', f);
	*first = 0;
}

bidx_err bidx_notice_json(bidx_segment *seg, uint32_t local, const char *incident, FILE *f)
{
	rec r;
	bidx_fstr e;
	bidx_err rc = open_rec(seg, local, &r);
	if (rc)
		return rc;
	if (get(&r, "kind", &e)) {
		fputs(",\"kind\":", f);
		bidx_json_str(f, e.value, e.vlen);
		json_cues(f, e.source, e.slen);
	}
	if (get(&r, "title_source", &e)) {
		fputs(",\"title_source\":", f);
		bidx_json_str(f, e.value, e.vlen);
	}
	if (get(&r, "date", &e))
		fprintf(f, ",\"date_estimated\":%s",
		        e.slen >= 11 && memmem(e.source, e.slen, "(estimated)", 11) ? "true" : "false");
	int first = 1, have;
	const uint8_t *p = r.p;
	fputs(",\"affected_counts\":[", f);
	while (!bidx_fstr_next(&p, r.end, &e, &have) && have)
		if (named(&e, "affected_count"))
			json_count(f, &e, &first);
	fputs("],\"events\":[", f);
	first = 1;
	for (p = r.p; !bidx_fstr_next(&p, r.end, &e, &have) && have;) {
		if (!named(&e, "event"))
			continue;
		const char *sp = memchr(e.value, ' ', e.vlen);
		size_t dl = sp ? (size_t)(sp - e.value) : e.vlen;
		fputs(first ? "{\"date\":" : ",{\"date\":", f);
		bidx_json_str(f, e.value, dl);
		fputs(",\"what\":", f);
		bidx_json_str(f, sp ? sp + 1 : "", sp ? e.vlen - dl - 1 : 0);
		fputc('}', f);
		first = 0;
	}
	fputc(']', f);
	if (get(&r, "incident", &e)) {
		fputs(",\"incident\":{\"id\":", f);
		if (incident)
			bidx_json_str(f, incident, strlen(incident));
		else
			bidx_json_str(f, e.value, e.vlen);
		fputs(",\"report\":", f);
		bidx_json_str(f, e.source, e.slen);
		fputc('}', f);
	}
	return BIDX_OK;
}

/* --- tables --- */

static const char *const columns[] = {"path", "title", "date", "org", "kind", "affected",
                                      "leaked", "method", "authority", NULL};

static void cell(FILE *f, const char *s, size_t n, char sep, int first)
{
	if (!first)
		fputc(sep, f);
	if (sep == '\t') {
		for (size_t i = 0; i < n; i++)
			fputc(s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ? ' ' : s[i], f);
		return;
	}
	int quote = 0;
	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote) {
		fwrite(s, 1, n, f);
		return;
	}
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

void bidx_table_header(FILE *f, char sep)
{
	for (int i = 0; columns[i]; i++)
		cell(f, columns[i], strlen(columns[i]), sep, i == 0);
	fputs(sep == ',' ? "\r\n" : "\n", f);
}

static void bits_cell(FILE *f, const char *field, uint32_t bits, char sep)
{
	const char *const *names = bidx_filter_vocab(field);
	char buf[1024];
	size_t o = 0;
	for (int b = 0; b < 32 && names[b]; b++)
		if (bits >> b & 1 && o + strlen(names[b]) + 2 < sizeof buf)
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", o ? ";" : "", names[b]);
	cell(f, buf, o, sep, 0);
}

bidx_err bidx_table_row(bidx_segment *seg, uint32_t local, const char *path, size_t plen,
                        const char *title, size_t tlen, char sep, FILE *f)
{
	rec r;
	bidx_fstr e;
	char num[32];
	bidx_err rc = open_rec(seg, local, &r);
	if (rc)
		return rc;
	cell(f, path, plen, sep, 1);
	cell(f, title, tlen, sep, 0);
	static const char *const strs[] = {"date", "org", "kind", NULL};
	for (int i = 0; strs[i]; i++) {
		if (get(&r, strs[i], &e))
			cell(f, e.value, e.vlen, sep, 0);
		else
			cell(f, "", 0, sep, 0);
	}
	int l = r.fr.affected ? snprintf(num, sizeof num, "%llu", (unsigned long long)r.fr.affected) : 0;
	cell(f, num, (size_t)l, sep, 0);
	bits_cell(f, "leaked", r.fr.leaked, sep);
	bits_cell(f, "method", r.fr.method, sep);
	bits_cell(f, "authority", r.fr.authorities, sep);
	fputs(sep == ',' ? "\r\n" : "\n", f);
	return BIDX_OK;
}

/* --- incidents --- */

#define INC_EVENTS 16
#define INC_COUNTS 8
#define INC_CITES 8
#define INC_FOLLOW_DAYS 183   /* a follow-up with no other evidence: this far back */
#define INC_CITE_DAYS 366     /* a cited day: this far back */
#define INC_MIN_COUNT 10      /* smaller shared counts are no evidence */

typedef struct inc_doc {
	uint32_t doc;
	uint32_t parent;             /* union-find, index into the table */
	uint32_t org;                /* the org hash of the id */
	int32_t date;                /* YYYYMMDD, 0 */
	int32_t plo, phi;            /* incident period, 0 none */
	int follow;                  /* a follow-up report */
	char id[32], report[32];
	int32_t ev[INC_EVENTS];      /* day-precision timeline dates */
	int nev;
	uint64_t cnt[INC_COUNTS];
	int ncnt;
	int16_t cite[INC_CITES];     /* month * 100 + day */
	int ncite;
} inc_doc;

struct bidx_incidents {
	inc_doc *v;                  /* by doc, ascending */
	uint32_t n;
};

/* "2024-05-21..." -> 20240521; 0 unless a whole day. */
static int32_t iso_day(const char *s, size_t n)
{
	if (n < 10 || s[4] != '-' || s[7] != '-')
		return 0;
	int32_t v = 0;
	for (int i = 0; i < 10; i++) {
		if (i == 4 || i == 7)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days since 0000-03-01 of YYYYMMDD, for windows. */
static int32_t day_number(int32_t d)
{
	int32_t y = d / 10000, m = d / 100 % 100, dd = d % 100;
	if (m <= 2)
		y--, m += 12;
	return 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + dd;
}

static void read_inc(const rec *r, inc_doc *d)
{
	bidx_fstr e;
	int have;
	d->date = r->fr.date_lo;
	for (const uint8_t *p = r->p; !bidx_fstr_next(&p, r->end, &e, &have) && have;) {
		if (named(&e, "incident")) {
			snprintf(d->id, sizeof d->id, "%.*s", (int)e.vlen, e.value);
			snprintf(d->report, sizeof d->report, "%.*s", (int)e.slen, e.source);
			d->org = (uint32_t)strtoul(d->id, NULL, 16);
			d->follow = e.slen && !(e.slen == strlen("第1報") && !memcmp(e.source, "第1報", e.slen));
		} else if (named(&e, "period")) {
			const char *dots = memmem(e.value, e.vlen, "..", 2);
			d->plo = iso_day(e.value, e.vlen);
			d->phi = dots ? iso_day(dots + 2, (size_t)(e.value + e.vlen - dots - 2)) : 0;
			if (!d->phi)
				d->phi = d->plo;
		} else if (named(&e, "event") && d->nev < INC_EVENTS) {
			int32_t day = iso_day(e.value, e.vlen);
			if (day)
				d->ev[d->nev++] = day;
		} else if (named(&e, "affected_count") && d->ncnt < INC_COUNTS) {
			uint64_t v = 0;
			for (size_t i = 0; i < e.vlen && e.value[i] >= '0' && e.value[i] <= '9'; i++)
				v = v * 10 + (uint64_t)(e.value[i] - '0');
			if (v >= INC_MIN_COUNT)
				d->cnt[d->ncnt++] = v;
		} else if (named(&e, "incident_cites")) {
			for (size_t i = 0; i + 5 <= e.vlen && d->ncite < INC_CITES; i += 6)
				d->cite[d->ncite++] = (int16_t)(((e.value[i] - '0') * 10 + e.value[i + 1] - '0') * 100 +
				                                (e.value[i + 3] - '0') * 10 + e.value[i + 4] - '0');
		}
	}
}

static uint32_t find_root(inc_doc *v, uint32_t i)
{
	while (v[i].parent != i)
		i = v[i].parent = v[v[i].parent].parent;
	return i;
}

static void join(inc_doc *v, uint32_t a, uint32_t b)
{
	a = find_root(v, a), b = find_root(v, b);
	if (a != b)
		v[a > b ? a : b].parent = a > b ? b : a;
}

/* a cites the day of b, an earlier report within a year. */
static int cites(const inc_doc *a, const inc_doc *b)
{
	if (!a->date || !b->date || b->date > a->date ||
	    day_number(a->date) - day_number(b->date) > INC_CITE_DAYS)
		return 0;
	for (int i = 0; i < a->ncite; i++)
		if (a->cite[i] == b->date % 10000)
			return 1;
	return 0;
}

/* Evidence that a and b (of one org) report one incident. */
static int same_incident(const inc_doc *a, const inc_doc *b)
{
	if (!strcmp(a->id, b->id))
		return 1;
	if (a->plo && b->plo && a->plo <= b->phi && b->plo <= a->phi)
		return 1;
	for (int i = 0; i < a->nev; i++)
		for (int j = 0; j < b->nev; j++)
			if (a->ev[i] == b->ev[j])
				return 1;
	for (int i = 0; i < a->ncnt; i++)
		for (int j = 0; j < b->ncnt; j++)
			if (a->cnt[i] == b->cnt[j])
				return 1;
	return cites(a, b) || cites(b, a);
}

static int cmp_org(const void *pa, const void *pb, void *ctx)
{
	const inc_doc *v = ctx;
	const inc_doc *a = &v[*(const uint32_t *)pa], *b = &v[*(const uint32_t *)pb];
	if (a->org != b->org)
		return a->org < b->org ? -1 : 1;
	return (a->doc > b->doc) - (a->doc < b->doc);
}

/* Joins the reports of bucket o[0..n) (one org). */
static void join_bucket(inc_doc *v, const uint32_t *o, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = i + 1; j < n; j++)
			if (same_incident(&v[o[i]], &v[o[j]]))
				join(v, o[i], o[j]);
	for (uint32_t i = 0; i < n; i++) {   /* follow-ups that nothing joined */
		inc_doc *a = &v[o[i]];
		int alone = 1;
		for (uint32_t j = 0; j < n && alone; j++)
			alone = j == i || find_root(v, o[j]) != find_root(v, o[i]);
		if (!a->follow || !alone || !a->date)
			continue;
		int best = -1;
		for (uint32_t j = 0; j < n; j++) {
			const inc_doc *b = &v[o[j]];
			if (j == i || !b->date || b->date > a->date ||
			    day_number(a->date) - day_number(b->date) > INC_FOLLOW_DAYS)
				continue;
			if (best < 0 || b->date > v[o[best]].date)
				best = (int)j;
		}
		if (best >= 0)
			join(v, o[i], o[best]);
	}
}

/* Names each group by its earliest report's id (dated before undated,
 * then the smaller id, then corpus order): every member's parent becomes
 * that report. */
static bidx_err name_groups(inc_doc *v, uint32_t n)
{
	uint32_t *first = bidx_malloc((size_t)n * 2 * sizeof *first + 1), *root = first + n;
	if (!first)
		return BIDX_ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		first[i] = UINT32_MAX, root[i] = find_root(v, i);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t r = root[i], f = first[r];
		int64_t ki = v[i].date ? v[i].date : INT32_MAX;
		int64_t kf = f == UINT32_MAX ? 0 : v[f].date ? v[f].date : INT32_MAX;
		if (f == UINT32_MAX || ki < kf || (ki == kf && strcmp(v[i].id, v[f].id) < 0))
			first[r] = i;
	}
	for (uint32_t i = 0; i < n; i++)
		v[i].parent = first[root[i]];   /* from here on: the naming report */
	free(first);
	return BIDX_OK;
}

bidx_err bidx_incidents_load(bidx_index *ix, bidx_incidents **out)
{
	*out = NULL;
	bidx_incidents *t = bidx_calloc(1, sizeof *t);
	size_t cap = 0;
	bidx_err rc = t ? BIDX_OK : BIDX_ENOMEM;
	for (uint32_t doc = 0; doc < ix->ndocs && !rc; doc++) {
		uint32_t local;
		bidx_segment *seg = bidx_index_locate(ix, doc, &local);
		rec r;
		bidx_fstr e;
		rc = seg ? open_rec(seg, local, &r) : bidx_corrupt();
		if (rc || !may_have(&r, "incident") || !get(&r, "incident", &e))
			continue;
		if (bidx_grow((void **)&t->v, &cap, (size_t)t->n + 1, sizeof *t->v)) {
			rc = BIDX_ENOMEM;
			break;
		}
		inc_doc *d = &t->v[t->n];
		memset(d, 0, sizeof *d);
		d->doc = doc;
		d->parent = t->n++;
		read_inc(&r, d);
	}
	uint32_t *o = rc ? NULL : bidx_malloc((size_t)t->n * sizeof *o + 1);
	if (!rc && !o)
		rc = BIDX_ENOMEM;
	if (rc) {
		bidx_incidents_free(t);
		return rc;
	}
	for (uint32_t i = 0; i < t->n; i++)
		o[i] = i;
	qsort_r(o, t->n, sizeof *o, cmp_org, t->v);
	for (uint32_t i = 0, j; i < t->n; i = j) {
		for (j = i + 1; j < t->n && t->v[o[j]].org == t->v[o[i]].org; j++)
			;
		join_bucket(t->v, o + i, j - i);
	}
	free(o);
	rc = name_groups(t->v, t->n);
	if (rc) {
		bidx_incidents_free(t);
		return rc;
	}
	*out = t;
	return BIDX_OK;
}

void bidx_incidents_free(bidx_incidents *t)
{
	if (!t)
		return;
	free(t->v);
	free(t);
}

static bidx_err make_incidents(bidx_index *ix, void **out)
{
	bidx_incidents *t;
	bidx_err rc = bidx_incidents_load(ix, &t);
	*out = t;
	return rc;
}

static void drop_incidents(void *t)
{
	bidx_incidents_free(t);
}

bidx_err bidx_incidents_of(bidx_index *ix, const bidx_incidents **out)
{
	void *v;
	bidx_err rc = bidx_index_derived(ix, BIDX_DERIVED_INCIDENTS, make_incidents, drop_incidents,
	                                 &v);
	*out = v;
	return rc;
}

static const inc_doc *inc_find(const bidx_incidents *t, uint32_t doc)
{
	uint32_t lo = 0, hi = t ? t->n : 0;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (t->v[mid].doc < doc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return t && lo < t->n && t->v[lo].doc == doc ? &t->v[lo] : NULL;
}

const char *bidx_incidents_id(const bidx_incidents *t, uint32_t doc)
{
	const inc_doc *d = inc_find(t, doc);
	return d ? t->v[d->parent].id : NULL;
}

bidx_err bidx_incidents_docs(const bidx_incidents *t, const char *id, uint32_t **docs,
                             uint32_t *n)
{
	*docs = NULL;
	*n = 0;
	uint32_t *v = bidx_malloc((size_t)t->n * sizeof *v + 1);
	char *want = bidx_calloc((size_t)t->n + 1, 1);
	if (!v || !want) {
		free(v);
		free(want);
		return BIDX_ENOMEM;
	}
	for (uint32_t j = 0; j < t->n; j++)   /* a member's own id names its group too */
		if (!strcasecmp(t->v[j].id, id))
			want[t->v[j].parent] = 1;
	uint32_t k = 0;
	for (uint32_t i = 0; i < t->n; i++)
		if (want[t->v[i].parent])
			v[k++] = t->v[i].doc;
	free(want);
	*docs = v;
	*n = k;
	return BIDX_OK;
}

bidx_err bidx_notice_incident(const bidx_incidents *t, bidx_index *ix, uint32_t doc, char *id,
                              size_t cap, char *report, size_t rcap, int32_t *date)
{
	uint32_t local;
	bidx_segment *seg = bidx_index_locate(ix, doc, &local);
	bidx_fieldrec fr;
	bidx_err rc = seg ? bidx_segment_fields(seg, local, &fr) : bidx_corrupt();
	id[0] = 0;
	if (report)
		report[0] = 0;
	if (rc)
		return rc;
	*date = fr.date_lo;
	const inc_doc *d = inc_find(t, doc);
	if (d) {
		snprintf(id, cap, "%s", t->v[d->parent].id);
		if (report)
			snprintf(report, rcap, "%s", d->report);
	}
	return BIDX_OK;
}

/* --- whole documents --- */

static int parse_id(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;
	if (!*s || *s < '0' || *s > '9')
		return -1;
	x = strtoul(s, &end, 10);
	if (*end || x > UINT32_MAX)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

bidx_err bidx_show(bidx_index *ix, const char *spec, int json, FILE *f, int *found)
{
	size_t sl = strlen(spec);
	uint32_t want = UINT32_MAX, doc, local;
	bidx_docrec d;
	bidx_err rc = BIDX_OK;
	*found = 0;
	for (doc = 0; doc < ix->ndocs && !rc; doc++) {
		bidx_segment *seg = bidx_index_locate(ix, doc, &local);
		rc = seg ? bidx_segment_doc(seg, local, &d) : bidx_corrupt();
		if (!rc && d.path_len == sl && !memcmp(bidx_segment_path(seg, &d), spec, sl)) {
			want = doc;
			break;
		}
	}
	if (rc)
		return rc;
	if (want == UINT32_MAX && (parse_id(spec, &want) || want >= ix->ndocs))
		return BIDX_OK;
	bidx_segment *seg = bidx_index_locate(ix, want, &local);
	char *buf;
	const char *title, *text;
	size_t tlen;
	rc = seg ? bidx_segment_doc(seg, local, &d) : bidx_corrupt();
	if (!rc)
		rc = bidx_segment_fetch(seg, &d, &buf, &title, &tlen, &text);
	if (rc)
		return rc;
	*found = 1;
	rec r;
	rc = open_rec(seg, local, &r);
	if (!rc && json) {
		fprintf(f, "{\"doc\":%u,\"path\":", want);
		bidx_json_str(f, bidx_segment_path(seg, &d), d.path_len);
		fputs(",\"title\":", f);
		bidx_json_str(f, title, tlen);
		const bidx_incidents *t = NULL;
		rc = bidx_facet_doc_fields(seg, local, 1, f);
		if (!rc)
			rc = bidx_incidents_of(ix, &t);
		if (!rc)
			rc = bidx_notice_json(seg, local, bidx_incidents_id(t, want), f);
		fputs(",\"text\":", f);
		bidx_json_str(f, text, d.text_len);
		fputs("}\n", f);
	} else if (!rc) {
		bidx_fstr e;
		fputs("path: ", f);
		bidx_ts_write(f, bidx_segment_path(seg, &d), d.path_len);
		fprintf(f, "\ndoc: %u\ntitle: ", want);
		bidx_ts_write(f, title, tlen);
		fputc('\n', f);
		int have;
		for (const uint8_t *p = r.p; !bidx_fstr_next(&p, r.end, &e, &have) && have;) {
			if (named(&e, "pages"))
				continue;
			bidx_ts_write(f, e.name, e.nlen);
			fputs(": ", f);
			bidx_ts_write(f, e.value, e.vlen);
			fputs(" (", f);
			bidx_ts_write(f, e.source, e.slen);
			fputs(")\n", f);
		}
		if (r.fr.affected)
			fprintf(f, "affected: %llu\n", (unsigned long long)r.fr.affected);
		static const char *const vf[] = {"leaked", "method", "authority", NULL};
		for (int k = 0; vf[k]; k++) {
			uint32_t bits = bidx_filter_vocab_bits(vf[k], &r.fr);
			const char *const *names = bidx_filter_vocab(vf[k]);
			if (!bits)
				continue;
			fprintf(f, "%s:", vf[k]);
			for (int b = 0; b < 32 && names[b]; b++)
				if (bits >> b & 1)
					fprintf(f, " %s", names[b]);
			fputc('\n', f);
		}
		fputs("\n", f);
		bidx_ts_lines(f, text, d.text_len);
		if (d.text_len && text[d.text_len - 1] != '\n')
			fputc('\n', f);
	}
	free(buf);
	return rc;
}
