/*
 * The best-match mode, `bsearch --any`, and the fallback of a plain query
 * that matches nothing exactly.  Question analysis is checked directly
 * (content words kept, particles and auxiliaries dropped, base forms, a
 * compound and its parts, a repeated word counted twice); the rest end to
 * end with the real binaries on a small JSON Lines collection written here
 * (every word in few documents, so none is left out as too common) and on
 * the bundled seed notices: inflected forms find each other, a compound
 * finds its parts apart and the parts the compound, more and rarer words
 * rank first, --json names the words each hit matched, and -l, -c and
 * --json never switch modes, all exiting 1 when nothing matched exactly;
 * a noun finds its other kana (ゴミ: ごみ) and its reading (鴉: カラス), a
 * word the thesaurus (dict/thesaurus.txt) finds its synonyms (亡くなる:
 * 死亡, 国保: 国民健康保険), and a word in most bodies still counts in a
 * title, where it is rare, and of two entries alike the shorter title ranks
 * first, and the title with the question's words in its order; a noun finds
 * its reading in hiragana (子供: こども), a verb typed with okurigana the
 * official spelling (申し込む: 申込), and a word that ends the titles it is
 * in (the collection's question template) weighs less than their subject;
 * a long noun MeCab keeps whole (野良犬) finds its head alone (犬), and so
 * does a compound's suffix (保護犬: 犬); what ranking needs of every
 * document is read once for an index, and a question scores as on an index
 * of its own.
 * The thesaurus reader is checked on a small table.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "normalize.h"
#include "question.h"
#include "testutil.h"
#include "thesaurus.h"
#include "tokenize.h"

static char *dir;
static char ixdir[4200];

/* Line N of the collection is the document shown as docs.jsonl:N. */
static const char *const docs[] = {
	"{\"title\":\"窓口に持つもの\",\"body\":\"窓口には印鑑を持つ必要があります。\"}",
	"{\"title\":\"国民年金の手続き\",\"body\":\"国民年金の加入は窓口でできます。\"}",
	"{\"title\":\"祝日の案内\",\"body\":\"国民の祝日と、年金の支給日についてお知らせします。\"}",
	"{\"title\":\"補助金の手続き\",\"body\":\"補助金を申請するには書類が要ります。\"}",
	"{\"title\":\"犬の登録\",\"body\":\"飼い犬の登録と狂犬病の予防注射は毎年必要です。\"}",
	"{\"title\":\"住所の登録\",\"body\":\"転入した人の住所の登録は市民課で受け付けます。\"}",
	"{\"title\":\"保険証の確認\",\"body\":\"受診の際は保険証を持ってきてください。\"}",
	"{\"title\":\"図書館の開館時間\",\"body\":\"図書館は午前九時から午後八時まで開いています。\"}",
	"{\"title\":\"ごみの出し方\",\"body\":\"燃えるごみは月曜日と木曜日に出してください。\"}",
	"{\"title\":\"公園の利用\",\"body\":\"公園でのバーベキューは禁止されています。\"}",
	"{\"title\":\"駐輪場の案内\",\"body\":\"駅前の駐輪場は二十四時間利用できます。\"}",
	"{\"title\":\"選挙の投票所\",\"body\":\"投票所は入場券に書かれています。\"}",
	"{\"title\":\"水道の開栓\",\"body\":\"引っ越しの際は水道局へ連絡してください。\"}",
	"{\"title\":\"子育て支援\",\"body\":\"子育て中の家庭向けの相談室があります。\"}",
	"{\"title\":\"カラスの被害\",\"body\":\"カラスが集積場を荒らすときの相談先です。\"}",
	"{\"title\":\"死亡届の提出\",\"body\":\"死亡の届出は七日以内に市民課へ。\"}",
	"{\"title\":\"国民健康保険の加入\",\"body\":\"国民健康保険には転入の日から入ります。\"}",
};

static void setup(void)
{
	dir = tu_tmpdir("any");
	cr_assert(dir);
	char path[4200], cmd[9000];
	snprintf(path, sizeof path, "%s/docs.jsonl", dir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
		fprintf(f, "%s\n", docs[i]);
	cr_assert_eq(fclose(f), 0);
	snprintf(ixdir, sizeof ixdir, "%s/index", dir);
	int st;
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i '%s' '%s'", BIDX_BINARY_DIR, ixdir, path);
	free(tu_run(cmd, &st));
	cr_assert_eq(st, 0, "bidx build failed");
}

static void teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

TestSuite(any, .init = setup, .fini = teardown, .timeout = 120);

/* bsearch OPTS -- QUERY on the collection; *st gets the exit status. */
static char *run_bsearch(const char *opts, const char *query, int *st)
{
	char cmd[9000];
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s' --color never %s -- '%s' 2>&1", BIDX_BINARY_DIR,
	         ixdir, opts, query);
	return tu_run(cmd, st);
}

/* The record lines of the hits of bsearch -l OPTS, in order, as "2 3". */
static void lines_of(const char *opts, const char *query, char *out, size_t n, int *st)
{
	char o2[256];
	snprintf(o2, sizeof o2, "--records %s", opts);
	char *o = run_bsearch(o2, query, st);
	size_t l = 0;
	out[0] = 0;
	for (char *p = strstr(o, ".jsonl:"); p && l < n; p = strstr(p + 1, ".jsonl:"))
		l += (size_t)snprintf(out + l, n - l, "%s%ld", l ? " " : "", strtol(p + 7, NULL, 10));
	free(o);
}

/* 1 when the space-separated list has word w. */
static int has(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = strstr(list, w); p; p = strstr(p + 1, w))
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

static int has_label(const bidx_question *q, const char *label, uint32_t *qtf)
{
	for (uint32_t i = 0; i < q->n; i++)
		if (!strcmp(q->w[i].label, label)) {
			if (qtf)
				*qtf = q->w[i].qtf;
			return 1;
		}
	return 0;
}

