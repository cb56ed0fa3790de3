/*
 * verify.c - the content pass of segment verification (see verify.h).
 *
 * Two walks.  The document walk decompresses and normalises every stored
 * text, keeping per document what its unigram postings must add up to and,
 * up to a memory bound, its normalised characters.  The term walk decodes
 * every postings list again (segment.c's structure pass has reported the
 * lists that do not decode, so this walk passes over them in silence) and
 * adds up what they say of each document.  Problems of structure are not
 * reported twice: this pass reports only what the texts contradict.
 */
#include "verify.h"
#include "text.h"
#include "fault.h"
#include "fields.h"
#include "markdown.h"
#include "normalize.h"
#include "postings.h"
#include "varint.h"

#include <stdlib.h>
#include <string.h>

/* Normalised characters kept for comparing bigram positions (4 bytes each). */
#define KEEP_MAX_CHARS ((uint64_t)64 << 20)

/* Per document, sums the unigram postings must reproduce: over its
 * characters (all, in the title, whole words, at a word edge) of a hash of
 * the character. */
enum { SUM_ALL, SUM_TITLE, SUM_WORD, SUM_EDGE, NSUMS };

typedef struct docsum {
	uint64_t want[NSUMS];   /* from the text and its bitmap */
	uint64_t got[NSUMS];    /* from the unigram postings */
	uint64_t uni_tf, bi_tf; /* occurrences in the postings */
	uint8_t have_want;      /* want[] was computed */
} docsum;

typedef struct content {
	bidx_segment *s;
	bidx_findings *f;
	uint32_t ndocs;
	uint32_t *nchars;       /* per doc, from its record */
	uint8_t *doc_ok;        /* per doc: 1 record and text agree, 2 and its characters are kept */
	uint64_t *text_off;     /* per doc: start of its characters in cp */
	uint32_t *cp;           /* normalised characters of all docs, or NULL */
	uint64_t ncp, cp_cap;
	docsum *sum;            /* per doc: what the postings must add up to */
	uint32_t *pos;          /* scratch positions */
	size_t pos_cap;
	int skipped_terms;      /* postings in a damaged chunk were not decoded */
	int oom;
} content;

static uint64_t mix(uint64_t x)   /* splitmix64's finaliser */
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

/* ---- the document walk ---- */

/* Keeps document id's characters for the bigram comparison, until they
 * pass KEEP_MAX_CHARS (then none are kept). */
static void keep_text(content *c, uint32_t id, const bidx_norm *n)
{
	if (!c->cp && c->ncp)
		return;   /* gave up earlier */
	if (c->ncp + n->nchars > KEEP_MAX_CHARS) {
		free(c->cp);
		c->cp = NULL;
		c->ncp = 1;
		return;
	}
	if (c->ncp + n->nchars > c->cp_cap) {
		uint64_t nc = c->cp_cap ? c->cp_cap * 2 : 1 << 16;
		while (nc < c->ncp + n->nchars)
			nc *= 2;
		uint32_t *p = bidx_realloc(c->cp, (size_t)nc * sizeof *p);
		if (!p) {
			c->oom = 1;
			return;
		}
		c->cp = p;
		c->cp_cap = nc;
	}
	memcpy(c->cp + c->ncp, n->cp, (size_t)n->nchars * sizeof *n->cp);
	c->text_off[id] = c->ncp;
	c->ncp += n->nchars;
	c->doc_ok[id] = 2;
}

static int contains(const char *hay, size_t n, const char *needle, size_t m)
{
	for (size_t i = 0; m <= n && i <= n - m; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, m))
			return 1;
	return 0;
}

/* Whether the stored title is a line of the text, or for a Markdown file
 * (whose title is shown without its syntax) a line of the stripped text. */
