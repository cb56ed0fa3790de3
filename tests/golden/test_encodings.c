/*
 * Bad input to `bidx build`: the seed notices in every supported encoding
 * are found exactly as their UTF-8 originals; files that cannot be used
 * (binary, empty, invalid, unreadable, too large, symlink loops, names that
 * are not UTF-8) are each reported on one line and counted while the build
 * goes on; awkward but valid text (CR and CRLF line ends, emoji, variation
 * selectors, combining marks, U+FFFD, control characters, a very long line)
 * is indexed, searchable and gives intact snippets.
 * ISO-2022-JP is validated strictly, and the other decoders refuse C1
 * controls (EUC-JP), lone surrogates (UTF-16) and overlong forms (UTF-8).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "encoding.h"
#include "json.h"
#include "normalize.h"
#include "testutil.h"

static char *tmp;

static void setup(void)
{
	tmp = tu_tmpdir("enc");
	cr_assert(tmp);
}

static void teardown(void)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null", tmp);
	if (system(cmd)) {
		/* nothing to restore */
	}
	tu_rmtree(tmp);
	free(tmp);
}

TestSuite(encodings, .init = setup, .fini = teardown, .timeout = 300);

#define WRITE_STR(path, lit) write_file(path, lit, sizeof lit - 1)

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	cr_assert(f, "cannot create %s", path);
	cr_assert_eq(fwrite(data, 1, n, f), n);
	cr_assert_eq(fclose(f), 0);
}

/* Runs `bidx build -v` over corpus into ix; returns stderr+stdout. */
static char *build(const char *corpus, const char *ix, int *st)
{
	char cmd[12288];
	snprintf(cmd, sizeof cmd, "%s/bidx build -v -i '%s' '%s' 2>&1", BIDX_BINARY_DIR, ix, corpus);
	return tu_run(cmd, st);
}

/* `bsearch -l QUERY` as the sorted list of base names. */
static char *hits(const char *ix, const char *query)
{
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s' -l '%s' | sed 's|.*/||' | sort | tr '\\n' ' '",
	         BIDX_BINARY_DIR, ix, query);
	return tu_run(cmd, &st);
}

static const char *const queries[] = {"クレジットカード", "個人情報", "不正アクセス", "お詫び",
                                      "漏えい", "カード OR 口座", "情報 -カード", "株式会社"};

/* Converts each seed with iconv; seeds the encoding cannot hold are left out
 * of both corpora so the hit lists stay comparable. */
static int convert_seeds(const char *seeds, const char *enc, const char *bom,
                         const char *out, const char *ref)
{
	DIR *d = opendir(seeds);
	struct dirent *e;
	int n = 0;
	char cmd[20000];
	cr_assert(d);
	mkdir(out, 0777);
	mkdir(ref, 0777);
	while ((e = readdir(d))) {
		if (!strstr(e->d_name, ".txt"))
			continue;
		snprintf(cmd, sizeof cmd,
		         "(printf '%s'; iconv -f UTF-8 -t %s '%s/%s') > '%s/%s' 2>/dev/null && "
		         "cp '%s/%s' '%s/%s'",
		         bom, enc, seeds, e->d_name, out, e->d_name, seeds, e->d_name, ref, e->d_name);
		if (system(cmd) == 0)
			n++;
		else {
			snprintf(cmd, sizeof cmd, "rm -f '%s/%s'", out, e->d_name);
			cr_assert_eq(system(cmd), 0);
		}
	}
	closedir(d);
	return n;
}