Test(any, content_words_of_a_question)
{
	bidx_tokenizer *t;
	char why[4400];
	cr_assert_eq(bidx_tokenizer_new(&t, why, sizeof why), BIDX_OK, "MeCab is needed: %s", why);
	bidx_question q;
	cr_assert_eq(bidx_question_analyse(t, "国民年金の免除申請をしたいのですが、申請に必要な持ち物は"
	                                   "何を持っていけば良いですか？", &q, why, sizeof why), BIDX_OK);
	uint32_t qtf = 0;
	const char *kept[] = {"国民年金", "国民", "年金", "免除", "申請", "必要", "持つ"};
	for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
		cr_expect(has_label(&q, kept[i], NULL), "%s not kept", kept[i]);
	cr_expect(has_label(&q, "申請", &qtf) && qtf == 2, "申請 counted %u times", qtf);
	/* particles, auxiliaries, the kana verbs of grammar, pronouns, symbols */
	const char *dropped[] = {"の", "を", "は", "に", "たい", "です", "か", "する", "いく", "何", "?",
	                         "ば", "が", "けれ"};
	for (size_t i = 0; i < sizeof dropped / sizeof *dropped; i++)
		cr_expect(!has_label(&q, dropped[i], NULL), "%s kept", dropped[i]);
	bidx_question_free(&q);
	/* nothing but grammar: no word at all */
	cr_assert_eq(bidx_question_analyse(t, "ですか？", &q, why, sizeof why), BIDX_OK);
	cr_expect_eq(q.n, 0);
	bidx_question_free(&q);
	bidx_tokenizer_free(t);
}

Test(any, inflected_forms_find_each_other)
{
	char got[256];
	int st;
	/* 持って (the question) finds 持つ (line 1) and 持って (line 7) */
	lines_of("--any", "何を持っていけばいいですか", got, sizeof got, &st);
	cr_expect_eq(st, 0);
	cr_expect(has(got, "1") && has(got, "7"), "got %s", got);
	/* 持つ finds 持って */
	lines_of("--any", "保険証を持つ", got, sizeof got, &st);
	cr_expect(has(got, "7"), "got %s", got);
	/* 申請したい finds 申請する */
	lines_of("--any", "補助金を申請したいのですが", got, sizeof got, &st);
	cr_expect(has(got, "4"), "got %s", got);
	/* the exact search does not: it is one phrase */
	lines_of("", "申請したい", got, sizeof got, &st);
	cr_expect_eq(st, 1);
	cr_expect_str_empty(got);
}

Test(any, compound_and_parts)
{
	char got[256];
	int st;
	/* the compound finds its parts apart (line 3), below the compound (2) */
	lines_of("--any", "国民年金について", got, sizeof got, &st);
	cr_expect_eq(st, 0);
	cr_expect(has(got, "2") && has(got, "3"), "got %s", got);
	cr_expect_eq(strncmp(got, "2 ", 2), 0, "the compound first: %s", got);
	/* the parts find the compound */
	lines_of("--any", "国民の年金", got, sizeof got, &st);
	cr_expect(has(got, "2") && has(got, "3"), "got %s", got);
}

/* A noun MeCab keeps whole (野良犬, 粗大ごみ: in no document) finds the
 * text that has its head alone (犬, ごみ), first; its parts are words of the
 * question standing for it. */
Test(any, a_long_noun_finds_its_parts)
{
	bidx_tokenizer *t;
	char why[4400];
	cr_assert_eq(bidx_tokenizer_new(&t, why, sizeof why), BIDX_OK, "MeCab is needed: %s", why);
	bidx_question q;
	cr_assert_eq(bidx_question_analyse_with(t, NULL, "野良犬を見かけた", &q, why, sizeof why),
	             BIDX_OK);
	cr_expect(has_label(&q, "野良犬", NULL) && has_label(&q, "野良", NULL) &&
	          has_label(&q, "犬", NULL));
	bidx_question_free(&q);
	/* a part the question has itself stays its own word, at its weight */
	cr_assert_eq(bidx_question_analyse_with(t, NULL, "野良犬と犬", &q, why, sizeof why), BIDX_OK);
	for (uint32_t i = 0; i < q.n; i++)
		if (!strcmp(q.w[i].label, "犬"))
			cr_expect(q.w[i].kind == BIDX_QW_WORD && q.w[i].weight == 1 && q.w[i].qtf == 1);
	bidx_question_free(&q);
	bidx_tokenizer_free(t);
	char got[256];
	int st;
	lines_of("--any", "野良犬を見かけた", got, sizeof got, &st);
	cr_expect_eq(st, 0);
	cr_expect_eq(strncmp(got, "5", 1), 0, "犬 not first: %s", got);
	lines_of("--any", "粗大ごみはどうすればいいですか", got, sizeof got, &st);
	cr_expect_eq(st, 0);
	cr_expect_eq(strncmp(got, "9", 1), 0, "ごみ not first: %s", got);
}

/* A compound's suffix with kanji (犬 in 保護犬, which MeCab reads as 保護 +
 * the suffix 犬) finds the text that names the thing alone. */
Test(any, a_compound_finds_its_suffix)
{
	char got[256];
	int st;
	lines_of("--any", "保護犬を探しています", got, sizeof got, &st);
	cr_expect_eq(st, 0);
	cr_expect_eq(strncmp(got, "5", 1), 0, "犬 not first: %s", got);
}

Test(any, more_and_rarer_words_rank_first)
{
	char got[256];
	int st;
	/* line 5 has 犬, 登録, 狂犬病, 予防注射; line 6 only 登録 */
	lines_of("--any", "犬の登録と狂犬病の予防注射はどこで受けられますか", got, sizeof got, &st);
	cr_expect_eq(st, 0);
	cr_expect(has(got, "6"), "got %s", got);
	cr_expect_eq(strncmp(got, "5 ", 2), 0, "got %s", got);
	/* nothing of the question anywhere: exit 1 */
	lines_of("--any", "宇宙旅行の予約", got, sizeof got, &st);
	cr_expect_eq(st, 1);
	cr_expect_str_empty(got);
}

Test(any, json_names_the_matched_words)
{
	int st;
	char *o = run_bsearch("--any --json", "国民年金について", &st);
	cr_expect_eq(st, 0);
	char *l2 = strstr(o, "docs.jsonl:2\""), *l3 = strstr(o, "docs.jsonl:3\"");
	cr_assert(l2 && l3, "%s", o);
	char *e2 = strchr(l2, '\n'), *e3 = strchr(l3, '\n');
	cr_assert(e2 && e3);
	*e2 = *e3 = 0;
	cr_expect(strstr(l2, "\"matched_words\":[\"国民年金\",\"国民\",\"年金\"]"), "%s", l2);
	cr_expect(strstr(l3, "\"matched_words\":[\"国民\",\"年金\"]"), "%s", l3);
	free(o);
	o = run_bsearch("--any --json", "何を持っていけばいいですか", &st);
	cr_expect(strstr(o, "\"matched_words\":[\"持つ\"]"), "%s", o);
	free(o);
}