static int title_of(content *c, const bidx_docrec *d, const char *text, const char *title,
                    size_t tlen)
{
	if (contains(text, d->text_len, title, tlen))
		return 1;
	if (!bidx_md_path(bidx_segment_path(c->s, d), d->path_len))
		return 0;
	char *out = bidx_malloc((size_t)d->text_len + 1);
	uint8_t *mark = bidx_malloc((size_t)d->text_len + 1);
	int ok = 1;   /* out of memory: not a problem of the index */
	if (out && mark) {
		size_t n = bidx_md_strip(text, d->text_len, mark, out);
		ok = contains(out, n, title, tlen);
	} else {
		c->oom = 1;
	}
	free(out);
	free(mark);
	return ok;
}

static void want_sums(docsum *ds, const bidx_norm *n, const uint8_t *bits, const bidx_docrec *d)
{
	for (uint32_t i = 0; i < n->nchars; i++) {
		uint64_t h = mix(n->cp[i]);
		int a = bidx_bits_get(bits, i), b = bidx_bits_get(bits, i + 1);
		ds->want[SUM_ALL] += h;
		ds->want[SUM_TITLE] += i >= d->title_start && i < d->title_end ? h : 0;
		ds->want[SUM_WORD] += a && b ? h : 0;
		ds->want[SUM_EDGE] += a != b ? h : 0;
	}
	ds->have_want = 1;
}

/* Each checkpoint must be a real restart point: increasing, inside the
 * document, and normalising from its byte gives the characters from its
 * character on. */
static void check_ckpts(content *c, uint32_t id, const bidx_docrec *d, const char *text,
                        const bidx_norm *n)
{
	const uint8_t *p;
	uint32_t k, prev_c = 0, prev_b = 0;
	if (bidx_segment_ckpts(c->s, id, &p, &k)) {
		bidx_findings_add(c->f, BIDX_SEC_CKPTS, "doc %u: checkpoint index out of range", id);
		return;
	}
	for (uint32_t i = 0; i < k; i++) {
		uint32_t ch = bidx_get_u32le(p + 8 * i), by = bidx_get_u32le(p + 8 * i + 4);
		if (ch <= prev_c || by <= prev_b || ch >= d->nchars || by >= d->text_len) {
			bidx_findings_add(c->f, BIDX_SEC_CKPTS, "doc %u: checkpoint %u (char %u, byte %u) "
			                  "out of order or outside the document", id, i, ch, by);
			return;
		}
		prev_c = ch;
		prev_b = by;
		bidx_norm w = {0};
		size_t end = by + 64u < d->text_len ? by + 64u : d->text_len;
		if (bidx_normalize(text + by, end - by, 0, &w) == BIDX_ENOMEM) {
			c->oom = 1;
			return;
		}
		uint32_t cmp = w.nchars < 4 ? w.nchars : 4;
		if (ch + cmp > n->nchars || memcmp(w.cp, n->cp + ch, cmp * sizeof *w.cp))
			bidx_findings_add(c->f, BIDX_SEC_CKPTS, "doc %u: checkpoint %u (char %u, byte %u) is "
			                  "not a restart point of the text", id, i, ch, by);
		bidx_norm_free(&w);
	}
}

static void check_text(content *c, uint32_t id, const bidx_docrec *d)
{
	char *buf;
	const char *title, *text;
	size_t tlen;
	bidx_err rc = bidx_segment_fetch(c->s, d, &buf, &title, &tlen, &text);
	if (rc == BIDX_ENOMEM) {
		c->oom = 1;
		return;
	}
	if (rc) {
		bidx_findings_add(c->f, BIDX_SEC_STORE, "doc %u: stored frame (bytes %llu..%llu) does "
		                  "not decompress to a title and %u bytes of text", id,
		                  (unsigned long long)d->store_off,
		                  (unsigned long long)(d->store_off + d->store_len), d->text_len);
		return;
	}
	if (tlen && !title_of(c, d, text, title, tlen))
		bidx_findings_add(c->f, BIDX_SEC_STORE, "doc %u: the stored title is not a line of the "
		                  "text", id);
	bidx_norm n = {0};
	rc = bidx_normalize(text, d->text_len, 0, &n);
	if (rc == BIDX_ENOMEM)
		c->oom = 1;
	else if (rc || n.nchars != d->nchars)
		bidx_findings_add(c->f, BIDX_SEC_DOCS, "doc %u: nchars is %u, its stored text normalises "
		                  "to %u characters", id, d->nchars, n.nchars);
	else {
		check_ckpts(c, id, d, text, &n);
		want_sums(&c->sum[id], &n, bidx_segment_bounds(c->s, d), d);
		c->doc_ok[id] = 1;
		keep_text(c, id, &n);
	}
	bidx_norm_free(&n);
	free(buf);
}

