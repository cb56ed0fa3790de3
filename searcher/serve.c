/*
 * serve.c - the HTTP/JSON service and the search page (serve.h).
 *
 * Each request runs start to end in one thread of libmicrohttpd's pool:
 * take a reference on the current index (after a cheap stat of the
 * manifest that may swap in a rebuilt one), parse and evaluate the query,
 * collect the result page (collect.h, as bsearch and libbidx do) and
 * render it through output.c into a memory stream (the same renderer as
 * --json), drop the reference, answer.  Nothing here writes
 * to the index directory.
 *
 * libmicrohttpd is loaded (dlopen) when the service starts, not linked:
 * with its TLS libraries it would add a dozen shared objects, thousands of
 * relocations and a third of the page faults to every bsearch process,
 * nearly all of which never serve.
 */
#include "serve.h"
#include "collect.h"
#include "facet.h"
#include "fieldname.h"
#include "fault.h"
#include "index.h"
#include "json.h"
#include "output.h"
#include "query_eval.h"
#include "query_parse.h"
#include "question.h"
#include "synonyms.h"
#include "tokenize.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The libmicrohttpd functions used here, looked up by mhd_load(); the
 * calls below keep their names. */
#define MHD_FUNCTIONS(X) \
	X(lookup_connection_value) X(create_response_from_buffer) X(add_response_header) \
	X(queue_response) X(destroy_response) X(start_daemon) X(get_daemon_info) X(stop_daemon)
static struct {
#define MHD_FIELD(f) __typeof__(MHD_##f) *f;
	MHD_FUNCTIONS(MHD_FIELD)
#undef MHD_FIELD
} mhd;
#define MHD_lookup_connection_value mhd.lookup_connection_value
#define MHD_create_response_from_buffer mhd.create_response_from_buffer
#define MHD_add_response_header mhd.add_response_header
#define MHD_queue_response mhd.queue_response
#define MHD_destroy_response mhd.destroy_response
#define MHD_start_daemon mhd.start_daemon
#define MHD_get_daemon_info mhd.get_daemon_info
#define MHD_stop_daemon mhd.stop_daemon

/* Loads libmicrohttpd (once per process; the handle stays open). */
static bidx_err mhd_load(char *why, size_t n)
{
	static const char *const names[] = {"libmicrohttpd.so.12", "libmicrohttpd.so"};
	void *h = NULL;
	if (mhd.stop_daemon)
		return BIDX_OK;
	for (size_t i = 0; i < sizeof names / sizeof *names && !h; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, n, "cannot load libmicrohttpd (%s): install the Debian package "
		         "libmicrohttpd12", dlerror());
		return BIDX_EIO;
	}
	void *f;
