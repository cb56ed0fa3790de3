/*
 * ignore.c - the gitignore-syntax matcher of .bidxignore files and
 * --exclude globs (ignore.h has the syntax).
 *
 * A rule keeps its pattern as written (escapes included: the glob matcher
 * reads them), its folder and where it came from, in one allocation.
 * Rules are matched newest first: the first hit is the last line that
 * matches, which is the one gitignore lets decide.
 */
#include "ignore.h"
#include "fault.h"
#include "io.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct rule {
	const char *base;     /* the folder the rule is anchored at */
	const char *pat;      /* the glob, `!`, leading and trailing `/` removed */
	const char *text;     /* the line as written (trimmed), for messages */
	const char *source;   /* the .bidxignore file, or "--exclude" */
	size_t baselen;
	int negate;           /* `!`: a match un-ignores */
	int dironly;          /* trailing `/`: directories only */
	int anchored;         /* a `/` in it: relative to base, else the name */
	char *mem;            /* owned: base, pat, text and source */
} rule;

struct bidx_ignore {
	rule *r;
	size_t n, cap;
};

bidx_ignore *bidx_ignore_new(void)
{
	return bidx_calloc(1, sizeof(bidx_ignore));
}

void bidx_ignore_pop(bidx_ignore *ig, size_t mark)
{
	while (ig && ig->n > mark)
		free(ig->r[--ig->n].mem);
}

size_t bidx_ignore_mark(const bidx_ignore *ig)
{
	return ig ? ig->n : 0;
}

void bidx_ignore_free(bidx_ignore *ig)
{
	if (!ig)
		return;
	bidx_ignore_pop(ig, 0);
	free(ig->r);
	free(ig);
}

/* The bytes of the UTF-8 character at s (1 for a stray byte). */
static size_t u8len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c < 0x80 ? 1 : c >= 0xF0 && c < 0xF8 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	for (size_t i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			return 1;
	return n;
}

/* The code point at s, its length in *n. */
static uint32_t u8dec(const char *s, size_t *n)
{
	const unsigned char *u = (const unsigned char *)s;
	*n = u8len(s);
	switch (*n) {
	case 2: return (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
	case 3: return (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
	case 4: return (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3F) << 12 |
		       (uint32_t)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
	default: return u[0];
	}
}

/* One character of a bracket set at *p (after a `\`, the next one). */
static uint32_t set_char(const char **p)
{
	size_t n;
	if (**p == '\\' && (*p)[1])
		(*p)++;
	uint32_t c = u8dec(*p, &n);
	*p += n;
	return c;
}

/* Matches the set at p ('[' ...) against c: 1 or 0, *end after the ']';
 * -1 when the set is not closed (then '[' is a plain character). */
static int match_set(const char *p, uint32_t c, const char **end)
{
	const char *q = p + 1;
	int neg = *q == '!' || *q == '^', in = 0;
	if (neg)
		q++;
	for (int first = 1; *q && (first || *q != ']'); first = 0) {
		uint32_t lo = set_char(&q), hi = lo;
		if (*q == '-' && q[1] && q[1] != ']') {
			q++;
			hi = set_char(&q);
		}
		if (lo <= c && c <= hi)
			in = 1;
	}
	if (*q != ']')
		return -1;
	*end = q + 1;
	return in != neg;
}

/* A match in progress: the pattern and the string, and the (star, string
 * position) pairs already known not to match, so that a pattern of many
 * stars costs pattern x string steps, not an exponential number. */
typedef struct globctx {
	const char *p0, *s0;
	size_t slen;
	uint8_t *failed;       /* bit (p - p0) * (slen + 1) + (s - s0); NULL: none kept */
} globctx;

static int glob_at(globctx *g, const char *p, const char *s);

/* The stars at p ('*', '**') against s. */
static int glob_star(globctx *g, const char *p, const char *s)
{
	if (p[1] == '*' && (p == g->p0 || p[-1] == '/') && (p[2] == '/' || p[2] == 0)) {
		if (p[2] == 0)
			return 1;          /* a trailing `**`: everything inside */
		for (const char *t = s;; t++) {   /* `**` then `/`: zero or more folders */
			if ((t == s || t[-1] == '/') && glob_at(g, p + 3, t))
				return 1;
			if (!*t)
				return 0;
		}
	}
	while (*p == '*')
		p++;
	for (;; s += u8len(s)) {
		if (glob_at(g, p, s))
			return 1;
		if (!*s || *s == '/')
			return 0;
	}
}

static int glob_at(globctx *g, const char *p, const char *s)
{
	for (;;) {
		const char *end;
		size_t n;
		int r;
		switch (*p) {
		case 0:
			return *s == 0;
		case '*': {
			size_t key = (size_t)(p - g->p0) * (g->slen + 1) + (size_t)(s - g->s0);
			if (g->failed && (g->failed[key >> 3] >> (key & 7) & 1))
				return 0;
			r = glob_star(g, p, s);
			if (!r && g->failed)
				g->failed[key >> 3] |= (uint8_t)(1u << (key & 7));
			return r;
		}
		case '?':
			if (!*s || *s == '/')
				return 0;
			s += u8len(s);
			p++;
			break;
		case '[':
			if (*s && *s != '/') {
				uint32_t c = u8dec(s, &n);
				r = match_set(p, c, &end);
				if (r >= 0) {
					if (!r)
						return 0;
					s += n;
					p = end;
					break;
				}
			}
			if (*s != '[')
				return 0;
			s++;
			p++;
			break;
		case '\\':
			if (!p[1] || p[1] != *s)
				return 0;      /* a trailing `\` matches nothing */
			p += 2;
			s++;
			break;
		default:
			if (*p != *s)
				return 0;
			p++;
			s++;
		}
	}
}

int bidx_ignore_glob(const char *pat, const char *s)
{
	uint8_t small[1024];
	size_t plen = strlen(pat), slen = strlen(s);
	globctx g = {pat, s, slen, NULL};
	if (!strchr(pat, '*'))
		return glob_at(&g, pat, s);
	/* without memory for the failed pairs the match is still right, only
	 * slower on a pathological pattern */
	size_t bits = plen * (slen + 1), bytes = bits / 8 + 1;
	g.failed = bytes <= sizeof small ? small : bits / (slen + 1) == plen ? bidx_calloc(bytes, 1) : NULL;
	if (g.failed == small)
		memset(small, 0, bytes);
	int r = glob_at(&g, pat, s);
	if (g.failed != small)
		free(g.failed);
	return r;
}

bidx_err bidx_ignore_add(bidx_ignore *ig, const char *base, const char *line, size_t len,
                         const char *source)
{
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	/* trailing spaces go, unless escaped (an odd run of `\` before them) */
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t')) {
		size_t bs = 0;
		while (bs < len - 1 && line[len - 2 - bs] == '\\')
			bs++;
		if (bs % 2)
			break;
		len--;
	}
	if (!len || line[0] == '#')
		return BIDX_OK;
	size_t textlen = len;
	const char *text = line;
	int negate = line[0] == '!';
	if (negate)
		line++, len--;
	int dironly = 0;
	if (len && line[len - 1] == '/' && !(len >= 2 && line[len - 2] == '\\')) {
		dironly = 1;
		while (len && line[len - 1] == '/')
			len--;
	}
	int anchored = 0;
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '\\')
			i++;
		else if (line[i] == '/')
			anchored = 1;
	}
	while (len && line[0] == '/')
		line++, len--;
	if (!len)
		return BIDX_OK;   /* "/", "!" alone: nothing to match */
	size_t bl = strlen(base), sl = strlen(source);
	while (bl > 1 && base[bl - 1] == '/')
		bl--;
	if (bidx_grow((void **)&ig->r, &ig->cap, ig->n + 1, sizeof *ig->r))
		return BIDX_ENOMEM;
	char *m = bidx_malloc(bl + len + textlen + sl + 4);
	if (!m)
		return BIDX_ENOMEM;
	rule *r = &ig->r[ig->n++];
	*r = (rule){.negate = negate, .dironly = dironly, .anchored = anchored, .mem = m,
	            .baselen = bl};
	memcpy(m, base, bl), m[bl] = 0, r->base = m, m += bl + 1;
	memcpy(m, line, len), m[len] = 0, r->pat = m, m += len + 1;
	memcpy(m, text, textlen), m[textlen] = 0, r->text = m, m += textlen + 1;
	memcpy(m, source, sl + 1), r->source = m;
	return BIDX_OK;
}

