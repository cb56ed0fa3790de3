/* Writes seed inputs for the fuzz targets from a real index:
 *   fuzz_seeds INDEX_DIR OUT_DIR
 * OUT_DIR/segment: the index file; postings: a few postings lists with
 * their parameter block; termdict: the TERMS section; docstore: a few
 * frames with their text length; query_parse: queries; normalize: texts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "index.h"
#include "io.h"
#include "segment_reader.h"
#include "varint.h"

static const char *out;

static void put(const char *kind, int i, const void *a, size_t na, const void *b, size_t nb)
{
	char d[4096], p[4200];
	snprintf(d, sizeof d, "%s/%s", out, kind);
	mkdir(d, 0777);
	snprintf(p, sizeof p, "%s/seed%03d", d, i);
	FILE *f = fopen(p, "wb");
	if (!f || fwrite(a, 1, na, f) != na || fwrite(b, 1, nb, f) != nb || fclose(f)) {
		perror(p);
		exit(1);
	}
}

typedef struct acc {
	bidx_segment *s;
	int n;
} acc;

static int each(const bidx_term *t, void *arg)
{
	acc *a = arg;
	if (t->df < 2 && a->n % 2)
		return 0;
	uint8_t hdr[5] = {(uint8_t)(bidx_key_n(t->key) - 1)};
	bidx_put_u32le(hdr + 1, t->df);
	hdr[3] = (uint8_t)a->s->meta.ndocs;
	hdr[4] = (uint8_t)(a->s->meta.ndocs >> 8);
	put("postings", a->n, hdr, 5, bidx_segment_postings(a->s, t), (size_t)t->post_len);
	return ++a->n >= 40;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: fuzz_seeds INDEX_DIR OUT_DIR\n");
		return 2;
	}
	out = argv[2];
	mkdir(out, 0777);
	bidx_index *ix;
	char why[256];
	if (bidx_index_open(argv[1], &ix, why, sizeof why)) {
		fprintf(stderr, "fuzz_seeds: %s\n", why);
		return 1;
	}
	bidx_segment *s = ix->seg[0];
	char *mpath = bidx_path_join(argv[1], BIDX_MANIFEST_FILE), *mdata;
	size_t mlen;
	if (mpath && bidx_read_file(mpath, &mdata, &mlen) == BIDX_OK) {
		put("manifest", 0, mdata, mlen, "", 0);
		free(mdata);
	}
	free(mpath);
	put("segment", 0, s->map, s->size, "", 0);
	acc a = {s, 0};
	bidx_termdict_each(&s->td, each, &a);
	uint8_t ps[4];
	bidx_put_u32le(ps, (uint32_t)s->sec[BIDX_SEC_POSTINGS].len);
	put("termdict", 0, ps, 4, s->sec[BIDX_SEC_TERMS].p, s->sec[BIDX_SEC_TERMS].len);
	for (uint32_t i = 0; i < s->meta.ndocs && i < 5; i++) {
		bidx_docrec d;
		char *buf;
		const char *title, *text;
		size_t tlen;
		if (bidx_segment_doc(s, i, &d) || bidx_segment_fetch(s, &d, &buf, &title, &tlen, &text))
			continue;
		uint8_t hdr[6];
		bidx_put_u32le(hdr, d.text_len);
		hdr[4] = hdr[5] = 0;   /* frames of a small corpus use no dictionary */
		if (s->sec[BIDX_SEC_ZDICT].len == 0)
			put("docstore", (int)i, hdr, 6, s->sec[BIDX_SEC_STORE].p + d.store_off, d.store_len);
		put("normalize", (int)i, text, d.text_len > 4096 ? 4096 : d.text_len, "", 0);
		free(buf);
	}
	static const char *const q[] = {"クレジットカード", "個人情報 漏えい", "\"PCI DSS\"",
	                                "カード OR 口座", "不正アクセス -試験", "(カード OR 口座) 流出",
	                                "((a OR b) (c -d))", "\"a\\\"b\""};
	for (int i = 0; i < (int)(sizeof q / sizeof *q); i++)
		put("query_parse", i, q[i], strlen(q[i]), "", 0);
	bidx_index_close(ix);
	return 0;
}