static void same_hits(const char *enc, const char *bom, const char *label)
{
	const char *seeds = tu_corpus("seeds");
	char out[1024], ref[1024], ix[1024], rix[1024];
	cr_assert(seeds);
	snprintf(out, sizeof out, "%s/%s", tmp, enc);
	snprintf(ref, sizeof ref, "%s/%s-ref", tmp, enc);
	snprintf(ix, sizeof ix, "%s/%s-ix", tmp, enc);
	snprintf(rix, sizeof rix, "%s/%s-rix", tmp, enc);
	int n = convert_seeds(seeds, enc, bom, out, ref);
	cr_assert_geq(n, 2, "iconv could convert only %d seeds to %s", n, enc);
	int st;
	char *log = build(out, ix, &st);
	cr_assert_eq(st, 0, "build of %s seeds failed:\n%s", enc, log);
	char want[64];
	snprintf(want, sizeof want, "analysed %d documents", n);
	cr_assert(strstr(log, want), "%s: expected '%s' in:\n%s", enc, want, log);
	char tag[128];
	snprintf(tag, sizeof tag, "bytes, %s)", label);
	cr_assert(strstr(log, tag), "%s: -v does not report the encoding '%s':\n%s", enc, label, log);
	free(log);
	free(build(ref, rix, &st));
	cr_assert_eq(st, 0);
	int some = 0;
	for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
		char *a = hits(ix, queries[i]), *b = hits(rix, queries[i]);
		cr_assert_str_eq(a, b, "%s: query %s: %s instead of %s", enc, queries[i], a, b);
		some += *b != 0;
		free(a);
		free(b);
	}
	cr_assert_gt(some, 3, "the queries should find something");
}

Test(encodings, utf8_with_bom) { same_hits("UTF-8", "\\357\\273\\277", "UTF-8 with BOM"); }
Test(encodings, shift_jis) { same_hits("CP932", "", "Shift_JIS (CP932)"); }
Test(encodings, euc_jp) { same_hits("EUC-JP-MS", "", "EUC-JP"); }
Test(encodings, iso_2022_jp) { same_hits("ISO-2022-JP", "", "ISO-2022-JP"); }
Test(encodings, utf16le) { same_hits("UTF-16LE", "\\377\\376", "UTF-16LE"); }
Test(encodings, utf16be) { same_hits("UTF-16BE", "\\376\\377", "UTF-16BE"); }

/* Unit level: the detector on small inputs. */
static const char *detect(const char *data, size_t n, char *why, size_t whylen)
{
	static bidx_text t;
	char *copy = malloc(n + 1);
	memcpy(copy, data, n);
	bidx_text_free(&t);
	bidx_err rc = bidx_text_decode(copy, n, &t, why, whylen);
	return rc ? NULL : t.encoding;
}

Test(encodings, detector)
{
	char why[256];
	cr_assert_str_eq(detect("abc", 3, why, sizeof why), "UTF-8");
	cr_assert_null(detect("", 0, why, sizeof why));
	cr_assert(strstr(why, "empty"));
	cr_assert_null(detect("a\0b", 3, why, sizeof why));
	cr_assert(strstr(why, "binary"));
	/* お知らせ in CP932 and EUC-JP */
	cr_assert_str_eq(detect("\x82\xa8\x92\x6d\x82\xe7\x82\xb9", 8, why, sizeof why), "Shift_JIS (CP932)");
	cr_assert_str_eq(detect("\xa4\xaa\xc3\xce\xa4\xe9\xa4\xbb", 8, why, sizeof why), "EUC-JP");
	cr_assert_str_eq(detect("\x1b$B$*CN$i$;\x1b(B", 14, why, sizeof why), "ISO-2022-JP");
	/* UTF-16 with an odd byte count or a lone surrogate */
	cr_assert_null(detect("\xff\xfe\x41\x00\x42", 5, why, sizeof why));
	cr_assert(strstr(why, "UTF-16"), "%s", why);
	cr_assert_null(detect("\xff\xfe\x00\xd8\x41\x00", 6, why, sizeof why));
	cr_assert(strstr(why, "UTF-16"), "%s", why);
	cr_assert_null(detect("\xff\xfe\x41\x00\x00\x00", 6, why, sizeof why));
	cr_assert(strstr(why, "binary"), "%s", why);
	/* UTF-8 with a broken sequence among good ones */
	cr_assert_null(detect("お知らせ\xe3\x81です", 20, why, sizeof why));
	cr_assert(strstr(why, "invalid UTF-8"), "%s", why);
	/* a surrogate encoded in UTF-8 (CESU) is not UTF-8 */
	cr_assert_null(detect("\xed\xa0\x80\xed\xa0\x80", 6, why, sizeof why));
	/* CR-only line ends become LF */
	bidx_text t;
	char *cr = strdup("a\rb\r");
	cr_assert_eq(bidx_text_decode(cr, 4, &t, why, sizeof why), BIDX_OK);
	cr_assert_eq(memcmp(t.p, "a\nb\n", 4), 0);
	bidx_text_free(&t);
	detect("", 0, why, sizeof why);
}

