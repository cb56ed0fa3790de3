#include "analyze.h"
#include "encoding.h"
#include "fault.h"
#include "fields.h"
#include "format.h"
#include "normalize.h"
#include "rows.h"
#include "variants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static void note(bidx_fileout *o, const char *path, const char *reason, int skip)
{
	bidx_buf_put(&o->msgs, "bidx: ", 6);
	bidx_buf_put(&o->msgs, path, strlen(path));
	bidx_buf_put(&o->msgs, ": ", 2);
	bidx_buf_put(&o->msgs, reason, strlen(reason));
	bidx_buf_putc(&o->msgs, '\n');
	o->skipped += skip;
}

/* The title's character range: the normalised characters whose source bytes
 * lie inside the title line. */
static void title_range(const bidx_norm *n, size_t tb, size_t te, uint32_t *ts, uint32_t *tend)
{
	uint32_t i = 0;
	*ts = *tend = 0;
	if (tb == te)
		return;
	while (i < n->nchars && n->src_start[i] < tb)
		i++;
	uint32_t j = i;
	while (j < n->nchars && n->src_end[j] <= te)
		j++;
	*ts = i;
	*tend = j;
}

/* Appends one named string field, normalised for matching. */
static bidx_err put_fstr(bidx_buf *b, const char *name, const char *v, size_t vl, const char *src)
{
	bidx_norm n;
	bidx_err rc = bidx_normalize(v, vl, 0, &n);
	if (rc)
		return rc;
	bidx_fstr_put(b, name, v, vl, n.text, n.len, src);
	bidx_norm_free(&n);
	return b->err;
}

static bidx_err put_facts_strings(bidx_buf *b, const bidx_facts *f)
{
	bidx_err rc = BIDX_OK;
	char iso[11], iso2[11], period[32];
	for (int i = 0; i < f->nphones && !rc; i++)
		rc = put_fstr(b, "phone", f->phones[i], strlen(f->phones[i]), "text");
	for (int i = 0; i < f->nemails && !rc; i++)
		rc = put_fstr(b, "email", f->emails[i], strlen(f->emails[i]), "text");
	if (!rc && f->period_from.prec) {
		bidx_date_iso(&f->period_from, iso);
		iso2[0] = 0;
		if (f->period_to.prec)
			bidx_date_iso(&f->period_to, iso2);
		snprintf(period, sizeof period, "%s..%s", iso, iso2);
		rc = put_fstr(b, "period", period, strlen(period), "text");
	}
	return rc;
}

/* The field record and FIELDSTR record of a notice. */
static bidx_err fields_of(const bidx_notice *nt, bidx_adoc *d)
{
	char iso[11];
	bidx_err rc = BIDX_OK;
	bidx_fieldrec *r = &d->frec;
	if (nt->date.prec) {
		bidx_date_span(&nt->date, &r->date_lo, &r->date_hi);
		r->date_prec = (uint8_t)nt->date.prec;
		bidx_date_iso(&nt->date, iso);
		rc = put_fstr(&d->fstr, "date", iso, strlen(iso), nt->date_source);
	}
	for (int i = 0; i < nt->nfields && !rc; i++)
		rc = put_fstr(&d->fstr, nt->fields[i].name, nt->fields[i].value, nt->fields[i].vlen,
		              nt->fields[i].source);
	if (!rc)
		rc = put_facts_strings(&d->fstr, &nt->facts);
	r->affected = nt->facts.affected;
	r->unit = (uint8_t)nt->facts.unit;
	r->qual = (uint8_t)nt->facts.qual;
	r->leaked = nt->facts.leaked;
	r->method = nt->facts.method;
	r->authorities = nt->facts.authorities;
	return rc;
}

static void adoc_free(bidx_adoc *d)
{
	free(d->path);
	free(d->text);
	free(d->cp);
	free(d->bits);
	free(d->ckpt);
	bidx_buf_free(&d->fstr);
}

/* Restart points for normalisation: about every BIDX_CKPT_EVERY characters,
 * a character that starts its source cluster, is not itself a gap, follows
 * no white space in the source, and is no place where cutting the text
 * changes variant folding (not inside a katakana run: variants.h), so
 * normalising the text from its byte gives the same characters from it on,
 * and normalising up to it the same characters before it (snippets
 * normalise only a window between two checkpoints). */
