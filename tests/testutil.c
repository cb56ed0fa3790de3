#include "testutil.h"
#include "io.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int tu_no_shared(void)
{
	const char *v = getenv("BIDX_NO_SHARED");
	return v && *v && strcmp(v, "0") != 0;
}

const char *tu_corpus(const char *set)
{
	/* one buffer per set, so two sets can be held at once */
	static char names[8][32], bufs[8][4096];
	int slot = 0;
	while (slot < 8 && names[slot][0] && strcmp(names[slot], set))
		slot++;
	if (slot == 8)
		slot = 7;
	snprintf(names[slot], sizeof names[slot], "%s", set);
	char *buf = bufs[slot];
	struct stat st;
	if (!tu_no_shared()) {
		snprintf(buf, sizeof bufs[slot], "%s/%s", BIDX_SHARED_CORPUS, set);
		if (!stat(buf, &st) && S_ISDIR(st.st_mode))
			return buf;
	}
	snprintf(buf, sizeof bufs[slot], "%s/corpus/%s", BIDX_SOURCE_DIR, set);
	if (!stat(buf, &st) && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "note: shared corpus '%s' %s; using the bundled copy %s\n", set,
		        tu_no_shared() ? "hidden (BIDX_NO_SHARED)" : "not found beside the project",
		        buf);
		return buf;
	}
	return NULL;
}

char *tu_tmpdir(const char *tag)
{
	char tmpl[256];
	const char *base = getenv("TMPDIR");
	snprintf(tmpl, sizeof tmpl, "%s/bidx-%s-XXXXXX", base && *base ? base : "/tmp", tag);
	char *d = mkdtemp(tmpl);
	return d ? strdup(d) : NULL;
}

void tu_rmtree(const char *dir)
{
	char cmd[512];
	if (!dir || !*dir)
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: could not remove %s\n", dir);
}

char *tu_run(const char *cmd, int *status)
{
	FILE *p = popen(cmd, "r");
	size_t cap = 4096, n = 0;
	char *out = malloc(cap);
	if (!p || !out) {
		free(out);
		if (p)
			pclose(p);
		*status = -1;
		return NULL;
	}
	size_t r;
	while ((r = fread(out + n, 1, cap - n - 1, p)) > 0) {
		n += r;
		if (n + 1 == cap) {
			cap *= 2;
			char *no = realloc(out, cap);
			if (!no)
				break;
			out = no;
		}
	}
	out[n] = 0;
	int st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return out;
}

char *tu_sh(const char *dir, int *status, const char *fmt, ...)
{
	char cmd[8192], full[9000];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	snprintf(full, sizeof full, "cd '%s' && { %s ; } 2>&1", dir, cmd);
	char *out = tu_run(full, status);
	cr_assert(out, "cannot run %s", cmd);
	return out;
}

void tu_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert(f, "cannot create %s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len, "cannot write %s", path);
	cr_assert_eq(fclose(f), 0, "cannot write %s", path);
}

void tu_copy_file(const char *from, const char *to)
{
	char *data;
	size_t n;
	cr_assert_eq(bidx_read_file(from, &data, &n), BIDX_OK, "cannot read %s", from);
	tu_write_file(to, data, n);
	free(data);
}

void tu_base_names(char *lines, int width, char *out, size_t n)
{
	out[0] = 0;
	for (char *line = strtok(lines, "\n"); line; line = strtok(NULL, "\n")) {
		const char *base = strrchr(line, '/');
		base = base ? base + 1 : line;
		size_t l = strlen(out);
		snprintf(out + l, n - l, "%s%.*s", l ? " " : "", width > 0 ? width : (int)strlen(base),
		         base);
	}
}

/* --- numbers as people write them (the tests of variants.h) --- */

static const char *const tu_kdigit[10] = {"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"};

static int tu_starts(const char *s, const char *w)
{
	return !strncmp(s, w, strlen(w));
}

/* The value of the number at the start of s, and in *len its bytes (0
 * when s starts with none). */
