/*
 * check.c - `bidx check` (see check.h).
 *
 * Three passes.  The raw pass reads the file as bytes, without trusting the
 * reader: header, footer, table, every section checksum and every chunk
 * checksum, and the zero padding between sections.  Then the file is opened
 * the way bsearch opens it, and the document pass decodes every record and
 * stored text, keeping each document's length (and, up to a memory bound,
 * its normalised characters).  The term pass walks the dictionary and
 * decodes every postings list against those lengths and characters.  The
 * codecs themselves refuse to read out of bounds; this file adds the
 * invariants that span several sections.
 */
#include "check.h"
#include "checksum.h"
#include "fault.h"
#include "format.h"
#include "io.h"
#include "manifest.h"
#include "markdown.h"
#include "normalize.h"
#include "postings.h"
#include "segment_reader.h"
#include "termdict.h"
#include "varint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Normalised characters kept for the content check (4 bytes each). */
#define CHECK_MAX_CHARS ((uint64_t)64 << 20)

static const char *const sec_name[] = {"FILE", "META", "POSTINGS", "TERMS", "DOCS", "BOUNDS",
                                       "PATHS", "STORE", "ZDICT", "CHUNKS", "FIELDS",
                                       "FIELDSTR", "CKPTS"};

/* Per document, sums the unigram postings must reproduce: over its
 * characters (all, in the title, whole words, at a word edge) of a hash of
 * the character, so a count moved to the wrong character or document shows. */
enum { SUM_ALL, SUM_TITLE, SUM_WORD, SUM_EDGE, NSUMS };

typedef struct docsum {
	uint64_t want[NSUMS];   /* from the text and its bitmap */
	uint64_t got[NSUMS];    /* from the unigram postings */
	uint64_t uni_tf, bi_tf; /* occurrences in the postings */
	uint8_t have_want;      /* want[] was computed */
} docsum;

static uint64_t mix(uint64_t x)   /* splitmix64's finaliser */
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

typedef struct ctx {
	bidx_check_fn fn;
	void *arg;
	const char *file;       /* the file being checked, for reports */
	uint64_t max_reports;
	bidx_check_stats *st;
	bidx_segment *s;
	uint32_t ndocs;
	uint32_t *nchars;       /* per doc, from its record */
	uint8_t *doc_ok;        /* per doc: record and text agree */
	uint64_t *text_off;     /* per doc: start of its characters in cp, or NULL */
	uint32_t *cp;           /* normalised characters of all docs, or NULL */
	uint64_t ncp, cp_cap;
	docsum *sum;            /* per doc: what the postings must add up to */
	uint32_t *pos;          /* scratch positions */
	size_t pos_cap;
	uint64_t next_post;     /* where the next term's postings must start */
	uint64_t prev_key;
	uint64_t seen_terms;
	int skipped_terms;      /* postings in a damaged chunk were not decoded */
	int oom;
} ctx;

