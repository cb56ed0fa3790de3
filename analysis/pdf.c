/*
 * pdf.c - PDF files to text in a limited child process (see pdf.h).
 *
 * The parent half (spawn, deadline, records, running headers) uses only
 * POSIX; the child half is the only code that calls poppler.
 */
#define _GNU_SOURCE   /* pipe2: the pipe is close-on-exec from the start */
#include "pdf.h"
#include "buf.h"
#include "fault.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <poppler.h>

extern char **environ;

#if defined(__SANITIZE_ADDRESS__)
#define BIDX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BIDX_ASAN 1
#endif
#endif
#ifndef BIDX_ASAN
#define BIDX_ASAN 0
#endif

static char helper[PATH_MAX];
static pthread_once_t helper_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t helper_lock = PTHREAD_MUTEX_INITIALIZER;

static void helper_default(void)
{
	pthread_mutex_lock(&helper_lock);
	if (!helper[0]) {
		ssize_t n = readlink("/proc/self/exe", helper, sizeof helper - 1);
		helper[n > 0 ? n : 0] = 0;
	}
	pthread_mutex_unlock(&helper_lock);
}

void bidx_pdf_set_helper(const char *exe)
{
	pthread_mutex_lock(&helper_lock);
	snprintf(helper, sizeof helper, "%s", exe);
	pthread_mutex_unlock(&helper_lock);
}

typedef struct limits { long cpu, mem_mb, wall; } limits;

static limits get_limits(void)
{
	limits l = {BIDX_PDF_CPU_SECONDS, BIDX_PDF_MEM_MB, BIDX_PDF_WALL_SECONDS};
	const char *e = getenv("BIDX_PDF_LIMITS");
	while (e && *e) {
		long v = strtol(strchr(e, '=') ? strchr(e, '=') + 1 : e, NULL, 10);
		if (v > 0 && !strncmp(e, "cpu=", 4))
			l.cpu = v;
		else if (v > 0 && !strncmp(e, "mem=", 4))
			l.mem_mb = v;
		else if (v > 0 && !strncmp(e, "wall=", 5))
			l.wall = v;
		e = strchr(e, ',');
		e = e ? e + 1 : NULL;
	}
	return l;
}

/* ---- the child ---- */

