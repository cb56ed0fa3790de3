/*
 * bsearch --serve over real HTTP on loopback: each test builds an index of
 * the seed notices, the municipal CSVs and a few hostile notices, starts the
 * real bsearch binary on 127.0.0.1 port 0 (it logs the port it got), talks
 * to it with a small socket client, and stops it with SIGTERM (a clean stop
 * is exit 0).  Checked: the hits equal `bsearch --json` for the same query,
 * facets, paging, errors and status codes, the limits, escaping of hostile
 * text, concurrent requests, and a rebuild while requests keep coming; and
 * the hits libbidx (bidx.h) hands a program are those of both.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bidx.h"
#include "json.h"
#include "testutil.h"

static char *tmp, *ixdir, *corpus, *logpath;
static pid_t server = -1;
static int port;

/* ---- a minimal HTTP/1.0 client ---- */

typedef struct resp {
	int status;          /* 0: no HTTP answer (connection closed or refused) */
	char *head;          /* status line and headers; malloc'd */
	char *body;          /* malloc'd, NUL-terminated */
	size_t len;
} resp;

static void resp_free(resp *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof *r);
}

static int connect_port(int p)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(fd >= 0);
	struct timeval tv = {20, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads the whole answer on fd (the server closes after HTTP/1.0). */
static resp read_resp(int fd)
{
	resp r = {0};
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t got;
	while ((got = recv(fd, buf + n, cap - n, 0)) > 0) {
		n += (size_t)got;
		if (n == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	buf[n] = 0;
	char *sep = strstr(buf, "\r\n\r\n");
	if (sscanf(buf, "HTTP/1.%*d %d", &r.status) != 1 || !sep) {
		r.status = 0;
		r.body = buf;
		r.head = strdup("");
		return r;
	}
	*sep = 0;
	r.head = strdup(buf);
	r.len = n - (size_t)(sep + 4 - buf);
	r.body = malloc(r.len + 1);
	memcpy(r.body, sep + 4, r.len);
	r.body[r.len] = 0;
	free(buf);
	return r;
}

static resp request_on(int p, const char *method, const char *target)
{
	int fd = connect_port(p);
	cr_assert(fd >= 0, "cannot connect to port %d", p);
	size_t len = strlen(target) + strlen(method) + 64;
	char *req = malloc(len);
	snprintf(req, len, "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", method, target);
	size_t off = 0, total = strlen(req);
	while (off < total) {
		ssize_t w = send(fd, req + off, total - off, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(req);
	resp r = read_resp(fd);
	close(fd);
	return r;
}

static resp get(const char *target)
{
	return request_on(port, "GET", target);
}

/* Percent-encodes s (every byte but unreserved ASCII). */
static char *urlenc(const char *s)
{
	char *out = malloc(strlen(s) * 3 + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			*o++ = (char)*p;
		else
			o += sprintf(o, "%%%02X", *p);
	}
	*o = 0;
	return out;
}

static resp search(const char *q, const char *extra)
{
	char *e = urlenc(q);
	size_t n = strlen(e) + strlen(extra) + 32;
	char *t = malloc(n);
	snprintf(t, n, "/api/search?q=%s%s", e, extra);
	resp r = get(t);
	free(t);
	free(e);
	return r;
}

static const char *header(const resp *r, const char *name)
{
	static __thread char val[512];
	size_t nl = strlen(name);
	for (const char *l = r->head; l && *l; ) {
		const char *end = strstr(l, "\r\n");
		if (!strncasecmp(l, name, nl) && l[nl] == ':') {
			const char *v = l + nl + 1;
			while (*v == ' ')
				v++;
			size_t vl = end ? (size_t)(end - v) : strlen(v);
			snprintf(val, sizeof val, "%.*s", (int)vl, v);
			return val;
		}
		l = end ? end + 2 : NULL;
	}
	return NULL;
}

/* ---- the index and the server ---- */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert(f, "cannot create %s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

static void build(void)
{
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i '%s' '%s' 2>&1", BIDX_BINARY_DIR, ixdir, corpus);
	char *out = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "bidx build failed: %s", out);
	free(out);
}

/* Starts bsearch --serve (with extra environment "K=V" strings) and learns
 * its port from the log. */
static pid_t start_server(const char *const *env, const char *flag, int *port_out)
{
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		char bin[1024];
		snprintf(bin, sizeof bin, "%s/bsearch", BIDX_BINARY_DIR);
		for (int i = 0; env && env[i]; i++)
			putenv((char *)(uintptr_t)env[i]);
		if (!freopen(logpath, "a", stderr) || !freopen("/dev/null", "w", stdout))
			_exit(127);
		execl(bin, bin, "-i", ixdir, "--serve", "127.0.0.1:0", flag, (char *)NULL);
		_exit(127);
	}
	/* the log says "... on http://127.0.0.1:PORT/"; the newest such line is ours */
	for (int tries = 0; tries < 200; tries++) {
		usleep(50000);
		FILE *f = fopen(logpath, "r");
		char line[1024];
		int p = 0;
		while (f && fgets(line, sizeof line, f)) {
			char *u = strstr(line, "on http://127.0.0.1:");
			if (u && strstr(line, "serving"))
				p = atoi(u + strlen("on http://127.0.0.1:"));
		}
		if (f)
			fclose(f);
		if (p > 0 && p != port) {
			*port_out = p;
			return pid;
		}
		int st;
		cr_assert_eq(waitpid(pid, &st, WNOHANG), 0, "bsearch --serve exited at start");
	}
	cr_assert_fail("bsearch --serve did not start");
	return -1;
}

static void stop_server(pid_t pid)
{
	int st;
	cr_assert_eq(kill(pid, SIGTERM), 0);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "bsearch --serve did not stop cleanly");
}

static char *below(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static const char hostile_title[] = "<script>alert(1)</script>個人情報漏えいのお詫び";

static void setup(void)
{
	tmp = tu_tmpdir("serve");
	cr_assert(tmp);
	ixdir = below(tmp, "index");
	corpus = below(tmp, "corpus");
	logpath = below(tmp, "server.log");
	const char *seeds = tu_corpus("seeds"), *muni = tu_corpus("municipal");
	cr_assert(seeds && muni);
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s/xss' && cp -r '%s' '%s/seeds' && cp -r '%s' '%s/municipal'",
	         corpus, seeds, corpus, muni, corpus);
	cr_assert_eq(system(cmd), 0);
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/xss", corpus);
	char text[2048];
	snprintf(text, sizeof text, "%s\n\n2024年5月1日\n株式会社<b>テスト</b>\n\n"
	         "弊社サーバーへの不正アクセスにより、ハッキング対策の\"><img src=x onerror=alert(2)>"
	         "と javascript:alert(3) の文字列を含む個人情報が漏えいしました。\n", hostile_title);
	write_file(dir, "x\"><img src=x onerror=alert(4)>.txt", text);
	write_file(dir, "rows.csv", "タイトル,日付,組織,本文\n"
	           "\"<img src=x onerror=alert(5)>お知らせ\",2024-06-01,\"<script>alert(6)</script>市\","
	           "\"<svg onload=alert(7)>ハッキング被害のお知らせです。\"\n");
	build();
	server = start_server(NULL, NULL, &port);
}

static void teardown(void)
{
	if (server > 0)
		stop_server(server);
	server = -1;
	tu_rmtree(tmp);
	free(tmp), free(ixdir), free(corpus), free(logpath);
}

TestSuite(serve, .init = setup, .fini = teardown, .timeout = 240);

/* ---- comparing with bsearch --json ---- */

/* bsearch --json ARGS QUERY (no single quote in either). */
static char *cli_json(const char *args, const char *q)
{
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s' --json %s -- '%s'", BIDX_BINARY_DIR, ixdir,
	         args, q);
	char *out = tu_run(cmd, &st);
	cr_assert(st == 0 || st == 1, "bsearch failed on %s", q);
	return out;
}

/* The API's hits as --json lines: each line of the "hits" array with its
 * last member, snippet_html, cut off; written into out. */
static void api_as_lines(const char *body, char *out, size_t n, char *facets, size_t fn)
{
	const char *h = strstr(body, "\"hits\":[");
	cr_assert(h, "no hits array in %s", body);
	h += strlen("\"hits\":[");
	out[0] = 0;
	size_t used = 0;
	while (*h == '\n') {
		h++;
		const char *end = strchr(h, '\n');
		cr_assert(end);
		size_t len = (size_t)(end - h);
		if (h[len - 1] == ',')
			len--;
		const char *sh = strstr(h, ",\"snippet_html\":\"");
		cr_assert(sh && sh < h + len, "a hit without snippet_html");
		size_t keep = (size_t)(sh - h);
		cr_assert(used + keep + 3 < n);
		memcpy(out + used, h, keep);
		used += keep;
		memcpy(out + used, "}\n", 3);
		used += 2;
		h = end;
		if (h[-1] != ',')
			h++;   /* past the newline before ']' */
		if (*h == ']')
			break;
	}
	const char *f = strstr(body, "],\"facets\":");
	cr_assert(f, "no facets after the hits");
	f += strlen("],\"facets\":");
	const char *fe = strstr(f, ",\"took_us\":");
	cr_assert(fe);
	snprintf(facets, fn, "{\"facets\":%.*s}\n", (int)(fe - f), f);
}

static void same_as_cli(const char *q, const char *cliargs, const char *apiargs)
{
	char *cli = cli_json(cliargs, q);
	resp r = search(q, apiargs);
	cr_assert_eq(r.status, 200, "%s: status %d: %s", q, r.status, r.body);
	static char lines[1 << 20], facets[65536];
	api_as_lines(r.body, lines, sizeof lines, facets, sizeof facets);
	/* --json ends with {"total":N,"took_us":T,"query":Q[,"facets":{...}]} */
	char *tl = strstr(cli, "{\"total\":");
	cr_assert(tl && strchr(tl, '\n')[1] == 0, "%s: no total line last: %s", q, cli);
	char *cf = strstr(tl, ",\"facets\":");
	if (cf) {
		char got[65536];
		snprintf(got, sizeof got, "{%s", cf + 1);
		cr_assert_str_eq(got, facets, "%s: facets differ", q);
	} else {
		cr_assert_str_eq(facets, "{\"facets\":{}}\n");
	}
	char ttl[64];
	snprintf(ttl, sizeof ttl, "\"total\":%d,", atoi(tl + strlen("{\"total\":")));
	cr_assert(strstr(r.body, ttl), "%s: the API's total differs from %s", q, ttl);
	/* with --group both also count the incidents listed, never more than
	 * the documents */
	char *ci = strstr(tl, ",\"incidents\":");
	cr_assert_eq(ci != NULL, strstr(cliargs, "--group") != NULL, "%s: incidents member: %s", q, tl);
	if (ci) {
		int ninc = atoi(ci + strlen(",\"incidents\":"));
		char inc[64];
		snprintf(inc, sizeof inc, "\"incidents\":%d,", ninc);
		cr_assert(strstr(r.body, inc), "%s: the API's incidents differ from %s", q, inc);
		cr_assert(ninc >= 1 && ninc <= atoi(tl + strlen("{\"total\":")), "%s: %s", q, tl);
	}
	*tl = 0;
	cr_assert_str_eq(lines, cli, "%s %s: API hits differ from bsearch --json\nAPI:\n%s\nCLI:\n%s",
	                 q, apiargs, lines, cli);
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s' -c %s %s -- '%s'", BIDX_BINARY_DIR, ixdir,
	         strstr(cliargs, "--exact") ? "--exact" : "", strstr(cliargs, "--any") ? "--any" : "",
	         q);
	char *count = tu_run(cmd, &st);
	char want[64];
	snprintf(want, sizeof want, "\"total\":%d,", atoi(count));
	cr_assert(strstr(r.body, want), "%s: total is not %s", q, count);
	free(count);
	free(cli);
	resp_free(&r);
}

Test(serve, hits_equal_bsearch_json)
{
	static const char *const queries[] = {"クレジットカード", "個人情報 漏えい", "不正アクセス -試験",
	                                      "(カード OR 口座) 流出", "date:2024 お知らせ",
	                                      "ハッキング", "イベント", NULL};
	for (int i = 0; queries[i]; i++) {
		same_as_cli(queries[i], "", "");
		same_as_cli(queries[i], "-n 3 --offset 2", "&n=3&offset=2");
		same_as_cli(queries[i], "--sort -date -n 5", "&sort=-date&n=5");
		same_as_cli(queries[i], "--facet org,year,category,leaked", "&facet=org,year,category,leaked");
		same_as_cli(queries[i], "--exact -n 20", "&exact=1&n=20");
	}
	/* field-only queries, as the page's facet filters send them */
	same_as_cli("org:\"岡山県倉敷市\" category:\"くらし\"", "--facet year", "&facet=year");
	same_as_cli("date:2024-05..2024-06", "--sort date -n 30", "&sort=date&n=30");
}

/* any=1 is the question mode: the same hits, order and matched words as
 * bsearch --any --json. */
Test(serve, any_equals_bsearch_any)
{
	static const char *const questions[] = {"個人情報が漏えいしたのはいつですか",
	                                        "クレジットカードの情報は大丈夫ですか？",
	                                        "イベントに申し込みたいのですが", NULL};
	for (int i = 0; questions[i]; i++) {
		same_as_cli(questions[i], "--any", "&any=1");
		same_as_cli(questions[i], "--any -n 3 --offset 1", "&any=1&n=3&offset=1");
	}
	resp r = search("個人情報が漏えいしたのはいつですか", "&any=1");
	cr_assert(strstr(r.body, "\"matched_words\":["), "no matched_words: %s", r.body);
	resp_free(&r);
}

/* group=1 is --group: one hit per incident, its reports under it. */
Test(serve, group_equals_bsearch_group)
{
	same_as_cli("漏えい", "--group", "&group=1");
	same_as_cli("不正アクセス", "--group -n 2", "&group=1&n=2");
}

/* ---- the library against the CLI and the API ---- */

/* s[0..n) as bsearch --json writes a string; malloc'd. */
static char *json_of(const char *s, size_t n)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	cr_assert(f);
	bidx_json_str(f, s, n);
	fclose(f);
	return out;
}