Test(any, fallback_in_human_output_only)
{
	int st;
	/* a plain query without an exact match: best matches, marked, exit 1 */
	char *o = run_bsearch("", "国民の年金は", &st);
	cr_expect_eq(st, 1);
	cr_expect(strstr(o, "no exact match for \"国民の年金は\"; best matches for its words:"), "%s", o);
	cr_expect(strstr(o, "docs.jsonl:2") && strstr(o, "docs.jsonl:3"), "%s", o);
	free(o);
	/* -l, -c and --json stay exact */
	const char *modes[] = {"-l", "--json"};
	for (size_t i = 0; i < 2; i++) {
		o = run_bsearch(modes[i], "国民の年金は", &st);
		cr_expect_eq(st, 1, "%s", modes[i]);
		if (i == 1)   /* --json: only its total line */
			cr_expect(!strncmp(o, "{\"total\":0,", 10) && !strchr(o, '\n')[1],
			          "%s printed %s", modes[i], o);
		else
			cr_expect_str_empty(o, "%s printed %s", modes[i], o);
		free(o);
	}
	o = run_bsearch("-c", "国民の年金は", &st);
	cr_expect_eq(st, 1);
	cr_expect_str_eq(o, "0\n");
	free(o);
	/* a query with an operator or a field is not a question: no fallback */
	const char *ops[] = {"国民の年金は OR 宇宙旅行", "title:国民の年金は", "国民の年金は -祝日"};
	for (size_t i = 0; i < 3; i++) {
		o = run_bsearch("", ops[i], &st);
		cr_expect_eq(st, 1, "%s", ops[i]);
		cr_expect(!strstr(o, "no exact match"), "%s: %s", ops[i], o);
		free(o);
	}
	/* an exact match shows no fallback */
	o = run_bsearch("", "国民年金", &st);
	cr_expect_eq(st, 0);
	cr_expect(!strstr(o, "no exact match"), "%s", o);
	free(o);
	/* nothing of it anywhere: said so, exit 1 */
	o = run_bsearch("", "宇宙旅行の予約", &st);
	cr_expect_eq(st, 1);
	cr_expect(strstr(o, "no document has any of its words"), "%s", o);
	free(o);
}

Test(any, question_on_the_seed_notices)
{
	const char *seeds = tu_corpus("seeds");
	cr_assert(seeds, "no seed corpus");
	char seedix[4300], cmd[9000];
	int st;
	snprintf(seedix, sizeof seedix, "%s/seeds-index", dir);
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i '%s' '%s'", BIDX_BINARY_DIR, seedix, seeds);
	free(tu_run(cmd, &st));
	cr_assert_eq(st, 0);
	/* the Kyushu Shosen notice: its internet reservation server */
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s' --any -l 'インターネット予約のサーバーが不正アクセス"
	         "されたそうですが、会員の情報は漏れたのでしょうか？'", BIDX_BINARY_DIR, seedix);
	char *o = tu_run(cmd, &st);
	cr_expect_eq(st, 0);
	char *nl = strchr(o, '\n');
	if (nl)
		*nl = 0;
	const char *base = strrchr(o, '/');
	cr_expect(base && !strncmp(base + 1, "000_", 4), "first hit: %s", o);
	free(o);
}

Test(any, other_kana_and_readings)
{
	char got[256];
	int st;
	/* ゴミ finds ごみ (line 9), and the exact search does not */
	lines_of("--any", "ゴミについて", got, sizeof got, &st);
	cr_expect_eq(st, 0);
	cr_expect(!strncmp(got, "9", 1), "got %s", got);
	lines_of("", "ゴミ", got, sizeof got, &st);
	cr_expect_str_empty(got);
	/* 鴉 finds カラス (line 15) by its reading */
	lines_of("--any", "鴉が多くて困っています", got, sizeof got, &st);
	cr_expect_eq(st, 0);
	cr_expect(!strncmp(got, "15", 2), "got %s", got);
}

Test(any, words_of_the_same_meaning)
{
	char got[256];
	int st;
	/* 亡くなった finds 死亡 (line 16) through the thesaurus, not without it */
	lines_of("--any", "家族が亡くなったとき", got, sizeof got, &st);
	cr_expect_eq(st, 0);
	cr_expect(!strncmp(got, "16", 2), "got %s", got);
	setenv("BIDX_THESAURUS", "none", 1);
	lines_of("--any", "家族が亡くなったとき", got, sizeof got, &st);
	unsetenv("BIDX_THESAURUS");
	cr_expect(!has(got, "16"), "without the thesaurus: %s", got);
	/* an abbreviation finds its long form, and --json says which words */
	char *o = run_bsearch("--any --json", "国保に入りたい", &st);
	cr_expect_eq(st, 0);
	char *l17 = strstr(o, "docs.jsonl:17\"");
	cr_assert(l17, "%s", o);
	char *e = strchr(l17, '\n');
	if (e)
		*e = 0;
	cr_expect(strstr(l17, "\"国民健康保険\"]"), "%s", l17);
	free(o);
}