/* The UTF-8 text data decodes to, or NULL with the reason in why. */
static const char *decoded(const char *data, size_t n, char *why, size_t whylen, size_t *len)
{
	static bidx_text t;
	char *copy = malloc(n + 1);
	memcpy(copy, data, n);
	bidx_text_free(&t);
	if (bidx_text_decode(copy, n, &t, why, whylen))
		return NULL;
	*len = t.len;
	return t.p;
}

#define REFUSED(lit, enc) refused(lit, sizeof lit - 1, enc)

/* data is refused as invalid enc, the reason naming enc. */
static void refused(const char *data, size_t n, const char *enc)
{
	char why[256] = "";
	const char *e = detect(data, n, why, sizeof why);
	cr_assert_null(e, "accepted as %s: %.*s", e, (int)n, data);
	cr_assert(strstr(why, enc), "the reason should name %s: %s", enc, why);
}

#define DECODES(lit, enc, want) decodes(lit, sizeof lit - 1, enc, want)

static void decodes(const char *data, size_t n, const char *enc, const char *want)
{
	char why[256] = "";
	const char *e = detect(data, n, why, sizeof why);
	cr_assert(e && !strcmp(e, enc), "%.*s: %s instead of %s (%s)", (int)n, data, e ? e : "refused",
	          enc, why);
	size_t len = 0;
	const char *p = decoded(data, n, why, sizeof why, &len);
	cr_assert(p && len == strlen(want) && !memcmp(p, want, len), "%.*s: decoded as %.*s, not %s",
	          (int)n, data, (int)len, p ? p : "", want);
}

/* ISO-2022-JP is read strictly: iconv alone takes DEL and controls in
 * two-byte text, copies escapes it does not know and shift codes, and
 * misses JIS X 0201 katakana and JIS X 0212 in plain ISO-2022-JP. */
Test(encodings, iso_2022_jp_is_validated_strictly)
{
	REFUSED("\x1b$B\x7f\x7f\x1b(B", "ISO-2022-JP");                 /* DEL DEL */
	REFUSED("\x1b$B$*\x7f\x7f$;\x1b(B", "ISO-2022-JP");
	REFUSED("\x1b$B$*\n$;\x1b(B\n", "ISO-2022-JP");                  /* LF in two-byte text */
	REFUSED("\x1b$B$*\t$;\x1b(B", "ISO-2022-JP");
	REFUSED("\x1b$B$* $;\x1b(B", "ISO-2022-JP");                      /* space */
	REFUSED("\x1b$B$*$\x1b(B", "ISO-2022-JP");                        /* half a character */
	REFUSED("\x1b$B$*$", "ISO-2022-JP");
	REFUSED("\x1b$B$*\x1b(B\x1b(Zabc", "ISO-2022-JP");                /* unknown escape */
	REFUSED("\x1b$B$*\x1b(B\x1b[31mred", "ISO-2022-JP");
	REFUSED("\x1b$A\x30\x21\x1b(B", "ISO-2022-JP");                  /* GB 2312 */
	REFUSED("\x1b$(C\x30\x21\x1b(B", "ISO-2022-JP");                 /* KS C 5601 */
	REFUSED("\x1b$B$*\x1b(B\x0e!\x0f", "ISO-2022-JP");               /* SO, SI */
	REFUSED("\x1b(I\x31\x61\x1b(B", "ISO-2022-JP");                  /* 0x61: no katakana */
	REFUSED("\x1b$B\x74\x27\x1b(B", "ISO-2022-JP");                  /* unassigned */
	/* the good ones still read, to the right characters */
	DECODES("\x1b$B$*CN$i$;\x1b(B\n", "ISO-2022-JP", "お知らせ\n");
	DECODES("a\x1b$@\x30\x21\x1b(Bb", "ISO-2022-JP", "a亜b");
	DECODES("\x1b$B$*\x1b(B\x7f\t\x01", "ISO-2022-JP", "お\x7f\t\x01");   /* ASCII keeps controls */
	DECODES("\x1b(I\x31\x32 \x1b(B", "ISO-2022-JP", "ｱｲ ");             /* JIS X 0201 katakana */
	DECODES("\x1b(J\\~\x1b(B", "ISO-2022-JP", "¥‾");                  /* JIS X 0201 Roman */
	DECODES("\x1b$(D\x30\x21\x1b(B", "ISO-2022-JP", "丂");             /* JIS X 0212 */
	DECODES("\x1b$(Q\x30\x21\x1b(B", "ISO-2022-JP", "亜");             /* JIS X 0213 */
	DECODES("\x1b$B$*", "ISO-2022-JP", "お");                     /* no final ESC ( B */
	/* ESC ( B alone (terminals emit it) designates nothing: ASCII text */
	DECODES("a\x1b(B\x1b[0mb", "UTF-8", "a\x1b(B\x1b[0mb");
}

