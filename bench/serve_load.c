/*
 * serve-load: a bounded load client for `bsearch --serve` on loopback.
 *
 *   serve-load PORT QUERYFILE REQUESTS CONC[,CONC...]
 *
 * For each concurrency level C, C threads share REQUESTS requests of
 * GET /api/search?q=...&facet=org,year (the queries of QUERYFILE in turn),
 * each on its own HTTP/1.0 connection, and the client prints one line per
 * level: requests, errors (no answer or a status other than 200),
 * throughput, and p50/p99/max latency of a whole request (connect to last
 * byte).  Exit status 1 when any request failed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

typedef struct load {
	int port;
	char **targets;       /* request targets, one per query */
	int ntargets;
	int requests;         /* in all, for this level */
	atomic_int next;      /* the next request to make */
	atomic_int errors;
	double *lat_us;       /* per request */
} load;

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* One request; 0 when the answer was a 200. */
static int one(const load *l, const char *target)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct timeval tv = {30, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)l->port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	char req[8192], buf[65536];
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", target);
	int status = 0, first = 1;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    send(fd, req, (size_t)n, MSG_NOSIGNAL) == n) {
		ssize_t got;
		while ((got = recv(fd, buf, sizeof buf - 1, 0)) > 0) {
			if (first) {
				buf[got] = 0;
				if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
					status = 0;
				first = 0;
			}
		}
	}
	close(fd);
	return status == 200 ? 0 : -1;
}

static void *worker(void *arg)
{
	load *l = arg;
	for (;;) {
		int i = atomic_fetch_add(&l->next, 1);
		if (i >= l->requests)
			break;
		double t0 = now_us();
		if (one(l, l->targets[i % l->ntargets]))
			atomic_fetch_add(&l->errors, 1);
		l->lat_us[i] = now_us() - t0;
	}
	return NULL;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static char *target_of(const char *q)
{
	char *t = malloc(strlen(q) * 3 + 64), *o = t;
	o += sprintf(o, "/api/search?q=");
	for (const unsigned char *p = (const unsigned char *)q; *p; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			*o++ = (char)*p;
		else
			o += sprintf(o, "%%%02X", *p);
	strcpy(o, "&facet=org,year");
	return t;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: serve-load PORT QUERYFILE REQUESTS CONC[,CONC...]\n");
		return 2;
	}
	load l = {.port = atoi(argv[1]), .requests = atoi(argv[3])};
	FILE *f = fopen(argv[2], "r");
	if (!f || l.requests <= 0) {
		fprintf(stderr, "serve-load: cannot read %s\n", argv[2]);
		return 2;
	}
	char line[4096];
	l.targets = calloc(4096, sizeof *l.targets);
	while (fgets(line, sizeof line, f) && l.ntargets < 4096) {
		line[strcspn(line, "\r\n")] = 0;
		if (line[0] && line[0] != '#')
			l.targets[l.ntargets++] = target_of(line);
	}
	fclose(f);
	if (!l.ntargets)
		return 2;
	l.lat_us = calloc((size_t)l.requests, sizeof *l.lat_us);
	int failed = 0;
	printf("%6s %9s %7s %10s %9s %9s %9s\n", "conc", "requests", "errors", "req/s", "p50 ms",
	       "p99 ms", "max ms");
	for (char *c = strtok(argv[4], ","); c; c = strtok(NULL, ",")) {
		int conc = atoi(c);
		if (conc <= 0 || conc > 1024)
			continue;
		atomic_store(&l.next, 0);
		atomic_store(&l.errors, 0);
		pthread_t *t = calloc((size_t)conc, sizeof *t);
		double t0 = now_us();
		for (int i = 0; i < conc; i++)
			pthread_create(&t[i], NULL, worker, &l);
		for (int i = 0; i < conc; i++)
			pthread_join(t[i], NULL);
		double secs = (now_us() - t0) / 1e6;
		free(t);
		qsort(l.lat_us, (size_t)l.requests, sizeof *l.lat_us, cmp_d);
		int e = atomic_load(&l.errors);
		printf("%6d %9d %7d %10.0f %9.2f %9.2f %9.2f\n", conc, l.requests, e,
		       l.requests / secs, l.lat_us[l.requests / 2] / 1e3,
		       l.lat_us[(size_t)(l.requests * 0.99)] / 1e3, l.lat_us[l.requests - 1] / 1e3);
		fflush(stdout);
		failed |= e > 0;
	}
	for (int i = 0; i < l.ntargets; i++)
		free(l.targets[i]);
	free(l.targets);
	free(l.lat_us);
	return failed;
}
