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
