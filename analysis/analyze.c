/*
 * analyze.c - one file to the documents a build indexes (analyze.h): the
 * file's kind by its name (HTML, PDF, .docx, CSV, JSON Lines, text), its
 * bytes decoded or extracted, cut into notices, and each notice
 * normalised, cut into words and given its fields.  Everything a problem
 * with the file causes is a message and a skip in the file's result; only
 * what must stop the build (memory, MeCab) is an error.
 */
#include "analyze.h"
#include "pathshow.h"
#include "docx.h"
#include "extract.h"
#include "html.h"
#include "io.h"
#include "pdf.h"
#include "checksum.h"
#include "encoding.h"
#include "fault.h"
#include "fields.h"
#include "format.h"
#include "normalize.h"
#include "rows.h"
#include "termsafe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* One line "bidx: PATH: REASON" on the file's messages.  Both parts are
 * rendered (termsafe.h): a path or a quoted cell cannot hold a newline or
 * an escape sequence by the time it reaches the terminal. */
static void file_message(bidx_fileout *o, const char *path, const char *reason, int skip)
{
	size_t n;
	const char *shown = bidx_path_shown(path, strlen(path), &n);
	bidx_buf_put(&o->msgs, "bidx: ", 6);
	bidx_ts_put(&o->msgs, shown, n);
	bidx_buf_put(&o->msgs, ": ", 2);
	bidx_ts_put(&o->msgs, reason, strlen(reason));
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
	char iso[BIDX_DATE_ISO_SIZE], iso2[BIDX_DATE_ISO_SIZE], period[2 * BIDX_DATE_ISO_SIZE + 4];
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

/* The kind with the cues that decided it, how the title was found, the
 * incident id with the report, every count with what it counts, and the
 * timeline (docs/FORMAT.md, FIELDSTR). */
static bidx_err put_notice_strings(bidx_buf *b, const bidx_notice *nt)
{
	const bidx_facts *f = &nt->facts;
	char v[256], iso[BIDX_DATE_ISO_SIZE];
	static const char *const units[] = {"", "件", "名"};
	static const char *const quals[] = {"exact", "max", "approx", "at least"};
	const char *kind = bidx_kind_name(nt->kind.kind);
	const char *from = nt->kind.kind == BIDX_KIND_NEWS ? "reported (news)" : "text";
	bidx_err rc = put_fstr(b, "kind", kind, strlen(kind), nt->kind.cues);
	if (!rc && nt->title_source && nt->title_end > nt->title_start)
		rc = put_fstr(b, "title_source", nt->title_source, strlen(nt->title_source), "text");
	if (!rc && nt->incident[0])
		rc = put_fstr(b, "incident", nt->incident, strlen(nt->incident), nt->report);
	if (!rc && nt->incident[0] && nt->cites[0])
		rc = put_fstr(b, "incident_cites", nt->cites, strlen(nt->cites), "text");
	for (int i = 0; i < f->ncounts && !rc; i++) {
		int l = snprintf(v, sizeof v, "%llu %s %s|%s", (unsigned long long)f->counts[i].value,
		                 units[f->counts[i].unit % 3], quals[f->counts[i].qual % 4],
		                 f->counts[i].what);
		rc = put_fstr(b, "affected_count", v, (size_t)l, from);
	}
	for (int i = 0; i < f->nevents && !rc; i++) {
		bidx_date_iso(&f->events[i].date, iso);
		int l = snprintf(v, sizeof v, "%s %s", iso, f->events[i].what);
		rc = put_fstr(b, "event", v, (size_t)l, from);
	}
	return rc;
}

/* The field record and FIELDSTR record of a notice. */
static bidx_err fields_of(const bidx_notice *nt, bidx_adoc *d)
{
	char iso[BIDX_DATE_ISO_SIZE];
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
	if (!rc)
		rc = put_notice_strings(&d->fstr, nt);
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
	free(d->title);
	free(d->cp);
	free(d->bits);
	free(d->ckpt);
	bidx_buf_free(&d->fstr);
}

/* Restart points for normalisation: about every BIDX_CKPT_EVERY characters,
 * a character that starts its source cluster, is not itself a gap, follows
 * no white space in the source, so
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
		        (n->src_start[k] >= 3 && !memcmp(text + n->src_start[k] - 3, "\xE3\x80\x80", 3))))
			k++;
		if (k >= n->nchars || k >= c + BIDX_CKPT_EVERY / 2)
			continue;
		d->ckpt[2 * d->nckpt] = k;
		d->ckpt[2 * d->nckpt + 1] = n->src_start[k];
		d->nckpt++;
	}
	return BIDX_OK;
}

/* Normalises and tokenizes the notice's text into d; takes the
 * normalisation the notice made for its facts when there is one. */
static bidx_err analyse_text(bidx_analyzer *a, const bidx_notice *nt, bidx_adoc *d)
{
	bidx_norm n;
	bidx_err rc = BIDX_OK;
	if (nt->norm) {
		n = *nt->norm;
		memset(nt->norm, 0, sizeof *nt->norm);
	} else if ((rc = bidx_normalize(nt->text, nt->len, 1, &n))) {
		return rc;
	}
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
	if (nt->facts.oom)
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
		if (nt->title) {
			d->title = bidx_malloc(nt->title_len + 1);
			if (d->title) {
				memcpy(d->title, nt->title, nt->title_len);
				d->tlen = nt->title_len;
			}
		}
		rc = nt->title && !d->title ? BIDX_ENOMEM : analyse_text(a, nt, d);
	}
	if (!rc)
		rc = fields_of(nt, d);
	if (!rc && d->nchars == 0) {
		file_message(o, path, "no text after normalisation; skipped", 1);
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
		file_message(o, path, msg, 0);
	}
	o->n++;
	return BIDX_OK;
}