Test(any, synonyms_never_count_an_occurrence_twice)
{
	bidx_tokenizer *t;
	char why[4400];
	cr_assert_eq(bidx_tokenizer_new(&t, why, sizeof why), BIDX_OK, "MeCab is needed: %s", why);
	char *tdir = tu_tmpdir("thes"), path[4200];
	snprintf(path, sizeof path, "%s/t.txt", tdir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	/* イヴェント is a declared variant of イベント, 催し物 contains 催し */
	fputs("イベント イヴェント | 催し 催し物 | ~行事\n", f);
	cr_assert_eq(fclose(f), 0);
	bidx_thesaurus *th;
	cr_assert_eq(bidx_thesaurus_load(path, &th, why, sizeof why), BIDX_OK, "%s", why);
	bidx_question q;
	cr_assert_eq(bidx_question_analyse_with(t, th, "イベントを知りたい", &q, why, sizeof why),
	             BIDX_OK);
	uint32_t forms = 0;
	for (uint32_t i = 0; i < q.n; i++) {
		if (q.w[i].kind != BIDX_QW_RELATED)
			continue;
		for (uint32_t k = 0; k < q.w[i].nforms; k++) {
			const char *fm = q.w[i].forms[k];
			cr_expect(strcmp(fm, "イヴェント") && strcmp(fm, "催し物"), "%s searched", fm);
			forms++;
		}
		cr_expect(q.w[i].weight < 1, "%s weighs %g", q.w[i].label, q.w[i].weight);
	}
	cr_expect_geq(forms, 2, "催し and 行事 (and their kana) searched");
	bidx_question_free(&q);
	/* a word the question has itself is not searched again as a synonym */
	cr_assert_eq(bidx_question_analyse_with(t, th, "イベントの催しを知りたい", &q, why, sizeof why),
	             BIDX_OK);
	for (uint32_t i = 0; i < q.n; i++)
		for (uint32_t k = 0; q.w[i].kind == BIDX_QW_RELATED && k < q.w[i].nforms; k++)
			cr_expect(!strstr(q.w[i].forms[k], "催し") && !strstr(q.w[i].forms[k], "イベント"),
			          "%s searched again", q.w[i].forms[k]);
	bidx_question_free(&q);
	bidx_thesaurus_free(th);
	tu_rmtree(tdir);
	free(tdir);
	bidx_tokenizer_free(t);
}

typedef struct got_words {
	char list[512];
	int same, near;
} got_words;

static int collect(void *ctx, const char *word, size_t len, bidx_threl rel)
{
	got_words *g = ctx;
	size_t l = strlen(g->list);
	snprintf(g->list + l, sizeof g->list - l, "%s%.*s", l ? " " : "", (int)len, word);
	g->same += rel == BIDX_TH_SAME;
	g->near += rel == BIDX_TH_NEAR;
	return 0;
}

Test(any, thesaurus_table)
{
	char *tdir = tu_tmpdir("thes"), path[4200], why[4400];
	snprintf(path, sizeof path, "%s/t.txt", tdir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs("# a comment\n"
	      "国民健康保険 国保 | 健保\n"
	      "ひとつだけ\n"                  /* one word: no group */
	      "経緯 いきさつ | ~理由 | 事情 # a trailing comment\n"
	      "事情 | 状況\n", f);
	cr_assert_eq(fclose(f), 0);
	bidx_thesaurus *th;
	cr_assert_eq(bidx_thesaurus_load(path, &th, why, sizeof why), BIDX_OK, "%s", why);
	got_words g = {{0}, 0, 0};
	cr_expect_eq(bidx_thesaurus_each(th, "国保", strlen("国保"), collect, &g), 2);
	cr_expect_str_eq(g.list, "国民健康保険 健保");
	cr_expect(g.same == 1 && g.near == 1);
	/* 理由 finds nothing itself, but is found */
	memset(&g, 0, sizeof g);
	cr_expect_eq(bidx_thesaurus_each(th, "理由", strlen("理由"), collect, &g), 0);
	cr_expect_eq(bidx_thesaurus_each(th, "経緯", strlen("経緯"), collect, &g), 3);
	cr_expect_str_eq(g.list, "いきさつ 理由 事情");
	/* a word of two groups: the words of both, each once */
	memset(&g, 0, sizeof g);
	bidx_thesaurus_each(th, "事情", strlen("事情"), collect, &g);
	cr_expect_str_eq(g.list, "経緯 いきさつ 理由 状況");
	memset(&g, 0, sizeof g);
	cr_expect_eq(bidx_thesaurus_each(th, "ひとつだけ", strlen("ひとつだけ"), collect, &g), 0);
	cr_expect_eq(bidx_thesaurus_each(th, "国", strlen("国"), collect, &g), 0);
	bidx_thesaurus_free(th);
	bidx_thesaurus_free(NULL);
	cr_expect_eq(bidx_thesaurus_load("/nonexistent/t.txt", &th, why, sizeof why), BIDX_EIO);
	cr_expect_null(th);
	cr_expect(strstr(why, "/nonexistent/t.txt"), "%s", why);
	tu_rmtree(tdir);
	free(tdir);
}

/* The words of a shipped table (dict/NAME) not in normal form, as lookups
 * assume them, into *bad; their number. */
static size_t shipped_words(const char *name, size_t *bad)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/dict/%s", BIDX_SOURCE_DIR, name);
	FILE *f = fopen(path, "r");
	cr_assert(f, "%s", path);
	char *line = NULL;
	size_t cap = 0, words = 0;
	*bad = 0;
	while (getline(&line, &cap, f) > 0) {
		if (line[0] == '#')
			continue;
		for (char *save, *w = strtok_r(line, " \n", &save); w; w = strtok_r(NULL, " \n", &save)) {
			if (!strcmp(w, "|"))
				continue;
			w += *w == '~';
			bidx_norm nm = {0};
			cr_assert_eq(bidx_normalize(w, strlen(w), 0, &nm), BIDX_OK);
			if (strcmp(nm.text, w) && (*bad)++ < 5)
				cr_log_error("%s: not in normal form: %s (%s)", name, w, nm.text);
			bidx_norm_free(&nm);
			words++;
		}
	}
	free(line);
	fclose(f);
	return words;
}

/* Every word of the shipped tables is in normal form, as lookups assume. */
Test(any, shipped_thesaurus_is_normalised)
{
	size_t bad, words = shipped_words("thesaurus.txt", &bad);
	cr_expect_gt(words, 10000, "%zu words", words);
	cr_expect_eq(bad, 0, "%zu of %zu words not in normal form", bad, words);
	words = shipped_words("answers.txt", &bad);
	cr_expect_gt(words, 20, "%zu words", words);
	cr_expect_eq(bad, 0, "answers.txt: %zu of %zu words not in normal form", bad, words);
}

/* Writes the JSON Lines records to DIR/name (DIR a new temporary
 * directory, into *tdir), indexes them and returns `bsearch --records -l
 * --any question` (exit status into *st). */
static char *records_any(const char *tag, const char *name, const char *const *lines, size_t n,
                         const char *question, char **tdir, int *st)
{
	char path[4200], ix[4300], cmd[9000];
	*tdir = tu_tmpdir(tag);
	snprintf(path, sizeof path, "%s/%s", *tdir, name);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	for (size_t i = 0; i < n; i++)
		fputs(lines[i], f);
	cr_assert_eq(fclose(f), 0);
	snprintf(ix, sizeof ix, "%s/index", *tdir);
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i '%s' '%s'", BIDX_BINARY_DIR, ix, path);
	free(tu_run(cmd, st));
	cr_assert_eq(*st, 0);
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s' --records -l --any '%s'", BIDX_BINARY_DIR,
	         ix, question);
	return tu_run(cmd, st);
}

