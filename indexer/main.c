/* bidx - builds a bidx index.  Argument parsing and exit codes only. */
#include "build.h"
#include "pdf.h"
#include "check.h"
#include "format.h"
#include "json.h"
#include "notice.h"
#include "ostream.h"
#include "termsafe.h"

#include <stdio.h>
#include <stdlib.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: bidx build [-i DIR] [-j N] [-v] [-q] [--json] [--full] [--optimize]\n"
	"                  [--follow] [--map COL=FIELD]... [--exclude GLOB]...\n"
	"                  [--replace] [CORPUS...]\n"
	"       bidx remove [-i DIR] [-q] [--json] CORPUS...\n"
	"       bidx optimize [-i DIR] [-q] [--json]\n"
	"       bidx check [-i DIR] [--json]\n"
	"       bidx --help | --version\n";

static const char help[] =
	"bidx: build a full-text index of Japanese notices.\n"
	"\n"
	"  bidx build [options] CORPUS...\n"
	"      Index the files and directories CORPUS (walked recursively; hidden\n"
	"      entries are left out; a file reached by several paths is indexed\n"
	"      once). Symbolic links are followed when they lead inside a CORPUS\n"
	"      argument, else skipped with a notice (see --follow). Plain-text\n"
	"      notices (.txt, .md) are indexed one per file; CSV (.csv) and JSON\n"
	"      Lines (.jsonl, .ndjson) one per record, shown as FILE:LINE; HTML\n"
	"      pages (.html, .htm, .xhtml, and .txt files that are HTML), PDF files\n"
	"      (.pdf) and Word documents (.docx) one per file, their content only\n"
	"      (no navigation, footers or scripts); PDFs are read in a separate\n"
	"      process with time and memory limits. Other files are skipped with a\n"
	"      one-line notice, and so is a bad record (FILE:LINE: what; skipped).\n"
	"      A repeated CSV column or JSON key keeps its first value, with a\n"
	"      notice. Control characters in names and cells are shown as \\x1b,\n"
	"      \\u{202e}.\n"
	"      Fields (title, date, org, category, body) come from columns named in\n"
	"      Japanese or English (記事タイトル/title, 公開日/date, 自治体名/org,\n"
	"      カテゴリ/category, 本文/body...); other columns are extra fields\n"
	"      searchable by name. Encodings are detected and converted (UTF-8 with\n"
	"      or without BOM, UTF-16 with BOM, Shift_JIS/CP932, EUC-JP,\n"
	"      ISO-2022-JP); empty, binary, undecodable, unreadable or too large\n"
	"      (> 256 MB) files are skipped with a notice and counted.\n"
	"      Over an existing index, only files that are new or changed (size and\n"
	"      mtime, then an XXH3 of the bytes) are analysed; the documents of\n"
	"      changed and vanished files are deleted, and small segments are merged\n"
	"      (size-tiered). The answers are those of a build from scratch.\n"
	"      The new state is published atomically: a build that fails or is\n"
	"      killed leaves the previous index as it was.\n"
	"      Files are stored under their absolute paths (bsearch shows them\n"
	"      relative to where it runs when below it). Index directories (a bidx\n"
	"      manifest or seg-NNNNNN.bidx files in them) are never walked into.\n"
	"      A .bidxignore file (gitignore syntax: *, ?, [...], **, a leading /\n"
	"      anchors, a trailing / matches folders, ! re-includes, # comments)\n"
	"      leaves files and folders out of its folder and below, silently; an\n"
	"      ignored file that was indexed is removed by the next build.\n"
	"      The index remembers its corpus roots: with no CORPUS, the build\n"
	"      updates from them; a CORPUS not among them is added (said on\n"
	"      stderr). Roots leave only by --replace or `bidx remove`; what a\n"
	"      build removes from the index is said on stderr and in the summary.\n"
	"\n"
	"options (--index=DIR, --index DIR, -iDIR and -i DIR are the same; flags\n"
	"bundle, -vq; options and paths may mix; -- ends the options):\n"
	"  -i, --index DIR   index directory (default: $BIDX_INDEX, else ./index)\n"
	"  -j, --threads N   analysis threads (default: one per CPU)\n"
	"  -v, --verbose     a line for every file indexed\n"
	"  -q, --quiet       no summary (notices about skipped files still go to stderr)\n"
	"      --json        print the summary as one JSON object\n"
	"      --map COL=FIELD  read column COL as FIELD (title, date, org, category,\n"
	"                    body in any case or a column alias, or a new extra-field\n"
	"                    name of letters, digits, _ and -; derived fields such as\n"
	"                    affected are refused); repeatable; a COL that no CSV\n"
	"                    or JSON Lines record has is refused (exit status 2, the\n"
	"                    index unchanged) with the columns there are\n"
	"      --exclude GLOB  leave out what GLOB matches, as a .bidxignore line at\n"
	"                    each CORPUS root (wins over a .bidxignore's !); repeatable\n"
	"      --full        analyse every file again, reusing nothing\n"
	"      --follow      follow every symbolic link, also out of the corpus (files\n"
	"                    of /proc, /sys and devices are never read)\n"
	"      --optimize    finish with one segment (as `bidx optimize`)\n"
	"      --replace     the CORPUS paths become the roots; the files of the\n"
	"                    others are removed from the index\n"
	"  -h, --help        this help\n"
	"      --version     the version\n"
	"\n"
	"  bidx remove [-i DIR] [-q] [--json] CORPUS...\n"
	"      Drop the roots CORPUS (and the roots below them) from the index and\n"
	"      update it from the roots left.\n"
	"\n"
	"  bidx optimize [-i DIR] [-q] [--json]\n"
	"      Merge every segment into one and drop deleted documents, without\n"
	"      reading the corpus (queries are fastest on one segment); the summary\n"
	"      says how many segments were merged.\n"
	"\n"
	"  bidx check [-i DIR] [--json]\n"
	"      Verify the index: the manifest and every segment's checksums and\n"
	"      structural invariants (terms sorted, postings inside their section,\n"
	"      doc ids in range, positions inside the documents, stored texts\n"
	"      decompress, live totals). Prints one\n"
	"      line per problem saying where it is, then a summary; with --json one\n"
	"      object per problem and a summary object. Exit status 0 sound,\n"
	"      1 problems found, 2 no index or it cannot be read (or the report\n"
	"      cannot be written).\n"
	"\n"
	"environment: BIDX_INDEX (index directory), BIDX_MECAB_DICDIR (MeCab dictionary),\n"
	"      BIDX_USERDIC (user dictionary, default dict/bidx.dic beside the program; none)\n"
	"exit status: 0 built, 2 error (nothing was changed; or the summary could not\n"
	"      be written, as the message says); a closed pipe is no error\n";