static int has_ext(const char *path, const char *ext)
{
	size_t pl = strlen(path), el = strlen(ext);
	return pl > el && !strcasecmp(path + pl - el, ext);
}

/* --- the columns of CSV and JSON Lines records (--map) --- */

static int has_name(const bidx_columns *c, const char *name)
{
	const char *p = (const char *)c->names.p;
	for (int i = 0; i < c->n; i++, p += strlen(p) + 1)
		if (!strcmp(p, name))
			return 1;
	return 0;
}

/* Keeps name among the first names shown, unless it is there already. */
static void keep_name(bidx_columns *c, const char *name)
{
	if (c->more || has_name(c, name))
		return;
	if (c->n == BIDX_COLUMNS_SHOWN) {
		c->more = 1;
		return;
	}
	bidx_buf_put(&c->names, name, strlen(name) + 1);
	c->n++;
}

/* The columns of one record: map bits and names. */
static void see_row(bidx_columns *c, const bidx_colmap *map, const bidx_row *row)
{
	for (size_t i = 0; i < row->ncells; i++) {
		int k = bidx_colmap_find(map, row->names[i]);
		if (k >= 0)
			c->mapped |= 1u << k;
		keep_name(c, row->names[i]);
	}
}

void bidx_columns_merge(bidx_columns *dst, const bidx_columns *src)
{
	const char *p = (const char *)src->names.p;
	dst->mapped |= src->mapped;
	for (int i = 0; i < src->n; i++, p += strlen(p) + 1)
		keep_name(dst, p);
	dst->more |= src->more;
	if (src->names.err && !dst->names.err)
		dst->names.err = src->names.err;
}

void bidx_columns_free(bidx_columns *c)
{
	if (!c)
		return;
	bidx_buf_free(&c->names);
	memset(c, 0, sizeof *c);
}

static int is_rows(const char *path)
{
	return has_ext(path, ".csv") || has_ext(path, ".jsonl") || has_ext(path, ".ndjson");
}

/* One CSV or JSON Lines file: a notice per record, shown as FILE:LINE.
 * *said is set when the file as a whole got its verdict (skipped). */