/* A word in most answers (受付時間) still counts in the one title that has
 * it: each field has its own idf. */
Test(any, a_word_common_in_bodies_counts_in_a_title)
{
	const char *topics[] = {"図書館", "公園", "水道", "選挙", "保育所", "税金", "道路"};
	char lines[7][200];
	const char *lp[9];
	for (size_t i = 0; i < 7; i++) {
		snprintf(lines[i], sizeof lines[i],
		         "{\"title\":\"%sの案内\",\"body\":\"%sの受付時間は九時からです。\"}\n",
		         topics[i], topics[i]);
		lp[i] = lines[i];
	}
	lp[7] = "{\"title\":\"受付時間の変更\",\"body\":\"四月から受付時間が変わります。\"}\n";
	lp[8] = "{\"title\":\"市役所の案内\",\"body\":\"市役所の駐車場は地下です。\"}\n";
	char *tdir;
	int st;
	char *o = records_any("fidf", "f.jsonl", lp, 9, "受付時間と駐車場を知りたい", &tdir, &st);
	cr_expect_eq(st, 0);
	char *changed = strstr(o, "f.jsonl:8\n"), *other = strstr(o, "f.jsonl:1\n");
	cr_expect(changed, "the title with 受付時間 is not a hit: %s", o);
	cr_expect(!other || changed < other, "a body above the title: %s", o);
	free(o);
	tu_rmtree(tdir);
	free(tdir);
}

/* Two entries alike but for their titles, the question's word only in the
 * bodies: the shorter title (the more general question) ranks first, though
 * the longer one comes first in the collection. */
Test(any, a_shorter_title_ranks_first_among_equals)
{
	const char *lines[] = {
		"{\"title\":\"市内の公園と広場と運動場と体育館の利用の案内\",\"body\":\"猫がいます。\"}\n",
		"{\"title\":\"公園の案内\",\"body\":\"猫がいます。\"}\n",
		"{\"title\":\"水道の開栓\",\"body\":\"引っ越しの際は連絡してください。\"}\n"
	};
	char *tdir;
	int st;
	char *o = records_any("tprior", "t.jsonl", lines, 3, "猫はいますか", &tdir, &st);
	cr_expect_eq(st, 0);
	char *s = strstr(o, "t.jsonl:2\n"), *l = strstr(o, "t.jsonl:1\n");
	cr_expect(s && l && s < l, "the longer title first: %s", o);
	free(o);
	tu_rmtree(tdir);
	free(tdir);
}

/* Two entries alike in their words, their titles the same words in another
 * order: the title that reads like the question (its words in the
 * question's order) ranks first, though the other comes first in the
 * collection. */
Test(any, a_title_that_reads_like_the_question_ranks_first)
{
	const char *lines[] = {
		"{\"title\":\"犬と猫の写真\",\"body\":\"写真があります。\"}\n",
		"{\"title\":\"猫と犬の写真\",\"body\":\"写真があります。\"}\n",
		"{\"title\":\"水道の開栓\",\"body\":\"引っ越しの際は連絡してください。\"}\n"
	};
	char *tdir;
	int st;
	char *o = records_any("tsim", "s.jsonl", lines, 3, "猫と犬の写真はありますか", &tdir, &st);
	cr_expect_eq(st, 0);
	char *like = strstr(o, "s.jsonl:2\n"), *other = strstr(o, "s.jsonl:1\n");
	cr_expect(like && other && like < other, "the other order first: %s", o);
	free(o);
	tu_rmtree(tdir);
	free(tdir);
}

/* Two entries alike in their words and their bigrams that the question
 * has (猫と, と犬, 写真 against 犬の, の写, 写真): the title with the
 * question's words in its order ranks first, though the other comes first
 * in the collection. */
Test(any, a_title_in_the_order_of_the_question_ranks_first)
{
	const char *lines[] = {
		"{\"title\":\"写真の猫と犬\",\"body\":\"写真があります。\"}\n",
		"{\"title\":\"猫や犬の写真\",\"body\":\"写真があります。\"}\n",
		"{\"title\":\"水道の開栓\",\"body\":\"引っ越しの際は連絡してください。\"}\n"
	};
	char *tdir;
	int st;
	char *o = records_any("torder", "r.jsonl", lines, 3, "猫と犬の写真はありますか", &tdir, &st);
	cr_expect_eq(st, 0);
	char *like = strstr(o, "r.jsonl:2\n"), *other = strstr(o, "r.jsonl:1\n");
	cr_expect(like && other && like < other, "the other order first: %s", o);
	free(o);
	tu_rmtree(tdir);
	free(tdir);
}

/* A noun with kanji finds the word written in hiragana by its reading
 * (子供: こども), as a word of its own at a lower weight. */
Test(any, a_noun_finds_its_reading_in_hiragana)
{
	const char *lines[] = {
		"{\"title\":\"こどもの広場\",\"body\":\"遊び場の案内です。\"}\n",
		"{\"title\":\"水道の開栓\",\"body\":\"引っ越しの際は連絡してください。\"}\n"
	};
	char *tdir;
	int st;
	char *o = records_any("reading", "k.jsonl", lines, 2, "子供について知りたい", &tdir, &st);
	cr_expect_eq(st, 0);
	const char *nl = strchr(o, '\n');
	cr_expect(nl && nl - o >= 10 && !strncmp(nl - 10, "/k.jsonl:1", 10), "こども not first: %s", o);
	free(o);
	tu_rmtree(tdir);
	free(tdir);
}

/* A verb typed with its okurigana (申し込みたい, 振り込まれる) finds the
 * word written without it, as official text often has it (申込, 振込日). */