#define MHD_LOOKUP(name) \
	if (!(f = dlsym(h, "MHD_" #name))) \
		goto missing; \
	memcpy(&mhd.name, &f, sizeof f);
	MHD_FUNCTIONS(MHD_LOOKUP)
#undef MHD_LOOKUP
	return BIDX_OK;
missing:
	snprintf(why, n, "libmicrohttpd lacks a function bsearch needs (%s)", dlerror());
	memset(&mhd, 0, sizeof mhd);
	dlclose(h);
	return BIDX_EIO;
}

/* The page, embedded by CMake (searcher/embed.cmake). */
extern const unsigned char bidx_asset_page_html[], bidx_asset_app_js[], bidx_asset_app_css[];
extern const size_t bidx_asset_page_html_len, bidx_asset_app_js_len, bidx_asset_app_css_len;

#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
            "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/* An open index and the manifest it was opened from. */
typedef struct ixref {
	bidx_index *ix;
	int refs;             /* requests using it (under srv.lock) */
	struct stat key;      /* DIR/manifest when it was opened */
} ixref;

typedef struct server {
	const bidx_serve_opts *o;
	char *manifest;       /* DIR/manifest */
	pthread_mutex_t lock; /* guards cur and every refs */
	ixref *cur;
	pthread_mutex_t reopen;   /* held by the one request opening a new index */
	struct stat failed;   /* the manifest that last failed to open */
	int have_failed;
	atomic_uint open_conns;
	pthread_mutex_t tok_lock; /* guards tok: one MeCab tagger for any=1, made at first use */
	bidx_tokenizer *tok;
} server;

/* ---- the index: a reference per request, swapped when rebuilt ---- */

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static void ixref_close(ixref *r)
{
	if (r) {
		bidx_index_close(r->ix);
		free(r);
	}
}

static ixref *ixref_open(server *s, const struct stat *key, char *why, size_t n)
{
	ixref *r = bidx_calloc(1, sizeof *r);
	if (!r) {
		snprintf(why, n, "out of memory");
		return NULL;
	}
	r->key = *key;
	if (bidx_index_open(s->o->index_dir, &r->ix, why, n)) {
		free(r);
		return NULL;
	}
	return r;
}

/* Swaps in the index of a new manifest, when there is one and no other
 * request is opening it already (that one swaps; this one goes on with the
 * current index). */
static void check_rebuilt(server *s)
{
	struct stat st;
	if (stat(s->manifest, &st))
		return;   /* gone for a moment, or for good: keep answering */
	pthread_mutex_lock(&s->lock);
	int same = same_file(&st, &s->cur->key);
	pthread_mutex_unlock(&s->lock);
	if (same || pthread_mutex_trylock(&s->reopen))
		return;
	char why[512];
	ixref *fresh = NULL;
	if (!(s->have_failed && same_file(&st, &s->failed))) {
		fresh = ixref_open(s, &st, why, sizeof why);
		if (!fresh) {
			fprintf(s->o->log, "bsearch: %s: the rebuilt index does not open (%s); still "
			        "serving the previous one\n", s->o->index_dir, why);
			s->failed = st;
			s->have_failed = 1;
		}
	}
	if (fresh) {
		pthread_mutex_lock(&s->lock);
		ixref *old = s->cur;
		s->cur = fresh;
		int idle = old->refs == 0;
		pthread_mutex_unlock(&s->lock);
		if (idle)
			ixref_close(old);   /* else the last request on it closes it */
		fprintf(s->o->log, "bsearch: %s: now serving generation %llu (%u documents)\n",
		        s->o->index_dir, (unsigned long long)fresh->ix->man.generation,
		        fresh->ix->ndocs);
	}
	pthread_mutex_unlock(&s->reopen);
}

static ixref *ix_acquire(server *s)
{
	check_rebuilt(s);
	pthread_mutex_lock(&s->lock);
	ixref *r = s->cur;
	r->refs++;
	pthread_mutex_unlock(&s->lock);
	return r;
}

static void ix_release(server *s, ixref *r)
{
	pthread_mutex_lock(&s->lock);
	int dead = --r->refs == 0 && r != s->cur;
	pthread_mutex_unlock(&s->lock);
	if (dead)
		ixref_close(r);
}

/* ---- responses ---- */

/* A response being built: a memory stream and its status. */
typedef struct reply {
	FILE *f;
	char *body;
	size_t len;
	unsigned status;
	const char *type;      /* Content-Type */
	const unsigned char *fixed;   /* an embedded file instead of body */
	size_t fixed_len;
	uint32_t qlen;         /* bytes of q, for the log */
	const char *q;
} reply;

static void json_err(reply *rp, unsigned status, const char *code, const char *msg, long pos)
{
	/* whatever was written so far is dropped: a fresh stream */
	if (rp->f)
		fclose(rp->f);
	free(rp->body);
	rp->body = NULL;
	rp->len = 0;
	rp->f = open_memstream(&rp->body, &rp->len);
	rp->status = status;
	rp->type = "application/json";
	if (!rp->f)
		return;   /* handle() answers nothing: the connection is closed */
	fprintf(rp->f, "{\"status\":%u,\"error\":\"%s\",\"message\":", status, code);
	bidx_json_str(rp->f, msg, strlen(msg));
	if (pos >= 0)
		fprintf(rp->f, ",\"position\":%ld", pos);
	fputs("}\n", rp->f);
}

static const char *arg(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

/* A decimal number in [0, max] from argument name (def when absent). */
static int num_arg(struct MHD_Connection *c, reply *rp, const char *name, uint32_t def,
                   uint32_t max, uint32_t *out)
{
	const char *v = arg(c, name);
	*out = def;
	if (!v)
		return 0;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 10);
	if (!*v || *end || v[0] == '-' || errno || x > max) {
		char msg[128];
		snprintf(msg, sizeof msg, "%s wants a number from 0 to %u", name, max);
		json_err(rp, 400, "bad_parameter", msg, -1);
		return -1;
	}
	*out = (uint32_t)x;
	return 0;
}

static int flag_arg(struct MHD_Connection *c, const char *name)
{
	const char *v = arg(c, name);
	return v && (!strcmp(v, "1") || !strcmp(v, "true"));
}

/* Splits a comma list into o->facets (the names point into buf). */
static int facet_list(reply *rp, const char *list, char *buf, size_t n, bidx_outopts *o)
{
	if (strlen(list) >= n) {
		json_err(rp, 400, "bad_parameter", "facet list too long", -1);
		return -1;
	}
	strcpy(buf, list);
	char *save = NULL;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (o->nfacets == BIDX_MAX_FACETS) {
			json_err(rp, 400, "bad_parameter", "at most 8 facets", -1);
			return -1;
		}
		o->facets[o->nfacets++] = t;
	}
	return 0;
}

static void index_err(reply *rp, bidx_err rc, const char *why)
{
	if (rc == BIDX_ECORRUPT)
		json_err(rp, 500, "corrupt_index", "the index is corrupt: rebuild it with "
		         "`bidx build --full`", -1);
	else if (rc == BIDX_ENOMEM)
		json_err(rp, 503, "out_of_memory", "out of memory", -1);
	else
		json_err(rp, 500, "internal", why && *why ? why : bidx_strerror(rc), -1);
}

static int64_t now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* ---- the endpoints ---- */

/* The question q analysed with the server's tagger (made at the first any=1). */
static bidx_err analyse_question(server *s, const char *q, bidx_question *out, char *why,
                                 size_t n)
{
	bidx_err rc = BIDX_OK;
	pthread_mutex_lock(&s->tok_lock);
	if (!s->tok)
		rc = bidx_tokenizer_new(&s->tok, why, n);
	if (!rc)
		rc = bidx_question_analyse(s->tok, q, out, why, n);
	pthread_mutex_unlock(&s->tok_lock);
	return rc;
}

static void api_search(server *s, struct MHD_Connection *c, reply *rp, int64_t t0)
{
	const char *q = arg(c, "q");
	if (!q || !*q) {
		json_err(rp, 400, "bad_parameter", "q (the query) is missing", -1);
		return;
	}
	rp->q = q;
	rp->qlen = (uint32_t)strlen(q);
	if (strlen(q) > BIDX_SERVE_MAX_QUERY) {
		char msg[128];
		snprintf(msg, sizeof msg, "the query is longer than %d bytes", BIDX_SERVE_MAX_QUERY);
		json_err(rp, 413, "too_long", msg, -1);
		return;
	}
	bidx_outopts o = {.mode = BIDX_OUT_JSON, .api = 1, .f = rp->f, .group = flag_arg(c, "group")};
	char fbuf[1024];
	const char *sort = arg(c, "sort"), *facets = arg(c, "facet");
	if (num_arg(c, rp, "n", 10, BIDX_SERVE_MAX_HITS, &o.limit) ||
	    num_arg(c, rp, "offset", 0, 100000000, &o.offset) ||
	    (facets && facet_list(rp, facets, fbuf, sizeof fbuf, &o)))
		return;
	if (sort && bidx_sort_parse(sort, &o.sort)) {
		json_err(rp, 400, "bad_parameter", "sort wants relevance, date, -date or affected", -1);
		return;
	}
	char why[4400];
	size_t errpos = 0;
	bidx_qnode *qn = NULL;
	bidx_question qq = {0};
	bidx_anymatch m = {0};
	int any = flag_arg(c, "any");
	if (any) {
		bidx_err arc = analyse_question(s, q, &qq, why, sizeof why);
		if (arc) {
			if (arc == BIDX_ETOOBIG)
				json_err(rp, 413, "too_long", why, -1);
			else
				json_err(rp, 500, "internal", why, -1);
			return;
		}
	} else if (bidx_query_parse(q, &qn, why, sizeof why, &errpos)) {
		json_err(rp, 400, "bad_query", why, (long)errpos);
		return;
	}
	if (!any && !flag_arg(c, "exact") && bidx_synonyms_apply(&qn, NULL)) {
		bidx_query_free(qn);
		index_err(rp, BIDX_ENOMEM, NULL);
		return;
	}
	ixref *r = ix_acquire(s);
	bidx_err rc = BIDX_OK;
	if (!any && bidx_fieldnames_needed(qn)) {   /* names in any case, column aliases (fieldname.h) */
		bidx_fieldnames fn;
		rc = bidx_fieldnames_get(r->ix, &fn);
		if (!rc) {
			rc = bidx_fieldnames_resolve(&fn, qn, NULL);
			bidx_fieldnames_free(&fn);
		}
	}
	bidx_result res;
	if (!rc && any)
		rc = bidx_question_eval(r->ix, &qq, &res, &m, why, sizeof why);
	else if (!rc)
		rc = bidx_query_eval(r->ix, qn, &res, why, sizeof why);
	else
		memset(&res, 0, sizeof res), snprintf(why, sizeof why, "%s", bidx_strerror(rc));
	if (any) {
		o.json_extra = bidx_anymatch_json;
		o.json_ctx = &m;
	}
	if (rc == BIDX_EQUERY) {
		json_err(rp, 400, "bad_query", why, -1);
	} else if (rc) {
		index_err(rp, rc, why);
	} else {
		bidx_collect_opts co;
		bidx_page page;
		bidx_output_collect(&o, &co);
		rc = bidx_collect(r->ix, &res, &co, &page);
		if (!rc) {
			fputs("{\"query\":", rp->f);
			bidx_json_str(rp->f, q, strlen(q));
			fprintf(rp->f, ",\"total\":%u,", page.total);
			if (o.group)   /* the hits, and so offset, count incidents */
				fprintf(rp->f, "\"incidents\":%u,", page.ranked);
			fprintf(rp->f, "\"offset\":%u,", o.offset);
			rc = bidx_output_page(&page, &o);
		}
		if (rc)
			index_err(rp, rc, NULL);
		else
			fprintf(rp->f, ",\"took_us\":%lld}\n", (long long)(now_us() - t0));
		bidx_page_free(&page);
	}
	bidx_result_free(&res);
	ix_release(s, r);
	bidx_query_free(qn);
	bidx_anymatch_free(&m);
	bidx_question_free(&qq);
}

static void api_doc(server *s, struct MHD_Connection *c, reply *rp)
{
	uint32_t id;
	if (!arg(c, "id")) {
		json_err(rp, 400, "bad_parameter", "id (a doc number of a hit) is missing", -1);
		return;
	}
	if (num_arg(c, rp, "id", 0, UINT32_MAX - 1, &id))
		return;
	ixref *r = ix_acquire(s);
	uint32_t local;
	bidx_segment *seg = bidx_index_locate(r->ix, id, &local);
	bidx_docrec d;
	char *buf = NULL;
	const char *title, *text;
	size_t tlen;
	bidx_err rc = BIDX_OK;
	if (!seg) {
		json_err(rp, 404, "not_found", "no document of that id", -1);
		goto done;
	}
	rc = bidx_segment_doc(seg, local, &d);
	if (!rc)
		rc = bidx_segment_fetch(seg, &d, &buf, &title, &tlen, &text);
	if (!rc) {
		fprintf(rp->f, "{\"doc\":%u,\"path\":", id);
		bidx_json_str(rp->f, bidx_segment_path(seg, &d), d.path_len);
		fputs(",\"title\":", rp->f);
		bidx_json_str(rp->f, title, tlen);
		fputs(",\"text\":", rp->f);
		bidx_json_str(rp->f, text, d.text_len);
		rc = bidx_facet_doc_fields(seg, local, 1, rp->f);
		fputs("}\n", rp->f);
	}
	if (rc)
		index_err(rp, rc, NULL);
done:
	free(buf);
	ix_release(s, r);
}

static void api_health(server *s, reply *rp)
{
	ixref *r = ix_acquire(s);
	fprintf(rp->f, "{\"status\":\"ok\",\"documents\":%u,\"segments\":%u,\"generation\":%llu}\n",
	        r->ix->ndocs, r->ix->nseg, (unsigned long long)r->ix->man.generation);
	ix_release(s, r);
}

static void api_facets(server *s, struct MHD_Connection *c, reply *rp)
{
	const char *field = arg(c, "field");
	bidx_outopts o = {0};
	char fbuf[1024];
	if (!field || !*field) {
		json_err(rp, 400, "bad_parameter", "field (a facet name) is missing", -1);
		return;
	}
	if (facet_list(rp, field, fbuf, sizeof fbuf, &o))
		return;
	ixref *r = ix_acquire(s);
	bidx_result all = {0};
	all.n = r->ix->ndocs;
	all.hits = bidx_calloc((size_t)all.n + 1, sizeof *all.hits);
	bidx_err rc = all.hits ? BIDX_OK : BIDX_ENOMEM;
	for (uint32_t i = 0; !rc && i < all.n; i++)
		all.hits[i] = (bidx_hit){.doc = i, .pos = BIDX_NOPOS};
	bidx_collect_opts co = {.want = BIDX_WANT_NONE, .facets = o.facets, .nfacets = o.nfacets};
	bidx_page page = {0};
	if (!rc)
		rc = bidx_collect(r->ix, &all, &co, &page);
	if (!rc) {
		fprintf(rp->f, "{\"documents\":%u,\"facets\":{", all.n);
		for (int i = 0; i < page.nfacets; i++) {
			fputs(i ? "," : "", rp->f);
			bidx_output_facet(rp->f, &page.facets[i], 1);
		}
		fputs("}}\n", rp->f);
	}
	if (rc)
		index_err(rp, rc, NULL);
	bidx_page_free(&page);
	free(all.hits);
	ix_release(s, r);
}

static void route(server *s, struct MHD_Connection *c, const char *url, reply *rp, int64_t t0)
{
	rp->type = "application/json";
	if (!strcmp(url, "/") || !strcmp(url, "/index.html")) {
		rp->type = "text/html; charset=utf-8";
		rp->fixed = bidx_asset_page_html, rp->fixed_len = bidx_asset_page_html_len;
	} else if (!strcmp(url, "/app.js")) {
		rp->type = "text/javascript; charset=utf-8";
		rp->fixed = bidx_asset_app_js, rp->fixed_len = bidx_asset_app_js_len;
	} else if (!strcmp(url, "/app.css")) {
		rp->type = "text/css; charset=utf-8";
		rp->fixed = bidx_asset_app_css, rp->fixed_len = bidx_asset_app_css_len;
	} else if (!strcmp(url, "/api/search")) {
		api_search(s, c, rp, t0);
	} else if (!strcmp(url, "/api/doc")) {
		api_doc(s, c, rp);
	} else if (!strcmp(url, "/api/health")) {
		api_health(s, rp);
	} else if (!strcmp(url, "/api/facets")) {
		api_facets(s, c, rp);
	} else {
		json_err(rp, 404, "not_found", "no such page (the API is under /api/: search, doc, "
		         "facets, health)", -1);
	}
}

static void log_request(server *s, const reply *rp, const char *method, const char *url,
                        int64_t us)
{
	char when[32];
	struct tm tm;
	time_t t = time(NULL);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	/* one fprintf per line: stdio locks the stream, lines never interleave */
	char *line = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&line, &n);
	if (!m)
		return;
	fprintf(m, "%s %u %s %s %lldus qlen=%u", when, rp->status, method, url, (long long)us,
	        rp->qlen);
	if (s->o->log_queries && rp->q) {
		fputs(" q=", m);
		bidx_json_str(m, rp->q, strlen(rp->q));
	}
	if (!fclose(m))
		fprintf(s->o->log, "%s\n", line);
	free(line);
}

