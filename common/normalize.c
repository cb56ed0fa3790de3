/*
 * normalize.c - NFKC + case folding + the gap rule, with an offset map.
 *
 * The input is read one code point at a time.  utf8proc decomposes each one
 * completely (compatibility mappings, case folding, default ignorables
 * dropped), and the decomposed code points are cut into clusters: a starter
 * followed by whatever may still reorder or compose with it (combining marks,
 * the second halves of canonical compositions, Hangul vowel and trailing
 * jamo).  Canonical reordering and composition never cross a cluster
 * boundary, so composing cluster by cluster gives exactly what
 * utf8proc_NFKC_Casefold() gives for the whole text, while every output
 * character can name the input bytes of its cluster: ｶﾞ becomes one ガ that
 * maps to all six input bytes, ㍻ becomes 平成 and both map to its three.
 *
 * White space is recognised after decomposition, so U+00B4 ACUTE ACCENT,
 * which NFKC turns into U+0020 U+0301, opens a gap just like a real space.
 * Classifying input characters instead would leave spaces in the output that
 * a second pass drops, and normalize(normalize(x)) must equal normalize(x).
 * A gap is held back until the character after it is known.  When it is
 * dropped, the clusters on both sides may join, so "か\n゛" gives "が", as a
 * second pass over "か" U+3099 would.
 *
 * ASCII takes a short path (no utf8proc call): letters are lowered, spaces
 * and controls are gaps, everything else is a starter as it stands.  Most
 * kanji and kana are "plain": starters that map to themselves.  A table of
 * the Basic Multilingual Plane remembers which code points are plain once
 * utf8proc has been asked, and a plain character that follows a one-code-point
 * cluster with no gap pending only emits that cluster (composing one code
 * point leaves it as it is) and opens its own: the common case costs a table
 * load and a few stores.  The same table marks "composed" characters (が,
 * パ: their own normal form, a starter and joiners once decomposed), which
 * stand in the open cluster for their decomposition until a joiner comes;
 * fullwidth forms that map to one character (！ Ａ) and the ideographic
 * space have a small table of their own; a gap before a plain character is
 * settled on the spot; and a run of such characters goes through one loop
 * (plain_run).  bidx_normalize_general() skips every short path: the tests
 * compare the two.
 */
#include "normalize.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "fault.h"

#define DECOMP_OPTS (UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | \
                     UTF8PROC_IGNORE | UTF8PROC_STABLE)
#define COMPOSE_OPTS (UTF8PROC_COMPOSE | UTF8PROC_STABLE)
/* Unicode's longest full decomposition is 18 code points (U+FDFA). */
#define DECOMP_MAX 64
#define INPUT_MAX ((size_t)1 << 31)
#define CLUSTER_CAP0 32

enum cp_kind { KIND_GAP, KIND_STARTER, KIND_JOINER };

typedef struct cluster {
	int32_t *cp;      /* n decomposed code points, then cap of scratch */
	size_t n;         /* code points in the cluster */
	size_t cap;       /* room for cap code points, plus as many scratch */
	uint32_t start;   /* input bytes of the whole cluster */
	uint32_t end;
	int packed;       /* cp[0] is a composed character standing for its
	                     decomposition (feed_composed), n == 1 */
} cluster;

typedef struct norm_state {
	bidx_norm *out;
	size_t cap;           /* code points out->cp etc. can hold */
	size_t text_cap;      /* bytes out->text can hold, NUL included */
	cluster clu;          /* the cluster still open for joiners */
	int started;          /* a non-gap character has been seen */
	int gap;              /* a gap is pending */
	uint32_t gap_start;   /* input bytes of the pending gap */
	uint32_t gap_end;
	int general;          /* every character through the general path (tests) */
	bidx_err err;         /* sticky: first failure */
} norm_state;

int bidx_is_wide(uint32_t cp)
{
	if (cp >= 0x3130 && cp <= 0x318F)
		return 0;
	return (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFFEF) ||
	       (cp >= 0x20000 && cp <= 0x3FFFF);
}

static int utf8_seq_len(uint8_t b, uint32_t *bits)
{
	if (b < 0xC2)
		return 0;  /* continuation byte, or lead of an overlong pair */
	if (b < 0xE0) {
		*bits = b & 0x1F;
		return 2;
	}
	if (b < 0xF0) {
		*bits = b & 0x0F;
		return 3;
	}
	if (b < 0xF5) {
		*bits = b & 0x07;
		return 4;
	}
	return 0;
}