static bidx_err checkpoints(const bidx_norm *n, const char *text, bidx_adoc *d)
{
	uint32_t cap = n->nchars / BIDX_CKPT_EVERY + 1;
	d->ckpt = bidx_malloc((size_t)cap * 2 * sizeof *d->ckpt);
	if (!d->ckpt)
		return BIDX_ENOMEM;
	for (uint32_t c = BIDX_CKPT_EVERY; c < n->nchars && d->nckpt < cap; c += BIDX_CKPT_EVERY) {
		uint32_t k = c;
		while (k < n->nchars && k < c + BIDX_CKPT_EVERY / 2 &&
		       (n->src_start[k] == n->src_start[k - 1] || n->src_start[k] == 0 ||
		        n->cp[k] == ' ' || (unsigned char)text[n->src_start[k]] <= ' ' ||
		        (unsigned char)text[n->src_start[k] - 1] <= ' ' ||
		        (n->src_start[k] >= 3 && !memcmp(text + n->src_start[k] - 3, "\xE3\x80\x80", 3)) ||
		        !bidx_variants_cut_ok(n->cp[k - 1], n->cp[k])))
			k++;
		if (k >= n->nchars || k >= c + BIDX_CKPT_EVERY / 2)
			continue;
		d->ckpt[2 * d->nckpt] = k;
		d->ckpt[2 * d->nckpt + 1] = n->src_start[k];
		d->nckpt++;
	}
	return BIDX_OK;
}

/* Normalises and tokenizes the notice's text into d. */
static bidx_err analyse_text(bidx_analyzer *a, const bidx_notice *nt, bidx_adoc *d)
{
	bidx_norm n;
	bidx_err rc = bidx_normalize(nt->text, nt->len, 1, &n);
	if (rc)
		return rc;
	title_range(&n, nt->title_start, nt->title_end, &d->title_start, &d->title_end);
	d->nchars = n.nchars;
	d->bits = bidx_calloc(((size_t)n.nchars + 8) / 8, 1);
	if (!d->bits)
		rc = BIDX_ENOMEM;
	if (!rc && n.nchars)
		rc = bidx_tokenize(a->tok, &n, d->bits, &d->ntokens);
	if (!rc)
		rc = checkpoints(&n, nt->text, d);
	d->cp = n.cp;            /* keep the code points, free the rest */
	n.cp = NULL;
	bidx_norm_free(&n);
	return rc;
}

static bidx_err add_notice(bidx_analyzer *a, bidx_fileout *o, const char *path,
                           const bidx_notice *nt)
{
	if (bidx_grow((void **)&o->docs, &o->cap, o->n + 1, sizeof *o->docs))
		return BIDX_ENOMEM;
	bidx_adoc *d = &o->docs[o->n];
	memset(d, 0, sizeof *d);
	d->path = strdup(path);
	d->text = bidx_malloc(nt->len + 1);
	bidx_err rc = d->path && d->text ? BIDX_OK : BIDX_ENOMEM;
	if (!rc) {
		memcpy(d->text, nt->text, nt->len);
		d->text[nt->len] = 0;
		d->len = nt->len;
		d->tb = nt->title_start;
		d->te = nt->title_end;
		rc = analyse_text(a, nt, d);
	}
	if (!rc)
		rc = fields_of(nt, d);
	if (!rc && d->nchars == 0) {
		note(o, path, "no text after normalisation; skipped", 1);
		adoc_free(d);
		return BIDX_OK;
	}
	if (rc) {
		adoc_free(d);
		return rc;
	}
	if (a->verbose && nt->facts.ndropped) {
		char msg[256];
		snprintf(msg, sizeof msg, "affected count %s is past %llu; not recorded%s",
		         nt->facts.dropped, (unsigned long long)BIDX_COUNT_MAX,
		         nt->facts.ndropped > 1 ? " (nor are the others like it)" : "");
		note(o, path, msg, 0);
	}
	o->n++;
	return BIDX_OK;
}

static int has_ext(const char *path, const char *ext)
{
	size_t pl = strlen(path), el = strlen(ext);
	return pl > el && !strcasecmp(path + pl - el, ext);
}