/* Byte ranges as --json writes them: [[a,b],...]; into out. */
static void ranges_of(const bidx_range *v, size_t n, char *out, size_t cap)
{
	size_t o = (size_t)snprintf(out, cap, "[");
	for (size_t i = 0; i < n && o < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s[%u,%u]", i ? "," : "", v[i].start, v[i].end);
	cr_assert(o + 2 < cap);
	snprintf(out + o, cap - o, "]");
}

/* Hit d of the library is the --json line `line`: the same rank, doc,
 * score, stored path, title, snippet, marks and matches. */
static void lib_hit_is_line(const bidx_doc *d, const char *line, size_t len, const char *what)
{
	static char want[1 << 16], marks[1 << 14], matches[1 << 14];
	char *l = strndup(line, len);
	snprintf(want, sizeof want, "{\"rank\":%u,\"doc\":%u,\"score\":%.6f,\"path\":", d->rank,
	         d->doc, d->score);
	cr_assert(!strncmp(l, want, strlen(want)), "%s: rank %u: the library's %s is not %s", what,
	          d->rank, want, l);
	char *p = json_of(d->path, d->path_len), *t = json_of(d->title, d->title_len),
	     *s = json_of(d->snippet, d->snippet_len);
	snprintf(want, sizeof want, ",\"abspath\":%s,\"title\":%s,\"snippet\":%s,\"snippet_truncated\":",
	         p, t, s);
	cr_assert(strstr(l, want), "%s: rank %u: the library's path, title and snippet\n%s\n"
	          "are not bsearch --json's\n%s", what, d->rank, want, l);
	ranges_of(d->marks, d->nmarks, marks, sizeof marks);
	ranges_of(d->matches, d->nmatches, matches, sizeof matches);
	snprintf(want, sizeof want, ",\"snippet_marks\":%s,\"matches\":%s", marks, matches);
	cr_assert(strstr(l, want), "%s: rank %u: the library's marks %s are not in %s", what, d->rank,
	          want, l);
	free(p), free(t), free(s), free(l);
}

/* One query three ways: bsearch --json ARGS, the API with APIARGS and
 * bidx_search with o show the same hits, with the same titles and
 * snippets, and the same total. */
static void three_agree(bidx_db *db, const char *q, const char *args, const char *apiargs,
                        const bidx_search_opts *o)
{
	char what[512];
	snprintf(what, sizeof what, "'%s' %s", q, args);
	char *cli = cli_json(args, q);
	resp r = search(q, apiargs);
	cr_assert_eq(r.status, 200, "%s: status %d: %s", what, r.status, r.body);
	static char lines[1 << 20], facets[65536];
	api_as_lines(r.body, lines, sizeof lines, facets, sizeof facets);
	char *tl = strstr(cli, "{\"total\":");
	cr_assert(tl, "%s: no total line: %s", what, cli);
	uint32_t total = (uint32_t)atoi(tl + strlen("{\"total\":"));
	*tl = 0;
	cr_assert_str_eq(lines, cli, "%s: the API's hits are not bsearch --json's", what);
	bidx_hits *h = NULL;
	bidx_error err;
	cr_assert_eq(bidx_search(db, q, o, &h, &err), BIDX_SUCCESS, "%s: %s", what, err.message);
	cr_assert_eq(bidx_hits_total(h), total, "%s: the library's total %u, bsearch's %u", what,
	             bidx_hits_total(h), total);
	size_t i = 0;
	for (const char *l = cli; *l; i++) {
		const char *end = strchr(l, '\n');
		cr_assert(end);
		cr_assert_lt(i, bidx_hits_count(h), "%s: bsearch shows more hits than the library", what);
		lib_hit_is_line(bidx_hits_get(h, i), l, (size_t)(end - l), what);
		l = end + 1;
	}
	cr_assert_eq(i, bidx_hits_count(h), "%s: the library has %zu hits, bsearch %zu", what,
	             bidx_hits_count(h), i);
	bidx_hits_free(h);
	resp_free(&r);
	free(cli);
}

/* What a hit's title and snippet are is decided in one place: bsearch
 * --json, the HTTP API and libbidx agree on them hit for hit, for words
 * (match position known), one-character words and field-only queries
 * (position unknown: the head of the text first), paged and sorted. */
Test(serve, cli_api_and_library_agree)
{
	static const char *const queries[] = {"クレジットカード", "個人情報 漏えい", "不正アクセス -試験",
	                                      "(カード OR 口座) 流出", "date:2024 お知らせ", "市",
	                                      "org:\"岡山県倉敷市\" category:\"くらし\"", "ハッキング",
	                                      "イベント 申込", "date:2024-05..2024-06", NULL};
	bidx_db *db = NULL;
	bidx_error err;
	cr_assert_eq(bidx_db_open(ixdir, &db, &err), BIDX_SUCCESS, "%s", err.message);
	bidx_search_opts o;
	int shown = 0;
	for (int i = 0; queries[i]; i++) {
		bidx_search_opts_init(&o);
		three_agree(db, queries[i], "", "", &o);
		o.limit = 3, o.offset = 2;
		three_agree(db, queries[i], "-n 3 --offset 2", "&n=3&offset=2", &o);
		bidx_search_opts_init(&o);
		o.limit = 30, o.order = BIDX_ORDER_DATE_DESC;
		three_agree(db, queries[i], "--sort -date -n 30", "&sort=-date&n=30", &o);
		bidx_search_opts_init(&o);
		o.limit = 20, o.exact = 1;
		three_agree(db, queries[i], "--exact -n 20", "&exact=1&n=20", &o);
		bidx_hits *h;
		cr_assert_eq(bidx_search(db, queries[i], NULL, &h, &err), BIDX_SUCCESS);
		shown += (int)bidx_hits_count(h);
		bidx_hits_free(h);
	}
	cr_assert_gt(shown, 40, "the queries should find hits in the seeds and the municipal rows");
	bidx_db_close(db);
}

Test(serve, paging_and_totals)
{
	resp all = search("お知らせ", "&n=1000");
	cr_assert_eq(all.status, 200);
	int total = atoi(strstr(all.body, "\"total\":") + 8);
	cr_assert_gt(total, 30, "the municipal rows should give many hits");
	/* pages of 10 concatenated are the first hits of one big page */
	for (int off = 0; off < 30; off += 10) {
		char extra[64];
		snprintf(extra, sizeof extra, "&n=10&offset=%d", off);
		resp p = search("お知らせ", extra);
		cr_assert_eq(p.status, 200);
		char rank[32];
		snprintf(rank, sizeof rank, "{\"rank\":%d,", off + 1);
		cr_assert(strstr(p.body, rank), "page at %d lacks rank %d", off, off + 1);
		snprintf(rank, sizeof rank, "{\"rank\":%d,", off + 11);
		cr_assert_null(strstr(p.body, rank));
		resp_free(&p);
	}
	char extra[64];
	snprintf(extra, sizeof extra, "&offset=%d", total);
	resp past = search("お知らせ", extra);
	cr_assert_eq(past.status, 200);
	cr_assert(strstr(past.body, "\"hits\":[]"), "%s", past.body);
	resp zero = search("お知らせ", "&n=0");
	cr_assert(strstr(zero.body, "\"hits\":[]"));
	resp_free(&all), resp_free(&past), resp_free(&zero);
}

static void expect_error(resp r, int status, const char *code)
{
	cr_assert_eq(r.status, status, "want %d, got %d: %s", status, r.status, r.body);
	char want[64];
	snprintf(want, sizeof want, "\"error\":\"%s\"", code);
	cr_assert(strstr(r.body, want), "want %s in %s", want, r.body);
	const char *ct = header(&r, "Content-Type");
	cr_assert(ct && !strcmp(ct, "application/json"));
	resp_free(&r);
}

Test(serve, errors_and_status_codes)
{
	resp r = search("個人情報 (漏えい", "");
	cr_assert_eq(r.status, 400);
	cr_assert(strstr(r.body, "\"position\":13"), "the byte position of '(': %s", r.body);
	resp_free(&r);
	expect_error(get("/api/search"), 400, "bad_parameter");
	expect_error(search("a", "&n=1001"), 400, "bad_parameter");
	expect_error(search("a", "&n=-1"), 400, "bad_parameter");
	expect_error(search("a", "&offset=x"), 400, "bad_parameter");
	expect_error(search("a", "&sort=size"), 400, "bad_parameter");
	expect_error(search("a", "&facet=a,b,c,d,e,f,g,h,i"), 400, "bad_parameter");
	expect_error(get("/api/nothing"), 404, "not_found");
	expect_error(get("/api/doc?id=99999999"), 404, "not_found");
	expect_error(get("/api/doc?id=abc"), 400, "bad_parameter");
	expect_error(get("/api/doc"), 400, "bad_parameter");
	expect_error(get("/api/facets"), 400, "bad_parameter");
	resp m = request_on(port, "POST", "/api/search?q=a");
	cr_assert_str_eq(header(&m, "Allow"), "GET, HEAD");
	expect_error(m, 405, "method_not_allowed");
	expect_error(request_on(port, "DELETE", "/"), 405, "method_not_allowed");
	/* longer than BIDX_SERVE_MAX_QUERY: 413 */
	char *big = malloc(5001);
	memset(big, 'a', 5000);
	big[5000] = 0;
	expect_error(search(big, ""), 413, "too_long");
	free(big);
	/* a request head larger than a connection's memory: refused by libmicrohttpd */
	char *huge = malloc(200001);
	memcpy(huge, "/api/search?q=", 14);
	memset(huge + 14, 'b', 200000 - 14);
	huge[200000] = 0;
	resp h = get(huge);
	cr_assert(h.status == 414 || h.status == 431 || h.status == 0, "status %d", h.status);
	resp_free(&h);
	free(huge);
	/* still answering after all that */
	resp ok = get("/api/health");
	cr_assert_eq(ok.status, 200);
	cr_assert(strstr(ok.body, "\"status\":\"ok\""));
	resp_free(&ok);
}

Test(serve, doc_health_facets)
{
	resp h = get("/api/health");
	cr_assert_eq(h.status, 200);
	int ndocs = atoi(strstr(h.body, "\"documents\":") + 12);
	cr_assert(strstr(h.body, "\"segments\":1,\"generation\":1}"), "%s", h.body);
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s' -c -- 'date:>=1900-01-01'", BIDX_BINARY_DIR,
	         ixdir);
	free(tu_run(cmd, &st));
	/* the whole index's facet counts equal the facets of a query matching all the dated notices */
	resp f = get("/api/facets?field=year");
	cr_assert_eq(f.status, 200);
	char want[64];
	snprintf(want, sizeof want, "{\"documents\":%d,\"facets\":{\"year\":{", ndocs);
	cr_assert(!strncmp(f.body, want, strlen(want)), "%s", f.body);
	resp s = search("date:>=1900-01-01", "&facet=year&n=0");
	const char *fy = strstr(s.body, "\"year\":{");
	cr_assert(fy);
	cr_assert(!strncmp(f.body + strlen(want) - 8, fy, strlen(strstr(f.body, "\"year\":{")) - 3));
	resp_free(&f), resp_free(&s);
	/* a document: the stored text, title, path and fields of a hit */
	resp q = search("e-ながさきどっとこむ", "&n=1");
	cr_assert_eq(q.status, 200);
	int doc = atoi(strstr(q.body, "\"doc\":") + 6);
	char target[64];
	snprintf(target, sizeof target, "/api/doc?id=%d", doc);
	resp d = get(target);
	cr_assert_eq(d.status, 200);
	char idm[32];
	snprintf(idm, sizeof idm, "{\"doc\":%d,\"path\":", doc);
	cr_assert(!strncmp(d.body, idm, strlen(idm)), "%s", d.body);
	cr_assert(strstr(d.body, "\"text\":\"") && strstr(d.body, "e-ながさきどっとこむ"));
	cr_assert(strstr(d.body, "\"fields\":[") && strstr(d.body, "\"leaked\":["));
	resp_free(&h), resp_free(&q), resp_free(&d);
}