/* The options of every command, one table for getopt_long (`--opt=value`,
 * `--opt value`, `-j4`, `-j 4`, bundled flags `-vq`); each command says
 * which of them it takes. */
enum { O_JSON = 256, O_MAP, O_FULL, O_FOLLOW, O_OPTIMIZE, O_REPLACE, O_EXCLUDE };

static const char shortopts[] = "+:i:j:vqh";

static const struct option longopts[] = {
	{"index", required_argument, NULL, 'i'},
	{"threads", required_argument, NULL, 'j'},
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"json", no_argument, NULL, O_JSON},
	{"map", required_argument, NULL, O_MAP},
	{"full", no_argument, NULL, O_FULL},
	{"follow", no_argument, NULL, O_FOLLOW},
	{"exclude", required_argument, NULL, O_EXCLUDE},
	{"optimize", no_argument, NULL, O_OPTIMIZE},
	{"replace", no_argument, NULL, O_REPLACE},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* The options each command takes (the codes of longopts). */
static const int build_takes[] = {'i', 'j', 'v', 'q', O_JSON, O_MAP, O_FULL, O_FOLLOW,
                                  O_EXCLUDE, O_OPTIMIZE, O_REPLACE, 'h', 0};
static const int remove_takes[] = {'i', 'j', 'v', 'q', O_JSON, O_FOLLOW, 'h', 0};
static const int optimize_takes[] = {'i', 'q', O_JSON, 'h', 0};
static const int check_takes[] = {'i', O_JSON, 'h', 0};

/* The name of option code c as typed: "-i (--index)" or "--json". */
static void opt_name(char *out, size_t n, int c)
{
	const char *lname = "?";
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == c)
			lname = o->name;
	if (c < 256)
		snprintf(out, n, "-%c (--%s)", c, lname);
	else
		snprintf(out, n, "--%s", lname);
}

/* Reads the options of command `cmd` (argv[0] is the command's name) into
 * handle(c, optarg, ctx), and leaves the other arguments (the corpus) in
 * words[]: options and paths may mix, `--` ends the options.  Returns 0, 1
 * after --help, or 2 on a bad option (said on stderr). */
