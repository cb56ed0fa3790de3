/*
 * synonyms.c - the synonym table and the query rewrite (see synonyms.h).
 *
 * The table is a list of normalised words, a group's words side by side
 * (group g is word[gstart[g] .. gstart[g + 1])), and an index of the words
 * in sorted order (byword), so a lookup is a binary search and a line of
 * any number of words costs O(n log n) to load: a table at the 16 MB cap
 * (some two million words) loads in one sort, never in n^2 comparisons.
 * probes counts the word comparisons, so tests can check that by counting.
 */
#include "synonyms.h"
#include "fault.h"
#include "io.h"
#include "normalize.h"
#include "variants.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYNONYMS_MAX_BYTES ((size_t)16 << 20)

struct bidx_synonyms {
	char **word;        /* normalised words; owned */
	uint32_t *group;    /* the group of each word */
	size_t n, cap;
	size_t ngroups;
	uint32_t *gstart;   /* ngroups + 1 starts of the groups in word[] */
	size_t gcap;
	uint32_t *byword;   /* 0..n-1 sorted by word, then by index; after loading */
	size_t probes;      /* word comparisons made so far */
};

int bidx_synonyms_find(char *path, size_t n)
{
	if (bidx_dict_locate("BIDX_SYNONYMS", BIDX_SYNONYMS_NAME, path, n) >= 0)
		return 0;
	snprintf(path, n, "no %s in dict/ beside the program or above it", BIDX_SYNONYMS_NAME);
	return -1;
}

void bidx_synonyms_free(bidx_synonyms *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->word[i]);
	free(s->word);
	free(s->group);
	free(s->gstart);
	free(s->byword);
	free(s);
}

size_t bidx_synonyms_groups(const bidx_synonyms *s)
{
	return s ? s->ngroups : 0;
}

static void warn_line(FILE *warn, const char *path, unsigned line, const char *msg)
{
	if (warn)
		fprintf(warn, "bsearch: %s:%u: %s; line skipped\n", path, line, msg);
}

size_t bidx_synonyms_probes(const bidx_synonyms *s)
{
	return s ? s->probes : 0;
}

static int word_cmp(bidx_synonyms *s, uint32_t a, uint32_t b)
{
	s->probes++;
	int c = strcmp(s->word[a], s->word[b]);
	return c ? c : (a > b) - (a < b);
}

/* Sorts v[0..n) of word indices by word, then index (merge sort: at most
 * n log2 n comparisons whatever the input).  tmp has room for n. */
static void sort_words(bidx_synonyms *s, uint32_t *v, uint32_t *tmp, size_t n)
{
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = word_cmp(s, v[i], v[j]) <= 0 ? v[i++] : v[j++];
			while (i < mid)
				tmp[k++] = v[i++];
			while (j < hi)
				tmp[k++] = v[j++];
		}
		memcpy(v, tmp, n * sizeof *v);
	}
}

/* Drops the words of the group being read (from `first` on) that repeat an
 * earlier word of it (two spellings of one normal form), keeping the order. */
static int dedup_group(bidx_synonyms *s, size_t first)
{
	size_t m = s->n - first, o = first;
	uint32_t *v = bidx_malloc((m + 1) * sizeof *v), *tmp = bidx_malloc((m + 1) * sizeof *tmp);
	if (!v || !tmp) {
		free(v);
		free(tmp);
		return -1;
	}
	for (size_t i = 0; i < m; i++)
		v[i] = (uint32_t)(first + i);
	sort_words(s, v, tmp, m);
	for (size_t i = 1, head = 0; i < m; i++) {
		s->probes++;
		if (strcmp(s->word[v[i]], s->word[v[head]])) {
			head = i;   /* the first (earliest) of a run of equal words */
			continue;
		}
		free(s->word[v[i]]);
		s->word[v[i]] = NULL;
	}
	for (size_t i = first; i < s->n; i++)
		if (s->word[i])
			s->word[o++] = s->word[i];
	s->n = o;
	free(v);
	free(tmp);
	return 0;
}