static enum MHD_Result send_reply(struct MHD_Connection *c, reply *rp)
{
	struct MHD_Response *resp;
	if (rp->fixed) {
		resp = MHD_create_response_from_buffer(rp->fixed_len, (void *)(uintptr_t)rp->fixed,
		                                       MHD_RESPMEM_PERSISTENT);
	} else {
		resp = MHD_create_response_from_buffer(rp->len, rp->body, MHD_RESPMEM_MUST_FREE);
		if (resp)
			rp->body = NULL;
	}
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", rp->type);
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cache-Control", rp->fixed ? "no-cache" : "no-store");
	if (rp->status == 405)
		MHD_add_response_header(resp, "Allow", "GET, HEAD");
	if (rp->status == 503)
		MHD_add_response_header(resp, "Retry-After", "1");
	enum MHD_Result ok = MHD_queue_response(c, rp->status, resp);
	MHD_destroy_response(resp);
	return ok;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_len, void **req)
{
	server *s = cls;
	static int started;   /* only its address is used: "the request has begun" */
	(void)version, (void)upload;
	if (!*req) {
		*req = &started;
		return MHD_YES;   /* the head is in; answer on the next call */
	}
	*upload_len = 0;      /* a body (there should be none) is ignored */
	int64_t t0 = now_us();
	reply rp = {.status = 200};
	rp.f = open_memstream(&rp.body, &rp.len);
	if (!rp.f)
		return MHD_NO;
	rp.type = "application/json";
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		json_err(&rp, 405, "method_not_allowed", "only GET and HEAD: the service reads only", -1);
	else if (atomic_load(&s->open_conns) > s->o->busy)
		json_err(&rp, 503, "overloaded", "too many connections; retry in a moment", -1);
	else
		route(s, c, url, &rp, t0);
	if (!rp.f || fclose(rp.f)) {
		free(rp.body);
		return MHD_NO;
	}
	enum MHD_Result ok = send_reply(c, &rp);
	free(rp.body);
	log_request(s, &rp, method, url, now_us() - t0);
	return ok;
}