/* A PDF's "pages" entry (docs/FORMAT.md, FIELDSTR): decimal page starts,
 * space separated, the first 0, none decreasing, none past the text; what
 * names a hit's page must not name a page the text does not have. */
static void check_pages(content *c, uint32_t id, const bidx_docrec *d)
{
	bidx_fieldrec fr;
	bidx_fstr f;
	int have;
	if (bidx_segment_fields(c->s, id, &fr))
		return;   /* the record itself is checked with FIELDS */
	const uint8_t *p = bidx_segment_fieldstr(c->s, &fr), *end = p + fr.str_len;
	while (!bidx_fstr_next(&p, end, &f, &have) && have) {
		if (f.nlen != 5 || memcmp(f.name, "pages", 5))
			continue;
		uint64_t prev = 0;
		size_t i = 0;
		int ok = f.vlen > 0;
		for (int k = 0; ok && i < f.vlen; k++) {
			uint64_t v = 0;
			size_t j = i;
			while (j < f.vlen && j - i < 12 && f.value[j] >= '0' && f.value[j] <= '9')
				v = v * 10 + (uint64_t)(f.value[j++] - '0');
			ok = j > i && (j == f.vlen || f.value[j] == ' ') && (k > 0 || v == 0) &&
			     v >= prev && v <= d->text_len;
			prev = v;
			i = j + 1;
		}
		if (!ok)
			bidx_findings_add(c->f, BIDX_SEC_FIELDSTR, "doc %u: its pages field is not a list "
			                  "of page starts from 0 up, within its %u bytes of text", id,
			                  d->text_len);
	}
}

static void doc_walk(content *c)
{
	for (uint32_t id = 0; id < c->ndocs && !c->oom; id++) {
		bidx_docrec d;
		if (bidx_segment_doc(c->s, id, &d))
			continue;   /* reported by the structure pass */
		c->nchars[id] = d.nchars;
		check_text(c, id, &d);
		check_pages(c, id, &d);
	}
}

/* ---- the term walk ---- */

/* A bigram's occurrences in a document whose characters are kept: each
 * must be the pair at its position. */
static void check_pairs(content *c, const bidx_term *t, bidx_pcur *cur)
{
	uint32_t d = (uint32_t)cur->doc, nch = c->nchars[d];
	if (nch < 2 || cur->tf > nch - 1 || c->doc_ok[d] != 2 || !c->cp)
		return;   /* the counts are reported by the structure pass */
	if (cur->tf > c->pos_cap) {
		uint32_t *p = bidx_realloc(c->pos, (size_t)cur->tf * sizeof *p);
		if (!p) {
			c->oom = 1;
			return;
		}
		c->pos = p;
		c->pos_cap = cur->tf;
	}
	if (bidx_pcur_positions(cur, c->pos, nch - 1))
		return;
	const uint32_t *cp = c->cp + c->text_off[d];
	uint32_t c1 = bidx_key_c1(t->key), c2 = bidx_key_c2(t->key);
	for (uint32_t i = 0; i < cur->tf; i++)
		if (cp[c->pos[i]] != c1 || cp[c->pos[i] + 1] != c2) {
			char name[96];
			bidx_key_describe(t->key, name, sizeof name);
			bidx_findings_add(c->f, BIDX_SEC_POSTINGS, "%s, doc %u: position %u holds U+%04X "
			                  "U+%04X", name, d, c->pos[i], cp[c->pos[i]], cp[c->pos[i] + 1]);
			return;
		}
}

