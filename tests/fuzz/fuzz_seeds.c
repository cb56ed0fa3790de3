/* Writes seed inputs for the fuzz targets from a real index and the files
 * it was built from:
 *   fuzz_seeds INDEX_DIR OUT_DIR [CORPUS_DIR SYNONYMS_FILE]
 * OUT_DIR/segment: the index file; postings: a few postings lists with
 * their parameter block; termdict: the TERMS section; docstore: a few
 * frames with their text length; query_parse: queries; normalize: texts.
 * From the corpus: encoding: the notices in every encoding bidx reads;
 * notice, facts: the notices; rows: CSV files and JSON Lines made of the
 * notices; date: dates as notices write them; synonyms: a query line and
 * the synonym table. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "index.h"
#include "io.h"
#include "json.h"
#include "segment.h"
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
	hdr[3] = (uint8_t)bidx_segment_ndocs(a->s);
	hdr[4] = (uint8_t)(bidx_segment_ndocs(a->s) >> 8);
	put("postings", a->n, hdr, 5, bidx_segment_postings(a->s, t), (size_t)t->post_len);
	return ++a->n >= 40;
}

#define SEED_TEXT_MAX 16384

/* At most max bytes of s[0..n), cut after a line end when there is one. */
static size_t head(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	for (size_t i = max; i > max / 2; i--)
		if (s[i - 1] == '\n')
			return i;
	return max;
}

/* s[0..n) converted from UTF-8 to enc, put as seed i of kind (skipped when
 * the text does not convert). */
static void put_converted(const char *kind, int i, const char *enc, const char *bom,
                          const char *s, size_t n)
{
	iconv_t cd = iconv_open(enc, "UTF-8");
	if (cd == (iconv_t)-1)
		return;
	size_t cap = 4 * n + 16, ol = cap, il = n;
	char *buf = malloc(cap), *ip = (char *)(uintptr_t)s, *op = buf;
	if (buf && iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 &&
	    iconv(cd, NULL, NULL, &op, &ol) != (size_t)-1)
		put(kind, i, bom, strlen(bom), buf, (size_t)(op - buf));
	free(buf);
	iconv_close(cd);
}

static int ntext, ncsv;
static FILE *jsonl;

static int each_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	size_t len = strlen(path), n;
	char *data;
	if (type != FTW_F || st->st_size == 0 || bidx_read_file(path, &data, &n))
		return 0;
	n = head(data, n, SEED_TEXT_MAX);
	if (len > 4 && !strcmp(path + len - 4, ".csv") && ncsv < 8) {
		put("rows", ncsv++, "\0", 1, data, n);
	} else if (len > 4 && !strcmp(path + len - 4, ".txt") && ntext < 8) {
		int i = ntext++;
		put("notice", i, "\0", 1, data, n);
		put("facts", i, data, n, "", 0);
		put("date", 100 + i, data, head(data, n, 512), "", 0);
		put("encoding", 10 * i, data, n, "", 0);
		put("encoding", 10 * i + 1, "\xef\xbb\xbf", 3, data, n);
		put_converted("encoding", 10 * i + 2, "CP932", "", data, n);
		put_converted("encoding", 10 * i + 3, "EUC-JP-MS", "", data, n);
		put_converted("encoding", 10 * i + 4, "ISO-2022-JP", "", data, n);
		put_converted("encoding", 10 * i + 5, "UTF-16LE", "\xff\xfe", data, n);
		put_converted("encoding", 10 * i + 6, "UTF-16BE", "\xfe\xff", data, n);
		/* one JSON Lines record per notice: its first line as title */
		const char *nl = memchr(data, '\n', n);
		size_t tl = nl ? (size_t)(nl - data) : n;
		fputs("{\"title\":", jsonl);
		bidx_json_str(jsonl, data, tl);
		fputs(",\"date\":\"2024-05-21\",\"count\":3,\"tags\":[\"a\",1],\"body\":", jsonl);
		bidx_json_str(jsonl, data, n);
		fputs("}\n", jsonl);
	}
	free(data);
	return 0;
}