static void notify_conn(void *cls, struct MHD_Connection *c, void **sock,
                        enum MHD_ConnectionNotificationCode toe)
{
	server *s = cls;
	(void)c, (void)sock;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&s->open_conns, 1);
	else
		atomic_fetch_sub(&s->open_conns, 1);
}

/* libmicrohttpd's logger: fmt is its own printf format. */
__attribute__((format(printf, 2, 0)))
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	server *s = cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	fprintf(s->o->log, "bsearch: http: %s\n", msg);
}

/* ---- options and the run loop ---- */

static unsigned env_uint(const char *name, unsigned def)
{
	const char *v = getenv(name);
	char *end;
	if (!v || !*v)
		return def;
	unsigned long x = strtoul(v, &end, 10);
	return *end || x == 0 || x > 1000000 ? def : (unsigned)x;
}

void bidx_serve_defaults(bidx_serve_opts *o)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	memset(o, 0, sizeof *o);
	snprintf(o->addr, sizeof o->addr, "%s", BIDX_SERVE_DEFAULT_ADDR);
	o->port = BIDX_SERVE_DEFAULT_PORT;
	o->threads = env_uint("BIDX_SERVE_THREADS", cores > 0 && cores < 256 ? (unsigned)cores : 1);
	o->connections = env_uint("BIDX_SERVE_CONNECTIONS", 256);
	o->per_ip = env_uint("BIDX_SERVE_PER_IP", 128);
	o->busy = env_uint("BIDX_SERVE_BUSY", o->connections - o->connections / 4);
	o->timeout_s = env_uint("BIDX_SERVE_TIMEOUT", 30);
	o->conn_memory = 64 * 1024;
	o->log = stderr;
}