static int term_cb(const bidx_term *t, void *arg)
{
	content *c = arg;
	if (bidx_segment_need(c->s, BIDX_SEC_POSTINGS, t->post_off, t->post_len)) {
		c->skipped_terms = 1;
		return 0;
	}
	unsigned n = bidx_key_n(t->key);
	bidx_pcur cur;
	if (!bidx_key_valid(t->key) ||
	    bidx_pcur_init(&cur, bidx_segment_postings(c->s, t), (size_t)t->post_len, t->df, n, c->ndocs))
		return 0;
	uint64_t h = mix(bidx_key_c1(t->key));
	int have;
	while (!bidx_pcur_next(&cur, &have) && have && !c->oom) {
		docsum *ds = &c->sum[cur.doc];
		if (n == 1) {
			ds->uni_tf += cur.tf;
			ds->got[SUM_ALL] += cur.tf * h;
			ds->got[SUM_TITLE] += cur.tf_title * h;
			ds->got[SUM_WORD] += cur.tf_word * h;
			ds->got[SUM_EDGE] += cur.tf_edge * h;
		} else {
			ds->bi_tf += cur.tf;
			check_pairs(c, t, &cur);
		}
	}
	return c->oom ? 1 : 0;
}

/* What the postings said of each document against what its text says. */
static void compare_sums(content *c)
{
	static const char *const what[NSUMS] = {"characters", "title characters",
	                                        "whole-word characters", "word-edge characters"};
	for (uint32_t d = 0; d < c->ndocs; d++) {
		docsum *ds = &c->sum[d];
		if (!c->doc_ok[d] || !ds->have_want)
			continue;
		uint32_t nch = c->nchars[d];
		if (ds->uni_tf != nch || ds->bi_tf != (nch ? nch - 1u : 0))
			bidx_findings_add(c->f, BIDX_SEC_POSTINGS, "doc %u: the postings hold %llu "
			                  "characters and %llu pairs, the document %u characters", d,
			                  (unsigned long long)ds->uni_tf, (unsigned long long)ds->bi_tf, nch);
		for (int k = 0; k < NSUMS; k++)
			if (ds->got[k] != ds->want[k]) {
				bidx_findings_add(c->f, BIDX_SEC_POSTINGS, "doc %u: the unigram postings "
				                  "disagree with the text about its %s", d, what[k]);
				break;
			}
	}
}

static void term_walk(content *c)
{
	bidx_err rc = bidx_termdict_each(bidx_segment_termdict(c->s), term_cb, c, NULL);
	/* an undecodable dictionary (reported by the structure pass) or a
	 * damaged chunk leaves the sums incomplete: nothing to compare */
	if (!c->oom && !rc && !c->skipped_terms)
		compare_sums(c);
}

bidx_err bidx_verify_content(bidx_segment *s, bidx_findings *f)
{
	content c = {0};
	c.s = s;
	c.f = f;
	c.ndocs = bidx_segment_ndocs(s);
	size_t n = (size_t)c.ndocs + 1;
	c.nchars = bidx_calloc(n, sizeof *c.nchars);
	c.doc_ok = bidx_calloc(n, 1);
	c.text_off = bidx_calloc(n, sizeof *c.text_off);
	c.sum = bidx_calloc(n, sizeof *c.sum);
	if (c.nchars && c.doc_ok && c.text_off && c.sum) {
		doc_walk(&c);
		f->content_checked = c.cp != NULL;
		if (!c.oom)
			term_walk(&c);
	} else {
		c.oom = 1;
	}
	free(c.nchars);
	free(c.doc_ok);
	free(c.text_off);
	free(c.cp);
	free(c.sum);
	free(c.pos);
	return c.oom ? BIDX_ENOMEM : BIDX_OK;
}
