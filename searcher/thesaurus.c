/*
 * thesaurus.c - the thesaurus table and its lookups (see thesaurus.h).
 *
 * The file is read whole into one buffer and never copied: every word is an
 * (offset, length) into it, in table order, with its group and vocabulary;
 * an open-addressing hash of the words (linear probing, at most half full)
 * makes a lookup O(1), and loading costs one pass, no sort.
 */
#include "thesaurus.h"
#include "fault.h"
#include "io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THESAURUS_MAX_BYTES ((size_t)64 << 20)
#define THESAURUS_MAX_HITS 64     /* words one lookup reports */

typedef struct thword {
	uint32_t off;        /* into buf */
	uint16_t len;
	uint16_t vocab;      /* vocabulary within the group, from 0 */
	uint32_t group;
	uint8_t trigger;     /* 0: led by `~`, found only through others */
} thword;

struct bidx_thesaurus {
	char *buf;           /* the file; owned */
	size_t size;
	thword *w;           /* owned */
	size_t n, cap;
	uint32_t *gstart;    /* ngroups + 1 starts of the groups in w[]; owned */
	size_t ngroups, gcap;
	uint32_t *slot;      /* hash table: word index + 1, 0 empty; owned */
	size_t nslots;       /* a power of two, >= 2 n */
};

int bidx_thesaurus_find(char *path, size_t n)
{
	const char *env = getenv("BIDX_THESAURUS");
	if (env) {
		snprintf(path, n, "%s", !*env || !strcmp(env, "none") ? "" : env);
		return 0;
	}
	if (bidx_dict_find(BIDX_THESAURUS_NAME, path, n) == 0)
		return 0;
	snprintf(path, n, "no %s in dict/ beside the program or above it", BIDX_THESAURUS_NAME);
	return -1;
}

void bidx_thesaurus_free(bidx_thesaurus *t)
{
	if (!t)
		return;
	free(t->buf);
	free(t->w);
	free(t->gstart);
	free(t->slot);
	free(t);
}

static int read_all(const char *path, char **buf, size_t *size, char *why, size_t whylen)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *b = NULL;
	if (!f) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return BIDX_EIO;
	}
	for (;;) {
		if (n == cap || !b) {
			char *nb = n >= THESAURUS_MAX_BYTES ? NULL : bidx_realloc(b, (cap *= 2) + 1);
			if (!nb) {
				free(b);
				fclose(f);
				snprintf(why, whylen, "%s: %s", path,
				         n >= THESAURUS_MAX_BYTES ? "larger than 64 MB" : "out of memory");
				return n >= THESAURUS_MAX_BYTES ? BIDX_EIO : BIDX_ENOMEM;
			}
			b = nb;
		}
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	int err = ferror(f);
	fclose(f);
	if (err) {
		free(b);
		snprintf(why, whylen, "%s: read error", path);
		return BIDX_EIO;
	}
	b[n] = 0;
	*buf = b;
	*size = n;
	return BIDX_OK;
}

