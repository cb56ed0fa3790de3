/*
 * notices.c - the notice side of bsearch's output (notices.h): kinds and
 * their cues, counts with what they count, timelines, incidents and their
 * reports, table rows and whole documents.
 *
 * Everything is read from a document's FIELDSTR record: analysis stores
 * `kind` (its source holds the cues), `incident` (its source the report),
 * `affected_count` ("18746 名 exact|クレジットカード情報") and `event`
 * ("2024-05-21 what happened").  Grouping (collect.c) is done at query
 * time from the incident ids analysis computed per document (issuer +
 * month the incident came to light), read through bidx_notice_incident, so
 * no build step needs all documents at once and an incremental build
 * groups a new follow-up with its earlier reports.
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

bidx_err bidx_notice_json(bidx_segment *seg, uint32_t local, FILE *f)
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

bidx_err bidx_notice_incident(bidx_index *ix, uint32_t doc, char *id, size_t cap,
                              char *report, size_t rcap, int32_t *date)
{
	uint32_t local;
	bidx_segment *seg = bidx_index_locate(ix, doc, &local);
	rec r;
	bidx_fstr e;
	bidx_err rc = seg ? open_rec(seg, local, &r) : bidx_corrupt();
	id[0] = 0;
	if (report)
		report[0] = 0;
	if (rc)
		return rc;
	*date = r.fr.date_lo;
	if (get(&r, "incident", &e)) {
		snprintf(id, cap, "%.*s", (int)e.vlen, e.value);
		if (report)
			snprintf(report, rcap, "%.*s", (int)e.slen, e.source);
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
		rc = bidx_facet_doc_fields(seg, local, 1, f);
		if (!rc)
			rc = bidx_notice_json(seg, local, f);
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
