#include "corpus.h"
#include "fault.h"
#include "io.h"
#include "normalize.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef struct visited {
	dev_t dev;
	ino_t ino;
	struct visited *up;   /* the directories above, for loop detection */
} visited;

static int push(bidx_filelist *fl, char *p)
{
	if (bidx_grow((void **)&fl->paths, &fl->cap, fl->n + 1, sizeof *fl->paths))
		return -1;
	fl->paths[fl->n++] = p;
	return 0;
}

void bidx_filelist_free(bidx_filelist *fl)
{
	if (!fl)
		return;
	for (size_t i = 0; i < fl->n; i++)
		free(fl->paths[i]);
	free(fl->paths);
	fl->paths = NULL;
	fl->n = fl->cap = 0;
}

int bidx_corpus_is_text(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot && (!strcasecmp(dot, ".txt") || !strcasecmp(dot, ".md") ||
	               !strcasecmp(dot, ".csv") || !strcasecmp(dot, ".jsonl") ||
	               !strcasecmp(dot, ".ndjson") || !strcasecmp(dot, ".html") ||
	               !strcasecmp(dot, ".htm") || !strcasecmp(dot, ".xhtml") ||
	               !strcasecmp(dot, ".pdf") || !strcasecmp(dot, ".docx"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bidx_err walk(const char *path, const visited *up, bidx_filelist *fl,
                     bidx_skip_fn skip, void *sarg, int top);

static bidx_err walk_dir(const char *path, const struct stat *st, const visited *up,
                         bidx_filelist *fl, bidx_skip_fn skip, void *sarg)
{
	for (const visited *v = up; v; v = v->up)
		if (v->dev == st->st_dev && v->ino == st->st_ino) {
			skip(path, "directory loop (a symlink to a directory above it); skipped", sarg);
			return BIDX_OK;
		}
	visited me = {st->st_dev, st->st_ino, (visited *)(uintptr_t)up};
	DIR *d = opendir(path);
	if (!d) {
		char why[256];
		snprintf(why, sizeof why, "cannot open directory: %s; skipped", strerror(errno));
		skip(path, why, sarg);
		return BIDX_OK;
	}
	bidx_filelist names = {0};
	bidx_err rc = BIDX_OK;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;    /* hidden entries, . and .. */
		char *n = strdup(e->d_name);
		if (!n || push(&names, n)) {
			free(n);
			rc = BIDX_ENOMEM;
			break;
		}
	}
	closedir(d);
	if (names.n)
		qsort(names.paths, names.n, sizeof *names.paths, cmp_str);
	for (size_t i = 0; i < names.n && !rc; i++) {
		char *child = bidx_path_join(path, names.paths[i]);
		if (!child) {
			rc = BIDX_ENOMEM;
			break;
		}
		rc = walk(child, &me, fl, skip, sarg, 0);
		free(child);
	}
	bidx_filelist_free(&names);
	return rc;
}

static bidx_err walk(const char *path, const visited *up, bidx_filelist *fl,
                     bidx_skip_fn skip, void *sarg, int top)
{
	struct stat st;
	if (stat(path, &st)) {
		char why[256];
		snprintf(why, sizeof why, "%s; skipped", strerror(errno));
		skip(path, why, sarg);
		return top ? BIDX_EIO : BIDX_OK;
	}
	if (S_ISDIR(st.st_mode))
		return walk_dir(path, &st, up, fl, skip, sarg);
	if (!S_ISREG(st.st_mode)) {
		skip(path, "not a regular file; skipped", sarg);
		return BIDX_OK;
	}
	if (!bidx_corpus_is_text(path)) {
		skip(path, "only .txt, .md, .csv, .jsonl, .ndjson, .html, .htm, .xhtml, .pdf and .docx files are indexed; skipped", sarg);
		return BIDX_OK;
	}
	char *p = strdup(path);
	if (!p || push(fl, p)) {
		free(p);
		return BIDX_ENOMEM;
	}
	return BIDX_OK;
}

bidx_err bidx_corpus_walk(const char *arg, bidx_filelist *fl, bidx_skip_fn skip, void *skip_arg)
{
	return walk(arg, NULL, fl, skip, skip_arg, 1);
}

const char *bidx_corpus_check(const char *data, size_t len, size_t *skip, char *buf, size_t buflen)
{
	*skip = 0;
	if (len == 0)
		return "empty file";
	const char *nul = memchr(data, 0, len);
	if (nul) {
		snprintf(buf, buflen, "binary file (NUL byte at offset %zu)", (size_t)(nul - data));
		return buf;
	}
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		*skip = 3;
	size_t bad = bidx_utf8_check((const uint8_t *)data + *skip, len - *skip);
	if (bad < len - *skip) {
		snprintf(buf, buflen, "not valid UTF-8 (byte offset %zu)", bad + *skip);
		return buf;
	}
	return NULL;
}

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);
	return n >= m && !memcmp(s + n - m, suf, m);
}

/* Trims ASCII and ideographic spaces from both ends of [*s, *e). */
static void trim(const char *t, size_t *s, size_t *e)
{
	for (;;) {
		if (*s < *e && (t[*s] == ' ' || t[*s] == '\t' || t[*s] == '\r'))
			(*s)++;
		else if (*e - *s >= 3 && !memcmp(t + *s, "\xE3\x80\x80", 3))
			*s += 3;
		else
			break;
	}
	for (;;) {
		if (*e > *s && (t[*e - 1] == ' ' || t[*e - 1] == '\t' || t[*e - 1] == '\r'))
			(*e)--;
		else if (*e - *s >= 3 && !memcmp(t + *e - 3, "\xE3\x80\x80", 3))
			*e -= 3;
		else
			break;
	}
}

static int is_heading(const char *l, size_t n)
{
	static const char *const tails[] = {"お詫び", "おわび", "お知らせ", "ご報告", "について",
	                                    "のお願い", "ご案内", "お詫びとお知らせ", "に関する報告"};
	for (size_t i = 0; i < sizeof tails / sizeof *tails; i++)
		if (ends_with(l, n, tails[i]))
			return 1;
	return 0;
}

/* A line that is only a URL, or only digits and date punctuation. */
static int is_meta_line(const char *l, size_t n)
{
	if (n >= 4 && (!memcmp(l, "http", 4)))
		return 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)l[i];
		if (!((c >= '0' && c <= '9') || c == '-' || c == ':' || c == '+' || c == 'T' ||
		      c == '/' || c == '.' || c == ' '))
			return 0;
	}
	return 1;
}

#define TITLE_SCAN_LINES 15
#define TITLE_MAX_BYTES 600

void bidx_corpus_title(const char *text, size_t len, size_t *start, size_t *end)
{
	size_t first_s = 0, first_e = 0, pos = 0;
	int have_first = 0;
	*start = *end = 0;
	for (int line = 0; pos < len && line < TITLE_SCAN_LINES; line++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t s = pos, e = nl ? (size_t)(nl - text) : len;
		pos = e + 1;
		trim(text, &s, &e);
		if (s == e || e - s > TITLE_MAX_BYTES || is_meta_line(text + s, e - s))
			continue;
		if (is_heading(text + s, e - s)) {
			*start = s;
			*end = e;
			return;
		}
		/* the fallback is the first line, unless it is a sentence (…。):
		 * that is body text, and a later line is no better a title */
		if (!have_first) {
			if (!ends_with(text + s, e - s, "。")) {
				first_s = s;
				first_e = e;
			}
			have_first = 1;
		}
	}
	*start = first_s;
	*end = first_e;
}