/* Splits the buffer into words and groups. */
static bidx_err parse(bidx_thesaurus *t)
{
	const char *b = t->buf, *end = b + t->size;
	while (b < end) {
		const char *eol = memchr(b, '\n', (size_t)(end - b));
		if (!eol)
			eol = end;
		uint32_t first = (uint32_t)t->n;
		uint16_t vocab = 0;
		const char *p = b;
		while (p < eol && *p != '#') {
			if (*p == ' ' || *p == '\t' || *p == '\r') {
				p++;
				continue;
			}
			if (*p == '|') {
				vocab += t->n > first;
				p++;
				continue;
			}
			int trigger = *p != '~';
			p += !trigger;
			const char *s = p;
			while (p < eol && *p != ' ' && *p != '\t' && *p != '\r' && *p != '|')
				p++;
			if (p == s || p - s > UINT16_MAX)
				continue;
			if (bidx_grow((void **)&t->w, &t->cap, t->n + 1, sizeof *t->w))
				return BIDX_ENOMEM;
			t->w[t->n++] = (thword){(uint32_t)(s - t->buf), (uint16_t)(p - s), vocab,
			                        (uint32_t)t->ngroups, (uint8_t)trigger};
		}
		if (t->n - first >= 2) {
			if (bidx_grow((void **)&t->gstart, &t->gcap, t->ngroups + 2, sizeof *t->gstart))
				return BIDX_ENOMEM;
			t->gstart[t->ngroups++] = first;
		} else {
			t->n = first;   /* a group needs two words */
		}
		b = eol + 1;
	}
	if (bidx_grow((void **)&t->gstart, &t->gcap, t->ngroups + 1, sizeof *t->gstart))
		return BIDX_ENOMEM;
	t->gstart[t->ngroups] = (uint32_t)t->n;
	return BIDX_OK;
}

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;   /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static bidx_err index_words(bidx_thesaurus *t)
{
	t->nslots = 16;
	while (t->nslots < 2 * t->n)
		t->nslots *= 2;
	if (!(t->slot = bidx_calloc(t->nslots, sizeof *t->slot)))
		return BIDX_ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t k = hash(t->buf + t->w[i].off, t->w[i].len) & (t->nslots - 1);
		while (t->slot[k])
			k = (k + 1) & (t->nslots - 1);
		t->slot[k] = (uint32_t)i + 1;
	}
	return BIDX_OK;
}

bidx_err bidx_thesaurus_load(const char *path, bidx_thesaurus **out, char *why, size_t whylen)
{
	*out = NULL;
	bidx_thesaurus *t = bidx_calloc(1, sizeof *t);
	if (!t) {
		snprintf(why, whylen, "out of memory");
		return BIDX_ENOMEM;
	}
	bidx_err rc = read_all(path, &t->buf, &t->size, why, whylen);
	if (!rc && (rc = parse(t)) == BIDX_OK)
		rc = index_words(t);
	if (rc) {
		if (rc == BIDX_ENOMEM)
			snprintf(why, whylen, "out of memory");
		bidx_thesaurus_free(t);
		return rc;
	}
	*out = t;
	return BIDX_OK;
}

typedef struct hit {
	const char *s;
	size_t len;
	bidx_threl rel;
} hit;

static void note(hit *h, size_t *nh, const char *s, size_t len, bidx_threl rel)
{
	for (size_t i = 0; i < *nh; i++)
		if (h[i].len == len && !memcmp(h[i].s, s, len)) {
			if (rel < h[i].rel)
				h[i].rel = rel;
			return;
		}
	if (*nh < THESAURUS_MAX_HITS)
		h[(*nh)++] = (hit){s, len, rel};
}

size_t bidx_thesaurus_each(const bidx_thesaurus *t, const char *w, size_t n,
                           int (*fn)(void *ctx, const char *word, size_t len, bidx_threl rel),
                           void *ctx)
{
	if (!t || !t->n)
		return 0;
	hit h[THESAURUS_MAX_HITS];
	size_t nh = 0;
	for (size_t k = hash(w, n) & (t->nslots - 1); t->slot[k]; k = (k + 1) & (t->nslots - 1)) {
		const thword *e = &t->w[t->slot[k] - 1];
		if (e->len != n || memcmp(t->buf + e->off, w, n) || !e->trigger)
			continue;
		for (uint32_t g = t->gstart[e->group]; g < t->gstart[e->group + 1]; g++) {
			const thword *o = &t->w[g];
			if (o->len == n && !memcmp(t->buf + o->off, w, n))
				continue;
			note(h, &nh, t->buf + o->off, o->len, o->vocab == e->vocab ? BIDX_TH_SAME : BIDX_TH_NEAR);
		}
	}
	size_t calls = 0;
	for (size_t i = 0; i < nh; i++) {
		calls++;
		if (fn(ctx, h[i].s, h[i].len, h[i].rel))
			break;
	}
	return calls;
}