int bidx_utf8_decode_any(const uint8_t *s, size_t n, uint32_t *cp)
{
	static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	uint32_t c = 0;
	int len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	len = utf8_seq_len(s[0], &c);
	if (len == 0 || n < (size_t)len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min_cp[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

int bidx_utf8_encode(uint32_t cp, uint8_t *out)
{
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xC0 | cp >> 6);
		out[1] = (uint8_t)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uint8_t)(0xE0 | cp >> 12);
		out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (uint8_t)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (uint8_t)(0xF0 | cp >> 18);
	out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (uint8_t)(0x80 | (cp & 0x3F));
	return 4;
}

size_t bidx_utf8_check(const uint8_t *s, size_t n)
{
	size_t i = 0;
	uint32_t c;
	int k;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		k = bidx_utf8_decode(s + i, n - i, &c);
		if (k == 0)
			return i;
		i += (size_t)k;
	}
	return n;
}

/* Code points in s[0..n), counting each invalid byte as one: a good guess
 * of the output size, which saves regrowing the arrays.  Counts the
 * continuation bytes (10xxxxxx) eight at a time. */
static size_t count_chars(const uint8_t *s, size_t n)
{
	const uint64_t high = 0x8080808080808080u, ones = 0x0101010101010101u;
	size_t i = 0, cont = 0;
	uint64_t w;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		w = (w & ~(w << 1) & high) >> 7;  /* 1 in each continuation byte */
		cont += (size_t)((w * ones) >> 56);
	}
	for (; i < n; i++)
		cont += (s[i] & 0xC0) == 0x80;
	return n - cont;
}

static enum cp_kind classify_prop(int32_t c, const utf8proc_property_t *p)
{
	if (c >= 0x1160 && c <= 0x11FF)
		return KIND_JOINER;  /* Hangul V and T jamo compose by algorithm */
	if (p->category == UTF8PROC_CATEGORY_ZS || p->category == UTF8PROC_CATEGORY_ZL ||
	    p->category == UTF8PROC_CATEGORY_ZP || p->category == UTF8PROC_CATEGORY_CC)
		return KIND_GAP;
	/* utf8proc marks second halves of compositions with bit 15 of comb_index
	 * (test_normalize's random strings check this against utf8proc) */
	if (p->combining_class != 0 || (p->comb_index != UINT16_MAX && p->comb_index >= 0x8000))
		return KIND_JOINER;
	return KIND_STARTER;
}

static enum cp_kind classify(int32_t c)
{
	if (c < 0x80)
		return c <= 0x20 || c == 0x7F ? KIND_GAP : KIND_STARTER;
	return classify_prop(c, utf8proc_get_property(c));
}

/* Canonical ordering: stable sort of each run of non-starters by combining
 * class, as utf8proc_decompose() does before composing. */
static void canonical_order(int32_t *b, size_t n)
{
	size_t i = 0;
	int32_t t;

	while (i + 1 < n) {
		int c1 = utf8proc_get_property(b[i])->combining_class;
		int c2 = utf8proc_get_property(b[i + 1])->combining_class;
		if (c1 > c2 && c2 > 0) {
			t = b[i];
			b[i] = b[i + 1];
			b[i + 1] = t;
			i = i > 0 ? i - 1 : i + 1;
		} else {
			i++;
		}
	}
}

/* Composes the decomposed b[0..n) in place; returns the new length (>= 1). */
static size_t compose(int32_t *b, size_t n)
{
	if (n < 2)
		return n;
	canonical_order(b, n);
	return (size_t)utf8proc_normalize_utf32(b, (utf8proc_ssize_t)n, COMPOSE_OPTS);
}

static int grow_u32(uint32_t **p, size_t n)
{
	uint32_t *q = bidx_realloc(*p, n * sizeof **p);

	if (q == NULL)
		return -1;
	*p = q;
	return 0;
}

static int grow_arrays(norm_state *st, size_t need)
{
	bidx_norm *o = st->out;
	size_t cap = st->cap + st->cap / 2;

	if (cap < need)
		cap = need;
	if (grow_u32(&o->cp, cap) || grow_u32(&o->byte_off, cap + 1))
		return -1;
	if (o->src_start && (grow_u32(&o->src_start, cap) || grow_u32(&o->src_end, cap)))
		return -1;
	st->cap = cap;
	return 0;
}

