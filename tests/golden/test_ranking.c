/*
 * Ranking end to end: judged queries (tests/golden/judged/: each judged
 * relevant document in the top 10 of bsearch), whole words first on
 * livedoor (京都大学前 above 東京都), and --explain, whose parts sum to the
 * score shown, in the human output and in JSON.  The livedoor judgments
 * (on livedoor with the seed notices) run when the shared corpus is there;
 * the bundled corpus always.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* An index of corpus (and of also, when not NULL) in a new directory. */
static char *build_index2(const char *corpus, const char *also, const char *tag)
{
	char *dir = tu_tmpdir(tag), cmd[9000];
	int st;
	cr_assert(dir);
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i '%s/index' '%s' %s%s%s", BIDX_BINARY_DIR, dir,
	         corpus, also ? "'" : "", also ? also : "", also ? "'" : "");
	free(tu_run(cmd, &st));
	cr_assert_eq(st, 0, "bidx build %s failed", corpus);
	return dir;
}

static char *build_index(const char *corpus, const char *tag)
{
	return build_index2(corpus, NULL, tag);
}

static char *bs(const char *dir, const char *args, int *st)
{
	char cmd[9000];
	snprintf(cmd, sizeof cmd, "NO_COLOR=1 %s/bsearch -i '%s/index' %s", BIDX_BINARY_DIR, dir, args);
	return tu_run(cmd, st);
}

/* Checks every line of a judgments file; returns the documents checked. */
static int check_judged(const char *dir, const char *file)
{
	char path[4096], line[4096];
	snprintf(path, sizeof path, "%s/tests/golden/judged/%s", BIDX_SOURCE_DIR, file);
	FILE *f = fopen(path, "r");
	cr_assert(f, "cannot read %s", path);
	int checked = 0, queries = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *tab = strchr(line, '\t');
		if (line[0] == '#' || !tab)
			continue;
		*tab = 0;
		char args[4200];
		int st;
		snprintf(args, sizeof args, "-n 10 --json '%s'", line);
		char *out = bs(dir, args, &st);
		cr_assert_eq(st, 0, "%s: no hits", line);
		for (char *doc = strtok(tab + 1, " "); doc; doc = strtok(NULL, " ")) {
			char want[600];
			snprintf(want, sizeof want, "/%s\"", doc);
			cr_expect(strstr(out, want), "%s: judged relevant %s not in the top 10", line, doc);
			checked++;
		}
		free(out);
		queries++;
	}
	fclose(f);
	fprintf(stderr, "ranking: %s: %d queries, %d judged documents in their top 10\n", file,
	        queries, checked);
	return checked;
}

Test(ranking, judged_bundled_corpus, .timeout = 300)
{
	char corpus[4096];
	snprintf(corpus, sizeof corpus, "%s/corpus", BIDX_SOURCE_DIR);
	char *dir = build_index(corpus, "judged");
	cr_assert_gt(check_judged(dir, "seeds.tsv"), 10);
	tu_rmtree(dir);
	free(dir);
}

/* The rank of the hit whose title starts with title in bsearch's human
 * output, 0 when absent. */
static int rank_of(const char *out, const char *title)
{
	for (const char *p = out; (p = strstr(p, title)); p++) {
		const char *l = p;
		while (l > out && l[-1] != '\n')
			l--;
		int r;
		double sc;
		if (sscanf(l, "%d. %lf", &r, &sc) == 2)
			return r;
	}
	return 0;
}