/* Appends w (owned from now on) to the group being read. */
static int push_word(bidx_synonyms *s, char *w)
{
	if (s->n >= UINT32_MAX - 1)
		return -1;
	if (bidx_grow((void **)&s->word, &s->cap, s->n + 1, sizeof *s->word))
		return -1;
	uint32_t *ng = bidx_realloc(s->group, s->cap * sizeof *ng);
	if (!ng)
		return -1;
	s->group = ng;
	s->word[s->n] = w;
	s->group[s->n++] = (uint32_t)s->ngroups;
	return 0;
}

/* Drops the words of a group that turned out malformed. */
static void unwind(bidx_synonyms *s, size_t to)
{
	while (s->n > to)
		free(s->word[--s->n]);
}

/* w[0..len) for a message: at most 60 bytes, cut on a character boundary. */
static void excerpt(const char *w, size_t len, char *out, size_t outlen)
{
	size_t k = len;
	if (k > 60) {
		k = 60;
		while (k > 0 && ((unsigned char)w[k] & 0xC0) == 0x80)
			k--;
	}
	snprintf(out, outlen, "%.*s%s", (int)k, w, k < len ? "…" : "");
}

/* n's text in canonical spelling (variants.h), how words are compared: the
 * table's 漏えい stands for 漏洩 too.  Folding never lengthens the text. */
static void canonical(bidx_norm *n)
{
	int changed;
	n->nchars = (uint32_t)bidx_variants_fold(n->cp, n->nchars, NULL, NULL, &changed);
	if (!changed)
		return;
	n->len = 0;
	for (uint32_t i = 0; i < n->nchars; i++)
		n->len += (size_t)bidx_utf8_encode(n->cp[i], (uint8_t *)n->text + n->len);
	n->text[n->len] = 0;
}

/* Checks and normalises one word (in canonical spelling); NULL with bad[] filled when malformed,
 * NULL with bad[0] == 0 when out of memory. */
static char *norm_word(const char *w, size_t len, char *bad, size_t badlen)
{
	bidx_norm nm;
	char ex[80];
	bad[0] = 0;
	excerpt(w, len, ex, sizeof ex);
	for (size_t i = 0; i < len; i++)
		if (w[i] == '(' || w[i] == ')' || w[i] == '"') {
			snprintf(bad, badlen, "word \"%s\" has query syntax ( ) \" in it", ex);
			return NULL;
		}
	if (bidx_normalize(w, len, 0, &nm))
		return NULL;
	if (nm.nchars == 0 || nm.nchars > BIDX_QUERY_MAX_TERM_CHARS) {
		if (nm.nchars)
			snprintf(bad, badlen, "word \"%s\" is too long (%u characters, at most %d)", ex,
			         nm.nchars, BIDX_QUERY_MAX_TERM_CHARS);
		else
			snprintf(bad, badlen, "word \"%s\" has nothing searchable in it", ex);
		bidx_norm_free(&nm);
		return NULL;
	}
	canonical(&nm);
	char *out = nm.text;
	nm.text = NULL;
	bidx_norm_free(&nm);
	return out;
}

static int is_space_at(const char *p, const char *end, size_t *k)
{
	if (*p == ' ' || *p == '\t' || *p == '\r') {
		*k = 1;
		return 1;
	}
	if (end - p >= 3 && !memcmp(p, "\xE3\x80\x80", 3)) {
		*k = 3;
		return 1;
	}
	return 0;
}