int bidx_serve_parse_addr(const char *s, bidx_serve_opts *o, char *why, size_t n)
{
	const char *port = s, *colon = strrchr(s, ':');
	char host[64] = "";
	if (colon) {
		size_t hl = (size_t)(colon - s);
		if (s[0] == '[' && hl >= 2 && s[hl - 1] == ']')
			s++, hl -= 2;
		if (hl >= sizeof host) {
			snprintf(why, n, "address too long");
			return -1;
		}
		memcpy(host, s, hl);
		host[hl] = 0;
		port = colon + 1;
	}
	char *end;
	unsigned long p = strtoul(port, &end, 10);
	if (!*port || *end || port[0] == '-' || p > 65535) {
		snprintf(why, n, "'%s' is not [ADDR:]PORT (a port is 0 to 65535; 0 picks a free one)",
		         port);
		return -1;
	}
	if (host[0]) {
		unsigned char tmp[sizeof(struct in6_addr)];
		if (inet_pton(AF_INET, host, tmp) != 1 && inet_pton(AF_INET6, host, tmp) != 1) {
			snprintf(why, n, "'%s' is not a numeric IPv4 or IPv6 address", host);
			return -1;
		}
		snprintf(o->addr, sizeof o->addr, "%s", host);
	}
	o->port = (uint16_t)p;
	return 0;
}