Test(serve, page_and_security_headers)
{
	resp p = get("/");
	cr_assert_eq(p.status, 200);
	cr_assert_str_eq(header(&p, "Content-Type"), "text/html; charset=utf-8");
	const char *csp = header(&p, "Content-Security-Policy");
	cr_assert(csp && strstr(csp, "script-src 'self'") && !strstr(csp, "unsafe-inline"), "%s", csp);
	cr_assert_str_eq(header(&p, "X-Content-Type-Options"), "nosniff");
	cr_assert(header(&p, "Referrer-Policy"));
	cr_assert(strstr(p.body, "<html lang=\"ja\">") && strstr(p.body, "検索"));
	/* the page's one script is a file of its own: no inline script to allow */
	cr_assert(strstr(p.body, "<script src=\"/app.js\" defer></script>"));
	cr_assert_null(strstr(p.body, "<script>"));
	resp js = get("/app.js"), css = get("/app.css");
	cr_assert_eq(js.status, 200);
	cr_assert_str_eq(header(&js, "Content-Type"), "text/javascript; charset=utf-8");
	cr_assert(strstr(js.body, "textContent"));
	cr_assert_eq(css.status, 200);
	resp api = search("漏えい", "");
	cr_assert_str_eq(header(&api, "X-Content-Type-Options"), "nosniff");
	cr_assert(header(&api, "Content-Security-Policy"));
	resp head = request_on(port, "HEAD", "/");
	cr_assert_eq(head.status, 200);
	cr_assert_eq(head.len, 0);
	resp_free(&p), resp_free(&js), resp_free(&css), resp_free(&api), resp_free(&head);
}