/* The siblings in the other decoders: no C1 controls out of EUC-JP, no
 * lone surrogates out of UTF-16, no overlong or surrogate UTF-8. */
Test(encodings, other_decoders_refuse_invalid_sequences)
{
	/* お知らせ NEL です in EUC-JP: 0x85 is no EUC-JP character */
	REFUSED("\xa4\xaa\xc3\xce\xa4\xe9\xa4\xbb\x85\xa4\xc7\xa4\xb9", "EUC-JP");
	REFUSED("\xa4\xaa\xc3\xce\x9b\x32\x4a\xa4\xe9\xa4\xbb", "EUC-JP");   /* CSI 2 J */
	DECODES("\xa4\xaa\xc3\xce\xa4\xe9\xa4\xbb", "EUC-JP", "お知らせ");
	DECODES("\xa4\xaa\xc3\xce\x8e\xb1\xa4\xbb", "EUC-JP", "お知ｱせ");
	/* Shift_JIS: bytes that are no lead byte, a bad trail byte */
	REFUSED("\x82\xa8\x92\x6d\x80\x82\xe7\x82\xb9", "Shift_JIS");
	REFUSED("\x82\xa8\x92\x6d\xa0\x82\xe7\x82\xb9\xfd", "Shift_JIS");
	REFUSED("\x82\xa8\x92\x6d\x82\x7f\x82\xe7\x82\xb9", "Shift_JIS");
	DECODES("\x82\xa8\x92\x6d\x82\xe7\x82\xb9", "Shift_JIS (CP932)", "お知らせ");
	/* UTF-16: a lone low surrogate, a high one at the end, two highs */
	REFUSED("\xff\xfe\x41\x00\x00\xdc\x42\x00", "UTF-16");
	REFUSED("\xff\xfe\x41\x00\x00\xd8", "UTF-16");
	REFUSED("\xfe\xff\xd8\x00\xd8\x00\xdc\x00", "UTF-16");
	DECODES("\xff\xfe\x3c\xd8\x89\xdf", "UTF-16LE", "🎉");
	/* UTF-8: overlong forms, surrogates, beyond U+10FFFF, among good text */
	REFUSED("お知らせです\xc0\xafお詫び", "UTF-8");
	REFUSED("お知らせです\xe0\x80\xafお詫び", "UTF-8");
	REFUSED("お知らせです\xf0\x80\x80\xafお詫び", "UTF-8");
	REFUSED("お知らせです\xed\xb0\x80お詫び", "UTF-8");
	REFUSED("お知らせです\xf4\x90\x80\x80お詫び", "UTF-8");
	REFUSED("お知らせです\xf8\x88\x80\x80\x80お詫び", "UTF-8");
}