static int each_option(const char *cmd, const int *takes, int argc, char **argv,
                       int (*handle)(int c, const char *v, void *ctx), void *ctx,
                       const char **words, int *nwords)
{
	opterr = 0;
	optind = 1;
	*nwords = 0;
	while (optind < argc) {
		const char *s = argv[optind];
		if (!strcmp(s, "--")) {
			while (++optind < argc)
				words[(*nwords)++] = argv[optind];
			break;
		}
		if (s[0] != '-' || !s[1]) {
			words[(*nwords)++] = s;
			optind++;
			continue;
		}
		optopt = 0;
		int c = getopt_long(argc, argv, shortopts, longopts, NULL);
		if (c == -1)
			break;
		char name[128];
		if (c == '?' || c == ':') {
			if (optopt > 0 && optopt < 256)
				snprintf(name, sizeof name, "-%c", optopt);
			else
				snprintf(name, sizeof name, "%.*s", (int)strcspn(argv[optind - 1], "="),
				         argv[optind - 1]);
			bidx_ts_msg(stderr, c == ':' ? "bidx %s: %s needs a value"
			                             : "bidx %s: unknown option %s", cmd, name);
			fputs(usage, stderr);
			return 2;
		}
		int ok = 0;
		for (int k = 0; takes[k]; k++)
			ok |= takes[k] == c;
		if (!ok) {
			opt_name(name, sizeof name, c);
			bidx_ts_msg(stderr, "bidx %s: %s is not an option of %s", cmd, name, cmd);
			fputs(usage, stderr);
			return 2;
		}
		if (c == 'h') {
			bidx_ostream_puts(help);
			return 1;
		}
		int rc = handle(c, optarg, ctx);
		if (rc)
			return rc;
	}
	return 0;
}

typedef struct build_args {
	bidx_build_opts o;
	bidx_colmap *map;    /* o.map, writable */
	const char **exclude;   /* o.exclude, writable: pointers into argv */
	int quiet, json;
} build_args;

static int build_option(int c, const char *v, void *ctx)
{
	build_args *b = ctx;
	char why[512];
	char *end;
	long nt;
	switch (c) {
	case 'i':
		b->o.index_dir = v;
		break;
	case 'j':
		nt = strtol(v, &end, 10);
		if (!*v || *end || nt < 1 || nt > 64) {
			bidx_ts_msg(stderr, "bidx: -j (--threads) wants a number of threads (1-64), "
			            "not '%s'", v);
			return 2;
		}
		b->o.threads = (int)nt;
		break;
	case 'v':
		b->o.verbose = 1;
		break;
	case 'q':
		b->quiet = 1;
		break;
	case O_JSON:
		b->json = 1;
		break;
	case O_FULL:
		b->o.full = 1;
		break;
	case O_FOLLOW:
		b->o.follow = 1;
		break;
	case O_EXCLUDE:
		if (!*v) {
			bidx_ts_msg(stderr, "bidx: --exclude wants a glob (gitignore syntax), not ''");
			return 2;
		}
		b->exclude[b->o.nexclude++] = v;
		b->o.exclude = b->exclude;
		break;
	case O_OPTIMIZE:
		b->o.optimize = 1;
		break;
	case O_REPLACE:
		b->o.mode = BIDX_BUILD_REPLACE;
		break;
	case O_MAP:
		switch (bidx_colmap_add(b->map, v, why, sizeof why)) {
		case 0:
			break;
		case -2:
			bidx_ts_msg(stderr, "bidx: %s", why);
			return 2;
		default:
			bidx_ts_msg(stderr, "bidx: --map wants COL=FIELD (at most 32), not '%s'", v);
			return 2;
		}
		break;
	}
	return 0;
}