Test(serve, hostile_text_is_escaped)
{
	resp r = search("ハッキング", "&n=10");
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.body, "\"total\":2,"), "%s", r.body);
	/* snippet_html: escaped text, and no tag but <mark> */
	for (const char *p = r.body; (p = strstr(p, "\"snippet_html\":\"")); ) {
		p += strlen("\"snippet_html\":\"");
		const char *end = strstr(p, "\"}");
		cr_assert(end);
		for (const char *t = strchr(p, '<'); t && t < end; t = strchr(t + 1, '<'))
			cr_assert(!strncmp(t, "<mark>", 6) || !strncmp(t, "</mark>", 7),
			          "a tag in snippet_html: %.40s", t);
		cr_assert_null(memchr(p, '>', 0));
	}
	cr_assert(strstr(r.body, "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"), "%s", r.body);
	cr_assert(strstr(r.body, "&lt;svg onload=alert(7)&gt;"));
	/* the title and path are plain JSON strings, for textContent */
	cr_assert(strstr(r.body, "\"title\":\"<script>alert(1)</script>個人情報漏えいのお詫び\""));
	cr_assert(strstr(r.body, "x\\\"><img src=x onerror=alert(4)>.txt\""));
	/* the query is echoed as JSON, never as HTML */
	resp q = search("<script>alert(8)</script>", "");
	cr_assert_eq(q.status, 200);
	cr_assert(strstr(q.body, "{\"query\":\"<script>alert(8)</script>\""));
	cr_assert_str_eq(header(&q, "Content-Type"), "application/json");
	resp_free(&r), resp_free(&q);
}