static void put(char tag, const char *s, size_t n)
{
	uint8_t h[5] = {(uint8_t)tag, (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16),
	                (uint8_t)(n >> 24)};
	const char *parts[2] = {(const char *)h, s};
	size_t lens[2] = {5, n};
	for (int k = 0; k < 2; k++)
		for (size_t off = 0; off < lens[k];) {
			ssize_t w = write(1, parts[k] + off, lens[k] - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				_exit(4);
			off += (size_t)w;
		}
}

int bidx_pdf_child_main(const char *path)
{
	limits l = get_limits();
	struct rlimit cpu = {(rlim_t)l.cpu, (rlim_t)l.cpu + 1};
	setrlimit(RLIMIT_CPU, &cpu);
#if !BIDX_ASAN
	struct rlimit mem = {(rlim_t)l.mem_mb << 20, (rlim_t)l.mem_mb << 20};
	setrlimit(RLIMIT_AS, &mem);
#else
	/* AddressSanitizer has reserved terabytes of shadow address space by
	 * now: an address-space limit would fail every allocation.  The
	 * sanitizer build bounds the child by its CPU time and the parent's
	 * wall-clock deadline only. */
	(void)l.mem_mb;
#endif
	char abs[PATH_MAX];
	if (!realpath(path, abs)) {
		put('E', "cannot open", 11);
		return 3;
	}
	GError *err = NULL;
	char *uri = g_filename_to_uri(abs, NULL, &err);
	PopplerDocument *doc = uri ? poppler_document_new_from_file(uri, NULL, &err) : NULL;
	g_free(uri);
	if (!doc) {
		char msg[300];
		if (err && g_error_matches(err, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
			snprintf(msg, sizeof msg, "encrypted (a password is needed)");
		else
			snprintf(msg, sizeof msg, "not a readable PDF (%s)", err ? err->message : "?");
		put('E', msg, strlen(msg));
		return 3;
	}
	char *title = poppler_document_get_title(doc);
	if (title)
		put('T', title, strlen(title));
	g_free(title);
	time_t made = poppler_document_get_creation_date(doc);
	struct tm tm;
	char iso[16];
	if (made > 0 && gmtime_r(&made, &tm) && strftime(iso, sizeof iso, "%Y-%m-%d", &tm))
		put('D', iso, strlen(iso));
	int n = poppler_document_get_n_pages(doc);
	for (int i = 0; i < n; i++) {
		PopplerPage *page = poppler_document_get_page(doc, i);
		char *text = page ? poppler_page_get_text(page) : NULL;
		put('P', text ? text : "", text ? strlen(text) : 0);
		g_free(text);
		if (page)
			g_object_unref(page);
	}
	g_object_unref(doc);
	return 0;
}

/* ---- the parent ---- */

/* Runs the child on path; its stdout into out.  0, or -1 with why set. */
static int run_child(const char *path, bidx_buf *out, char *why, size_t whylen)
{
	limits l = get_limits();
	pthread_once(&helper_once, helper_default);
	char exe[PATH_MAX];
	pthread_mutex_lock(&helper_lock);
	snprintf(exe, sizeof exe, "%s", helper);
	pthread_mutex_unlock(&helper_lock);
	int p[2];
	if (pipe2(p, O_CLOEXEC)) {
		snprintf(why, whylen, "PDF extraction failed (pipe: %s)", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char mode[] = "--extract-pdf", file[PATH_MAX];
	snprintf(file, sizeof file, "%s", path);
	char *argv[] = {exe, mode, file, NULL};
	pid_t pid;
	int e = posix_spawn(&pid, exe, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (e) {
		close(p[0]);
		snprintf(why, whylen, "PDF extraction failed (cannot run %s: %s)", exe, strerror(e));
		return -1;
	}
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int timed_out = 0, too_much = 0;
	char chunk[65536];
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = l.wall * 1000 - ((now.tv_sec - t0.tv_sec) * 1000 +
		                             (now.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0) {
			timed_out = 1;
			break;
		}
		struct pollfd pf = {p[0], POLLIN, 0};
		int r = poll(&pf, 1, (int)(left < 1000 ? left : 1000));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		ssize_t got = read(p[0], chunk, sizeof chunk);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (out->len + (size_t)got > BIDX_PDF_MAX_TEXT) {
			too_much = 1;
			break;
		}
		bidx_buf_put(out, chunk, (size_t)got);
	}
	if (timed_out || too_much)
		kill(pid, SIGKILL);
	close(p[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (timed_out)
		snprintf(why, whylen, "PDF extraction failed (took longer than %ld s)", l.wall);
	else if (too_much)
		snprintf(why, whylen, "PDF extraction failed (more than %zu MB of text)",
		         BIDX_PDF_MAX_TEXT >> 20);
	else if (WIFSIGNALED(st)) {
		int sig = WTERMSIG(st);
		snprintf(why, whylen, "PDF extraction failed (killed by signal %d%s)", sig,
		         sig == SIGXCPU || sig == SIGKILL ? ": CPU time limit"
		         : sig == SIGABRT || sig == SIGSEGV || sig == SIGBUS ? ": crashed or out of memory" : "");
	} else if (WIFEXITED(st) && WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 3)
		snprintf(why, whylen, "PDF extraction failed (exit status %d)", WEXITSTATUS(st));
	else
		return out->err ? -2 : 0;
	return -1;
}

/* Collapses a line's digits into '#' for comparing running headers. */
static void line_key(const char *s, size_t n, char *key, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			if (o == 0 || key[o - 1] != '#')
				key[o++] = '#';
		} else if (c != ' ' && c != '\t' && c != '\r')
			key[o++] = c;
	}
	key[o] = 0;
}

/* A line that is only a page number: 3, - 3 -, 3 / 10, p. 3, 3ページ, 第3頁. */
static int page_number(const char *s, size_t n)
{
	static const char *const words[] = {"ページ", "頁", "第", "page", "Page", "PAGE", "p.", "P.",
	                                    "of", NULL};
	int digits = 0, groups = 0, run = 0, slash = 0;
	if (n == 0 || n > 40)
		return 0;
	for (size_t i = 0; i < n;) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			digits = 1;
			groups += run == 0;
			if (++run > 4)
				return 0;   /* a year, a phone number */
			i++;
			continue;
		}
		run = 0;
		slash |= c == '/' || (n - i >= 3 && !memcmp(s + i, "／", 3)) || (n - i >= 2 && !memcmp(s + i, "of", 2));
		if (strchr(" \t\r-/()[]|.", c)) {
			i++;
			continue;
		}
		if (n - i >= 3 && (!memcmp(s + i, "–", 3) || !memcmp(s + i, "—", 3) ||
		                   !memcmp(s + i, "　", 3) || !memcmp(s + i, "／", 3) ||
		                   !memcmp(s + i, "－", 3))) {
			i += 3;
			continue;
		}
		int w = 0;
		for (int k = 0; words[k] && !w; k++)
			if (n - i >= strlen(words[k]) && !memcmp(s + i, words[k], strlen(words[k])))
				w = (int)strlen(words[k]);
		if (!w)
			return 0;
		i += (size_t)w;
	}
	/* one number (3, - 3 -, p. 3) or "3 / 10": not a date such as 2010-06-15 */
	return digits && (groups == 1 || (groups == 2 && slash));
}

#define EDGE_LINES 3   /* lines at the top and at the bottom of a page that may run */

typedef struct pline { size_t s, e; int page; int edge; char key[96]; } pline;

/* Appends the non-blank lines of page t[0..len) to *v; *first gets the
 * index of its first line.  -1 when memory runs out. */
static int page_lines(const char *t, size_t len, int page, pline **v, size_t *n, size_t *cap,
                      size_t *first_out)
{
	size_t first = *n;
	*first_out = first;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(t + pos, '\n', len - pos);
		size_t e = nl ? (size_t)(nl - t) : len, s = pos;
		pos = e + 1;
		while (s < e && (t[s] == ' ' || t[s] == '\t' || t[s] == '\r' || t[s] == '\f'))
			s++;
		while (e > s && (t[e - 1] == ' ' || t[e - 1] == '\t' || t[e - 1] == '\r' || t[e - 1] == '\f'))
			e--;
		if (s == e)
			continue;
		if (bidx_grow((void **)v, cap, *n + 1, sizeof **v))
			return -1;
		pline *l = &(*v)[(*n)++];
		l->s = s;
		l->e = e;
		l->page = page;
		line_key(t + s, e - s, l->key, sizeof l->key);
	}
	for (size_t i = first; i < *n; i++)
		(*v)[i].edge = i - first < EDGE_LINES || *n - i <= EDGE_LINES ? 1 : 0;
	return 0;
}

/* Characters (code points) of s[0..n), wide ones counting two. */
static size_t chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c += (unsigned char)s[i] >= 0xE0 ? 2 : 1;
	return c;
}

/* A line ending a sentence or a heading-like unit: 。 ！ ？ ： ) . */
static int sentence_end(const char *s, size_t n)
{
	static const char *const ends[] = {"。", "！", "？", "：", "」", "）", ".", NULL};
	for (int k = 0; ends[k]; k++) {
		size_t l = strlen(ends[k]);
		if (n >= l && !memcmp(s + n - l, ends[k], l))
			return 1;
	}
	return 0;
}

void bidx_pdf_join_pages(const char *const *pages, const size_t *lens, size_t n, bidx_extract *x)
{
	pline *v = NULL;
	size_t nl = 0, cap = 0;
	size_t *firsts = bidx_calloc(n + 1, sizeof *firsts);
	if (!firsts) {
		x->text.err = BIDX_ENOMEM;
		return;
	}
	int lost = 0;
	for (size_t p = 0; p < n && !lost; p++)
		lost = page_lines(pages[p], lens[p], (int)p, &v, &nl, &cap, &firsts[p]);
	firsts[n] = nl;
	size_t *width = lost ? NULL : bidx_calloc(n + 1, sizeof *width);   /* each page's widest line */
	if (!width) {
		free(firsts);
		free(v);
		x->text.err = BIDX_ENOMEM;
		return;
	}
	for (size_t p = 0; p < n; p++)
		for (size_t i = firsts[p]; i < firsts[p + 1]; i++)
			if (chars(pages[p] + v[i].s, v[i].e - v[i].s) > width[p])
				width[p] = chars(pages[p] + v[i].s, v[i].e - v[i].s);
	size_t need = n >= 2 ? (n * 6 + 9) / 10 : SIZE_MAX;   /* 60 % of the pages, at least 2 */
	if (need < 2)
		need = 2;
	for (size_t p = 0; p < n; p++) {
		bidx_extract_page(x);
		for (size_t i = firsts[p]; i < firsts[p + 1]; i++) {
			const pline *l = &v[i];
			const char *t = pages[p] + l->s;
			size_t len = l->e - l->s;
			if (l->edge && page_number(t, len))
				continue;
			if (l->edge && need != SIZE_MAX) {
				size_t seen = 0;
				for (size_t q = 0; q < n && seen < need; q++)
					for (size_t j = firsts[q]; j < firsts[q + 1]; j++)
						if (v[j].edge && !strcmp(v[j].key, l->key)) {
							seen++;
							break;
						}
				if (seen >= need)
					continue;
			}
			bidx_extract_text(x, t, len);
			/* a line that fills the width was wrapped: the next one goes on */
			if (!(chars(t, len) * 10 >= width[p] * 9 && width[p] >= 20 && !sentence_end(t, len)))
				bidx_extract_break(x);
		}
	}
	free(width);
	free(firsts);
	free(v);
}

/* A Title that is a file name ("notice.html", "Microsoft Word - 文書1.docx"):
 * what the producer knew, not the document's title. */
static int file_name(const char *t)
{
	const char *dot = strrchr(t, '.');
	size_t n = dot ? strlen(dot + 1) : 0;
	if (!strncmp(t, "Microsoft Word - ", 17))
		return 1;
	if (n < 2 || n > 5)
		return 0;
	for (size_t i = 1; i <= n; i++)
		if (!((dot[i] >= 'a' && dot[i] <= 'z') || (dot[i] >= 'A' && dot[i] <= 'Z') ||
		      (dot[i] >= '0' && dot[i] <= '9')))
			return 0;
	return !strchr(t, ' ') || strchr(t, '/') || strchr(t, '\\');
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bidx_err bidx_pdf_extract(const char *path, bidx_extract *x, char *why, size_t whylen)
{
	bidx_buf out = BIDX_BUF_INIT;
	int r = run_child(path, &out, why, whylen);
	if (r) {
		bidx_buf_free(&out);
		return r == -2 ? BIDX_ENOMEM : BIDX_EINPUT;
	}
	const char **pages = NULL;
	size_t *lens = NULL, n = 0, cap = 0, cap2 = 0;
	bidx_err rc = BIDX_OK;
	for (size_t at = 0; at < out.len && !rc;) {
		if (out.len - at < 5) {
			snprintf(why, whylen, "PDF extraction failed (output cut short)");
			rc = BIDX_EINPUT;
			break;
		}
		char tag = (char)out.p[at];
		size_t len = le32(out.p + at + 1);
		const char *s = (const char *)out.p + at + 5;
		if (len > out.len - at - 5) {
			snprintf(why, whylen, "PDF extraction failed (output cut short)");
			rc = BIDX_EINPUT;
			break;
		}
		at += 5 + len;
		if (tag == 'E') {
			snprintf(why, whylen, "%.*s", (int)len, s);
			rc = BIDX_EINPUT;
		} else if (tag == 'T') {
			bidx_extract_set(x->title, s, len);
			bidx_extract_title_cut(x->title, "");
			if (file_name(x->title))
				x->title[0] = 0;
			snprintf(x->title_src, sizeof x->title_src, "PDF Title");
		} else if (tag == 'D') {
			bidx_extract_set(x->date, s, len);
			snprintf(x->date_src, sizeof x->date_src, "PDF CreationDate");
		} else if (tag == 'P') {
			if (bidx_grow((void **)&pages, &cap, n + 1, sizeof *pages) ||
			    bidx_grow((void **)&lens, &cap2, n + 1, sizeof *lens)) {
				rc = BIDX_ENOMEM;
				break;
			}
			pages[n] = s;
			lens[n++] = len;
		}
	}
	if (!rc && n == 0) {
		snprintf(why, whylen, "PDF has no pages");
		rc = BIDX_EINPUT;
	}
	if (!rc) {
		bidx_pdf_join_pages(pages, lens, n, x);
		rc = bidx_extract_status(x);
	}
	free(pages);
	free(lens);
	bidx_buf_free(&out);
	return rc;
}