static void print_summary(const bidx_build_stats *st, const char *dir, int json, int optimize)
{
	if (json) {
		printf("{\"documents\":%llu,\"analysed\":%llu,\"added\":%llu,\"updated\":%llu,"
		       "\"removed\":%llu,\"removed_roots\":%llu,\"unchanged\":%llu,\"skipped\":%llu,\"bytes\":%llu,"
		       "\"corpus_bytes\":%llu,\"terms\":%llu,\"segments\":%u,\"merged\":%u,"
		       "\"published\":%s,\"seconds\":%.3f,\"index_bytes\":%llu,\"index\":",
		       (unsigned long long)st->live_docs, (unsigned long long)st->docs,
		       (unsigned long long)st->added, (unsigned long long)st->updated,
		       (unsigned long long)st->removed, (unsigned long long)st->removed_roots,
		       (unsigned long long)st->unchanged,
		       (unsigned long long)st->skipped, (unsigned long long)st->bytes,
		       (unsigned long long)st->corpus_bytes, (unsigned long long)st->terms,
		       st->segments, st->merged, st->published ? "true" : "false", st->seconds,
		       (unsigned long long)st->index_bytes);
		bidx_json_str(stdout, dir, strlen(dir));
		fputs("}\n", stdout);
		return;
	}
	if (optimize && !st->merged)   /* `bidx optimize` reads no files: say what it did */
		printf("optimize: nothing to merge (one segment, no deleted documents) in %.2f s\n",
		       st->seconds);
	else if (optimize)
		printf("optimize: merged %u segment%s into %u in %.2f s\n", st->merged + st->segments,
		       st->merged + st->segments == 1 ? "" : "s", st->segments, st->seconds);
	else {
		printf("files: %llu added, %llu updated, %llu removed", (unsigned long long)st->added,
		       (unsigned long long)st->updated, (unsigned long long)st->removed);
		if (st->removed)   /* which, the lines on stderr say */
			printf(" (%llu of roots dropped, %llu no longer found)",
			       (unsigned long long)st->removed_roots,
			       (unsigned long long)(st->removed - st->removed_roots));
		printf(", %llu unchanged; skipped %llu\n", (unsigned long long)st->unchanged,
		       (unsigned long long)st->skipped);
		printf("analysed %llu documents (%.1f MB) in %.2f s, %.1f MB/s\n",
		       (unsigned long long)st->docs, st->bytes / 1e6, st->seconds,
		       st->seconds > 0 ? st->bytes / 1e6 / st->seconds : 0.0);
	}
	fputs("index ", stdout);
	bidx_ts_write(stdout, dir, strlen(dir));
	printf(": %llu documents, %u segment%s%s, %.1f MB (%.0f%% of the corpus), "
	       "%llu terms%s\n", (unsigned long long)st->live_docs, st->segments,
	       st->segments == 1 ? "" : "s", st->merged ? " after merging" : "",
	       st->index_bytes / 1e6,
	       st->corpus_bytes ? 100.0 * st->index_bytes / st->corpus_bytes : 0.0,
	       (unsigned long long)st->terms, st->published ? "" : " (up to date: nothing written)");
}

/* Said after a write error on stdout when a build did publish an index. */
static char published[600];

/* `bidx build` (optimize 0) and `bidx optimize` (1). */
static int cmd_build(int argc, char **argv, bidx_build_mode mode)
{
	static bidx_colmap map;
	build_args b = {0};
	int optimize = mode == BIDX_BUILD_OPTIMIZE;
	b.o.map = b.map = &map;
	int n = 0;
	const char **paths = calloc((size_t)argc + 1, sizeof *paths);
	if (!paths)
		return 2;
	b.o.index_dir = getenv("BIDX_INDEX");
	if (!b.o.index_dir || !*b.o.index_dir)
		b.o.index_dir = "index";
	b.o.msg = stderr;
	b.o.progress = isatty(STDERR_FILENO);
	b.o.optimize = optimize;
	b.o.mode = mode;
	b.exclude = calloc((size_t)argc + 1, sizeof *b.exclude);   /* at most one per argument */
	if (!b.exclude) {
		free(paths);
		return 2;
	}
	int pr = each_option(argv[0], optimize ? optimize_takes : mode == BIDX_BUILD_REMOVE ?
	                     remove_takes : build_takes, argc, argv, build_option, &b, paths, &n);
	if (pr) {
		free(paths);
		free(b.exclude);
		return pr == 1 ? 0 : 2;
	}
	bidx_build_opts o = b.o;
	int quiet = b.quiet, json = b.json;
	if (n == 0 && o.mode != BIDX_BUILD_ADD && !optimize) {
		fprintf(stderr, "bidx %s: no corpus given\n%s", mode == BIDX_BUILD_REMOVE ?
		        "remove" : "build --replace", usage);
		free(paths);
		free(b.exclude);
		return 2;
	}
	if (n && optimize) {
		fprintf(stderr, "bidx optimize: takes no corpus (it merges the index as it is)\n%s",
		        usage);
		free(paths);
		free(b.exclude);
		return 2;
	}
	bidx_build_stats st;
	char why[512];
	bidx_err rc = bidx_build(paths, n, &o, &st, why, sizeof why);
	free(paths);
	free(b.exclude);
	if (rc) {
		bidx_ts_msg(stderr, "bidx: %s", why);
		return 2;
	}
	if (!quiet)
		print_summary(&st, o.index_dir, json, optimize);
	if (st.published) {   /* in place, whatever happens to the summary */
		char dir[512];
		bidx_ts_render(dir, sizeof dir, o.index_dir, strlen(o.index_dir));
		snprintf(published, sizeof published, "the index in %s was built", dir);
	}
	return 0;
}