static int grow_text(norm_state *st, size_t need)
{
	size_t cap = st->text_cap + st->text_cap / 2;
	char *t;

	if (cap < need)
		cap = need;
	t = bidx_realloc(st->out->text, cap);
	if (t == NULL)
		return -1;
	st->out->text = t;
	st->text_cap = cap;
	return 0;
}

static int out_grow(norm_state *st, size_t chars, size_t bytes)
{
	if (bytes > UINT32_MAX) {
		st->err = BIDX_ETOOBIG;  /* byte_off could not address the text */
		return -1;
	}
	if ((chars > st->cap && grow_arrays(st, chars)) ||
	    (bytes > st->text_cap && grow_text(st, bytes))) {
		st->err = BIDX_ENOMEM;
		return -1;
	}
	return 0;
}

/* Makes room for k more output characters; 0 on success, else sets st->err. */
static inline int out_reserve(norm_state *st, size_t k)
{
	size_t chars = st->out->nchars + k, bytes = st->out->len + 4 * k + 1;

	if (chars <= st->cap && bytes <= st->text_cap)
		return 0;
	return out_grow(st, chars, bytes);
}

/* Appends one character; the caller has reserved room for it. */
static inline void emit(norm_state *st, uint32_t c, uint32_t start, uint32_t end)
{
	bidx_norm *o = st->out;
	uint8_t *t = (uint8_t *)o->text + o->len;

	o->cp[o->nchars] = c;
	o->byte_off[o->nchars] = (uint32_t)o->len;
	if (o->src_start) {
		o->src_start[o->nchars] = start;
		o->src_end[o->nchars] = end;
	}
	o->nchars++;
	if (c < 0x80) {
		t[0] = (uint8_t)c;
		o->len++;
	} else if (c >= 0x800 && c < 0x10000) {
		t[0] = (uint8_t)(0xE0 | c >> 12);
		t[1] = (uint8_t)(0x80 | (c >> 6 & 0x3F));
		t[2] = (uint8_t)(0x80 | (c & 0x3F));
		o->len += 3;
	} else {
		o->len += (size_t)bidx_utf8_encode(c, t);
	}
}

static void cluster_flush(norm_state *st)
{
	cluster *k = &st->clu;
	size_t i, n;

	if (k->n == 0 || st->err != BIDX_OK || out_reserve(st, k->n))
		return;  /* composing never lengthens, so k->n is enough room */
	n = compose(k->cp, k->n);
	for (i = 0; i < n; i++)
		emit(st, (uint32_t)k->cp[i], k->start, k->end);
	k->n = 0;
	k->packed = 0;
}

static int cluster_grow(norm_state *st)
{
	cluster *k = &st->clu;
	int32_t *p = bidx_realloc(k->cp, 4 * k->cap * sizeof *p);

	if (p == NULL) {
		st->err = BIDX_ENOMEM;
		return -1;
	}
	k->cp = p;
	k->cap *= 2;
	return 0;
}

static void cluster_unpack(norm_state *st);

static void cluster_add(norm_state *st, int32_t c, uint32_t start, uint32_t end)
{
	cluster *k = &st->clu;

	if (k->packed)
		cluster_unpack(st);  /* a joiner for a composed character */
	if (k->n == k->cap && cluster_grow(st))
		return;
	if (k->n == 0)
		k->start = start;
	k->end = end;  /* code points arrive in input order */
	k->cp[k->n++] = c;
}

/* Whether the last character the open cluster will produce is wide.  Only a
 * composed cluster can end differently from its last code point (か U+0301
 * U+3099 ends in U+0301), so compose a copy in the scratch half. */
static int cluster_last_wide(const norm_state *st)
{
	const cluster *k = &st->clu;
	int32_t *tmp = k->cp + k->cap;
	size_t n;

	if (k->n <= 1)
		return k->n == 1 && bidx_is_wide((uint32_t)k->cp[0]);
	memcpy(tmp, k->cp, k->n * sizeof *tmp);
	n = compose(tmp, k->n);
	return bidx_is_wide((uint32_t)tmp[n - 1]);
}

static void feed_gap(norm_state *st, uint32_t start, uint32_t end)
{
	if (!st->started)
		return;  /* leading gap */
	if (!st->gap) {
		st->gap = 1;
		st->gap_start = start;
	}
	st->gap_end = end;
}

/* Settles the pending gap before c; returns 1 when it was kept as a space,
 * which closes the cluster before it. */