static int count_lines_with(const char *log, const char *a, const char *b)
{
	int n = 0;
	for (const char *l = log; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		char line[2048];
		snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), l);
		n += strstr(line, a) && strstr(line, b);
		l = e ? e + 1 : NULL;
	}
	return n;
}

Test(encodings, unusable_files_are_reported_counted_and_skipped)
{
	const char *seeds = tu_corpus("seeds");
	char c[1024], p[2200], ix[1024];
	snprintf(c, sizeof c, "%s/bad", tmp);
	snprintf(ix, sizeof ix, "%s/bad-ix", tmp);
	mkdir(c, 0777);
	snprintf(p, sizeof p, "cp '%s'/000_*.txt '%s/good.txt'", seeds, c);
	cr_assert_eq(system(p), 0);
	snprintf(p, sizeof p, "%s/binary.txt", c);
	WRITE_STR(p, "PK\3\4\0\0abc");
	snprintf(p, sizeof p, "%s/empty.txt", c);
	WRITE_STR(p, "");
	snprintf(p, sizeof p, "%s/latin1.txt", c);
	WRITE_STR(p, "caf\xe9 na\xefve r\xe9sum\xe9 \xa9 \xae \xb1 \xff\xfe\xfd");
	snprintf(p, sizeof p, "%s/broken-utf8.txt", c);
	WRITE_STR(p, "お知らせです。個人情報\xe3\x81。お詫び");
	snprintf(p, sizeof p, "%s/bad-utf16.txt", c);
	WRITE_STR(p, "\xff\xfe\x00\xd8\x41\x00");
	snprintf(p, sizeof p, "%s/bad-iso2022.txt", c);
	WRITE_STR(p, "\x1b$B$*CN$i$;\x1b(B\n\x1b$B\x7f\x7f\x1b(B\n");
	snprintf(p, sizeof p, "%s/unreadable.txt", c);
	WRITE_STR(p, "読めないファイル");
	chmod(p, 0);
	int root_reads = access(p, R_OK) == 0;   /* root ignores permissions */
	snprintf(p, sizeof p, "%s/loop.txt", c);
	cr_assert_eq(symlink("loop.txt", p), 0);
	snprintf(p, sizeof p, "%s/name-\xff\xfe.txt", c);
	WRITE_STR(p, "名前が壊れている");
	snprintf(p, sizeof p, "%s/huge.txt", c);
	int fd = open(p, O_CREAT | O_WRONLY, 0666);
	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, (off_t)BIDX_MAX_FILE_BYTES + 4096), 0);   /* sparse */
	close(fd);
	int st;
	char *log = build(c, ix, &st);
	cr_assert_eq(st, 0, "the build should go on:\n%s", log);
	cr_assert_eq(count_lines_with(log, "binary.txt", "binary file"), 1, "%s", log);
	cr_assert_eq(count_lines_with(log, "empty.txt", "empty file"), 1, "%s", log);
	cr_assert_eq(count_lines_with(log, "latin1.txt", "not UTF-8, UTF-16, Shift_JIS, EUC-JP or ISO-2022-JP"), 1, "%s", log);
	cr_assert_eq(count_lines_with(log, "broken-utf8.txt", "invalid UTF-8"), 1, "%s", log);
	cr_assert_eq(count_lines_with(log, "bad-utf16.txt", "invalid UTF-16"), 1, "%s", log);
	cr_assert_eq(count_lines_with(log, "bad-iso2022.txt", "invalid ISO-2022-JP"), 1, "%s", log);
	cr_assert_eq(count_lines_with(log, "loop.txt", "symbolic links"), 1, "%s", log);
	cr_assert_eq(count_lines_with(log, "name-", "file name is not valid UTF-8"), 1, "%s", log);
	cr_assert_eq(count_lines_with(log, "huge.txt", "too large"), 1, "%s", log);
	int skipped = 9;
	if (!root_reads) {
		cr_assert_eq(count_lines_with(log, "unreadable.txt", "Permission denied"), 1, "%s", log);
		skipped++;
	} else {
		fprintf(stderr, "note: running as root, chmod 000 does not stop reads; "
		        "the unreadable-file case is asserted as user nobody below\n");
	}
	char want[64];
	snprintf(want, sizeof want, "analysed %d documents", 1 + root_reads);
	cr_assert(strstr(log, want), "%s", log);
	snprintf(want, sizeof want, "skipped %d\n", skipped);
	cr_assert(strstr(log, want), "expected '%s' in:\n%s", want, log);
	free(log);
	/* a corpus with nothing usable fails cleanly and says so */
	snprintf(p, sizeof p, "rm -f '%s/good.txt' '%s/unreadable.txt'", c, c);
	cr_assert_eq(system(p), 0);
	snprintf(ix, sizeof ix, "%s/none-ix", tmp);
	log = build(c, ix, &st);
	cr_assert_eq(st, 2, "%s", log);
	cr_assert(strstr(log, "no documents"), "%s", log);
	free(log);
}