Test(any, okurigana_left_out_finds_the_official_spelling)
{
	const char *lines[] = {
		"{\"title\":\"講座の申込\",\"body\":\"申込は窓口で受け付けます。\"}\n",
		"{\"title\":\"手当の振込日\",\"body\":\"毎年六月に振込みます。\"}\n",
		"{\"title\":\"水道の開栓\",\"body\":\"引っ越しの際は連絡してください。\"}\n"
	};
	char *tdir;
	int st;
	char *o = records_any("okuri", "o.jsonl", lines, 3, "講座に申し込みたい", &tdir, &st);
	cr_expect_eq(st, 0);
	const char *nl = strchr(o, '\n');
	cr_expect(nl && nl - o >= 10 && !strncmp(nl - 10, "/o.jsonl:1", 10), "申込 not first: %s", o);
	free(o);
	tu_rmtree(tdir);
	free(tdir);
	o = records_any("okuri", "o.jsonl", lines, 3, "いつ振り込まれるのですか", &tdir, &st);
	cr_expect_eq(st, 0);
	cr_expect(strstr(o, "o.jsonl:2\n"), "振込 not found: %s", o);
	free(o);
	tu_rmtree(tdir);
	free(tdir);
}

/* Three entries alike but for the thing their titles name (a fee, a
 * place, a period): the question's interrogative picks the one that
 * answers it (どこ: 場所, いつ: 期間), though another comes first in the
 * collection; an entry with none of the question's own words is no hit for
 * its answer type alone, and a question with no interrogative has no
 * answer type. */