static int gap_settle(norm_state *st, int32_t c)
{
	st->gap = 0;
	if (bidx_is_wide((uint32_t)c) || cluster_last_wide(st))
		return 0;
	cluster_flush(st);
	if (st->err || out_reserve(st, 1))
		return 1;
	emit(st, 0x20, st->gap_start, st->gap_end);
	return 1;
}

static void feed_char(norm_state *st, int32_t c, uint32_t start, uint32_t end, int joins)
{
	if (st->gap && gap_settle(st, c))
		joins = 0;
	st->started = 1;
	if (!joins)
		cluster_flush(st);
	if (st->err == BIDX_OK)
		cluster_add(st, c, start, end);
}

static void feed_kind(norm_state *st, int32_t c, enum cp_kind kind, uint32_t start,
                      uint32_t end)
{
	if (kind == KIND_GAP)
		feed_gap(st, start, end);
	else
		feed_char(st, c, start, end, kind == KIND_JOINER);
}

static void feed_decomposed(norm_state *st, int32_t c, uint32_t start, uint32_t end)
{
	int32_t d[DECOMP_MAX];
	int bound = UTF8PROC_BOUNDCLASS_START;
	utf8proc_ssize_t i, n;

	n = utf8proc_decompose_char(c, d, DECOMP_MAX, DECOMP_OPTS, &bound);
	if (n < 0 || n > DECOMP_MAX) {
		d[0] = 0xFFFD;  /* unreachable for scalar values; keeps us total */
		n = 1;
	}
	for (i = 0; i < n && st->err == BIDX_OK; i++)
		feed_kind(st, d[i], classify(d[i]), start, end);
}

/* Most kanji and kana map to themselves; recognising them from the one
 * property lookup that classify_prop() needs anyway skips the decomposition
 * call, the largest cost on Japanese text. */
static void feed_cp(norm_state *st, int32_t c, uint32_t start, uint32_t end)
{
	const utf8proc_property_t *p = utf8proc_get_property(c);
	int hangul = c >= 0xAC00 && c <= 0xD7A3;  /* decomposed by algorithm */

	if (hangul || p->ignorable || p->casefold_seqindex != UINT16_MAX ||
	    p->decomp_seqindex != UINT16_MAX)
		feed_decomposed(st, c, start, end);
	else
		feed_kind(st, c, classify_prop(c, p), start, end);
}

/* PLAIN_YES: c goes to feed_cp's last line as a starter, unchanged (feed_cp
 * would call feed_char(st, c, ..., 0)).  Filled on first use by any thread:
 * every thread computes the same value, so relaxed atomics are enough (a
 * value is or'ed into its two bits, never changed).  Two bits a code point,
 * 16 KiB: Japanese text touches 4 of its pages, not the 9 of a byte each,
 * and each first touch of a page costs two page faults (read, then
 * write): a bsearch process pays them for every page. */
enum { PLAIN_UNKNOWN, PLAIN_YES, PLAIN_NO, PLAIN_COMPOSED };
static _Atomic uint8_t plain_bmp[0x10000 / 4];

/* PLAIN_COMPOSED: c's decomposition is a starter then joiners only (one
 * cluster), and composing it gives c alone (が, パ, é): feed_cp would leave
 * exactly that cluster open, and feed_composed holds c for it. */
static int is_composed(uint32_t c)
{
	int32_t d[DECOMP_MAX];
	int bound = UTF8PROC_BOUNDCLASS_START;
	utf8proc_ssize_t n = utf8proc_decompose_char((int32_t)c, d, DECOMP_MAX, DECOMP_OPTS, &bound);

	if (n < 2 || n > DECOMP_MAX || classify(d[0]) != KIND_STARTER)
		return 0;
	for (utf8proc_ssize_t i = 1; i < n; i++)
		if (classify(d[i]) != KIND_JOINER)
			return 0;
	/* gap_settle() asks whether the starter fed is wide: the base must
	 * answer as c does */
	if (bidx_is_wide((uint32_t)d[0]) != bidx_is_wide(c))
		return 0;
	return compose(d, (size_t)n) == 1 && d[0] == (int32_t)c;
}

/* plain_kind() of a code point not yet in the table: asks utf8proc and
 * records the answer. */