Test(serve, request_log)
{
	resp r = search("個人情報保護委員会", "");
	cr_assert_eq(r.status, 200);
	resp_free(&r);
	char *log;
	size_t n;
	usleep(100000);
	FILE *f = fopen(logpath, "r");
	cr_assert(f);
	log = calloc(1, 1 << 20);
	n = fread(log, 1, (1 << 20) - 1, f);
	fclose(f);
	log[n] = 0;
	char want[64];
	snprintf(want, sizeof want, " 200 GET /api/search ");
	cr_assert(strstr(log, want), "%s", log);
	cr_assert(strstr(log, "qlen=27"), "the query length in bytes: %s", log);
	cr_assert_null(strstr(log, "個人情報保護委員会"), "the query text is logged only with --log-queries");
	free(log);
	/* with --log-queries it is */
	int p2;
	pid_t s2 = start_server(NULL, "--log-queries", &p2);
	resp r2 = request_on(p2, "GET", "/api/search?q=%E6%BC%8F%E3%81%88%E3%81%84");
	cr_assert_eq(r2.status, 200);
	resp_free(&r2);
	stop_server(s2);
	char cmd[4096];
	int st;
	snprintf(cmd, sizeof cmd, "grep -c 'qlen=9 q=\"漏えい\"' '%s'", logpath);
	char *out = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "no logged query: %s", out);
	free(out);
}

