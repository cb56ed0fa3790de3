/*
 * libbidx_client.c - a program that embeds search through the installed
 * libbidx (bidx.h), compiled by test_libbidx.sh with
 * `pkg-config --cflags --libs bidx`.
 *
 *   libbidx_client INDEX [--exact] [-n N] [--offset K] [--sort ORDER]
 *                  [--facet FIELD[,FIELD...]] QUERY
 *
 * prints each hit as one JSON object with the members bsearch --json gives
 * it (rank, doc, score, path, title, snippet, snippet_marks, matches,
 * fields, affected), then {"total":N}, then {"facets":{...}} when asked;
 * on an error, the message on stderr and exit status 2.
 */
#include <bidx.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void json_str(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void ranges(const char *name, const bidx_range *v, size_t n)
{
	printf(",\"%s\":[", name);
	for (size_t i = 0; i < n; i++)
		printf("%s[%u,%u]", i ? "," : "", v[i].start, v[i].end);
	putchar(']');
}

static void print_doc(const bidx_doc *d)
{
	printf("{\"rank\":%u,\"doc\":%u,\"score\":%.6f,\"path\":", d->rank, d->doc, d->score);
	json_str(d->path, d->path_len);
	fputs(",\"title\":", stdout);
	json_str(d->title, d->title_len);
	fputs(",\"snippet\":", stdout);
	json_str(d->snippet, d->snippet_len);
	ranges("snippet_marks", d->marks, d->nmarks);
	ranges("matches", d->matches, d->nmatches);
	fputs(",\"fields\":[", stdout);
	for (size_t i = 0; i < d->nfields; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", stdout);
		json_str(d->fields[i].name, d->fields[i].name_len);
		fputs(",\"value\":", stdout);
		json_str(d->fields[i].value, d->fields[i].value_len);
		fputs(",\"source\":", stdout);
		json_str(d->fields[i].source, d->fields[i].source_len);
		putchar('}');
	}
	printf("],\"affected\":%llu}\n", (unsigned long long)d->affected);
}

static void print_facets(const bidx_hits *h)
{
	fputs("{\"facets\":{", stdout);
	for (size_t i = 0; i < bidx_hits_nfacets(h); i++) {
		const bidx_facet *f = bidx_hits_facet(h, i);
		fputs(i ? "," : "", stdout);
		json_str(f->field, strlen(f->field));
		fputs(":{", stdout);
		for (size_t k = 0; k < f->nvalues; k++) {
			fputs(k ? "," : "", stdout);
			json_str(f->values[k].value, f->values[k].value_len);
			printf(":%u", f->values[k].count);
		}
		putchar('}');
	}
	fputs("}}\n", stdout);
}

int main(int argc, char **argv)
{
	bidx_search_opts o;
	const char *facets[BIDX_SEARCH_MAX_FACETS];
	const char *query = NULL;
	bidx_search_opts_init(&o);
	o.facets = facets;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
		if (!strcmp(a, "--exact"))
			o.exact = 1;
		else if (!strcmp(a, "-n"))
			o.limit = (uint32_t)strtoul(v, NULL, 10), i++;
		else if (!strcmp(a, "--offset"))
			o.offset = (uint32_t)strtoul(v, NULL, 10), i++;
		else if (!strcmp(a, "--sort")) {
			o.order = !strcmp(v, "date")    ? BIDX_ORDER_DATE
			          : !strcmp(v, "-date")   ? BIDX_ORDER_DATE_DESC
			          : !strcmp(v, "affected") ? BIDX_ORDER_AFFECTED
			                                   : BIDX_ORDER_RELEVANCE;
			i++;
		} else if (!strcmp(a, "--facet")) {   /* FIELD[,FIELD...], as bsearch takes it */
			for (char *t = strtok(argv[++i], ","); t && o.nfacets < BIDX_SEARCH_MAX_FACETS;
			     t = strtok(NULL, ","))
				facets[o.nfacets++] = t;
		}
		else
			query = a;
	}
	if (argc < 3 || !query) {
		fprintf(stderr, "usage: libbidx_client INDEX [options] QUERY\n");
		return 2;
	}
	bidx_db *db;
	bidx_hits *h;
	bidx_error err;
	if (bidx_db_open(argv[1], &db, &err) != BIDX_SUCCESS) {
		fprintf(stderr, "libbidx_client: %s (%s)\n", err.message, bidx_status_str(err.code));
		return 2;
	}
	if (bidx_search(db, query, &o, &h, &err) != BIDX_SUCCESS) {
		fprintf(stderr, "libbidx_client: %s [pos %zu] (%s)\n", err.message, err.pos,
		        bidx_status_str(err.code));
		bidx_db_close(db);
		return 2;
	}
	bidx_db_close(db);   /* the hits are copies: they outlive the db */
	for (size_t i = 0; i < bidx_hits_count(h); i++)
		print_doc(bidx_hits_get(h, i));
	printf("{\"total\":%u}\n", bidx_hits_total(h));
	if (bidx_hits_nfacets(h))
		print_facets(h);
	bidx_hits_free(h);
	return 0;
}