static bidx_err add_rows(bidx_analyzer *a, bidx_fileout *o, const char *path, const char *text,
                         size_t len, int json, int *said)
{
	bidx_rows *r;
	bidx_row row;
	char why[256], msg[320], rowpath[4200];
	bidx_err rc = bidx_rows_open(json ? BIDX_ROWS_JSONL : BIDX_ROWS_CSV, text, len, &r, why, sizeof why);
	if (rc == BIDX_EINPUT) {
		snprintf(msg, sizeof msg, "%s; skipped", why);
		file_message(o, path, msg, 1);
		*said = 1;
		return BIDX_OK;
	}
	if (!rc && why[0])
		file_message(o, path, why, 0);   /* about the header */
	int have;
	bidx_err bad;
	/* messages about a record are "FILE:LINE: what; skipped" */
	while (!rc && ((bad = bidx_rows_next(r, &row, &have, why, sizeof why)) != BIDX_OK || have)) {
		snprintf(rowpath, sizeof rowpath, "%s:%u", path, row.line);
		if (bad) {
			file_message(o, rowpath, why, 1);
			continue;
		}
		if (why[0])
			file_message(o, rowpath, why, 0);
		if (a->map && a->map->n)
			see_row(&o->cols, a->map, &row);
		bidx_notice nt;
		rc = bidx_notice_from_row(&nt, &row, a->map, json, why, sizeof why);
		if (rc == BIDX_EINPUT) {
			snprintf(msg, sizeof msg, "%s; skipped", why);
			file_message(o, rowpath, msg, 1);
			rc = BIDX_OK;
		} else if (!rc) {
			rc = add_notice(a, o, rowpath, &nt);
		}
		bidx_notice_free(&nt);
	}
	bidx_rows_free(r);
	return rc ? rc : o->cols.names.err;
}

typedef enum doc_kind { DOC_NONE, DOC_HTML, DOC_HTML_UTF8, DOC_PDF, DOC_DOCX } doc_kind;

static doc_kind kind_of(const char *path)
{
	if (has_ext(path, ".html") || has_ext(path, ".htm") || has_ext(path, ".xhtml"))
		return DOC_HTML;
	if (has_ext(path, ".pdf"))
		return DOC_PDF;
	if (has_ext(path, ".docx"))
		return DOC_DOCX;
	return DOC_NONE;
}

/* The page starts of a PDF as a FIELDSTR entry "pages": byte offsets of the
 * stored text, in decimal, space separated (docs/FORMAT.md). */
static bidx_err put_pages(bidx_adoc *d, const bidx_extract *x, size_t shift)
{
	bidx_buf v = BIDX_BUF_INIT;
	char num[16];
	for (uint32_t i = 0; i < x->npages; i++) {
		int k = snprintf(num, sizeof num, "%s%zu", i ? " " : "", (size_t)x->pages[i] + (i ? shift : 0));
		bidx_buf_put(&v, num, (size_t)k);
	}
	bidx_err rc = v.err ? v.err : put_fstr(&d->fstr, "pages", (const char *)v.p, v.len, "PDF pages");
	bidx_buf_free(&v);
	return rc;
}

/* An HTML page, a PDF or a Word document: its extracted text and fields
 * become one notice. */
static bidx_err add_document(bidx_analyzer *a, bidx_fileout *o, const char *path, const char *data,
                             size_t len, doc_kind kind)
{
	char why[256], msg[320];
	bidx_extract x;
	memset(&x, 0, sizeof x);
	bidx_err rc;
	if (kind == DOC_PDF)
		rc = bidx_pdf_extract(path, &x, why, sizeof why);
	else if (kind == DOC_DOCX)
		rc = bidx_docx_extract(data, len, &x, why, sizeof why);
	else
		rc = bidx_html_extract(data, len, kind == DOC_HTML_UTF8, &x, why, sizeof why);
	if (rc == BIDX_EINPUT) {
		snprintf(msg, sizeof msg, "%s; skipped", why);
		file_message(o, path, msg, 1);
		bidx_extract_free(&x);
		return BIDX_OK;
	}
	bidx_notice nt;
	memset(&nt, 0, sizeof nt);
	if (!rc)
		rc = bidx_notice_from_extract(&nt, path, &x, kind != DOC_PDF && kind != DOC_DOCX);
	size_t before = o->n;
	if (!rc)
		rc = add_notice(a, o, path, &nt);
	if (!rc && o->n > before && x.npages)
		rc = put_pages(&o->docs[before], &x, nt.len - x.text.len);
	if (!rc && o->n > before)
		o->bytes += nt.len;
	bidx_notice_free(&nt);
	bidx_extract_free(&x);
	return rc;
}