/* ---- threads ---- */

typedef struct worker {
	int id, requests, failures;
	const char *const *queries;
	char **expect;       /* the single-threaded answer per query, took_us cut */
} worker;

static void cut_took(char *body)
{
	char *t = strstr(body, ",\"took_us\":");
	if (t)
		*t = 0;
}

static void *run_worker(void *arg)
{
	worker *w = arg;
	for (int i = 0; i < w->requests; i++) {
		int k = (w->id + i) % 6;
		resp r = search(w->queries[k], "&facet=org,year&n=20");
		if (r.status == 200) {
			cut_took(r.body);
			if (strcmp(r.body, w->expect[k]))
				w->failures++;
		} else {
			w->failures++;
		}
		resp_free(&r);
	}
	return NULL;
}

Test(serve, concurrent_requests_agree)
{
	static const char *const queries[] = {"クレジットカード", "お知らせ", "個人情報 漏えい",
	                                      "イベント", "date:2024 市", "ハッキング"};
	char *expect[6];
	for (int k = 0; k < 6; k++) {
		resp r = search(queries[k], "&facet=org,year&n=20");
		cr_assert_eq(r.status, 200);
		cut_took(r.body);
		expect[k] = strdup(r.body);
		resp_free(&r);
	}
	worker w[8];
	pthread_t t[8];
	for (int i = 0; i < 8; i++) {
		w[i] = (worker){.id = i, .requests = 30, .queries = queries, .expect = expect};
		cr_assert_eq(pthread_create(&t[i], NULL, run_worker, &w[i]), 0);
	}
	int failures = 0;
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		failures += w[i].failures;
	}
	cr_assert_eq(failures, 0, "%d of 240 concurrent answers failed or differed", failures);
	for (int k = 0; k < 6; k++)
		free(expect[k]);
}

