/*
 * synonyms.c - the synonym table and the query rewrite (see synonyms.h).
 *
 * The table is a flat list of (normalised word, group) pairs: a few hundred
 * at most, read once per query, so a linear scan is all it needs.
 */
#include "synonyms.h"
#include "fault.h"
#include "io.h"
#include "normalize.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYNONYMS_MAX_BYTES ((size_t)16 << 20)
#define MAX_ALTS 32

struct bidx_synonyms {
	char **word;        /* normalised words; owned */
	uint32_t *group;    /* the group of each word */
	size_t n, cap;
	size_t ngroups;
};

int bidx_synonyms_find(char *path, size_t n)
{
	const char *env = getenv("BIDX_SYNONYMS");
	if (env) {
		snprintf(path, n, "%s", !*env || !strcmp(env, "none") ? "" : env);
		return 0;
	}
	if (bidx_dict_find(BIDX_SYNONYMS_NAME, path, n) == 0)
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

/* Index of word w among the words from `from` on (the group being read), or -1. */
static long find_in_group(const bidx_synonyms *s, size_t from, const char *w)
{
	for (size_t i = from; i < s->n; i++)
		if (!strcmp(s->word[i], w))
			return (long)i;
	return -1;
}

/* Appends w (owned from now on) to the group being read. */
static int push_word(bidx_synonyms *s, char *w)
{
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

/* Checks and normalises one word; NULL with bad[] filled when malformed,
 * NULL with bad[0] == 0 when out of memory. */
static char *norm_word(const char *w, size_t len, char *bad, size_t badlen)
{
	bidx_norm nm;
	bad[0] = 0;
	for (size_t i = 0; i < len; i++)
		if (w[i] == '(' || w[i] == ')' || w[i] == '"') {
			snprintf(bad, badlen, "word \"%.*s\" has query syntax ( ) \" in it", (int)len, w);
			return NULL;
		}
	if (bidx_normalize(w, len, 0, &nm))
		return NULL;
	if (nm.nchars == 0) {
		snprintf(bad, badlen, "word \"%.*s\" has nothing searchable in it", (int)len, w);
		bidx_norm_free(&nm);
		return NULL;
	}
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
		char *nw = norm_word(w, (size_t)(p - w) < 256 ? (size_t)(p - w) : 256, bad, sizeof bad);
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
		if (find_in_group(s, first, nw) >= 0) {
			free(nw);   /* two spellings of one normal form */
			continue;
		}
		if (push_word(s, nw)) {
			free(nw);
			unwind(s, first);
			return BIDX_ENOMEM;
		}
	}
	if (nwords == 0)
		return BIDX_OK;   /* blank or comment */
	if (s->n - first < 2) {
		char msg[512];
		snprintf(msg, sizeof msg, "a group needs two different words (\"%.256s\" is alone)",
		         s->word[first]);
		warn_line(warn, path, line, msg);
		unwind(s, first);
		return BIDX_OK;
	}
	s->ngroups++;
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
	if (rc) {
		bidx_synonyms_free(s);
		return rc;
	}
	*out = s;
	return BIDX_OK;
}

/* The synonyms of normalised word w (its groups' other words), at most max. */
static size_t alternatives(const bidx_synonyms *s, const char *w, const char **alt, size_t max)
{
	size_t na = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->word[i], w))
			continue;
		for (size_t j = 0; j < s->n && na < max; j++) {
			if (s->group[j] != s->group[i] || !strcmp(s->word[j], w))
				continue;
			size_t k = 0;
			while (k < na && strcmp(alt[k], s->word[j]))
				k++;
			if (k == na)
				alt[na++] = s->word[j];
		}
	}
	return na;
}

/* (term OR alt...) in place of the term at *slot. */
static bidx_err expand_term(const bidx_synonyms *s, bidx_qnode **slot)
{
	bidx_qnode *t = *slot;
	const char *alt[MAX_ALTS];
	bidx_norm nm;
	if (bidx_normalize(t->text, strlen(t->text), 0, &nm))
		return BIDX_ENOMEM;
	size_t na = nm.nchars ? alternatives(s, nm.text, alt, MAX_ALTS) : 0;
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

static bidx_err expand_node(const bidx_synonyms *s, bidx_qnode **slot)
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

bidx_err bidx_synonyms_expand(const bidx_synonyms *s, bidx_qnode **root)
{
	if (!s || !s->ngroups || !*root)
		return BIDX_OK;
	return expand_node(s, root);
}

bidx_err bidx_synonyms_apply(bidx_qnode **root, FILE *warn)
{
	char path[4200], why[4400];
	bidx_synonyms *s;
	if (bidx_synonyms_find(path, sizeof path) || !path[0])
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