/* bsearch --json over ix for query: the output (exit status in *st). */
static char *search_json(const char *ix, const char *query, int *st)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s' --json -n 100 '%s'", BIDX_BINARY_DIR, ix, query);
	return tu_run(cmd, st);
}

Test(encodings, awkward_text_is_searchable_with_intact_snippets)
{
	char c[1024], p[2200], ix[1024];
	snprintf(c, sizeof c, "%s/odd", tmp);
	snprintf(ix, sizeof ix, "%s/odd-ix", tmp);
	mkdir(c, 0777);
	static const struct { const char *name, *text, *query, *mark; } docs[] = {
		{"crlf.txt", "お知らせ\r\n当社の個人\r\n情報が漏えいしました。\r\n", "個人情報が漏えい", "個人\r\n情報が漏えい"},
		{"cr.txt", "ご報告\r弊社サーバへの不正\rアクセスについて\r", "不正アクセス", "不正\rアクセス"},
		{"emoji.txt", "🎉キャンペーン当選🎉のお知らせ👨‍👩‍👧", "🎉キャンペーン当選🎉", "🎉キャンペーン当選🎉"},
		{"ivs.txt", "葛\xf3\xa0\x84\x80飾区役所からのお知らせ", "葛飾区役所", "葛\xf3\xa0\x84\x80飾区役所"},
		{"combining.txt", "か\xe3\x82\x99ぎの紛失について", "がぎ", "か\xe3\x82\x99ぎ"},
		{"fffd.txt", "文字化け\xef\xbf\xbd\xef\xbf\xbdがありました", "化け\xef\xbf\xbd", "化け\xef\xbf\xbd"},
		{"control.txt", "alpha\x01\x02" "beta\x1b[0m gamma\x7f" "delta", "alpha beta", "alpha\x01\x02" "beta"},
	};
	size_t nd = sizeof docs / sizeof *docs;
	for (size_t i = 0; i < nd; i++) {
		snprintf(p, sizeof p, "%s/%s", c, docs[i].name);
		write_file(p, docs[i].text, strlen(docs[i].text));
	}
	/* one 4 MB line with one rare word in the middle */
	size_t big = 4u << 20;
	char *line = malloc(big);
	for (size_t i = 0; i + 3 <= big; i += 3)
		memcpy(line + i, &"あいう"[(i / 3 % 3) * 3], 3);
	memcpy(line + big / 2 - big / 2 % 3, "特異語句", 12);
	snprintf(p, sizeof p, "%s/longline.txt", c);
	write_file(p, line, big - big % 3);
	free(line);
	int st;
	char *log = build(c, ix, &st);
	cr_assert_eq(st, 0, "%s", log);
	cr_assert(strstr(log, "analysed 8 documents"), "%s", log);
	free(log);
	for (size_t i = 0; i < nd; i++) {
		char *out = search_json(ix, docs[i].query, &st);
		cr_assert_eq(st, 0, "%s: query %s found nothing", docs[i].name, docs[i].query);
		cr_assert(strstr(out, docs[i].name), "%s: not found by %s:\n%s", docs[i].name, docs[i].query, out);
		cr_assert_eq(bidx_utf8_check((const uint8_t *)out, strlen(out)), strlen(out),
		             "%s: output is not valid UTF-8", docs[i].name);
		free(out);
		/* the snippet holds the matched original bytes, marked */
		char cmd[8192];
		snprintf(cmd, sizeof cmd, "NO_COLOR=1 %s/bsearch -i '%s' -n 100 '%s'", BIDX_BINARY_DIR, ix,
		         docs[i].query);
		out = tu_run(cmd, &st);
		const char *m = docs[i].mark;
		char want[256];
		/* snippets put a line on one line: CR/LF inside Japanese vanish,
		 * control characters become spaces; compare the visible part only */
		if (strchr(m, '\r') || strchr(m, '\n') || strchr(m, '\x01'))
			snprintf(want, sizeof want, "[");
		else
			snprintf(want, sizeof want, "[%.200s]", m);
		cr_assert(strstr(out, want), "%s: snippet lacks %s:\n%s", docs[i].name, want, out);
		free(out);
	}
	char *out = search_json(ix, "特異語句", &st);
	cr_assert_eq(st, 0);
	cr_assert(strstr(out, "longline.txt"));
	cr_assert_lt(strlen(out), 4000, "the snippet of a long line must stay short");
	free(out);
}