static int plain_fill(uint32_t c)
{
	const utf8proc_property_t *p = utf8proc_get_property((int32_t)c);
	int hangul = c >= 0xAC00 && c <= 0xD7A3;
	uint8_t v = !hangul && !p->ignorable && p->casefold_seqindex == UINT16_MAX &&
	            p->decomp_seqindex == UINT16_MAX &&
	            classify_prop((int32_t)c, p) == KIND_STARTER ? PLAIN_YES : PLAIN_NO;
	if (v == PLAIN_NO && !hangul && is_composed(c))
		v = PLAIN_COMPOSED;
	atomic_fetch_or_explicit(&plain_bmp[c >> 2], (uint8_t)(v << ((c & 3) * 2)),
	                         memory_order_relaxed);
	return v;
}

static inline int plain_kind(uint32_t c)
{
	uint8_t v = (uint8_t)(atomic_load_explicit(&plain_bmp[c >> 2], memory_order_relaxed) >>
	                      ((c & 3) * 2) & 3);
	return v == PLAIN_UNKNOWN ? plain_fill(c) : v;
}

/* The one code point that c in U+FF00..U+FFEF (fullwidth and halfwidth
 * forms) or U+3000 (ideographic space) decomposes to, when that is all
 * feed_cp does with it: SINGLE_GAP when it is a gap, SINGLE_NONE when c
 * takes the general path, else a starter.  Filled on first use like
 * plain_bmp; 0 is unknown. */
enum { SINGLE_UNKNOWN, SINGLE_NONE, SINGLE_GAP };
static _Atomic uint16_t single_map[0xF1];

static uint32_t single_of(uint32_t c)
{
	unsigned i = c == 0x3000 ? 0xF0 : c - 0xFF00;
	uint32_t v = atomic_load_explicit(&single_map[i], memory_order_relaxed);
	if (v == SINGLE_UNKNOWN) {
		int32_t d[DECOMP_MAX];
		int bound = UTF8PROC_BOUNDCLASS_START;
		utf8proc_ssize_t n = utf8proc_decompose_char((int32_t)c, d, DECOMP_MAX, DECOMP_OPTS,
		                                             &bound);
		enum cp_kind kind = n == 1 ? classify(d[0]) : KIND_JOINER;
		v = kind == KIND_GAP ? SINGLE_GAP
		  : kind == KIND_STARTER && d[0] > SINGLE_GAP && d[0] < 0x10000 ? (uint32_t)d[0]
		  : SINGLE_NONE;
		atomic_store_explicit(&single_map[i], (uint16_t)v, memory_order_relaxed);
	}
	return v;
}

/* The common case of feed_char(st, c, start, end, 0) for a starter c: an
 * open cluster of one code point, which is emitted as it stands (composing
 * one code point leaves it), then the pending gap, if any, settled as
 * gap_settle() would (kept as a space unless c or that code point is wide).
 * Returns 0 (nothing done) when the case does not apply. */
static inline int feed_plain(norm_state *st, uint32_t c, uint32_t start, uint32_t end)
{
	cluster *k = &st->clu;
	if (k->n != 1 || st->err != BIDX_OK || out_reserve(st, 2))
		return 0;
	emit(st, (uint32_t)k->cp[0], k->start, k->end);
	if (st->gap) {
		st->gap = 0;
		if (!bidx_is_wide(c) && !bidx_is_wide((uint32_t)k->cp[0]))
			emit(st, 0x20, st->gap_start, st->gap_end);
	}
	k->cp[0] = (int32_t)c;
	k->start = start;
	k->end = end;
	k->packed = 0;
	return 1;
}

/* feed_plain() for a composed character c that is its own normal form and
 * whose decomposition is one cluster (が is か U+3099): it stands in the
 * cluster for its decomposition, which composes back to it, until a joiner
 * comes (cluster_unpack). */
static inline int feed_composed(norm_state *st, uint32_t c, uint32_t start, uint32_t end)
{
	if (!feed_plain(st, c, start, end))
		return 0;
	st->clu.packed = 1;
	return 1;
}

/* The open cluster of a composed character as the general path holds it:
 * its decomposition. */
static void cluster_unpack(norm_state *st)
{
	cluster *k = &st->clu;
	int32_t d[DECOMP_MAX];
	int bound = UTF8PROC_BOUNDCLASS_START;
	utf8proc_ssize_t n = utf8proc_decompose_char(k->cp[0], d, DECOMP_MAX, DECOMP_OPTS, &bound);

	k->packed = 0;
	while (n > 0 && n <= DECOMP_MAX && (size_t)n > k->cap)
		if (cluster_grow(st))
			return;
	if (n > 0 && n <= DECOMP_MAX) {
		memcpy(k->cp, d, (size_t)n * sizeof *d);
		k->n = (size_t)n;
	}
}