/* ---- a rebuild while serving ---- */

typedef struct poller {
	volatile int stop;
	int requests, failures;
} poller;

static void *poll_loop(void *arg)
{
	poller *p = arg;
	while (!p->stop) {
		resp r = search("個人情報", "&n=5&facet=year");
		p->requests++;
		if (r.status != 200 || !strstr(r.body, "\"hits\":["))
			p->failures++;
		resp_free(&r);
		resp h = get("/api/health");
		if (h.status != 200)
			p->failures++;
		resp_free(&h);
	}
	return NULL;
}

/* Whether a search for q comes to answer with `total` (a JSON fragment)
 * within about two seconds. */
static int total_becomes(const char *q, const char *total)
{
	for (int i = 0; i < 100; i++) {
		resp r = search(q, "");
		cr_assert_eq(r.status, 200);
		int ok = strstr(r.body, total) != NULL;
		resp_free(&r);
		if (ok)
			return 1;
		usleep(20000);
	}
	return 0;
}

Test(serve, rebuild_while_serving)
{
	resp before = search("ゼブラ漏えい事案", "");
	cr_assert(strstr(before.body, "\"total\":0,"));
	resp_free(&before);
	poller p = {0};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, poll_loop, &p), 0);
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/xss", corpus);
	write_file(dir, "zebra.txt", "ゼブラ漏えい事案のお知らせ\n\n2025年1月10日\n株式会社ゼブラ\n\n"
	           "弊社のゼブラ漏えい事案についてご報告いたします。\n");
	build();
	/* the new notice becomes findable without a restart (a request that
	 * comes while another one opens the new index is answered from the
	 * current one: hence a few tries) */
	cr_assert(total_becomes("ゼブラ漏えい事案", "\"total\":1,"),
	          "the rebuilt index was not picked up");
	/* and a second rebuild that removes it */
	snprintf(dir, sizeof dir, "%s/xss/zebra.txt", corpus);
	cr_assert_eq(unlink(dir), 0);
	build();
	cr_assert(total_becomes("ゼブラ漏えい事案", "\"total\":0,"),
	          "the second rebuild was not picked up");
	p.stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	cr_assert_gt(p.requests, 2);
	cr_assert_eq(p.failures, 0, "%d of %d requests failed during the rebuilds", p.failures,
	             p.requests);
	resp h = get("/api/health");
	cr_assert(strstr(h.body, "\"generation\":3}"), "%s", h.body);
	resp_free(&h);
}