bidx_err bidx_ignore_load(bidx_ignore *ig, const char *dir)
{
	char *path = bidx_path_join(dir, BIDX_IGNORE_FILE), *data = NULL;
	size_t len;
	if (!path)
		return BIDX_ENOMEM;
	bidx_err rc = bidx_read_file_max(path, (size_t)1 << 20, &data, &len);
	if (rc == BIDX_EIO && errno == ENOENT)
		rc = BIDX_OK;   /* no .bidxignore here */
	else if (rc == BIDX_EINPUT || rc == BIDX_ETOOBIG) {
		errno = rc == BIDX_EINPUT ? EISDIR : EFBIG;
		rc = BIDX_EIO;
	}
	for (size_t i = 0; data && i < len && !rc;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - data) : len;
		rc = bidx_ignore_add(ig, dir, data + i, e - i, path);
		i = e + 1;
	}
	free(data);
	free(path);
	return rc;
}

/* Whether rule r matches path (absolute). */
static int rule_matches(const rule *r, const char *path, int isdir)
{
	if (r->dironly && !isdir)
		return 0;
	const char *rel;
	if (r->baselen == 1 && r->base[0] == '/')
		rel = path + 1;
	else if (!strncmp(path, r->base, r->baselen) && path[r->baselen] == '/')
		rel = path + r->baselen + 1;
	else
		return 0;   /* not below the rule's folder */
	if (!*rel)
		return 0;
	if (!r->anchored) {
		const char *slash = strrchr(rel, '/');
		rel = slash ? slash + 1 : rel;
	}
	return bidx_ignore_glob(r->pat, rel);
}

int bidx_ignore_match(const bidx_ignore *ig, const char *path, int isdir,
                      const char **pattern, const char **source)
{
	for (size_t i = ig ? ig->n : 0; i-- > 0;) {
		const rule *r = &ig->r[i];
		if (!rule_matches(r, path, isdir))
			continue;
		if (r->negate)
			return 0;
		if (pattern)
			*pattern = r->text;
		if (source)
			*source = r->source;
		return 1;
	}
	return 0;
}