/* feed_plain() and feed_composed() over a run of characters from in[i]
 * (ASCII starters, plain, composed and single-mapped three-byte
 * characters) with no gap pending, in one loop that keeps the output where
 * it is: each character emits the open cluster's one code point and opens
 * its own.  Stops before anything else, or when the output arrays are full
 * (feed_all's general step then grows them); returns where it stopped. */
static size_t plain_run(norm_state *st, const uint8_t *in, size_t i, size_t len)
{
	cluster *k = &st->clu;
	bidx_norm *o = st->out;
	uint32_t prev = (uint32_t)k->cp[0], ps = k->start, pe = k->end;
	size_t nc = o->nchars, nb = o->len;
	int packed = k->packed;
	/* prev_same: prev's UTF-8 is its input bytes in[ps..pe) */
	int prev_same = 0;
	/* in locals: the text's byte stores could alias any of them */
	uint8_t *t = (uint8_t *)o->text;
	uint32_t *cp = o->cp, *boff = o->byte_off, *ss = o->src_start, *se = o->src_end;
	const size_t cap = st->cap, text_cap = st->text_cap;

	while (i < len && nc < cap && nb + 5 <= text_cap) {
		uint8_t b = in[i];
		uint32_t c;
		size_t w;
		int pk = 0, same;
		if (prev_same && ss) {
			/* the common case alone: after a character that is its own
			 * input, characters that are too (ASCII but capitals and
			 * gaps, plain and composed three-byte characters).  The run
			 * is found first, its code points and starts straight into
			 * cp and src_start one place on (each character emits the one
			 * before it), then the rest of the maps is filled and the text
			 * copied in one piece. */
			size_t room = cap - nc - 1, troom = (text_cap - nb - 5) / 3;
			size_t m = 0, q = i, lim = room < troom ? room : troom;
			int last = PLAIN_YES;   /* the kind of the run's last character */
			while (m < lim && q < len) {
				uint8_t h = in[q];
				if (h < 0x80) {
					if (h <= 0x20 || h == 0x7F || (h >= 'A' && h <= 'Z'))
						break;
					c = h;
					last = PLAIN_YES;
					ss[nc + 1 + m] = (uint32_t)q;
					cp[nc + 1 + m++] = c;
					q++;
					continue;
				}
				if (h < 0xE1 || h > 0xEF || h == 0xED || q + 2 >= len ||
				    (in[q + 1] & 0xC0) != 0x80 || (in[q + 2] & 0xC0) != 0x80)
					break;
				c = (uint32_t)(h & 0x0F) << 12 | (uint32_t)(in[q + 1] & 0x3F) << 6 |
				    (in[q + 2] & 0x3F);
				int kind = plain_kind(c);
				if (kind != PLAIN_YES && kind != PLAIN_COMPOSED)
					break;
				last = kind;
				ss[nc + 1 + m] = (uint32_t)q;
				cp[nc + 1 + m++] = c;
				q += 3;
			}
			if (m) {
				size_t w0 = pe - ps, r0 = ss[nc + m];   /* the new open character's start */
				cp[nc] = prev;
				ss[nc] = ps;
				se[nc] = pe;
				boff[nc] = (uint32_t)nb;
				memcpy(t + nb, in + ps, w0);
				memcpy(t + nb + w0, in + i, r0 - i);
				for (size_t x = 1; x < m; x++) {
					boff[nc + x] = (uint32_t)(nb + w0 + (ss[nc + x] - i));
					se[nc + x] = ss[nc + x + 1];
				}
				nc += m;
				nb += w0 + (r0 - i);
				prev = cp[nc];
				ps = (uint32_t)r0;
				pe = (uint32_t)q;
				i = q;
				packed = last == PLAIN_COMPOSED;
			}
			if (i >= len || nc >= cap || nb + 5 > text_cap)
				break;
			b = in[i];
		}
		if (b < 0x80) {
			if (b <= 0x20 || b == 0x7F)
				break;
			same = !(b >= 'A' && b <= 'Z');
			c = same ? b : (uint32_t)b + ('a' - 'A');
			w = 1;
		} else if (b >= 0xE1 && b <= 0xEF && b != 0xED && i + 2 < len &&
		           (in[i + 1] & 0xC0) == 0x80 && (in[i + 2] & 0xC0) == 0x80) {
			/* no overlong form (E0) nor surrogate (ED) from these leads */
			c = (uint32_t)(b & 0x0F) << 12 | (uint32_t)(in[i + 1] & 0x3F) << 6 |
			    (in[i + 2] & 0x3F);
			int kind = plain_kind(c);
			same = 1;
			if (kind == PLAIN_COMPOSED) {
				pk = 1;
			} else if (kind != PLAIN_YES) {
				uint32_t m = c >= 0xFF00 && c <= 0xFFEF ? single_of(c) : SINGLE_NONE;
				if (m == SINGLE_NONE || m == SINGLE_GAP)
					break;
				c = m;
				same = 0;
			}
			w = 3;
		} else {
			break;
		}
		cp[nc] = prev;
		boff[nc] = (uint32_t)nb;
		if (ss) {
			ss[nc] = ps;
			se[nc] = pe;
		}
		nc++;
		if (prev_same && pe - ps == 3) {
			/* four bytes at once: in[pe] is this character's first byte,
			 * and text_cap leaves room (the fourth is overwritten next) */
			memcpy(t + nb, in + ps, 4);
			nb += 3;
		} else if (prev < 0x80) {
			t[nb++] = (uint8_t)prev;
		} else {
			nb += (size_t)bidx_utf8_encode(prev, t + nb);
		}
		prev = c;
		prev_same = same;
		ps = (uint32_t)i;
		pe = (uint32_t)(i + w);
		packed = pk;
		i += w;
	}
	o->nchars = (uint32_t)nc;
	o->len = nb;
	k->cp[0] = (int32_t)prev;
	k->start = ps;
	k->end = pe;
	k->packed = packed;
	return i;
}