unsigned long long tu_number_value(const char *s, size_t *len)
{
	static const struct { const char *w; unsigned long long v; } small[] = {
		{"十", 10}, {"百", 100}, {"千", 1000}}, big[] = {
		{"万", 10000ull}, {"億", 100000000ull}, {"兆", 1000000000000ull}};
	unsigned long long total = 0, section = 0;
	long long cur = -1;
	const char *p = s;
	for (;;) {
		int k, matched = 0;
		if (*p >= '0' && *p <= '9') {
			cur = (cur < 0 ? 0 : cur) * 10 + (*p++ - '0');
			continue;
		}
		if (*p == ',' && p > s && p[1] >= '0' && p[1] <= '9') {
			p++;
			continue;
		}
		for (k = 0; k < 10 && !matched; k++)
			if (tu_starts(p, tu_kdigit[k])) {
				cur = (cur < 0 ? 0 : cur) * 10 + k;
				p += strlen(tu_kdigit[k]);
				matched = 1;
			}
		for (k = 0; k < 3 && !matched; k++)
			if (tu_starts(p, small[k].w)) {
				section += (cur < 0 ? 1 : (unsigned long long)cur) * small[k].v;
				cur = -1;
				p += strlen(small[k].w);
				matched = 1;
			}
		for (k = 0; k < 3 && !matched && p > s; k++)
			if (tu_starts(p, big[k].w)) {
				section += cur < 0 ? 0 : (unsigned long long)cur;
				total += section * big[k].v;
				section = 0;
				cur = -1;
				p += strlen(big[k].w);
				matched = 1;
			}
		if (!matched)
			break;
	}
	*len = (size_t)(p - s);
	return total + section + (cur < 0 ? 0 : (unsigned long long)cur);
}

/* v written in one of the forms: 0 Arabic, 1 with digit-group commas,
 * 2 kanji numerals, 3 Arabic digits with the large units, 4 the same with
 * 千 for whole thousands (1万2千), 5 kanji digits one by one, 6 Arabic
 * digits with the large units and digit-group commas (1,200万). */
void tu_number_write(unsigned long long v, int form, char *out, size_t cap)
{
	static const char *const bigw[4] = {"兆", "億", "万", ""};
	static const unsigned long long pw[4] = {1000000000000ull, 100000000ull, 10000ull, 1};
	char digits[32];
	snprintf(digits, sizeof digits, "%llu", v);
	out[0] = 0;
	if (form == 0 || form == 5 || (form == 1 && v < 1000)) {
		for (const char *d = digits; *d; d++)
			strncat(out, form == 5 ? tu_kdigit[*d - '0'] : (char[2]){*d, 0}, cap - strlen(out) - 1);
		return;
	}
	if (form == 1) {
		size_t nd = strlen(digits);
		for (size_t i = 0; i < nd; i++) {
			if (i && (nd - i) % 3 == 0)
				strncat(out, ",", cap - strlen(out) - 1);
			strncat(out, (char[2]){digits[i], 0}, cap - strlen(out) - 1);
		}
		return;
	}
	for (int k = 0; k < 4; k++) {
		unsigned g = (unsigned)(v / pw[k] % 10000);
		char b[64] = "";
		if (!g)
			continue;
		if (form == 2) {
			static const char *const u[4] = {"千", "百", "十", ""};
			static const unsigned up[4] = {1000, 100, 10, 1};
			for (int i = 0; i < 4; i++) {
				unsigned d = g / up[i] % 10;
				if (d > 1 || (d == 1 && i == 3))
					strcat(b, tu_kdigit[d]);
				if (d && i < 3)
					strcat(b, u[i]);
			}
		} else if (form == 4 && g % 1000 == 0) {
			snprintf(b, sizeof b, "%u千", g / 1000);
		} else if (form == 6 && g >= 1000) {
			snprintf(b, sizeof b, "%u,%03u", g / 1000, g % 1000);
		} else {
			snprintf(b, sizeof b, "%u", g);
		}
		strncat(out, b, cap - strlen(out) - 1);
		strncat(out, bigw[k], cap - strlen(out) - 1);
	}
}
