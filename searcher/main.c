/* bsearch - searches a bidx index.  Argument parsing and exit codes only. */
#include "output.h"
#include "notices.h"
#include "query_eval.h"
#include "fieldname.h"
#include "format.h"
#include "index.h"
#include "ostream.h"
#include "query_parse.h"
#include "question.h"
#include "serve.h"
#include "synonyms.h"
#include "termsafe.h"

#include <stdio.h>
#include <stdlib.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: bsearch [-i DIR] [--json] [-l [--records] [-0] | -c] [-n N] [--offset K]\n"
	"               [--sort ORDER] [--facet FIELD[,FIELD...]] [--color WHEN] [--exact]\n"
	"               [--explain] [--any] [--format csv|tsv] [--group] QUERY\n"
	"       bsearch [-i DIR] [--json] --show PATH|PATH:LINE|DOC\n"
	"       bsearch [-i DIR] --serve [ADDR:]PORT [--log-queries]\n"
	"       bsearch --help | --version\n";

static const char help[] =
	"bsearch: search a bidx index of Japanese notices.\n"
	"\n"
	"  bsearch [options] QUERY\n"
	"\n"
	"query syntax:\n"
	"  個人情報 漏えい        both words (AND); each word matches as one contiguous\n"
	"                        string, found inside words too (grep -F semantics)\n"
	"  \"PCI DSS\"             a phrase with spaces in it\n"
	"  カード OR 口座         either word (OR binds tighter than AND: a b OR c = a (b OR c))\n"
	"  不正アクセス -試験     NOT: leave out documents with the word (a query word\n"
	"                        that starts with '-' is NOT; when a Latin letter\n"
	"                        follows it, -date:2016, put -- before the query:\n"
	"                        bsearch -- 不正アクセス -date:2016)\n"
	"  (カード OR 口座) 流出  grouping\n"
	"  Full-width and half-width forms, and upper and lower case, match each other\n"
	"  (Unicode NFKC with case folding); line breaks inside Japanese are ignored;\n"
	"  spelling variants match each other (漏洩 = 漏えい, サーバ = サーバー,\n"
	"  問合せ = 問い合わせ).\n"
	"  Synonyms: a word of a group of dict/synonyms.txt (流出 漏えい) also finds\n"
	"  the other words of its group, scored with the word as one term (an\n"
	"  occurrence of a synonym counts half as much); --exact\n"
	"  turns that off.  The table is read at each query ($BIDX_SYNONYMS names\n"
	"  another, none for no table); when none is found, stderr says so.\n"
	"\n"
	"fields (a query may be only fields):\n"
	"  title:お詫び  org:九州商船  category:イベント  leaked:セキュリティコード\n"
	"  method:インジェクション  authority:警察    text fields match like body text\n"
	"  kind:incident   incident, notice, news or other (kind.h's rules)\n"
	"  incident:ID     every report of one incident (the id --json shows)\n"
	"  date:2016  date:2018-01..2019-03  date:>=2020-01-01  date:平成28年\n"
	"  date:令和6年度 (April-March)  date:R6  date:2024.11  date:2016-2018\n"
	"  affected:>=10000  affected:1000..50000   affected people or records\n"
	"  NAME:value       any other field by its name (url:, phone:, email:,\n"
	"                   period:, a CSV column name)\n"
	"  org:(九州商船 OR カゴヤ)  a field over a group: org:九州商船 OR org:カゴヤ\n"
	"  Names match in any case (TITLE:), and a CSV column's name is an alias of\n"
	"  its field (タイトル:, 自治体名:). A name that is no field is searched as\n"
	"  text; stderr warns when it looks like a misspelt field (ASCII letters\n"
	"  only, not a URL scheme such as http:, value not starting with //).\n"
	"\n"
	"options (--limit=3, --limit 3, -n3 and -n 3 are the same; flags bundle, -l0;\n"
	"options and query words may mix; -- ends the options):\n"
	"  -i, --index DIR   index directory (default: $BIDX_INDEX, else ./index)\n"
	"  -n, --limit N     show N hits (default 10; 0: only the count and facets)\n"
	"      --offset K    skip the first K hits (paging)\n"
	"      --json        one JSON object per hit: rank, doc, score, path (as -l\n"
	"                    shows it; FILE:LINE for a record), abspath, title,\n"
	"                    snippet, snippet_truncated, snippet_marks and matches\n"
	"                    (byte ranges), fields, kind and kind_cues,\n"
	"                    affected_counts, events, incident; then a last line\n"
	"                    {\"total\":N,\"took_us\":T,\"query\":Q} with \"facets\" when\n"
	"                    asked; with -l each path a JSON string, with -c\n"
	"                    {\"count\":N} (every shape: docs/JSON.md)\n"
	"  -l, --files       print the files of all matching documents, best first,\n"
	"                    each once; relative to the current directory when below\n"
	"                    it, else absolute (the index stores absolute paths)\n"
	"      --records     as -l, but FILE:LINE for each matching CSV/JSONL record\n"
	"  -0, --null        with -l: end each path with a NUL byte instead of a\n"
	"                    newline, and print it exactly as it is\n"
	"  -c, --count       print the number of matching documents (not with -l)\n"
	"      --sort ORDER  relevance (default), date (oldest first), -date (newest\n"
	"                    first) or affected (largest first)\n"
	"      --facet LIST  count org, category, year, leaked, method, authority or\n"
	"                    any field over all hits (comma-separated); an unknown\n"
	"                    name is refused with the list of known ones\n"
	"      --format FMT  csv or tsv: a header, then one row per hit (path, title,\n"
	"                    date, org, kind, affected, leaked, method, authority)\n"
	"      --group       one hit per incident, its reports listed under it;\n"
	"                    --facet then counts incidents, not reports\n"
	"      --show SPEC   print one stored document whole with its fields: its\n"
	"                    path (FILE or FILE:LINE) or its doc id from --json\n"
	"      --exact       no synonyms: each word matches only itself\n"
	"      --explain     under each hit (--json: an \"explain\" member) the parts of\n"
	"                    its score: per word, occurrences by kind and field, tf, idf,\n"
	"                    synonyms' part of tf, length norm, summing to the score\n"
	"      --any         best match: QUERY is a question as people type it; its\n"
	"                    content words are found in all their forms (持って =\n"
	"                    持つ, a compound and its parts, ゴミ = ごみ) and with\n"
	"                    words of the same meaning (dict/thesaurus.txt: 国保 =\n"
	"                    国民健康保険), and documents rank by\n"
	"                    how many of them, and how rare, they have, title first;\n"
	"                    --json adds matched_words to each hit\n"
	"      --color WHEN  auto (default: on a terminal, unless NO_COLOR is set),\n"
	"                    always or never; without colour matches are in [brackets]\n"
	"      --serve [ADDR:]PORT  serve the index read-only over HTTP (default\n"
	"                    127.0.0.1:8080; port 0 picks a free one): the search page\n"
	"                    at /, JSON at /api/search?q=...&n=&offset=&sort=&facet=&exact=1,\n"
	"                    /api/doc?id=, /api/facets?field=, /api/health; a rebuilt\n"
	"                    index is picked up without a restart; SIGINT/SIGTERM stop it\n"
	"      --log-queries with --serve, put the query text in the request log\n"
	"  -h, --help        this help\n"
	"      --version     the version\n"
	"\n"
	"output: control characters and invisible format characters (bidi\n"
	"overrides, zero-width spaces) in titles, snippets, fields and paths are\n"
	"shown as \\x1b or \\u{202e}; --json escapes them, -l -0 prints paths raw.\n"
	"ranking: BM25 over MeCab words; title matches weigh more, and a match that\n"
	"is a whole word ranks above one inside a longer word.\n"
	"A plain query (no operator, no field) that matches nothing exactly shows the\n"
	"best matches for its words instead, under a line saying so (human output\n"
	"only: -l, -c and --json never switch to it), and still exits 1.\n"
	"exit status: 0 some document matched, 1 none matched (exactly, or with\n"
	"--any none had any word), 2 error (a write error included; a reader that\n"
	"stops reading, as head does, is none)\n";