typedef struct check_out {
	const char *dir;         /* the index directory, for messages */
	int json;
} check_out;

static void on_problem(const char *file, const char *section, const char *msg, void *arg)
{
	const check_out *o = arg;
	if (o->json) {
		fputs("{\"file\":", stdout);
		bidx_json_str(stdout, file, strlen(file));
		fputs(",\"section\":", stdout);
		bidx_json_str(stdout, section, strlen(section));
		fputs(",\"problem\":", stdout);
		bidx_json_str(stdout, msg, strlen(msg));
		fputs("}\n", stdout);
	} else {
		bidx_ts_msg(stdout, "%s/%s: %s: %s", o->dir, file, section, msg);
	}
}

static int check_option(int c, const char *v, void *ctx)
{
	check_out *o = ctx;
	if (c == 'i')
		o->dir = v;
	else if (c == O_JSON)
		o->json = 1;
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	check_out o = {getenv("BIDX_INDEX"), 0};
	if (!o.dir || !*o.dir)
		o.dir = "index";
	const char **words = calloc((size_t)argc + 1, sizeof *words);
	int nw = 0;
	if (!words)
		return 2;
	int pr = each_option("check", check_takes, argc, argv, check_option, &o, words, &nw);
	if (!pr && nw) {
		bidx_ts_msg(stderr, "bidx check: unexpected argument %s", words[0]);
		fputs(usage, stderr);
		pr = 2;
	}
	free(words);
	if (pr)
		return pr == 1 ? 0 : 2;
	const char *dir = o.dir;
	char why[512], file[600];
	bidx_ts_render(file, sizeof file, dir, strlen(dir));   /* for the summary lines */
	bidx_check_stats st;
	bidx_err rc = bidx_check(dir, on_problem, &o, 100, &st, why, sizeof why);
	if (rc) {
		bidx_ts_msg(stderr, "bidx check: %s: %s", dir, why);
		return 2;
	}
	if (o.json) {
		fputs("{\"index\":", stdout);
		bidx_json_str(stdout, dir, strlen(dir));
		printf(",\"ok\":%s,\"problems\":%llu,\"segments\":%u,\"documents\":%u,"
		       "\"documents_checked\":%u,\"terms\":%llu,"
		       "\"postings\":%llu,\"bytes\":%llu,\"content_checked\":%s}\n",
		       st.problems ? "false" : "true", (unsigned long long)st.problems, st.segments,
		       st.live_docs, st.docs,
		       (unsigned long long)st.terms, (unsigned long long)st.postings,
		       (unsigned long long)st.file_bytes, st.content_checked ? "true" : "false");
	} else if (st.problems) {
		if (st.problems > 100)
			printf("%s: ... and %llu more\n", file, (unsigned long long)(st.problems - 100));
		printf("%s: %llu problem%s found; rebuild the index with `bidx build --full`\n", file,
		       (unsigned long long)st.problems, st.problems == 1 ? "" : "s");
	} else {
		printf("%s: ok: %u documents in %u segment%s (%u checked), %llu terms, %llu postings, "
		       "%.1f MB; every checksum and invariant verified%s\n", file, st.live_docs,
		       st.segments, st.segments == 1 ? "" : "s", st.docs, (unsigned long long)st.terms,
		       (unsigned long long)st.postings, st.file_bytes / 1e6,
		       st.content_checked ? ", postings compared with the texts" : "");
	}
	return st.problems ? 1 : 0;
}

static int run(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		bidx_ostream_puts(help);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("bidx %s (index format %u)\n", BIDX_VERSION, BIDX_FORMAT_VERSION);
		return 0;
	}
	/* the PDF extraction child (analysis/pdf.h); not for users */
	if (!strcmp(argv[1], "--extract-pdf") && argc == 3)
		return bidx_pdf_child_main(argv[2]);
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "build"))
		return cmd_build(argc - 1, argv + 1, BIDX_BUILD_ADD);
	if (!strcmp(argv[1], "remove"))
		return cmd_build(argc - 1, argv + 1, BIDX_BUILD_REMOVE);
	if (!strcmp(argv[1], "optimize"))
		return cmd_build(argc - 1, argv + 1, BIDX_BUILD_OPTIMIZE);
	bidx_ts_msg(stderr, "bidx: unknown command '%s'", argv[1]);
	fputs(usage, stderr);
	return 2;
}

int main(int argc, char **argv)
{
	bidx_ostream_init();
	int status = run(argc, argv);
	return bidx_ostream_close("bidx", "to standard output", published[0] ? published : NULL,
	                          status);
}