/* One CSV or JSON Lines file: a notice per record, shown as FILE:LINE. */
static bidx_err add_rows(bidx_analyzer *a, bidx_fileout *o, const char *path, const char *text,
                         size_t len, int json)
{
	bidx_rows *r;
	bidx_row row;
	char why[256], msg[320], rowpath[4200];
	bidx_err rc = bidx_rows_open(json ? BIDX_ROWS_JSONL : BIDX_ROWS_CSV, text, len, &r, why, sizeof why);
	if (rc == BIDX_EINPUT) {
		snprintf(msg, sizeof msg, "%s; skipped", why);
		note(o, path, msg, 1);
		return BIDX_OK;
	}
	int got;
	while (!rc && (got = bidx_rows_next(r, &row, why, sizeof why)) != 0) {
		if (got < 0) {
			snprintf(msg, sizeof msg, "%s; record skipped", why);
			note(o, path, msg, 1);
			continue;
		}
		bidx_notice nt;
		snprintf(rowpath, sizeof rowpath, "%s:%u", path, row.line);
		rc = bidx_notice_from_row(&nt, &row, a->map, json, why, sizeof why);
		if (rc == BIDX_EINPUT) {
			snprintf(msg, sizeof msg, "%s; record skipped", why);
			note(o, rowpath, msg, 1);
			rc = BIDX_OK;
		} else if (!rc) {
			rc = add_notice(a, o, rowpath, &nt);
		}
		bidx_notice_free(&nt);
	}
	bidx_rows_free(r);
	return rc;
}

/* Cuts a file's UTF-8 text into notices: rows of a CSV/JSON Lines file, or
 * one plain-text notice. */
static bidx_err add_text(bidx_analyzer *a, bidx_fileout *o, const char *path, const char *text,
                         size_t len)
{
	bidx_err rc;
	if (has_ext(path, ".csv"))
		rc = add_rows(a, o, path, text, len, 0);
	else if (has_ext(path, ".jsonl") || has_ext(path, ".ndjson"))
		rc = add_rows(a, o, path, text, len, 1);
	else {
		bidx_notice nt;
		bidx_notice_from_text(&nt, path, text, len);
		rc = add_notice(a, o, path, &nt);
		bidx_notice_free(&nt);
	}
	if (!rc && o->n)
		o->bytes += len;
	return rc;
}

bidx_err bidx_analyze_file(bidx_analyzer *a, const char *path, const bidx_source *prev,
                           bidx_fileout *o)
{
	char why[192], msg[256];
	bidx_text t;
	struct stat st;
	size_t bad = bidx_utf8_check((const uint8_t *)path, strlen(path));
	if (bad < strlen(path)) {
		snprintf(msg, sizeof msg, "file name is not valid UTF-8 (byte %zu); skipped", bad);
		note(o, path, msg, 1);
		return BIDX_OK;
	}
	if (stat(path, &st) == 0) {
		o->size = (uint64_t)st.st_size;
		o->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		if (prev && prev->size == o->size && prev->mtime_ns == o->mtime_ns) {
			o->hash = prev->hash;
			o->unchanged = 1;
			return BIDX_OK;
		}
	}
	bidx_err rc = bidx_text_load(path, BIDX_MAX_FILE_BYTES, &t, why, sizeof why);
	if (!rc) {
		o->hash = t.hash;
		if (prev && prev->hash == t.hash) {
			o->unchanged = 1;
			bidx_text_free(&t);
			return BIDX_OK;
		}
	}
	if (rc == BIDX_EIO || rc == BIDX_EINPUT) {
		snprintf(msg, sizeof msg, "%s; skipped", why);
		note(o, path, msg, 1);
		return BIDX_OK;
	}
	if (!rc && t.len > UINT32_MAX) {
		note(o, path, "larger than 4 GiB; skipped", 1);
		bidx_text_free(&t);
		return BIDX_OK;
	}
	if (!rc)
		rc = add_text(a, o, path, t.p, t.len);
	if (!rc && a->verbose) {
		snprintf(msg, sizeof msg, "indexed (%zu bytes, %s)", t.raw_len, t.encoding);
		note(o, path, msg, 0);
	}
	if (!rc && o->msgs.err)
		rc = BIDX_ENOMEM;
	bidx_text_free(&t);
	o->rc = rc;
	return rc;
}

void bidx_fileout_free(bidx_fileout *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++)
		adoc_free(&o->docs[i]);
	free(o->docs);
	bidx_buf_free(&o->msgs);
	memset(o, 0, sizeof *o);
}
