/*
 * serve.h - `bsearch --serve`: the index over HTTP/JSON, and the search page.
 *
 * A libmicrohttpd daemon answers GET (and HEAD) requests read-only:
 *
 *   /                 the search page (page.html, app.js, app.css, embedded
 *                     in the program at build time)
 *   /api/search       q, n, offset, sort, facet, exact: the result page that
 *                     `bsearch --json` prints, as one object
 *                     {query,total,offset,hits:[...],facets:{...},took_us},
 *                     each hit the --json line plus snippet_html (html.h)
 *   /api/doc?id=      one stored document with its fields
 *   /api/facets?field=  value counts over the whole index
 *   /api/health       documents, segments, the manifest generation
 *
 * Errors are JSON {"status","error","message"[,"position"]} with 400 (bad
 * parameter or query, with the byte position the parser gives), 404, 405,
 * 413 (query longer than BIDX_SERVE_MAX_QUERY), 503 (more open connections
 * than the busy mark), 500 (a damaged index).  One log line per request on
 * the log stream: time, status, method, path, microseconds, query length
 * (the query itself only with log_queries).
 *
 * Rebuilds: each request stats DIR/manifest; when it changed, one request
 * opens the new index while the others go on with the old one, then the new
 * one replaces it.  An index is reference-counted: a request finishes on
 * the index it started with, and the old one is closed by the last request
 * that used it.
 *
 * Threads: a pool of one thread per core (MHD_OPTION_THREAD_POOL_SIZE)
 * evaluates queries at once on the shared index; segment.h says why
 * that is safe (the rest of the query path keeps no global state; the
 * synonym table is read at each query into the request's own memory).
 */
#ifndef BIDX_SERVE_H
#define BIDX_SERVE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "error.h"

#define BIDX_SERVE_DEFAULT_ADDR "127.0.0.1"
#define BIDX_SERVE_DEFAULT_PORT 8080
#define BIDX_SERVE_MAX_QUERY 4096        /* bytes of q (413 beyond) */
#define BIDX_SERVE_MAX_HITS 1000         /* n at most */

typedef struct bidx_serve_opts {
	const char *index_dir;
	char addr[64];           /* numeric IPv4 or IPv6 address */
	uint16_t port;           /* 0: any free port (the one chosen is logged) */
	int log_queries;         /* log the query text too */
	unsigned threads;        /* 0: one per core ($BIDX_SERVE_THREADS) */
	unsigned connections;    /* open connections at most ($BIDX_SERVE_CONNECTIONS) */
	unsigned per_ip;         /* of them from one address ($BIDX_SERVE_PER_IP) */
	unsigned busy;           /* 503 when more are open ($BIDX_SERVE_BUSY) */
	unsigned timeout_s;      /* idle connection timeout ($BIDX_SERVE_TIMEOUT) */
	size_t conn_memory;      /* bytes per connection for the request head */
	FILE *log;               /* request log and notices (stderr) */
} bidx_serve_opts;

/* Fills o with the defaults, then the $BIDX_SERVE_* overrides. */
void bidx_serve_defaults(bidx_serve_opts *o);

/* Parses "[ADDR:]PORT" ("8080", "0.0.0.0:8080", "[::1]:8080") into o.
 * Returns -1 when it is not that (why says what is wrong). */
int bidx_serve_parse_addr(const char *s, bidx_serve_opts *o, char *why, size_t whylen);

/* Opens the index, starts the daemon, writes
 * "bsearch: serving DIR on http://ADDR:PORT/ (N threads)" to o->log and
 * serves until SIGINT or SIGTERM.  Returns BIDX_OK after a clean stop, or
 * the error of opening the index or the socket with a reason in why. */
bidx_err bidx_serve_run(const bidx_serve_opts *o, char *why, size_t whylen);

#endif