/* One line of the table (no newline, comment removed). */
static bidx_err parse_line(bidx_synonyms *s, const char *p, const char *end, const char *path,
                           unsigned line, FILE *warn)
{
	size_t first = s->n, k = 0, nwords = 0;
	if (bidx_utf8_check((const uint8_t *)p, (size_t)(end - p)) != (size_t)(end - p)) {
		warn_line(warn, path, line, "not UTF-8");
		return BIDX_OK;
	}
	while (p < end) {
		if (is_space_at(p, end, &k)) {
			p += k;
			continue;
		}
		const char *w = p;
		while (p < end && !is_space_at(p, end, &k))
			p++;
		char bad[512];
		char *nw = norm_word(w, (size_t)(p - w), bad, sizeof bad);
		if (!nw && !bad[0]) {
			unwind(s, first);
			return BIDX_ENOMEM;
		}
		if (!nw) {
			warn_line(warn, path, line, bad);
			unwind(s, first);
			return BIDX_OK;
		}
		nwords++;
		if (push_word(s, nw)) {
			free(nw);
			unwind(s, first);
			return BIDX_ENOMEM;
		}
	}
	if (nwords == 0)
		return BIDX_OK;   /* blank or comment */
	if (dedup_group(s, first)) {
		unwind(s, first);
		return BIDX_ENOMEM;
	}
	if (s->n - first < 2) {
		char msg[512], ex[80];
		excerpt(s->word[first], strlen(s->word[first]), ex, sizeof ex);
		snprintf(msg, sizeof msg, "a group needs two different words (\"%s\" is alone)", ex);
		warn_line(warn, path, line, msg);
		unwind(s, first);
		return BIDX_OK;
	}
	if (bidx_grow((void **)&s->gstart, &s->gcap, s->ngroups + 2, sizeof *s->gstart)) {
		unwind(s, first);
		return BIDX_ENOMEM;
	}
	s->gstart[s->ngroups] = (uint32_t)first;
	s->gstart[s->ngroups + 1] = (uint32_t)s->n;
	s->ngroups++;
	return BIDX_OK;
}

/* byword: every word's index, sorted by word. */
static bidx_err index_words(bidx_synonyms *s)
{
	uint32_t *tmp = bidx_malloc((s->n + 1) * sizeof *tmp);
	s->byword = bidx_malloc((s->n + 1) * sizeof *s->byword);
	if (!tmp || !s->byword) {
		free(tmp);
		return BIDX_ENOMEM;
	}
	for (size_t i = 0; i < s->n; i++)
		s->byword[i] = (uint32_t)i;
	sort_words(s, s->byword, tmp, s->n);
	free(tmp);
	return BIDX_OK;
}

bidx_err bidx_synonyms_load(const char *path, bidx_synonyms **out, FILE *warn, char *why,
                            size_t whylen)
{
	char *data;
	size_t len;
	*out = NULL;
	bidx_err rc = bidx_read_file_max(path, SYNONYMS_MAX_BYTES, &data, &len);
	if (rc == BIDX_ENOMEM)
		return rc;
	if (rc) {
		snprintf(why, whylen, "%s: cannot read the synonym table (%s)", path,
		         rc == BIDX_EIO ? strerror(errno) : bidx_strerror(rc));
		return BIDX_EIO;
	}
	bidx_synonyms *s = bidx_calloc(1, sizeof *s);
	if (!s) {
		free(data);
		return BIDX_ENOMEM;
	}
	unsigned line = 0;
	for (char *p = data, *end = data + len; p < end && !rc;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *le = nl ? nl : end;
		char *hash = memchr(p, '#', (size_t)(le - p));
		rc = parse_line(s, p, hash ? hash : le, path, ++line, warn);
		p = nl ? nl + 1 : end;
	}
	free(data);
	if (!rc)
		rc = index_words(s);
	if (rc) {
		bidx_synonyms_free(s);
		return rc;
	}
	*out = s;
	return BIDX_OK;
}