size_t bidx_normalize_skip(const char *text, size_t len, uint32_t max, uint32_t *chars)
{
	const uint8_t *in = (const uint8_t *)text;
	size_t i = 0, best = 0;
	uint32_t n = 0, best_n = 0;   /* output characters from in[0..i) */
	uint32_t prev = 0;            /* the character before, 0 at the start */
	int gap = 0;                  /* a gap is pending */

	while (i < len) {
		uint8_t b = in[i];
		uint32_t c;
		size_t w;
		if (b < 0x80) {
			if (b <= 0x20 || b == 0x7F) {
				gap = 1;
				i++;
				continue;
			}
			c = b;
			w = 1;
		} else {
			/* no overlong form (E0) nor surrogate (ED) from these leads */
			if (b < 0xE1 || b > 0xEF || b == 0xED || i + 2 >= len ||
			    (in[i + 1] & 0xC0) != 0x80 || (in[i + 2] & 0xC0) != 0x80)
				break;
			c = (uint32_t)(b & 0x0F) << 12 | (uint32_t)(in[i + 1] & 0x3F) << 6 |
			    (in[i + 2] & 0x3F);
			int kind = plain_kind(c);
			if (kind != PLAIN_YES && kind != PLAIN_COMPOSED)
				break;   /* what it gives may depend on what follows: stop here */
			w = 3;
		}
		/* a starter: it closes the cluster before it (one character, as
		 * the walk stops at a joiner), and settles the gap before it as
		 * gap_settle() does (a space unless a side is wide; none at the
		 * start) */
		if (gap)
			n += prev && !bidx_is_wide(prev) && !bidx_is_wide(c);
		gap = 0;
		if (n > max)
			break;
		best = i;
		best_n = n;
		n++;
		prev = c;
		i += w;
	}
	*chars = best_n;
	return best;
}

static void feed_ascii(norm_state *st, uint8_t b, uint32_t at)
{
	if (b <= 0x20 || b == 0x7F) {
		feed_gap(st, at, at + 1);
		return;
	}
	if (b >= 'A' && b <= 'Z')
		b = (uint8_t)(b + ('a' - 'A'));
	feed_char(st, b, at, at + 1, 0);
}