Test(any, the_answer_type_of_the_interrogative_ranks_first)
{
	const char *lines[] = {
		"{\"title\":\"猫の登録の料金\",\"body\":\"詳しくはお問い合わせください。\"}\n",
		"{\"title\":\"猫の登録の場所\",\"body\":\"詳しくはお問い合わせください。\"}\n",
		"{\"title\":\"猫の登録の期間\",\"body\":\"詳しくはお問い合わせください。\"}\n",
		"{\"title\":\"公園の場所\",\"body\":\"地図をご覧ください。\"}\n"
	};
	static const char *const cases[][2] = {
		{"猫の登録はどこでできますか", "/a.jsonl:2"},
		{"猫の登録はいつできますか", "/a.jsonl:3"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *tdir;
		int st;
		char *o = records_any("atype", "a.jsonl", lines, 4, cases[i][0], &tdir, &st);
		cr_expect_eq(st, 0);
		const char *nl = strchr(o, '\n');
		cr_expect(nl && nl - o >= 10 && !strncmp(nl - 10, cases[i][1], 10), "%s: %s not first: %s",
		          cases[i][0], cases[i][1], o);
		cr_expect(!strstr(o, "a.jsonl:4\n"), "%s: a hit by its answer type alone: %s", cases[i][0],
		          o);
		free(o);
		tu_rmtree(tdir);
		free(tdir);
	}
	bidx_tokenizer *t;
	char why[4400];
	cr_assert_eq(bidx_tokenizer_new(&t, why, sizeof why), BIDX_OK, "MeCab is needed: %s", why);
	static const char *const asks[][2] = {   /* question, the answer word it searches (or none) */
		{"猫の登録はどこでできますか", "場所"}, {"窓口はどちらですか", "場所"},
		{"受付はいつまでですか", "期間"},       {"手数料はいくらですか", "費用"},
		{"猫の登録をしたい", NULL},
	};
	for (size_t i = 0; i < sizeof asks / sizeof *asks; i++) {
		bidx_question q;
		cr_assert_eq(bidx_question_analyse_with(t, NULL, asks[i][0], &q, why, sizeof why), BIDX_OK);
		int answer = -1;
		for (uint32_t k = 0; k < q.n; k++)
			if (q.w[k].kind == BIDX_QW_ANSWER)
				answer = (int)k;
		if (!asks[i][1]) {
			cr_expect_eq(answer, -1, "%s: an answer type", asks[i][0]);
		} else {
			cr_expect_geq(answer, 0, "%s: no answer type", asks[i][0]);
			int has = 0;
			for (uint32_t f = 0; answer >= 0 && f < q.w[answer].nforms; f++)
				has |= !strcmp(q.w[answer].forms[f], asks[i][1]);
			cr_expect(has, "%s: %s not searched", asks[i][0], asks[i][1]);
			for (uint32_t f = 0; answer >= 0 && f < q.w[answer].nforms; f++)
				cr_expect(strcmp(q.w[answer].forms[f], "手数料") || !strstr(asks[i][0], "手数料"),
				          "%s: a word the question has among its answer words", asks[i][0]);
		}
		bidx_question_free(&q);
	}
	bidx_tokenizer_free(t);
}

/* The answer-type table is a thesaurus table: the interrogatives of a
 * line find its other words, a word led by `~` (an answer word) finds
 * nothing, and no table means no answer type. */
Test(any, the_answer_types_are_a_table)
{
	char *tdir = tu_tmpdir("atab"), path[4200], why[4400];
	snprintf(path, sizeof path, "%s/a.txt", tdir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs("# a test table\nどこ どちら | ~場所 ~窓口\n", f);
	cr_assert_eq(fclose(f), 0);
	bidx_thesaurus *at;
	cr_assert_eq(bidx_thesaurus_load(path, &at, why, sizeof why), BIDX_OK, "%s", why);
	bidx_tokenizer *t;
	cr_assert_eq(bidx_tokenizer_new(&t, why, sizeof why), BIDX_OK, "MeCab is needed: %s", why);
	static const char *const cases[][2] = {   /* question, its answer word's label (or none) */
		{"猫の登録はどちらでできますか", "どこ/場所/窓口/どちら"},
		{"猫の登録の窓口はどこですか", "どちら/場所/どこ"},   /* 窓口: the question's own */
		{"猫の登録の場所を知りたい", NULL},              /* an answer word asks nothing */
		{"猫の登録はいつですか", NULL},                  /* not in this table */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		for (int with = 0; with < 2; with++) {
			bidx_question q;
			cr_assert_eq(bidx_question_analyse_tables(t, NULL, with ? at : NULL, cases[i][0], &q,
			                                          why, sizeof why), BIDX_OK);
			const char *label = NULL;
			for (uint32_t k = 0; k < q.n; k++)
				if (q.w[k].kind == BIDX_QW_ANSWER)
					label = q.w[k].label;
			if (with && cases[i][1])
				cr_expect(label && !strcmp(label, cases[i][1]), "%s: %s, not %s", cases[i][0],
				          label ? label : "none", cases[i][1]);
			else
				cr_expect_null(label, "%s: %s", cases[i][0], label);
			bidx_question_free(&q);
		}
	}
	bidx_tokenizer_free(t);
	bidx_thesaurus_free(at);
	tu_rmtree(tdir);
	free(tdir);
}

/* True when some word of q has the form f. */
static int has_form(const bidx_question *q, const char *f)
{
	for (uint32_t i = 0; i < q->n; i++)
		for (uint32_t k = 0; k < q->w[i].nforms; k++)
			if (!strcmp(q->w[i].forms[k], f))
				return 1;
	return 0;
}

/* Okurigana left out of a compound is one hiragana ending a word (み of
 * 申し込み書: 申込書), never two that end one (粗大ごみ回収 is not searched
 * as 粗大回収, 子ども手当 not as 子手当). */
Test(any, okurigana_left_out_keeps_a_word_of_hiragana)
{
	static const char *const cases[][3] = {   /* question, a form it has, one it has not */
		{"粗大ごみ回収の日程", "粗大ごみ回収", "粗大回収"},
		{"子ども手当の申請", "子ども手当", "子手当"},
		{"申し込み書の書き方", "申込書", NULL},
	};
	bidx_tokenizer *t;
	char why[4400];
	cr_assert_eq(bidx_tokenizer_new(&t, why, sizeof why), BIDX_OK, "MeCab is needed: %s", why);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		bidx_question q;
		cr_assert_eq(bidx_question_analyse_with(t, NULL, cases[i][0], &q, why, sizeof why),
		             BIDX_OK, "%s", cases[i][0]);
		cr_expect(has_form(&q, cases[i][1]), "%s: not searched as %s", cases[i][0], cases[i][1]);
		cr_expect(!cases[i][2] || !has_form(&q, cases[i][2]), "%s: searched as %s", cases[i][0],
		          cases[i][2]);
		bidx_question_free(&q);
	}
	bidx_tokenizer_free(t);
}

/* Two words each in one title alike: the one that stands at the end of
 * the titles it is in (方法: …の方法, the question's template) weighs less
 * than the one they start with (窓口: their subject), though it is the
 * rarer. */
Test(any, a_word_ending_the_titles_weighs_less)
{
	const char *topics[] = {"図書館", "公園", "水道", "選挙", "保育所", "税金", "道路"};
	char lines[40][200];
	const char *lp[40];
	size_t n = 0;
	for (size_t i = 0; i < 6; i++)
		snprintf(lines[n++], sizeof lines[0],
		         "{\"title\":\"%sの方法\",\"body\":\"詳しくは電話で。\"}\n", topics[i]);
	for (size_t i = 0; i < 7; i++)
		snprintf(lines[n++], sizeof lines[0],
		         "{\"title\":\"窓口と%s\",\"body\":\"詳しくは電話で。\"}\n", topics[i]);
	while (n < 40) {
		snprintf(lines[n], sizeof lines[0],
		         "{\"title\":\"お知らせ第%zu号\",\"body\":\"詳細は後日。\"}\n", n);
		n++;
	}
	for (size_t i = 0; i < n; i++)
		lp[i] = lines[i];
	char *tdir;
	int st;
	char *o = records_any("tail", "w.jsonl", lp, n, "窓口、方法", &tdir, &st);
	cr_expect_eq(st, 0);
	long first = 0;
	const char *c = strstr(o, "w.jsonl:");
	if (c)
		first = strtol(c + 8, NULL, 10);
	cr_expect(first >= 7 && first <= 13, "the first hit is not a 窓口 title: %s", o);
	free(o);
	tu_rmtree(tdir);
	free(tdir);
}

/* A suffix (or a part) of one character that most documents have is not
 * searched at all: it would be left out as too common, after the longest
 * walk of all. */
Test(any, a_common_character_is_not_searched_alone)
{
	const char *lines[] = {
		"{\"title\":\"量販の案内\",\"body\":\"詳しくは電話で。\"}\n",
		"{\"title\":\"店の営業\",\"body\":\"店は九時からです。\"}\n",
		"{\"title\":\"店の休日\",\"body\":\"店は日曜に休みます。\"}\n",
		"{\"title\":\"水道の開栓\",\"body\":\"引っ越しの際は連絡してください。\"}\n"
	};
	char *tdir;
	int st;
	char *o = records_any("common", "c.jsonl", lines, 4, "量販店について", &tdir, &st);
	cr_expect_eq(st, 0);
	cr_expect(strstr(o, "c.jsonl:1\n") && !strstr(o, "c.jsonl:2") && !strstr(o, "c.jsonl:3"),
	          "店 searched: %s", o);
	free(o);
	tu_rmtree(tdir);
	free(tdir);
}

/* Failing each allocation of the analysis in turn (okurigana forms,
 * readings and the title similarity's characters included) gives
 * BIDX_ENOMEM and an empty question, never a crash or a partial one; once
 * none fails, the words are those of the run without faults. */
Test(any, every_failed_allocation_of_the_analysis_is_a_clean_error)
{
	bidx_tokenizer *t;
	char why[4400];
	cr_assert_eq(bidx_tokenizer_new(&t, why, sizeof why), BIDX_OK, "MeCab is needed: %s", why);
	const char *text = "子供の講座に申し込みたいのですが、粗大ごみの手続きを教えてください";
	bidx_question ref, q;
	cr_assert_eq(bidx_question_analyse_with(t, NULL, text, &ref, why, sizeof why), BIDX_OK);
	cr_assert(has_label(&ref, "こども", NULL) && has_label(&ref, "ごみ", NULL) && ref.nchars > 0);
	long n = 1;
	for (; n < 10000; n++) {
		bidx_fault_set(BIDX_FAULT_ALLOC, n);
		bidx_err rc = bidx_question_analyse_with(t, NULL, text, &q, why, sizeof why);
		bidx_fault_set(BIDX_FAULT_ALLOC, 0);
		if (rc == BIDX_OK)
			break;
		cr_assert_eq(rc, BIDX_ENOMEM, "allocation %ld: %s", n, why);
		cr_assert(!q.n && !q.w && !q.grams && !q.chars, "allocation %ld: a partial question", n);
	}
	cr_assert_gt(n, 5, "the analysis allocates little: %ld", n);
	cr_assert_eq(q.n, ref.n);
	cr_assert_eq(q.nchars, ref.nchars);
	for (uint32_t i = 0; i < q.n; i++) {
		cr_expect_str_eq(q.w[i].label, ref.w[i].label);
		cr_expect_eq(q.w[i].nforms, ref.w[i].nforms, "%s", q.w[i].label);
	}
	bidx_question_free(&q);
	bidx_question_free(&ref);
	bidx_tokenizer_free(t);
}

/* Failing each allocation of the evaluation in turn (the title reordering's
 * too) gives BIDX_ENOMEM and nothing back, never a crash or a partial
 * result; once none fails, the hits and scores are the run's without
 * faults. */
Test(any, every_failed_allocation_is_a_clean_error)
{
	bidx_tokenizer *t;
	bidx_index *ix;
	char why[4400];
	cr_assert_eq(bidx_tokenizer_new(&t, why, sizeof why), BIDX_OK, "MeCab is needed: %s", why);
	cr_assert_eq(bidx_index_open(ixdir, &ix, why, sizeof why), BIDX_OK, "%s", why);
	bidx_question q;
	cr_assert_eq(bidx_question_analyse_with(t, NULL, "国民年金の手続きに持つものは", &q, why,
	                                        sizeof why), BIDX_OK);
	bidx_result ref, r;
	bidx_anymatch m;
	cr_assert_eq(bidx_question_eval(ix, &q, &ref, NULL, why, sizeof why), BIDX_OK, "%s", why);
	cr_assert_geq(ref.n, 2);
	long n = 1;
	for (; n < 10000; n++) {
		bidx_fault_set(BIDX_FAULT_ALLOC, n);
		bidx_err rc = bidx_question_eval(ix, &q, &r, &m, why, sizeof why);
		bidx_fault_set(BIDX_FAULT_ALLOC, 0);
		if (rc == BIDX_OK)
			break;
		cr_assert_eq(rc, BIDX_ENOMEM, "allocation %ld: %s", n, why);
		cr_assert(!r.hits && !r.n && !m.docs, "allocation %ld: a partial result", n);
	}
	cr_assert_gt(n, 10, "the evaluation allocates little: %ld", n);
	cr_assert_eq(r.n, ref.n);
	for (size_t i = 0; i < r.n; i++) {
		cr_expect_eq(r.hits[i].doc, ref.hits[i].doc);
		cr_expect_eq(r.hits[i].score, ref.hits[i].score, "doc %u", r.hits[i].doc);
	}
	bidx_result_free(&r);
	bidx_anymatch_free(&m);
	bidx_result_free(&ref);
	bidx_question_free(&q);
	bidx_index_close(ix);
	bidx_tokenizer_free(t);
}

static void expect_same_hits(const bidx_result *a, const bidx_result *b, const char *what)
{
	cr_assert_eq(a->n, b->n, "%s: %zu hits against %zu", what, (size_t)a->n, (size_t)b->n);
	for (size_t i = 0; i < a->n; i++) {
		cr_expect_eq(a->hits[i].doc, b->hits[i].doc, "%s: hit %zu", what, i);
		cr_expect_eq(a->hits[i].score, b->hits[i].score, "%s: doc %u", what, a->hits[i].doc);
		cr_expect_eq(a->hits[i].pos, b->hits[i].pos, "%s: doc %u", what, a->hits[i].doc);
	}
}

/* What ranking needs of every document (its lengths, its title prior) is
 * read once for an index, on its first question, and kept with it
 * (BIDX_DERIVED_QUESTION): a failed allocation while it is made is a clean
 * error and leaves nothing kept; later questions use the same value, and
 * score exactly as on an index opened for them alone, whatever question
 * came before (nothing of one question's accumulators stays for the next). */
Test(any, the_documents_are_read_once_for_an_index)
{
	bidx_tokenizer *t;
	bidx_index *ix, *fresh;
	char why[4400];
	cr_assert_eq(bidx_tokenizer_new(&t, why, sizeof why), BIDX_OK, "MeCab is needed: %s", why);
	cr_assert_eq(bidx_index_open(ixdir, &ix, why, sizeof why), BIDX_OK, "%s", why);
	bidx_question qa, qb;
	cr_assert_eq(bidx_question_analyse_with(t, NULL, "国民年金の手続きに持つものは", &qa, why,
	                                        sizeof why), BIDX_OK);
	cr_assert_eq(bidx_question_analyse_with(t, NULL, "犬の登録と住所の登録の窓口", &qb, why,
	                                        sizeof why), BIDX_OK);
	cr_assert_null(atomic_load(&ix->derived[BIDX_DERIVED_QUESTION]));
	bidx_result a1, a2, b1, b2;
	long n = 1;
	for (bidx_err rc; n < 10000; n++) {
		bidx_fault_set(BIDX_FAULT_ALLOC, n);
		rc = bidx_question_eval(ix, &qa, &a1, NULL, why, sizeof why);
		bidx_fault_set(BIDX_FAULT_ALLOC, 0);
		if (rc == BIDX_OK)
			break;
		cr_assert_eq(rc, BIDX_ENOMEM, "allocation %ld: %s", n, why);
		cr_assert(!a1.hits && !a1.n, "allocation %ld: a partial result", n);
	}
	cr_assert_gt(n, 5, "the first question allocates little: %ld", n);
	bidx_derived *kept = atomic_load(&ix->derived[BIDX_DERIVED_QUESTION]);
	cr_assert_not_null(kept, "nothing kept for the index after its first question");
	cr_assert_eq(bidx_question_eval(ix, &qb, &b1, NULL, why, sizeof why), BIDX_OK, "%s", why);
	cr_assert_eq(bidx_question_eval(ix, &qa, &a2, NULL, why, sizeof why), BIDX_OK, "%s", why);
	cr_assert_eq(atomic_load(&ix->derived[BIDX_DERIVED_QUESTION]), kept, "made again");
	cr_assert_geq(a1.n, 2);
	cr_assert_geq(b1.n, 2);
	expect_same_hits(&a1, &a2, "the first question again");
	cr_assert_eq(bidx_index_open(ixdir, &fresh, why, sizeof why), BIDX_OK, "%s", why);
	cr_assert_eq(bidx_question_eval(fresh, &qb, &b2, NULL, why, sizeof why), BIDX_OK, "%s", why);
	expect_same_hits(&b1, &b2, "the second question on an index of its own");
	bidx_result_free(&a1);
	bidx_result_free(&a2);
	bidx_result_free(&b1);
	bidx_result_free(&b2);
	bidx_question_free(&qa);
	bidx_question_free(&qb);
	bidx_index_close(fresh);
	bidx_index_close(ix);
	bidx_tokenizer_free(t);
}