static void problem(ctx *c, int sec, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void vreport(ctx *c, const char *file, const char *section, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* Counts a problem and passes it on while under max_reports. */
static void vreport(ctx *c, const char *file, const char *section, const char *fmt, va_list ap)
{
	char msg[512];
	c->st->problems++;
	if (c->st->problems > c->max_reports)
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	c->fn(file, section, msg, c->arg);
}

static void problem(ctx *c, int sec, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(c, c->file, sec_name[sec], fmt, ap);
	va_end(ap);
}

/* ---- raw pass: bytes and checksums ---- */

static int zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void raw_chunks(ctx *c, const uint8_t *m, const uint64_t *off, const uint64_t *len)
{
	const uint8_t *ch = m + off[BIDX_SEC_CHUNKS];
	uint64_t clen = len[BIDX_SEC_CHUNKS];
	static const int which[2] = {BIDX_SEC_POSTINGS, BIDX_SEC_STORE};
	if (clen < BIDX_CHUNKS_HEADER_SIZE || bidx_get_u32le(ch) != BIDX_CHUNK_SIZE) {
		problem(c, BIDX_SEC_CHUNKS, "bad header (chunk size must be %u)", BIDX_CHUNK_SIZE);
		return;
	}
	uint32_t n[2] = {bidx_get_u32le(ch + 8), bidx_get_u32le(ch + 12)};
	const uint8_t *sum = ch + BIDX_CHUNKS_HEADER_SIZE;
	for (int k = 0; k < 2; k++) {
		uint64_t slen = len[which[k]];
		uint64_t want = (slen + BIDX_CHUNK_SIZE - 1) / BIDX_CHUNK_SIZE;
		if (n[k] != want || (uint64_t)(sum - ch) + 8 * (uint64_t)n[k] > clen) {
			problem(c, BIDX_SEC_CHUNKS, "%s has %llu chunks, CHUNKS lists %u",
			        sec_name[which[k]], (unsigned long long)want, n[k]);
			return;
		}
		for (uint64_t i = 0; i < n[k]; i++) {
			uint64_t a = i * BIDX_CHUNK_SIZE;
			uint64_t b = a + BIDX_CHUNK_SIZE < slen ? a + BIDX_CHUNK_SIZE : slen;
			if (bidx_xxh3(m + off[which[k]] + a, (size_t)(b - a)) != bidx_get_u64le(sum + 8 * i))
				problem(c, which[k], "chunk %llu (section bytes %llu..%llu) fails its checksum",
				        (unsigned long long)i, (unsigned long long)a, (unsigned long long)b);
		}
		sum += 8 * (uint64_t)n[k];
	}
	if ((uint64_t)(sum - ch) != clen)
		problem(c, BIDX_SEC_CHUNKS, "section is %llu bytes, its contents %llu",
		        (unsigned long long)clen, (unsigned long long)(sum - ch));
}

/* Returns 1 when the table is sound enough to open the file. */
static int raw_pass(ctx *c, const uint8_t *m, size_t size)
{
	if (size < BIDX_HEADER_SIZE + BIDX_FOOTER_SIZE) {
		problem(c, 0, "file of %zu bytes is too short to be an index (truncated?)", size);
		return 0;
	}
	if (memcmp(m, BIDX_MAGIC, 8))
		problem(c, 0, "header: bad magic (not a bidx index)");
	if (bidx_get_u64le(m + 24) != bidx_xxh3(m, 24))
		problem(c, 0, "header: checksum mismatch");
	if (bidx_get_u32le(m + 8) != BIDX_FORMAT_VERSION)
		problem(c, 0, "header: format version %u, this bidx reads version %u",
		        bidx_get_u32le(m + 8), BIDX_FORMAT_VERSION);
	if (bidx_get_u64le(m + 16) != size)
		problem(c, 0, "header: file size %llu, the file has %zu bytes (truncated or extended)",
		        (unsigned long long)bidx_get_u64le(m + 16), size);
	const uint8_t *f = m + size - BIDX_FOOTER_SIZE;
	uint64_t toff = bidx_get_u64le(f);
	uint32_t nsec = bidx_get_u32le(f + 8);
	if (memcmp(f + 24, BIDX_END_MAGIC, 8) || bidx_get_u32le(f + 12) != BIDX_FORMAT_VERSION)
		problem(c, 0, "footer: bad end magic or version");
	if (nsec != BIDX_SEC_MAX || toff < BIDX_HEADER_SIZE ||
	    toff + (uint64_t)nsec * BIDX_TABLE_ENTRY_SIZE != size - BIDX_FOOTER_SIZE) {
		problem(c, 0, "footer: section table at %llu with %u entries does not fit the file",
		        (unsigned long long)toff, nsec);
		return 0;
	}
	const uint8_t *t = m + toff;
	if (bidx_get_u64le(f + 16) != bidx_xxh3(t, (size_t)nsec * BIDX_TABLE_ENTRY_SIZE))
		problem(c, 0, "section table: checksum mismatch");
	uint64_t off[BIDX_SEC_MAX + 1] = {0}, len[BIDX_SEC_MAX + 1] = {0}, prev = BIDX_HEADER_SIZE;
	for (int id = 1; id <= BIDX_SEC_MAX; id++, t += BIDX_TABLE_ENTRY_SIZE) {
		off[id] = bidx_get_u64le(t + 8);
		len[id] = bidx_get_u64le(t + 16);
		if (bidx_get_u32le(t) != (uint32_t)id || off[id] % 8 || off[id] < prev ||
		    off[id] > toff || len[id] > toff - off[id]) {
			problem(c, 0, "section table: entry %d (%s) at %llu, %llu bytes: out of order, "
			        "misaligned or outside the file", id, sec_name[id],
			        (unsigned long long)off[id], (unsigned long long)len[id]);
			return 0;
		}
		if (!zero(m + prev, (size_t)(off[id] - prev)))
			problem(c, id, "padding before the section (bytes %llu..%llu) is not zero",
			        (unsigned long long)prev, (unsigned long long)off[id]);
		if (bidx_xxh3(m + off[id], (size_t)len[id]) != bidx_get_u64le(t + 24))
			problem(c, id, "checksum mismatch (file bytes %llu..%llu)",
			        (unsigned long long)off[id], (unsigned long long)(off[id] + len[id]));
		prev = off[id] + len[id];
	}
	if (!zero(m + prev, (size_t)(toff - prev)))
		problem(c, 0, "padding before the section table (bytes %llu..%llu) is not zero",
		        (unsigned long long)prev, (unsigned long long)toff);
	raw_chunks(c, m, off, len);
	return 1;
}

/* ---- document pass ---- */

static int keep_text(ctx *c, uint32_t id, const bidx_norm *n)
{
	if (!c->cp && c->ncp)
		return 0;   /* gave up earlier */
	if (c->ncp + n->nchars > CHECK_MAX_CHARS) {
		free(c->cp);
		c->cp = NULL;
		c->ncp = 1;
		return 0;
	}
	if (c->ncp + n->nchars > c->cp_cap) {
		uint64_t nc = c->cp_cap ? c->cp_cap * 2 : 1 << 16;
		while (nc < c->ncp + n->nchars)
			nc *= 2;
		uint32_t *p = bidx_realloc(c->cp, (size_t)nc * sizeof *p);
		if (!p) {
			c->oom = 1;
			return -1;
		}
		c->cp = p;
		c->cp_cap = nc;
	}
	memcpy(c->cp + c->ncp, n->cp, (size_t)n->nchars * sizeof *n->cp);
	c->text_off[id] = c->ncp;
	c->ncp += n->nchars;
	return 0;
}

static void check_bounds(ctx *c, uint32_t id, const bidx_docrec *d)
{
	const uint8_t *b = bidx_segment_bounds(c->s, d);
	size_t blen = ((size_t)d->nchars + 8) / 8;
	if (!bidx_bit(b, 0) || !bidx_bit(b, d->nchars))
		problem(c, BIDX_SEC_BOUNDS, "doc %u: boundary bitmap lacks bit 0 or bit %u (nchars)",
		        id, d->nchars);
	if (b[blen - 1] >> (d->nchars % 8) > 1)
		problem(c, BIDX_SEC_BOUNDS, "doc %u: boundary bits set past nchars %u", id, d->nchars);
	if (d->ntokens == 0 || d->ntokens > d->nchars)
		problem(c, BIDX_SEC_DOCS, "doc %u: %u words in %u characters", id, d->ntokens, d->nchars);
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
static int title_of(ctx *c, const bidx_docrec *d, const char *text, const char *title,
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
		int a = bidx_bit(bits, i), b = bidx_bit(bits, i + 1);
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
static void check_ckpts(ctx *c, uint32_t id, const bidx_docrec *d, const char *text,
                        const bidx_norm *n)
{
	const uint8_t *p;
	uint32_t k, prev_c = 0, prev_b = 0;
	if (bidx_segment_ckpts(c->s, id, &p, &k)) {
		problem(c, BIDX_SEC_CKPTS, "doc %u: checkpoint index out of range", id);
		return;
	}
	for (uint32_t i = 0; i < k; i++) {
		uint32_t ch = bidx_get_u32le(p + 8 * i), by = bidx_get_u32le(p + 8 * i + 4);
		if (ch <= prev_c || by <= prev_b || ch >= d->nchars || by >= d->text_len) {
			problem(c, BIDX_SEC_CKPTS, "doc %u: checkpoint %u (char %u, byte %u) out of order "
			        "or outside the document", id, i, ch, by);
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
			problem(c, BIDX_SEC_CKPTS, "doc %u: checkpoint %u (char %u, byte %u) is not a "
			        "restart point of the text", id, i, ch, by);
		bidx_norm_free(&w);
	}
}

static void check_text(ctx *c, uint32_t id, const bidx_docrec *d)
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
		problem(c, BIDX_SEC_STORE, "doc %u: stored frame (bytes %llu..%llu) does not decompress "
		        "to a title and %u bytes of text", id, (unsigned long long)d->store_off,
		        (unsigned long long)(d->store_off + d->store_len), d->text_len);
		return;
	}
	if (tlen && !title_of(c, d, text, title, tlen))
		problem(c, BIDX_SEC_STORE, "doc %u: the stored title is not a line of the text", id);
	bidx_norm n = {0};
	rc = bidx_normalize(text, d->text_len, 0, &n);
	if (rc == BIDX_ENOMEM)
		c->oom = 1;
	else if (rc || n.nchars != d->nchars)
		problem(c, BIDX_SEC_DOCS, "doc %u: nchars is %u, its stored text normalises to %u characters",
		        id, d->nchars, n.nchars);
	else {
		check_ckpts(c, id, d, text, &n);
		want_sums(&c->sum[id], &n, bidx_segment_bounds(c->s, d), d);
		c->doc_ok[id] = 1;
		if (keep_text(c, id, &n) == 0 && c->cp)
			c->doc_ok[id] = 2;   /* characters kept for the content check */
	}
	bidx_norm_free(&n);
	free(buf);
}

/* A PDF's "pages" entry (docs/FORMAT.md, FIELDSTR): decimal page starts,
 * space separated, the first 0, none decreasing, none past the text; what
 * names a hit's page must not name a page the text does not have. */
static void check_pages(ctx *c, uint32_t id, const bidx_docrec *d)
{
	bidx_fieldrec fr;
	bidx_fstr f;
	if (bidx_segment_fields(c->s, id, &fr))
		return;   /* the record itself is checked with FIELDS */
	const uint8_t *p = c->s->sec[BIDX_SEC_FIELDSTR].p + fr.str_off, *end = p + fr.str_len;
	while (bidx_fstr_next(&p, end, &f) == 1) {
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
			problem(c, BIDX_SEC_FIELDSTR, "doc %u: its pages field is not a list of page "
			        "starts from 0 up, within its %u bytes of text", id, d->text_len);
	}
}

static void doc_pass(ctx *c)
{
	uint64_t store_end = 0, bound_end = 0, path_end = 0, tokens = 0, chars = 0, bytes = 0;
	const bidx_segment *s = c->s;
	for (uint32_t id = 0; id < c->ndocs && !c->oom; id++) {
		bidx_docrec d;
		if (bidx_segment_doc(s, id, &d)) {
			problem(c, BIDX_SEC_DOCS, "doc %u: record points outside STORE, BOUNDS or PATHS, "
			        "or its title range is outside its %u characters", id, d.nchars);
			continue;
		}
		c->nchars[id] = d.nchars;
		if (d.store_off != store_end || d.bound_off != bound_end || d.path_off != path_end)
			problem(c, BIDX_SEC_DOCS, "doc %u: its frame, bitmap or path does not follow the "
			        "previous document's (gap or overlap)", id);
		store_end = d.store_off + d.store_len;
		bound_end = d.bound_off + ((uint64_t)d.nchars + 8) / 8;
		path_end = (uint64_t)d.path_off + d.path_len;
		tokens += d.ntokens;
		chars += d.nchars;
		bytes += d.text_len;
		check_bounds(c, id, &d);
		check_text(c, id, &d);
		check_pages(c, id, &d);
		c->st->docs++;
	}
	if (c->oom)
		return;
	if (store_end != s->sec[BIDX_SEC_STORE].len || bound_end != s->sec[BIDX_SEC_BOUNDS].len ||
	    path_end != s->sec[BIDX_SEC_PATHS].len)
		problem(c, BIDX_SEC_DOCS, "the documents do not cover STORE, BOUNDS and PATHS exactly");
	if (tokens != s->meta.total_tokens || chars != s->meta.total_chars ||
	    bytes != s->meta.corpus_bytes)
		problem(c, BIDX_SEC_META, "totals (words %llu, characters %llu, bytes %llu) differ from "
		        "the documents' (%llu, %llu, %llu)", (unsigned long long)s->meta.total_tokens,
		        (unsigned long long)s->meta.total_chars, (unsigned long long)s->meta.corpus_bytes,
		        (unsigned long long)tokens, (unsigned long long)chars, (unsigned long long)bytes);
}

/* ---- term pass ---- */

static void describe(uint64_t key, char *out, size_t n)
{
	uint32_t c1 = (uint32_t)(key >> 21) & 0x1FFFFF, c2 = (uint32_t)key & 0x1FFFFF;
	uint8_t u[9];
	int l = 0;
	if (c1 <= 0x10FFFF && (c1 < 0xD800 || c1 > 0xDFFF) && c1 >= 0x20)
		l += bidx_utf8_encode(c1, u);
	if (bidx_key_n(key) == 2 && c2 <= 0x10FFFF && (c2 < 0xD800 || c2 > 0xDFFF) && c2 >= 0x20)
		l += bidx_utf8_encode(c2, u + l);
	u[l] = 0;
	if (bidx_key_n(key) == 2)
		snprintf(out, n, "bigram \"%s\" (U+%04X U+%04X)", (char *)u, c1, c2);
	else
		snprintf(out, n, "unigram \"%s\" (U+%04X)", (char *)u, c1);
}

static int key_ok(uint64_t key)
{
	unsigned n = bidx_key_n(key);
	uint32_t c1 = (uint32_t)(key >> 21) & 0x1FFFFF, c2 = (uint32_t)key & 0x1FFFFF;
	return (n == 1 && c2 == 0 && c1 <= 0x10FFFF) || (n == 2 && c1 <= 0x10FFFF && c2 <= 0x10FFFF);
}

static void check_positions(ctx *c, const bidx_term *t, const char *name, bidx_pcur *cur)
{
	uint32_t d = (uint32_t)cur->doc, nch = c->nchars[d];
	if (nch < 2 || cur->tf > nch - 1) {
		problem(c, BIDX_SEC_POSTINGS, "%s, doc %u: %u occurrences in %u characters", name, d,
		        cur->tf, nch);
		return;
	}
	if (cur->tf > c->pos_cap) {
		uint32_t *p = bidx_realloc(c->pos, (size_t)cur->tf * sizeof *p);
		if (!p) {
			c->oom = 1;
			return;
		}
		c->pos = p;
		c->pos_cap = cur->tf;
	}
	if (bidx_pcur_positions(cur, c->pos, nch - 1)) {
		problem(c, BIDX_SEC_POSTINGS, "%s, doc %u: positions not increasing, undecodable or "
		        "past the document's %u characters", name, d, nch);
		return;
	}
	if (c->doc_ok[d] != 2 || !c->cp)
		return;
	const uint32_t *cp = c->cp + c->text_off[d];
	uint32_t c1 = (uint32_t)(t->key >> 21) & 0x1FFFFF, c2 = (uint32_t)t->key & 0x1FFFFF;
	for (uint32_t i = 0; i < cur->tf; i++)
		if (cp[c->pos[i]] != c1 || cp[c->pos[i] + 1] != c2) {
			problem(c, BIDX_SEC_POSTINGS, "%s, doc %u: position %u holds U+%04X U+%04X",
			        name, d, c->pos[i], cp[c->pos[i]], cp[c->pos[i] + 1]);
			return;
		}
}

static int term_cb(const bidx_term *t, void *arg)
{
	ctx *c = arg;
	char name[96];
	describe(t->key, name, sizeof name);
	if (c->seen_terms && t->key <= c->prev_key)
		problem(c, BIDX_SEC_TERMS, "%s: key not above the previous one", name);
	if (!key_ok(t->key))
		problem(c, BIDX_SEC_TERMS, "%s: malformed key 0x%llx", name, (unsigned long long)t->key);
	if (t->post_off != c->next_post)
		problem(c, BIDX_SEC_TERMS, "%s: postings at %llu, the previous term's end at %llu",
		        name, (unsigned long long)t->post_off, (unsigned long long)c->next_post);
	c->prev_key = t->key;
	c->next_post = t->post_off + t->post_len;
	c->seen_terms++;
	c->st->terms++;
	if (bidx_segment_need(c->s, BIDX_SEC_POSTINGS, t->post_off, t->post_len)) {
		c->skipped_terms = 1;   /* the chunk is reported by the raw pass */
		return 0;
	}
	unsigned n = bidx_key_n(t->key);
	bidx_pcur cur;
	if (!key_ok(t->key) ||
	    bidx_pcur_init(&cur, bidx_segment_postings(c->s, t), (size_t)t->post_len, t->df, n, c->ndocs)) {
		problem(c, BIDX_SEC_POSTINGS, "%s: df %u with %u documents", name, t->df, c->ndocs);
		return 0;
	}
	uint32_t got = 0;
	int r;
	while ((r = bidx_pcur_next(&cur)) == 1 && !c->oom) {
		uint32_t d = (uint32_t)cur.doc;
		got++;
		c->st->postings++;
		docsum *ds = &c->sum[d];
		if (n == 1) {
			uint64_t h = mix((uint32_t)(t->key >> 21) & 0x1FFFFF);
			ds->uni_tf += cur.tf;
			ds->got[SUM_ALL] += cur.tf * h;
			ds->got[SUM_TITLE] += cur.tf_title * h;
			ds->got[SUM_WORD] += cur.tf_word * h;
			ds->got[SUM_EDGE] += cur.tf_edge * h;
		} else {
			ds->bi_tf += cur.tf;
			check_positions(c, t, name, &cur);
		}
	}
	if (r < 0)
		problem(c, BIDX_SEC_POSTINGS, "%s (bytes %llu..%llu): undecodable after %u of its %u "
		        "documents (doc id out of range or not increasing, bad counts or block lengths)",
		        name, (unsigned long long)t->post_off,
		        (unsigned long long)(t->post_off + t->post_len), got, t->df);
	return c->oom ? 1 : 0;
}

static void term_pass(ctx *c)
{
	bidx_segment *s = c->s;
	int r = bidx_termdict_each(&s->td, term_cb, c);
	if (c->oom)
		return;
	if (r < 0) {
		problem(c, BIDX_SEC_TERMS, "term block %llu is undecodable (after %llu terms)",
		        (unsigned long long)(c->seen_terms / BIDX_TERMS_PER_BLOCK),
		        (unsigned long long)c->seen_terms);
		return;
	}
	if (c->next_post != s->sec[BIDX_SEC_POSTINGS].len)
		problem(c, BIDX_SEC_TERMS, "postings end at %llu, the section at %zu",
		        (unsigned long long)c->next_post, s->sec[BIDX_SEC_POSTINGS].len);
	if (c->seen_terms != s->meta.nterms)
		problem(c, BIDX_SEC_META, "%llu terms, the dictionary holds %llu",
		        (unsigned long long)s->meta.nterms, (unsigned long long)c->seen_terms);
	static const char *const what[NSUMS] = {"characters", "title characters",
	                                        "whole-word characters", "word-edge characters"};
	for (uint32_t d = 0; d < c->ndocs; d++) {
		docsum *ds = &c->sum[d];
		if (!c->doc_ok[d] || !ds->have_want || c->skipped_terms)
			continue;
		uint32_t nch = c->nchars[d];
		if (ds->uni_tf != nch || ds->bi_tf != (nch ? nch - 1u : 0))
			problem(c, BIDX_SEC_POSTINGS, "doc %u: the postings hold %llu characters and %llu "
			        "pairs, the document %u characters", d, (unsigned long long)ds->uni_tf,
			        (unsigned long long)ds->bi_tf, nch);
		for (int k = 0; k < NSUMS; k++)
			if (ds->got[k] != ds->want[k]) {
				problem(c, BIDX_SEC_POSTINGS, "doc %u: the unigram postings disagree with the "
				        "text about its %s", d, what[k]);
				break;
			}
	}
}

/* Frees the per-segment state and resets it for the next segment. */
static void ctx_free(ctx *c)
{
	free(c->nchars);
	free(c->doc_ok);
	free(c->text_off);
	free(c->cp);
	free(c->sum);
	free(c->pos);
	c->nchars = NULL, c->doc_ok = NULL, c->text_off = NULL, c->cp = NULL, c->sum = NULL;
	c->pos = NULL;
	c->ncp = c->cp_cap = c->pos_cap = 0;
	c->next_post = c->prev_key = c->seen_terms = 0;
	c->skipped_terms = 0;
	c->s = NULL;
	c->ndocs = 0;
}

/* Reserved fields must be zero (a writer of this version leaves them so;
 * META's u32 after ndocs is the normaliser revision, checked on opening). */
static void check_reserved(ctx *c)
{
	const bidx_section_ref *sec = c->s->sec;
	const uint8_t *meta = sec[BIDX_SEC_META].p, *terms = sec[BIDX_SEC_TERMS].p;
	if (!zero(meta + 48, BIDX_META_SIZE - 48))
		problem(c, BIDX_SEC_META, "reserved bytes are not zero");
	if (!zero(terms + 12, 4))
		problem(c, BIDX_SEC_TERMS, "reserved header bytes are not zero");
	for (uint32_t b = 0; b < c->s->td.nblocks; b++)
		if (!zero(c->s->td.idx + (size_t)b * BIDX_BLOCKIDX_SIZE + 20, 4))
			problem(c, BIDX_SEC_TERMS, "block %u: reserved bytes are not zero", b);
	if (!zero(sec[BIDX_SEC_CHUNKS].p + 4, 4))
		problem(c, BIDX_SEC_CHUNKS, "reserved header bytes are not zero");
}

static bidx_err structure(ctx *c)
{
	check_reserved(c);
	size_t n = c->ndocs ? c->ndocs : 1;
	c->nchars = bidx_calloc(n, sizeof *c->nchars);
	c->doc_ok = bidx_calloc(n, 1);
	c->text_off = bidx_calloc(n, sizeof *c->text_off);
	c->sum = bidx_calloc(n, sizeof *c->sum);
	if (!c->nchars || !c->doc_ok || !c->text_off || !c->sum)
		return BIDX_ENOMEM;
	doc_pass(c);
	c->st->content_checked = c->cp != NULL;
	if (!c->oom)
		term_pass(c);
	return c->oom ? BIDX_ENOMEM : BIDX_OK;
}

static void man_problem(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void man_problem(ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(c, BIDX_MANIFEST_FILE, "MANIFEST", fmt, ap);
	va_end(ap);
}

/* One segment file: bytes and checksums, then (if its table holds) every
 * structure.  *seg gets the opened segment (NULL when it cannot be opened). */
static bidx_err check_segment(ctx *c, const char *path, bidx_segment **seg, char *why,
                              size_t whylen)
{
	const uint8_t *map;
	size_t size;
	*seg = NULL;
	bidx_err rc = bidx_map_file(path, &map, &size);
	if (rc) {
		problem(c, 0, "%s", rc == BIDX_ENOINDEX ? "the file is missing" : "cannot read the file");
		return BIDX_OK;
	}
	c->st->file_bytes += size;
	int table_ok = raw_pass(c, map, size);
	bidx_unmap(map, size);
	if (!table_ok)
		return BIDX_OK;
	char ywhy[256];
	rc = bidx_segment_open_file(path, &c->s, ywhy, sizeof ywhy);
	if (rc == BIDX_ECORRUPT || rc == BIDX_EVERSION) {
		problem(c, 0, "the segment cannot be opened: %s", ywhy);
		return BIDX_OK;
	}
	if (rc) {
		snprintf(why, whylen, "%s", rc == BIDX_ENOMEM ? bidx_strerror(rc) : ywhy);
		return rc;
	}
	*seg = c->s;
	c->ndocs = c->s->meta.ndocs;
	rc = structure(c);
	ctx_free(c);
	return rc;
}

/* The manifest against its segments: sizes, document counts, live totals. */
static void check_totals(ctx *c, const bidx_manifest *m, bidx_segment **segs)
{
	uint64_t tokens = 0, chars = 0, bytes = 0;
	for (uint32_t i = 0; i < m->nsegs; i++) {
		char name[32];
		bidx_segment_name(m->segs[i].seq, name, sizeof name);
		if (!segs[i])
			return;   /* reported already; the totals cannot be compared */
		if (segs[i]->size != m->segs[i].size || segs[i]->meta.ndocs != m->segs[i].ndocs) {
			man_problem(c, "%s: the manifest says %llu bytes and %u documents, the file has "
			            "%zu and %u", name, (unsigned long long)m->segs[i].size,
			            m->segs[i].ndocs, segs[i]->size, segs[i]->meta.ndocs);
			return;
		}
		if (segs[i]->table_sum != m->segs[i].sum)
			man_problem(c, "%s: its table checksum is %016llx, the manifest recorded %016llx "
			            "(the file was changed after it was written)", name,
			            (unsigned long long)segs[i]->table_sum,
			            (unsigned long long)m->segs[i].sum);
		for (uint32_t d = 0; d < m->segs[i].ndocs; d++) {
			bidx_docrec r;
			if (m->segs[i].map[d] == BIDX_DELETED || bidx_segment_doc(segs[i], d, &r))
				continue;
			tokens += r.ntokens;
			chars += r.nchars;
		}
	}
	for (uint32_t i = 0; i < m->nsrc; i++)
		bytes += m->src[i].bytes;
	if (tokens != m->total_tokens || chars != m->total_chars || bytes != m->corpus_bytes)
		man_problem(c, "live totals (words %llu, characters %llu, bytes %llu) differ from the "
		            "live documents' (%llu, %llu, %llu)", (unsigned long long)m->total_tokens,
		            (unsigned long long)m->total_chars, (unsigned long long)m->corpus_bytes,
		            (unsigned long long)tokens, (unsigned long long)chars,
		            (unsigned long long)bytes);
}

bidx_err bidx_check(const char *dir, bidx_check_fn fn, void *arg, uint64_t max_reports,
                    bidx_check_stats *st, char *why, size_t whylen)
{
	ctx c = {0};
	bidx_manifest m;
	memset(st, 0, sizeof *st);
	why[0] = 0;
	c.fn = fn;
	c.arg = arg;
	c.max_reports = max_reports;
	c.st = st;
	char mwhy[512];
	bidx_err rc = bidx_manifest_read(dir, 1, &m, mwhy, sizeof mwhy);
	if (rc == BIDX_ENOINDEX || rc == BIDX_EIO || rc == BIDX_ENOMEM) {
		snprintf(why, whylen, "%s", mwhy[0] ? mwhy : bidx_strerror(rc));
		return rc;
	}
	if (rc) {
		man_problem(&c, "%s", mwhy);
		return BIDX_OK;
	}
	bidx_segment **segs = bidx_calloc((size_t)m.nsegs + 1, sizeof *segs);
	if (!segs) {
		bidx_manifest_free(&m);
		return BIDX_ENOMEM;
	}
	st->segments = m.nsegs;
	st->live_docs = m.ndocs;
	for (uint32_t i = 0; i < m.nsegs && !rc; i++) {
		char name[32];
		bidx_segment_name(m.segs[i].seq, name, sizeof name);
		char *path = bidx_path_join(dir, name);
		if (!path) {
			rc = BIDX_ENOMEM;
			break;
		}
		c.file = name;
		rc = check_segment(&c, path, &segs[i], why, whylen);
		c.file = NULL;
		free(path);
	}
	if (!rc)
		check_totals(&c, &m, segs);
	for (uint32_t i = 0; i < m.nsegs; i++)
		bidx_segment_close(segs[i]);
	free(segs);
	bidx_manifest_free(&m);
	ctx_free(&c);
	if (rc && !why[0])
		snprintf(why, whylen, "%s", bidx_strerror(rc));
	return rc;
}
