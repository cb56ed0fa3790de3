/* bidx - builds a bidx index.  Argument parsing and exit codes only. */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: bidx build [-i DIR] [-v] [-q] [--json] CORPUS...\n"
	"       bidx --help | --version\n";

static const char help[] =
	"bidx: build a full-text index of Japanese notices.\n"
	"\n"
	"  bidx build [options] CORPUS...\n"
	"      Index the files and directories CORPUS (walked recursively; hidden\n"
	"      entries are left out). UTF-8 .txt and .md files are indexed; other\n"
	"      files are skipped with a one-line notice. The new index replaces the\n"
	"      previous one atomically: a build that fails or is killed leaves the\n"
	"      previous index as it was.\n"
	"\n"
	"options:\n"
	"  -i, --index DIR   index directory (default: $BIDX_INDEX, else ./index)\n"
	"  -v, --verbose     a line for every file indexed\n"
	"  -q, --quiet       no summary (notices about skipped files still go to stderr)\n"
	"      --json        print the summary as one JSON object\n"
	"  -h, --help        this help\n"
	"      --version     the version\n"
	"\n"
	"environment: BIDX_INDEX (index directory), BIDX_MECAB_DICDIR (MeCab dictionary)\n"
	"exit status: 0 built, 2 error (nothing was changed)\n";

static const char *opt_value(int *i, int argc, char **argv)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "bidx: %s needs a value\n%s", argv[*i], usage);
		exit(2);
	}
	return argv[++*i];
}

static void print_summary(const bidx_build_stats *st, const char *dir, int json)
{
	if (json) {
		printf("{\"documents\":%llu,\"skipped\":%llu,\"bytes\":%llu,\"terms\":%llu,"
		       "\"seconds\":%.3f,\"index_bytes\":%llu,\"index\":\"%s/index.bidx\"}\n",
		       (unsigned long long)st->docs, (unsigned long long)st->skipped,
		       (unsigned long long)st->bytes, (unsigned long long)st->terms, st->seconds,
		       (unsigned long long)st->index_bytes, dir);
		return;
	}
	printf("indexed %llu documents (%.1f MB) in %.2f s, %.1f MB/s; skipped %llu\n",
	       (unsigned long long)st->docs, st->bytes / 1e6, st->seconds,
	       st->seconds > 0 ? st->bytes / 1e6 / st->seconds : 0.0,
	       (unsigned long long)st->skipped);
	printf("index %s/index.bidx: %.1f MB (%.0f%% of the corpus), %llu terms\n", dir,
	       st->index_bytes / 1e6, st->bytes ? 100.0 * st->index_bytes / st->bytes : 0.0,
	       (unsigned long long)st->terms);
}

static int cmd_build(int argc, char **argv)
{
	bidx_build_opts o = {0};
	int quiet = 0, json = 0, n = 0;
	const char **paths = calloc((size_t)argc + 1, sizeof *paths);
	if (!paths)
		return 2;
	o.index_dir = getenv("BIDX_INDEX");
	if (!o.index_dir || !*o.index_dir)
		o.index_dir = "index";
	o.msg = stderr;
	o.progress = isatty(STDERR_FILENO);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-i") || !strcmp(a, "--index"))
			o.index_dir = opt_value(&i, argc, argv);
		else if (!strncmp(a, "--index=", 8))
			o.index_dir = a + 8;
		else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
			o.verbose = 1;
		else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
			quiet = 1;
		else if (!strcmp(a, "--json"))
			json = 1;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(help, stdout);
			free(paths);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "bidx: unknown option %s\n%s", a, usage);
			free(paths);
			return 2;
		} else
			paths[n++] = a;
	}
	if (n == 0) {
		fprintf(stderr, "bidx build: no corpus given\n%s", usage);
		free(paths);
		return 2;
	}
	bidx_build_stats st;
	char why[512];
	bidx_err rc = bidx_build(paths, n, &o, &st, why, sizeof why);
	free(paths);
	if (rc) {
		fprintf(stderr, "bidx: %s\n", why);
		return 2;
	}
	if (!quiet)
		print_summary(&st, o.index_dir, json);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(help, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("bidx %s (index format 1)\n", BIDX_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "build"))
		return cmd_build(argc - 2, argv + 2);
	fprintf(stderr, "bidx: unknown command '%s'\n%s", argv[1], usage);
	return 2;
}