static struct MHD_Daemon *start_daemon(server *s, char *why, size_t n)
{
	const bidx_serve_opts *o = s->o;
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, o->addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(o->port);
	} else if (inet_pton(AF_INET6, o->addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(o->port);
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(why, n, "'%s' is not a numeric address", o->addr);
		return NULL;
	}
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, o->port, NULL, NULL, handle, s,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, o->threads,
		MHD_OPTION_CONNECTION_LIMIT, o->connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->per_ip,
		MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, o->conn_memory,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 512u,
		MHD_OPTION_NOTIFY_CONNECTION, notify_conn, s,
		MHD_OPTION_END);
	if (!d)
		snprintf(why, n, "cannot listen on %s port %u (%s)", o->addr, o->port,
		         errno ? strerror(errno) : "libmicrohttpd refused the options");
	return d;
}

bidx_err bidx_serve_run(const bidx_serve_opts *o, char *why, size_t n)
{
	server s = {.o = o};
	struct stat st;
	bidx_err rc = mhd_load(why, n);
	if (rc)
		return rc;
	s.manifest = malloc(strlen(o->index_dir) + sizeof "/" BIDX_MANIFEST_FILE);
	if (!s.manifest) {
		snprintf(why, n, "out of memory");
		return BIDX_ENOMEM;
	}
	sprintf(s.manifest, "%s/%s", o->index_dir, BIDX_MANIFEST_FILE);
	memset(&st, 0, sizeof st);
	stat(s.manifest, &st);   /* before opening: a publish in between is seen later */
	s.cur = bidx_calloc(1, sizeof *s.cur);
	if (!s.cur) {
		free(s.manifest);
		snprintf(why, n, "out of memory");
		return BIDX_ENOMEM;
	}
	s.cur->key = st;
	rc = bidx_index_open(o->index_dir, &s.cur->ix, why, n);
	if (rc) {
		free(s.cur);
		free(s.manifest);
		return rc;
	}
	pthread_mutex_init(&s.lock, NULL);
	pthread_mutex_init(&s.reopen, NULL);
	pthread_mutex_init(&s.tok_lock, NULL);
	/* the pool's threads inherit this mask: the signals come to sigwait */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct MHD_Daemon *d = start_daemon(&s, why, n);
	if (!d) {
		rc = BIDX_EIO;
	} else {
		const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
		int v6 = strchr(o->addr, ':') != NULL;
		fprintf(o->log, "bsearch: serving %s (%u documents) on http://%s%s%s:%u/ (%u threads)\n",
		        o->index_dir, s.cur->ix->ndocs, v6 ? "[" : "", o->addr, v6 ? "]" : "",
		        info ? info->port : o->port, o->threads);
		fflush(o->log);
		int sig;
		sigwait(&stop, &sig);
		fprintf(o->log, "bsearch: stopping (signal %d)\n", sig);
		MHD_stop_daemon(d);
	}
	ixref_close(s.cur);   /* every request is done: the daemon has stopped */
	pthread_mutex_destroy(&s.lock);
	pthread_mutex_destroy(&s.reopen);
	pthread_mutex_destroy(&s.tok_lock);
	bidx_tokenizer_free(s.tok);
	free(s.manifest);
	return rc;
}