/* ---- limits ---- */

Test(serve, connection_limits)
{
	/* the idle timeout (6 s) outlasts the wait for the service to have
	 * accepted the idle connections, however loaded the machine */
	static const char *const env[] = {"BIDX_SERVE_PER_IP=4", "BIDX_SERVE_BUSY=2",
	                                  "BIDX_SERVE_TIMEOUT=6", NULL};
	int p2;
	pid_t s2 = start_server(env, NULL, &p2);
	/* three idle connections: a request on a fourth finds the service busy
	 * (once it has accepted them: asked again for up to 3 s) */
	int idle[3];
	for (int i = 0; i < 3; i++)
		cr_assert((idle[i] = connect_port(p2)) >= 0);
	resp busy = {0};
	for (int tries = 0; tries < 30; tries++) {
		usleep(100000);
		resp_free(&busy);
		busy = request_on(p2, "GET", "/api/health");
		if (busy.status == 503)
			break;
	}
	cr_assert_eq(busy.status, 503, "status %d: %s", busy.status, busy.body);
	cr_assert_str_eq(header(&busy, "Retry-After"), "1");
	resp_free(&busy);
	/* two more from the same address: one of them is over the per-address
	 * limit of 4 and gets no answer (which one depends on which thread of
	 * the pool accepts first); the other is answered, busy */
	int more[2] = {connect_port(p2), connect_port(p2)};
	usleep(200000);
	int refused = 0;
	for (int k = 0; k < 2; k++) {
		if (more[k] < 0) {
			refused++;
			continue;
		}
		const char req[] = "GET /api/health HTTP/1.0\r\n\r\n";
		send(more[k], req, sizeof req - 1, MSG_NOSIGNAL);
		resp r = read_resp(more[k]);
		cr_assert(r.status == 0 || r.status == 503, "answered %d while busy", r.status);
		refused += r.status == 0;
		resp_free(&r);
		close(more[k]);
	}
	cr_assert_geq(refused, 1, "five connections from one address, none refused (limit 4)");
	/* idle connections are closed after the timeout (6 s here) */
	char c;
	ssize_t got = recv(idle[0], &c, 1, 0);   /* SO_RCVTIMEO 20 s bounds the wait */
	cr_assert_eq(got, 0, "an idle connection was not closed by the server");
	for (int i = 0; i < 3; i++)
		close(idle[i]);
	usleep(1500000);
	resp ok = request_on(p2, "GET", "/api/health");
	cr_assert_eq(ok.status, 200, "not answering again once the connections closed");
	resp_free(&ok);
	stop_server(s2);
}