/* The first entry of byword whose word is >= w. */
static size_t lower_bound(bidx_synonyms *s, const char *w)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		s->probes++;
		if (strcmp(s->word[s->byword[mid]], w) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The synonyms of normalised word w (its groups' other words, in table
 * order, each once), at most max. */
static size_t alternatives(bidx_synonyms *s, const char *w, const char **alt, size_t max)
{
	size_t na = 0;
	for (size_t k = lower_bound(s, w); k < s->n && na < max; k++) {
		uint32_t i = s->byword[k];
		s->probes++;
		if (strcmp(s->word[i], w))
			break;
		uint32_t g = s->group[i];
		for (uint32_t j = s->gstart[g]; j < s->gstart[g + 1] && na < max; j++) {
			if (j == i)
				continue;   /* w itself: a group holds each word once */
			size_t a = 0;
			while (a < na && (s->probes++, strcmp(alt[a], s->word[j])))
				a++;
			if (a == na)
				alt[na++] = s->word[j];
		}
	}
	return na;
}

/* (term OR alt...) in place of the term at *slot. */
static bidx_err expand_term(bidx_synonyms *s, bidx_qnode **slot)
{
	bidx_qnode *t = *slot;
	const char *alt[BIDX_SYNONYM_MAX_ALTS];
	bidx_norm nm;
	if (bidx_normalize(t->text, strlen(t->text), 0, &nm))
		return BIDX_ENOMEM;
	canonical(&nm);
	size_t na = nm.nchars ? alternatives(s, nm.text, alt, BIDX_SYNONYM_MAX_ALTS) : 0;
	bidx_norm_free(&nm);
	if (na == 0)
		return BIDX_OK;
	bidx_qnode *or = bidx_calloc(1, sizeof *or);
	if (!or || !(or->kids = bidx_calloc(na + 1, sizeof *or->kids))) {
		free(or);
		return BIDX_ENOMEM;
	}
	or->type = BIDX_Q_OR;
	or->pos = t->pos;
	or->kids[or->nkids++] = t;
	for (size_t i = 0; i < na; i++) {
		bidx_qnode *k = bidx_calloc(1, sizeof *k);
		char *text = k ? strdup(alt[i]) : NULL;
		if (!text) {
			free(k);
			or->kids[0] = NULL;   /* t stays where it was */
			bidx_query_free(or);
			return BIDX_ENOMEM;
		}
		*k = (bidx_qnode){.type = BIDX_Q_TERM, .text = text, .pos = t->pos,
		                  .weight = BIDX_SYNONYM_WEIGHT};
		or->kids[or->nkids++] = k;
	}
	*slot = or;
	return BIDX_OK;
}

static bidx_err expand_node(bidx_synonyms *s, bidx_qnode **slot)
{
	bidx_qnode *n = *slot;
	bidx_err rc = BIDX_OK;
	switch (n->type) {
	case BIDX_Q_TERM:
		return n->field || n->weight > 0 ? BIDX_OK : expand_term(s, slot);
	case BIDX_Q_NOT:
		return BIDX_OK;   /* leaving out a word leaves out that word only */
	case BIDX_Q_AND:
	case BIDX_Q_OR:
		for (size_t i = 0; i < n->nkids && !rc; i++)
			rc = expand_node(s, &n->kids[i]);
		return rc;
	}
	return BIDX_OK;
}

bidx_err bidx_synonyms_expand(bidx_synonyms *s, bidx_qnode **root)
{
	if (!s || !s->ngroups || !*root)
		return BIDX_OK;
	return expand_node(s, root);
}

bidx_err bidx_synonyms_apply(bidx_qnode **root, FILE *warn)
{
	char path[4200], why[4400];
	bidx_synonyms *s;
	static int warned;   /* a missing table is said once per process */
	if (bidx_synonyms_find(path, sizeof path)) {
		if (warn && !warned)
			fprintf(warn, "bsearch: %s (nor in ../share/bidx/); searching without synonyms "
			        "(BIDX_SYNONYMS=FILE names a table, BIDX_SYNONYMS=none says there is "
			        "none)\n", path);
		warned = 1;
		return BIDX_OK;
	}
	if (!path[0])
		return BIDX_OK;
	bidx_err rc = bidx_synonyms_load(path, &s, warn, why, sizeof why);
	if (rc == BIDX_EIO) {
		if (warn)
			fprintf(warn, "bsearch: %s; searching without synonyms\n", why);
		return BIDX_OK;
	}
	if (!rc)
		rc = bidx_synonyms_expand(s, root);
	bidx_synonyms_free(s);
	return rc;
}