static void corpus_seeds(const char *corpus, const char *synonyms)
{
	char *buf = NULL;
	size_t blen = 0;
	jsonl = open_memstream(&buf, &blen);
	if (!jsonl || nftw(corpus, each_file, 16, FTW_PHYS)) {
		perror(corpus);
		exit(1);
	}
	fclose(jsonl);
	put("rows", 100, "\1", 1, buf, blen);
	free(buf);
	static const char *const dates[] = {
		"2018年1月15日", "平成28年9月16日", "平成 28 年 9 月 16 日", "令和元年5月1日", "昭和64年",
		"H28.9.16", "R6.5.1", "2024.04.15", "2024/4/15", "2024-04-15", "2024-04",
		"2012-09-04T12:45:00+0900", "平成二十八年", "２０２４年１２月３１日", "2月29日",
	};
	for (int i = 0; i < (int)(sizeof dates / sizeof *dates); i++)
		put("date", i, dates[i], strlen(dates[i]), "", 0);
	char *syn;
	size_t sn;
	if (bidx_read_file(synonyms, &syn, &sn)) {
		perror(synonyms);
		exit(1);
	}
	put("synonyms", 0, "流出 (カード OR 口座) -漏えい\n", strlen("流出 (カード OR 口座) -漏えい\n"), syn, sn);
	put("synonyms", 1, "漏洩\n", strlen("漏洩\n"), syn, head(syn, sn, 512));
	free(syn);
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: fuzz_seeds INDEX_DIR OUT_DIR [CORPUS_DIR SYNONYMS_FILE]\n");
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
	char *sdata;
	size_t slen;
	if (bidx_read_file(bidx_segment_file(s), &sdata, &slen) == BIDX_OK) {
		put("segment", 0, sdata, slen, "", 0);
		free(sdata);
	}
	acc a = {s, 0};
	(void)bidx_termdict_each(bidx_segment_termdict(s), each, &a, NULL);
	const uint8_t *post, *terms, *zdict, *store;
	size_t post_len, terms_len, zdict_len, store_len;
	bidx_segment_section(s, BIDX_SEC_POSTINGS, &post, &post_len);
	bidx_segment_section(s, BIDX_SEC_ZDICT, &zdict, &zdict_len);
	bidx_segment_section(s, BIDX_SEC_STORE, &store, &store_len);
	bidx_segment_section(s, BIDX_SEC_TERMS, &terms, &terms_len);
	uint8_t ps[4];
	bidx_put_u32le(ps, (uint32_t)post_len);
	put("termdict", 0, ps, 4, terms, terms_len);
	for (uint32_t i = 0; i < bidx_segment_ndocs(s) && i < 5; i++) {
		bidx_docrec d;
		char *buf;
		const char *title, *text;
		size_t tlen;
		if (bidx_segment_doc(s, i, &d) || bidx_segment_fetch(s, &d, &buf, &title, &tlen, &text))
			continue;
		uint8_t hdr[6];
		bidx_put_u32le(hdr, d.text_len);
		hdr[4] = hdr[5] = 0;   /* frames of a small corpus use no dictionary */
		if (zdict_len == 0)
			put("docstore", (int)i, hdr, 6, store + d.store_off, d.store_len);
		put("normalize", (int)i, text, d.text_len > 4096 ? 4096 : d.text_len, "", 0);
		free(buf);
	}
	static const char *const q[] = {"クレジットカード", "個人情報 漏えい", "\"PCI DSS\"",
	                                "カード OR 口座", "不正アクセス -試験", "(カード OR 口座) 流出",
	                                "((a OR b) (c -d))", "\"a\\\"b\""};
	for (int i = 0; i < (int)(sizeof q / sizeof *q); i++)
		put("query_parse", i, q[i], strlen(q[i]), "", 0);
	bidx_index_close(ix);
	if (argc == 5)
		corpus_seeds(argv[3], argv[4]);
	return 0;
}