/* Reads a document file's bytes as they are (no text decoding). */
static bidx_err load_raw(bidx_fileout *o, const char *path, char **buf, size_t *n, char *why,
                         size_t whylen)
{
	bidx_err rc = bidx_read_file_max(path, BIDX_MAX_FILE_BYTES, buf, n);
	if (rc == BIDX_EIO)
		snprintf(why, whylen, "cannot read: %s", strerror(errno));
	else if (rc == BIDX_EINPUT)
		snprintf(why, whylen, "not a regular file");
	else if (rc == BIDX_ETOOBIG) {
		snprintf(why, whylen, "file too large (the limit is %zu MB)", BIDX_MAX_FILE_BYTES >> 20);
		rc = BIDX_EINPUT;
	} else if (!rc && *n == 0) {
		snprintf(why, whylen, "empty file");
		free(*buf);
		*buf = NULL;
		rc = BIDX_EINPUT;
	}
	if (!rc)
		o->hash = bidx_xxh3(*buf, *n);
	return rc;
}

/* A document file (HTML, PDF, .docx): bytes, then extraction. */
static bidx_err analyze_document(bidx_analyzer *a, const char *path, const bidx_source *prev,
                                 bidx_fileout *o, doc_kind kind)
{
	char why[192], msg[256];
	char *buf = NULL;
	size_t n = 0;
	bidx_err rc = load_raw(o, path, &buf, &n, why, sizeof why);
	if (rc == BIDX_EIO || rc == BIDX_EINPUT) {
		snprintf(msg, sizeof msg, "%s; skipped", why);
		file_message(o, path, msg, 1);
		return BIDX_OK;
	}
	if (!rc && prev && prev->hash == o->hash) {
		o->unchanged = 1;
		free(buf);
		return BIDX_OK;
	}
	if (!rc)
		rc = add_document(a, o, path, buf, n, kind);
	if (!rc && a->verbose && o->n) {
		snprintf(msg, sizeof msg, "indexed (%zu bytes, %s)", n,
		         kind == DOC_PDF ? "PDF" : kind == DOC_DOCX ? "Word document" : "HTML");
		file_message(o, path, msg, 0);
	}
	if (!rc && o->msgs.err)
		rc = BIDX_ENOMEM;
	free(buf);
	o->rc = rc;
	return rc;
}

/* Cuts a file's UTF-8 text into notices: rows of a CSV/JSON Lines file, or
 * one plain-text notice. */
static bidx_err add_text(bidx_analyzer *a, bidx_fileout *o, const char *path, const char *text,
                         size_t len)
{
	bidx_err rc;
	int said = 0;            /* the file has had its verdict */
	uint64_t records_skipped = o->skipped;
	if (is_rows(path))
		rc = add_rows(a, o, path, text, len, !has_ext(path, ".csv"), &said);
	else if (bidx_html_sniff(text, len))
		return add_document(a, o, path, text, len, DOC_HTML_UTF8);
	else {
		bidx_notice nt;
		bidx_notice_from_text(&nt, path, text, len);
		rc = has_ext(path, ".md") ? bidx_notice_strip_markdown(&nt) : BIDX_OK;
		if (!rc)
			rc = add_notice(a, o, path, &nt);
		bidx_notice_free(&nt);
		said = 1;            /* indexed, or said why not */
	}
	records_skipped = o->skipped - records_skipped;
	/* one verdict per file: a file of records none of which was indexed is
	 * skipped as a whole too, never also "indexed" */
	if (!rc && o->n == 0 && !said)
		file_message(o, path, records_skipped ? "none of its records could be indexed; skipped"
		                              : "no records in it; skipped", 1);
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
	o->rows = is_rows(path);
	if (bad < strlen(path)) {
		snprintf(msg, sizeof msg, "file name is not valid UTF-8 (byte %zu); skipped", bad);
		file_message(o, path, msg, 1);
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
	if (kind_of(path) != DOC_NONE)
		return analyze_document(a, path, prev, o, kind_of(path));
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
		file_message(o, path, msg, 1);
		return BIDX_OK;
	}
	if (!rc && t.len > UINT32_MAX) {
		file_message(o, path, "larger than 4 GiB; skipped", 1);
		bidx_text_free(&t);
		return BIDX_OK;
	}
	if (!rc)
		rc = add_text(a, o, path, t.p, t.len);
	if (!rc && a->verbose && o->n) {
		snprintf(msg, sizeof msg, "indexed (%zu bytes, %s)", t.raw_len, t.encoding);
		file_message(o, path, msg, 0);
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
	bidx_columns_free(&o->cols);
	memset(o, 0, sizeof *o);
}