typedef struct args {
	const char *index_dir;
	const char *query;
	bidx_outopts out;
	const char *color;
	int exact;            /* --exact: no synonyms */
	int any;              /* --any: best match for a question */
	int serve;            /* --serve: run the HTTP service (serve.h) */
	const char *show;     /* --show SPEC: print one document */
	int json, files, count;   /* --json, -l, -c (--json goes with -l and -c) */
	int format;           /* --format: BIDX_OUT_CSV or BIDX_OUT_TSV, else 0 */
	bidx_serve_opts srv;
} args;

static int parse_uint(const char *opt, const char *s, uint32_t *v)
{
	char *end;
	unsigned long long x = strtoull(s, &end, 10);
	if (!*s || *end || s[0] == '-' || x > 100000000ULL) {
		bidx_ts_msg(stderr, "bsearch: %s wants a number, not '%s'", opt, s);
		return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

/* Splits a comma-separated facet list (kept in a static copy). */
static int add_facets(args *a, const char *list)
{
	static char buf[1024];
	size_t used = strlen(buf);
	if (used + strlen(list) + 2 > sizeof buf) {
		fprintf(stderr, "bsearch: --facet list too long\n");
		return -1;
	}
	char *p = buf + used + (used ? 1 : 0);
	strcpy(p, list);
	for (char *tok = strtok(p, ","); tok; tok = strtok(NULL, ",")) {
		if (a->out.nfacets == BIDX_MAX_FACETS) {
			fprintf(stderr, "bsearch: at most %d facets\n", BIDX_MAX_FACETS);
			return -1;
		}
		a->out.facets[a->out.nfacets++] = tok;
	}
	return 0;
}

/* The options, one table for getopt_long (`--opt=value`, `--opt value`,
 * `-n3`, `-n 3`, bundled flags `-l0`).  Long options without a short form
 * get codes past the byte range. */
enum {
	O_OFFSET = 256, O_SORT, O_FACET, O_COLOR, O_SERVE, O_LOG_QUERIES, O_ANY, O_EXACT, O_JSON,
	O_VERSION, O_RECORDS, O_FORMAT, O_GROUP, O_SHOW, O_EXPLAIN,
};

static const char shortopts[] = "+:i:n:lc0h";

static const struct option longopts[] = {
	{"index", required_argument, NULL, 'i'},
	{"limit", required_argument, NULL, 'n'},
	{"offset", required_argument, NULL, O_OFFSET},
	{"json", no_argument, NULL, O_JSON},
	{"files", no_argument, NULL, 'l'},
	{"null", no_argument, NULL, '0'},
	{"count", no_argument, NULL, 'c'},
	{"sort", required_argument, NULL, O_SORT},
	{"facet", required_argument, NULL, O_FACET},
	{"exact", no_argument, NULL, O_EXACT},
	{"any", no_argument, NULL, O_ANY},
	{"color", required_argument, NULL, O_COLOR},
	{"serve", optional_argument, NULL, O_SERVE},
	{"log-queries", no_argument, NULL, O_LOG_QUERIES},
	{"records", no_argument, NULL, O_RECORDS},
	{"format", required_argument, NULL, O_FORMAT},
	{"group", no_argument, NULL, O_GROUP},
	{"show", required_argument, NULL, O_SHOW},
	{"explain", no_argument, NULL, O_EXPLAIN},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, O_VERSION},
	{NULL, 0, NULL, 0},
};

/* 1 when s, which starts with '-', is a NOT word of the query rather than
 * options: what follows the '-' cannot be an option letter (a Japanese
 * word, a group or a phrase: -試験, -(a OR b), -"PCI DSS"). */
static int not_word(const char *s)
{
	unsigned char c = (unsigned char)s[1];
	return c >= 0x80 || c == '(' || c == '"';
}

/* The option getopt_long just refused, for messages: "-x" or "--name". */
static void refused(char *out, size_t n, int optopt_c, const char *arg)
{
	if (optopt_c > 0 && optopt_c < 256)
		snprintf(out, n, "-%c", optopt_c);
	else if (arg && arg[0] == '-' && arg[1] == '-')
		snprintf(out, n, "%.*s", (int)strcspn(arg, "="), arg);
	else
		snprintf(out, n, "%s", arg ? arg : "?");
}

static int append_word(char *joined, size_t cap, size_t *jl, int *nq, const char *w)
{
	*jl += (size_t)snprintf(joined + *jl, cap - *jl, "%s%s", *nq ? " " : "", w);
	(*nq)++;
	if (*jl >= cap - 1) {
		fprintf(stderr, "bsearch: query longer than 65536 bytes\n");
		return -1;
	}
	return 0;
}

/* One option (c from getopt_long, its value in optarg).  Returns -1 to exit
 * 2, 1 to exit 0 (help/version), 0 to go on. */
static int take_option(int c, int argc, char **argv, args *a)
{
	char why[256];
	switch (c) {
	case 'i':
		a->index_dir = optarg;
		return 0;
	case 'n':
		return parse_uint("-n (--limit)", optarg, &a->out.limit);
	case O_OFFSET:
		return parse_uint("--offset", optarg, &a->out.offset);
	case O_JSON:
		a->json = 1;
		return 0;
	case 'l':
		a->files = 1;
		return 0;
	case 'c':
		a->count = 1;
		return 0;
	case '0':
		a->out.null = 1;
		return 0;
	case O_SORT:
		if (bidx_sort_parse(optarg, &a->out.sort)) {
			bidx_ts_msg(stderr, "bsearch: --sort wants relevance, date, -date or affected, "
			            "not '%s'", optarg);
			return -1;
		}
		return 0;
	case O_FACET:
		return add_facets(a, optarg);
	case O_COLOR:
		a->color = optarg;
		return 0;
	case O_SERVE:
		a->serve = 1;
		/* the address is optional: `--serve=ADDR`, or the next word when
		 * it is one (a port or [v6]) */
		if (!optarg && optind < argc && ((argv[optind][0] >= '0' && argv[optind][0] <= '9') ||
		                                 argv[optind][0] == '['))
			optarg = argv[optind++];
		if (optarg && bidx_serve_parse_addr(optarg, &a->srv, why, sizeof why)) {
			bidx_ts_msg(stderr, "bsearch: --serve: %s", why);
			return -1;
		}
		return 0;
	case O_LOG_QUERIES:
		a->srv.log_queries = 1;
		return 0;
	case O_ANY:
		a->any = 1;
		return 0;
	case O_RECORDS:
		a->files = 1;
		a->out.records = 1;
		return 0;
	case O_FORMAT:
		if (strcmp(optarg, "csv") && strcmp(optarg, "tsv")) {
			bidx_ts_msg(stderr, "bsearch: --format wants csv or tsv, not '%s'", optarg);
			return -1;
		}
		a->format = optarg[0] == 'c' ? BIDX_OUT_CSV : BIDX_OUT_TSV;
		return 0;
	case O_GROUP:
		a->out.group = 1;
		return 0;
	case O_SHOW:
		a->show = optarg;
		return 0;
	case O_EXPLAIN:
		a->out.explain = 1;
		return 0;
	case O_EXACT:
		a->exact = 1;
		return 0;
	case 'h':
		bidx_ostream_puts(help);
		return 1;
	case O_VERSION:
		printf("bsearch %s (index format %u)\n", BIDX_VERSION, BIDX_FORMAT_VERSION);
		return 1;
	}
	return -1;
}

/* Options and query words may come in any order; `--` ends the options (the
 * rest is query), and a NOT word that cannot be an option (-試験) is query.
 * Returns -1 to exit 2, 1 to exit 0 (help/version), 0 to go on. */
static int parse_args(int argc, char **argv, args *a)
{
	static char joined[65536 + 2];
	size_t jl = 0;
	int nq = 0;
	opterr = 0;   /* the messages are ours */
	optind = 1;
	while (optind < argc) {
		const char *s = argv[optind];
		if (!strcmp(s, "--")) {
			for (optind++; optind < argc; optind++)
				if (append_word(joined, sizeof joined, &jl, &nq, argv[optind]))
					return -1;
			break;
		}
		if (s[0] != '-' || !s[1] || not_word(s)) {
			if (append_word(joined, sizeof joined, &jl, &nq, s))
				return -1;
			optind++;
			continue;
		}
		int li = -1;
		optopt = 0;
		int c = getopt_long(argc, argv, shortopts, longopts, &li);
		if (c == -1)
			break;
		if (c == '?' || c == ':') {
			char name[128];
			refused(name, sizeof name, optopt, argv[optind - 1]);
			if (c == ':')
				bidx_ts_msg(stderr, "bsearch: %s needs a value", name);
			else
				bidx_ts_msg(stderr, "bsearch: unknown option %s (a query word starting with "
				            "'-' is NOT; to search for it, put the query after --)", name);
			fputs(usage, stderr);
			return -1;
		}
		int rc = take_option(c, argc, argv, a);
		if (rc)
			return rc;
	}
	if (a->serve && nq) {
		fprintf(stderr, "bsearch: --serve takes no query (queries come over HTTP)\n%s", usage);
		return -1;
	}
	if (a->serve)
		return 0;
	if (a->show && nq) {
		fprintf(stderr, "bsearch: --show takes no query\n%s", usage);
		return -1;
	}
	if (a->show) {
		a->out.mode = a->json ? BIDX_OUT_JSON : BIDX_OUT_HUMAN;
		return 0;
	}
	if (nq == 0) {
		fprintf(stderr, "bsearch: no query given\n%s", usage);
		return -1;
	}
	if (a->files && a->count) {
		fprintf(stderr, "bsearch: -l (--files) and -c (--count) exclude each other\n%s", usage);
		return -1;
	}
	if (a->out.null)
		a->files = 1;   /* -0 alone means -l -0 */
	if (a->out.null && (a->json || a->count)) {
		fprintf(stderr, "bsearch: -0 (--null) goes with -l, not with --json or -c\n%s", usage);
		return -1;
	}
	if (a->format && (a->files || a->count || a->json)) {
		fprintf(stderr, "bsearch: --format goes with none of -l, -c and --json\n%s", usage);
		return -1;
	}
	a->out.mode = a->files ? BIDX_OUT_PATHS : a->count ? BIDX_OUT_COUNT
	              : a->json ? BIDX_OUT_JSON : a->format ? (bidx_outmode)a->format
	              : BIDX_OUT_HUMAN;
	a->out.json = a->json;
	a->query = joined;
	return 0;
}

static int want_color(const char *when)
{
	if (!when || !strcmp(when, "auto")) {
		const char *nc = getenv("NO_COLOR");
		return isatty(STDOUT_FILENO) && !(nc && *nc);
	}
	return !strcmp(when, "always");
}

/* Shows a bad query on stderr with a caret under the fault, both rendered
 * (termsafe.h) so that the caret stands under the right column. */
static void bad_query(const char *query, size_t errpos, const char *why)
{
	size_t qlen = strlen(query);
	if (errpos > qlen)
		errpos = qlen;
	bidx_ts_msg(stderr, "bsearch: bad query at byte %zu: %s", errpos, why);
	fputs("  ", stderr);
	bidx_ts_write(stderr, query, qlen);
	fprintf(stderr, "\n  %*s^\n", (int)bidx_ts_columns(query, errpos), "");
}

/* The synonym table's warnings, gathered and shown rendered: its lines may
 * quote anything the file holds.  Returns nonzero when out of memory. */
static int apply_synonyms(bidx_qnode **q)
{
	char *text = NULL;
	size_t len = 0;
	FILE *warn = open_memstream(&text, &len);
	int rc = bidx_synonyms_apply(q, warn ? warn : stderr);
	if (warn) {
		fclose(warn);
		bidx_ts_lines(stderr, text, len);
		free(text);
	}
	return rc;
}

static void index_corrupt(const char *dir, const char *why)
{
	bidx_ts_msg(stderr, "bsearch: %s: index is corrupt (%s); rebuild it with `bidx build --full`",
	            dir, why);
}

/* 1 when q is plain words: no OR, NOT or field (the fallback's condition). */
static int plain_words(const bidx_qnode *q)
{
	if (q->type == BIDX_Q_TERM)
		return !q->field;
	if (q->type != BIDX_Q_AND)
		return 0;
	for (size_t i = 0; i < q->nkids; i++)
		if (!plain_words(q->kids[i]))
			return 0;
	return 1;
}

static void report_index_error(const char *dir, bidx_err rc, const char *why)
{
	if (rc == BIDX_ECORRUPT)
		index_corrupt(dir, why);
	else
		bidx_ts_msg(stderr, "bsearch: %s: %s", dir, why);
}

/* Human output's last line: how many matched when not all are shown. */
static void more_line(const bidx_outopts *o, uint32_t n, const char *what)
{
	if (o->mode != BIDX_OUT_HUMAN || !n)
		return;
	if (o->limit == 0)
		printf("(%u %s)\n", n, what);
	else if (o->offset >= n)
		printf("(%u %s; --offset %u is past the last)\n", n, what, o->offset);
	else if (n > o->limit + o->offset)
		printf("(%u %s; showing %u-%u; more with --offset %u)\n", n, what, o->offset + 1,
		       o->offset + o->limit, o->offset + o->limit);
}

/* Resolves the field names of q (NULL: none) and of the --facet list
 * against the index (fieldname.h): names in any case and column aliases
 * become the field's own name, a name that is no field is warned about,
 * and an unknown facet is refused with the list of known ones.  Returns 0,
 * or the exit status 2 (said on stderr). */
static int resolve_names(bidx_index *ix, const char *dir, bidx_qnode *q, bidx_outopts *o)
{
	if (!o->nfacets && !bidx_fieldnames_needed(q))
		return 0;
	bidx_fieldnames fn;
	bidx_err rc = bidx_fieldnames_get(ix, &fn);
	if (rc) {
		report_index_error(dir, rc, bidx_strerror(rc));
		return 2;
	}
	int status = 0;
	if (q && bidx_fieldnames_resolve(&fn, q, stderr)) {
		fprintf(stderr, "bsearch: out of memory\n");
		status = 2;
	}
	for (int i = 0; i < o->nfacets && !status; i++) {
		const char *f = bidx_fieldnames_facet(&fn, o->facets[i]);
		if (f) {
			o->facets[i] = f;   /* points into fn: fine, the names are kept below */
			continue;
		}
		char list[1024];
		bidx_fieldnames_list(&fn, 1, list, sizeof list);
		bidx_ts_msg(stderr, "bsearch: --facet %s: no such field (facets: %s)", o->facets[i],
		            list);
		status = 2;
	}
	/* the facet names point into fn until the program ends */
	static bidx_fieldnames keep;
	bidx_fieldnames_free(&keep);
	keep = fn;
	return status;
}

/* The best-match mode (question.h) for text; with `fallback`, after a plain
 * query matched nothing: its hits come under a line saying so, and the exit
 * status stays 1.  Returns the exit status. */
static int run_any(bidx_index *ix, const char *text, bidx_outopts *o, const char *dir, int fallback)
{
	char why[4400];
	bidx_tokenizer *t;
	bidx_question q;
	bidx_result r;
	bidx_anymatch m;
	bidx_err rc = bidx_tokenizer_new(&t, why, sizeof why);
	if (rc) {   /* after a plain query, the answer stays "no match" */
		bidx_ts_msg(stderr, "bsearch: %s MeCab: %s", fallback ? "no best matches without" :
		            "--any needs", why);
		return fallback ? 1 : 2;
	}
	rc = bidx_question_analyse(t, text, &q, why, sizeof why);
	bidx_tokenizer_free(t);
	if (rc) {
		bidx_ts_msg(stderr, "bsearch: %s", why);
		return 2;
	}
	rc = bidx_question_eval(ix, &q, &r, &m, why, sizeof why);
	if (rc) {
		report_index_error(dir, rc, why);
		bidx_question_free(&q);
		return 2;
	}
	if (fallback) {
		fputs("no exact match for \"", stdout);
		bidx_ts_write(stdout, text, strlen(text));
		fputs(r.n ? "\"; best matches for its words:\n"
		          : "\", and no document has any of its words\n", stdout);
	}
	o->json_extra = bidx_anymatch_json;
	o->json_ctx = &m;
	rc = r.n || !fallback ? bidx_output(ix, &r, o) : BIDX_OK;
	if (rc == BIDX_ECORRUPT)
		index_corrupt(dir, "a document record or stored text");
	else if (!rc)
		more_line(o, r.n, fallback ? "documents with some of its words"
		                           : "documents with some of the words");
	/* a write error (BIDX_EIO) is reported when main() closes stdout */
	int status = rc && rc != BIDX_EIO ? 2 : r.n && !fallback ? 0 : 1;
	bidx_result_free(&r);
	bidx_anymatch_free(&m);
	bidx_question_free(&q);
	return status;
}

/* --show: one document whole; 0 found, 1 not, 2 error. */
static int show(args *a)
{
	char why[512];
	bidx_index *ix;
	int found = 0;
	bidx_err rc = bidx_index_open(a->index_dir, &ix, why, sizeof why);
	if (rc) {
		report_index_error(a->index_dir, rc, why);
		return 2;
	}
	rc = bidx_show(ix, a->show, a->out.mode == BIDX_OUT_JSON, stdout, &found);
	if (rc == BIDX_ECORRUPT)
		index_corrupt(a->index_dir, "a document record or stored text");
	else if (!rc && !found)
		bidx_ts_msg(stderr, "bsearch: %s: no such document in %s (a path as -l prints it, "
		            "or a doc id)", a->show, a->index_dir);
	bidx_index_close(ix);
	return rc && rc != BIDX_EIO ? 2 : found ? 0 : 1;
}

/* Searches and prints; returns the exit status. */
static int search(args *a)
{
	char why[512];
	size_t errpos = 0;
	bidx_qnode *q;
	if (a->show)
		return show(a);
	a->out.t0_us = bidx_output_now_us();
	a->out.query = a->query;
	if (a->any) {
		bidx_index *ix;
		bidx_err orc = bidx_index_open(a->index_dir, &ix, why, sizeof why);
		if (orc) {
			report_index_error(a->index_dir, orc, why);
			return 2;
		}
		int st = resolve_names(ix, a->index_dir, NULL, &a->out);
		if (!st)
			st = run_any(ix, a->query, &a->out, a->index_dir, 0);
		bidx_index_close(ix);
		return st;
	}
	if (bidx_query_parse(a->query, &q, why, sizeof why, &errpos)) {
		bad_query(a->query, errpos, why);
		return 2;
	}
	int plain = plain_words(q);
	if (!a->exact && apply_synonyms(&q)) {
		fprintf(stderr, "bsearch: out of memory\n");
		bidx_query_free(q);
		return 2;
	}
	bidx_index *ix;
	bidx_err rc = bidx_index_open(a->index_dir, &ix, why, sizeof why);
	if (rc) {
		if (rc == BIDX_ECORRUPT)
			index_corrupt(a->index_dir, why);
		else
			bidx_ts_msg(stderr, "bsearch: %s: %s", a->index_dir, why);
		bidx_query_free(q);
		return 2;
	}
	int st = resolve_names(ix, a->index_dir, q, &a->out);
	if (st) {
		bidx_index_close(ix);
		bidx_query_free(q);
		return st;
	}
	bidx_result r;
	bidx_collect_opts co;
	bidx_output_collect(&a->out, &co);   /* the page shown: its best k scored exactly */
	rc = a->out.mode == BIDX_OUT_COUNT ? bidx_query_match(ix, q, &r, why, sizeof why)
	   : bidx_query_eval_top(ix, q, bidx_collect_topk(&co), &r, why, sizeof why);
	if (rc) {
		if (rc == BIDX_ECORRUPT)
			index_corrupt(a->index_dir, why);
		else
			bidx_ts_msg(stderr, "bsearch: %s", why);
	} else {
		rc = bidx_output(ix, &r, &a->out);
		if (rc == BIDX_ECORRUPT)
			index_corrupt(a->index_dir, "a document record or stored text");
		else if (!rc)
			more_line(&a->out, r.n, "matching documents");
	}
	/* a write error (BIDX_EIO) is reported, or not (a closed pipe), when
	 * main() closes stdout */
	int status = rc && rc != BIDX_EIO ? 2 : r.n ? 0 : 1;
	if (status == 1 && plain && a->out.mode == BIDX_OUT_HUMAN)
		status = run_any(ix, a->query, &a->out, a->index_dir, 1);
	bidx_result_free(&r);   /* eval leaves r empty when it fails */
	bidx_index_close(ix);
	bidx_query_free(q);
	return status;
}

/* A page of results leaves in one write: stdout fully buffered in 64 KiB
 * when it is no terminal (a terminal stays line-buffered), which also
 * spares glibc's own buffer and its fstat of stdout. */
static void buffer_stdout(void)
{
	static char buf[1 << 16];
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, buf, _IOFBF, sizeof buf);
}

int main(int argc, char **argv)
{
	args a = {0};
	bidx_ostream_init();
	bidx_serve_defaults(&a.srv);
	a.out.limit = 10;
	a.out.f = stdout;
	a.index_dir = getenv("BIDX_INDEX");
	if (!a.index_dir || !*a.index_dir)
		a.index_dir = "index";
	int pr = parse_args(argc, argv, &a);
	if (pr)
		return bidx_ostream_close("bsearch", "the output", NULL, pr > 0 ? 0 : 2);
	if (a.color && strcmp(a.color, "auto") && strcmp(a.color, "always") && strcmp(a.color, "never")) {
		fprintf(stderr, "bsearch: --color wants auto, always or never\n");
		return 2;
	}
	a.out.color = want_color(a.color);
	if (a.serve) {
		char swhy[512];
		a.srv.index_dir = a.index_dir;
		bidx_err src = bidx_serve_run(&a.srv, swhy, sizeof swhy);
		if (src)
			bidx_ts_msg(stderr, "bsearch: %s: %s", a.index_dir, swhy);
		return bidx_ostream_close("bsearch", "the log", NULL, src ? 2 : 0);
	}
	buffer_stdout();
	return bidx_ostream_close("bsearch", "the results", NULL, search(&a));
}