static void feed_all(norm_state *st, const uint8_t *in, size_t len)
{
	size_t i = 0;
	uint32_t c;
	int k;

	while (i < len && st->err == BIDX_OK) {
		if (st->clu.n == 1 && !st->gap && !st->general) {
			i = plain_run(st, in, i, len);
			if (i >= len)
				break;
		}
		uint8_t b = in[i];
		if (b < 0x80) {
			uint8_t lb = b >= 'A' && b <= 'Z' ? (uint8_t)(b + ('a' - 'A')) : b;
			if (st->general || b <= 0x20 || b == 0x7F ||
			    !feed_plain(st, lb, (uint32_t)i, (uint32_t)i + 1))
				feed_ascii(st, b, (uint32_t)i);
			i++;
			continue;
		}
		if (b >= 0xE0 && b < 0xF0 && i + 2 < len && (in[i + 1] & 0xC0) == 0x80 &&
		    (in[i + 2] & 0xC0) == 0x80 && !st->general) {
			/* a three-byte character, decoded here for speed; overlong
			 * forms and surrogates take the checked path below */
			c = (uint32_t)(b & 0x0F) << 12 | (uint32_t)(in[i + 1] & 0x3F) << 6 |
			    (in[i + 2] & 0x3F);
			int done = 0;
			uint32_t at = (uint32_t)i, to = (uint32_t)i + 3;
			if (c >= 0x800 && (c < 0xD800 || c > 0xDFFF)) {
				int kind = plain_kind(c);
				if (kind == PLAIN_YES)
					done = feed_plain(st, c, at, to);
				else if (kind == PLAIN_COMPOSED)
					done = feed_composed(st, c, at, to);
				else if (c >= 0xFF00 && c <= 0xFFEF) {
					uint32_t m = single_of(c);
					if (m == SINGLE_GAP)
						feed_gap(st, at, to);
					done = m == SINGLE_GAP || (m != SINGLE_NONE && feed_plain(st, m, at, to));
				} else if (c == 0x3000 && single_of(c) == SINGLE_GAP) {
					feed_gap(st, at, to);
					done = 1;
				}
			}
			if (done) {
				i += 3;
				continue;
			}
		}
		k = bidx_utf8_decode(in + i, len - i, &c);
		if (k == 0) {
			feed_char(st, 0xFFFD, (uint32_t)i, (uint32_t)i + 1, 0);
			k = 1;
		} else {
			feed_cp(st, (int32_t)c, (uint32_t)i, (uint32_t)(i + (size_t)k));
		}
		i += (size_t)k;
	}
}

static bidx_err state_init(norm_state *st, bidx_norm *o, const uint8_t *in, size_t len,
                           int want_map)
{
	memset(st, 0, sizeof *st);
	st->out = o;
	st->cap = count_chars(in, len) + 16;
	st->text_cap = len + len / 16 + 16;
	st->clu.cap = CLUSTER_CAP0;
	st->clu.cp = bidx_malloc(2 * CLUSTER_CAP0 * sizeof *st->clu.cp);
	o->text = bidx_malloc(st->text_cap);
	o->cp = bidx_malloc(st->cap * sizeof *o->cp);
	o->byte_off = bidx_malloc((st->cap + 1) * sizeof *o->byte_off);
	if (want_map) {
		o->src_start = bidx_malloc(st->cap * sizeof *o->src_start);
		o->src_end = bidx_malloc(st->cap * sizeof *o->src_end);
	}
	if (!st->clu.cp || !o->text || !o->cp || !o->byte_off ||
	    (want_map && (!o->src_start || !o->src_end)))
		st->err = BIDX_ENOMEM;
	return st->err;
}

static bidx_err normalize(const char *in, size_t len, int want_map, int general, bidx_norm *out)
{
	norm_state st;

	memset(out, 0, sizeof *out);
	if (len > INPUT_MAX)
		return BIDX_ETOOBIG;
	if (state_init(&st, out, (const uint8_t *)in, len, want_map) == BIDX_OK) {
		st.general = general;
		feed_all(&st, (const uint8_t *)in, len);
		cluster_flush(&st);  /* a gap still pending is trailing: dropped */
	}
	free(st.clu.cp);
	if (st.err != BIDX_OK) {
		bidx_norm_free(out);
		return st.err;
	}
	out->byte_off[out->nchars] = (uint32_t)out->len;
	out->text[out->len] = '\0';
	return BIDX_OK;
}

bidx_err bidx_normalize(const char *in, size_t len, int want_map, bidx_norm *out)
{
	return normalize(in, len, want_map, 0, out);
}

bidx_err bidx_normalize_general(const char *in, size_t len, int want_map, bidx_norm *out)
{
	return normalize(in, len, want_map, 1, out);
}

void bidx_norm_free(bidx_norm *n)
{
	if (n == NULL)
		return;
	free(n->text);
	free(n->cp);
	free(n->byte_off);
	free(n->src_start);
	free(n->src_end);
	memset(n, 0, sizeof *n);
}