Test(ranking, judged_livedoor_and_whole_words, .timeout = 600)
{
	const char *src = tu_corpus("livedoor");
	if (!src) {
		fprintf(stderr, "ranking: no livedoor corpus; its judgments skipped\n");
		return;
	}
	/* with the seed notices, so that breach notices compete with the news */
	char *dir = build_index2(src, tu_corpus("seeds"), "judged-ld");
	cr_assert_gt(check_judged(dir, "livedoor.tsv"), 30);
	int st;
	char *out = bs(dir, "-n 400 京都", &st);
	int kyodai = rank_of(out, "京都大学前の横断幕"), tokyo = rank_of(out, "東京都がまたマンガ");
	cr_assert(kyodai > 0 && kyodai <= 3, "京都大学前の横断幕が話題に ranks %d", kyodai);
	cr_assert(tokyo == 0 || tokyo > kyodai, "東京都がまた... (%d) above 京都大学前 (%d)", tokyo,
	          kyodai);
	free(out);
	tu_rmtree(dir);
	free(dir);
}

/* --explain: under every hit "explain: S = a + b ..." where S is the score
 * shown on the hit's line and the parts add up to it at that precision. */
static void check_human_sums(const char *out, int *hits)
{
	double shown = NAN;
	for (const char *l = out; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		int r;
		double sc;
		if (sscanf(l, "%d. %lf", &r, &sc) == 2) {
			shown = sc;
			continue;
		}
		const char *e = strstr(l, "explain: ");
		const char *nl = strchr(l, '\n');
		if (!e || (nl && e > nl))
			continue;
		double total, part, sum = 0;
		int n = 0, k;
		cr_assert_eq(sscanf(e, "explain: %lf =%n", &total, &k), 1, "%.80s", e);
		cr_assert(fabs(total - shown) < 1e-9, "explain total %.3f, hit shows %.3f", total, shown);
		const char *p = e + k;
		while (sscanf(p, " %lf%n", &part, &k) == 1) {
			sum += part;
			n++;
			p += k;
			if (sscanf(p, " +%n", &k) != 0 || strncmp(p, " +", 2))
				break;
			p += 2;
		}
		cr_assert_gt(n, 0);
		cr_assert(fabs(sum - total) <= 0.0005 * (n + 1), "parts sum to %.4f, score %.3f", sum,
		          total);
		(*hits)++;
	}
}

Test(ranking, explain_parts_sum_to_the_score, .timeout = 300)
{
	char corpus[4096];
	snprintf(corpus, sizeof corpus, "%s/corpus", BIDX_SOURCE_DIR);
	char *dir = build_index(corpus, "explain");
	static const char *const queries[] = {
		"漏えい", "'個人情報 漏えい'", "'カード OR 口座'", "'不正アクセス -カード'",
		"'title:お知らせ 健康'", "'\"クレジットカード 情報\"'", "第1報",
	};
	int hits = 0, st;
	for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
		char args[512];
		snprintf(args, sizeof args, "--explain -n 10 %s", queries[i]);
		char *out = bs(dir, args, &st);
		check_human_sums(out, &hits);
		free(out);
		snprintf(args, sizeof args, "--explain --json -n 10 %s", queries[i]);
		out = bs(dir, args, &st);
		for (char *h = strstr(out, "{\"rank\""); h; h = strstr(h + 1, "{\"rank\"")) {
			double score, total, sum = 0, part;
			char *s = strstr(h, "\"score\":"), *x = strstr(h, "\"explain\":");
			cr_assert(s && x, "no explain member in %.200s", h);
			cr_assert_eq(sscanf(s, "\"score\":%lf", &score), 1);
			cr_assert_eq(sscanf(x, "\"explain\":{\"score\":%lf", &total), 1);
			char *end = strstr(x, "]}");
			for (char *w = strstr(x, "{\"word\""); w && w < end; w = strstr(w + 1, "{\"word\"")) {
				char *ws = strstr(w, ",\"score\":");
				cr_assert_eq(sscanf(ws, ",\"score\":%lf", &part), 1);
				sum += part;
			}
			cr_assert(fabs(total - score) < 1e-5, "explain %.6f, score %.6f", total, score);
			cr_assert(fabs(sum - score) < 1e-5, "parts %.6f, score %.6f", sum, score);
		}
		free(out);
	}
	cr_assert_gt(hits, 20, "only %d hits explained", hits);
	tu_rmtree(dir);
	free(dir);
}