Test(encodings, json_escapes_invalid_utf8)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	bidx_json_str(f, "a\xff" "b\xe3\x81" "c\xed\xa0\x80" "dお", 13);
	fclose(f);
	cr_assert_str_eq(buf, "\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffddお\"");
	free(buf);
}

/* Root reads any file whatever its mode, so as root the unreadable case is
 * run as the unprivileged user nobody (setpriv, util-linux). */
Test(encodings, an_unreadable_file_is_reported_and_skipped_for_an_unprivileged_user)
{
	char c[1200], ix[1200], p[1400], cmd[12288];
	snprintf(c, sizeof c, "%s/perm", tmp);
	snprintf(ix, sizeof ix, "%s/perm-ix", tmp);
	cr_assert_eq(mkdir(c, 0777), 0);
	chmod(tmp, 0755);
	chmod(c, 0777);
	snprintf(p, sizeof p, "%s/good.txt", c);
	WRITE_STR(p, "個人情報の取扱いについて");
	chmod(p, 0644);
	snprintf(p, sizeof p, "%s/unreadable.txt", c);
	WRITE_STR(p, "読めないファイル");
	chmod(p, 0);
	const char *as = "";
	if (geteuid() == 0) {
		if (system("command -v setpriv >/dev/null 2>&1") != 0 ||
		    system("setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null") != 0)
			cr_skip_test("running as root without setpriv: cannot drop privileges");
		as = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
		/* the unprivileged user writes the index in a directory of its own */
		cr_assert_eq(mkdir(ix, 0777), 0);
		chmod(ix, 0777);
	}
	snprintf(cmd, sizeof cmd, "%s%s/bidx build -i '%s' '%s' 2>&1", as, BIDX_BINARY_DIR, ix, c);
	int st;
	char *log = tu_run(cmd, &st);
	/* the build tree itself may not be usable by nobody (a private home) */
	if (*as && (st == 126 || st == 127 || (st == 2 && strstr(log, "MeCab"))))
		cr_skip_test("the build tree is not usable by user nobody:\n%s", log);
	cr_assert_eq(st, 0, "%s", log);
	cr_assert_eq(count_lines_with(log, "unreadable.txt", "Permission denied"), 1, "%s", log);
	cr_assert(strstr(log, "analysed 1 documents"), "%s", log);
	cr_assert(strstr(log, "skipped 1\n"), "%s", log);
	free(log);
}
