/*
 * test_facts.c - incident facts: every fact of the five seed notices,
 * written down from a reading of each notice; counts with qualifiers and
 * kanji multipliers; what must not count (years, money, phones, 第N);
 * leaked items in lists, denials; contacts; and a measurement over the
 * livedoor news corpus (printed, not asserted: it holds no notices).
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "fields.h"
#include "io.h"
#include "normalize.h"
#include "testutil.h"
#include "vocab.h"

/* --- helpers --- */

static uint32_t mask_of(const char *const *table, const char *const *names)
{
	uint32_t m = 0;
	int i, found;

	for (; *names; names++) {
		for (i = 0, found = 0; table[i]; i++)
			if (strcmp(table[i], *names) == 0)
				m |= 1u << i, found = 1;
		cr_assert(found, "'%s' is not in the vocabulary", *names);
	}
	return m;
}

static void describe(char *buf, size_t len, const char *const *table, uint32_t m)
{
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; table[i] && o < len; i++)
		if (m >> i & 1)
			o += (size_t)snprintf(buf + o, len - o, "%s ", table[i]);
}

static void expect_set(const char *what, const char *const *table, uint32_t got,
                       const char *const *want)
{
	char g[1024], w[1024];
	uint32_t m = mask_of(table, want);

	describe(g, sizeof g, table, got);
	describe(w, sizeof w, table, m);
	cr_assert_eq(got, m, "%s: got {%s}, want {%s}", what, g, w);
}

/* Reads a whole file into memory (NUL-terminated). */
static char *slurp(const char *path, size_t *len)
{
	char *p;
	cr_assert_eq(bidx_read_file(path, &p, len), BIDX_OK, "%s", path);
	return p;
}

static void seed(const char *name, bidx_facts *f)
{
	char path[4096];
	size_t len;
	char *text;

	snprintf(path, sizeof path, "%s/corpus/seeds/%s", BIDX_SOURCE_DIR, name);
	text = slurp(path, &len);
	bidx_facts_extract(text, len, f);
	free(text);
}

static void facts_of(const char *text, bidx_facts *f)
{
	bidx_facts_extract(text, strlen(text), f);
}

static void expect_period(const bidx_facts *f, const char *from, const char *to)
{
	char a[BIDX_DATE_ISO_SIZE], b[BIDX_DATE_ISO_SIZE];

	bidx_date_iso(&f->period_from, a);
	bidx_date_iso(&f->period_to, b);
	cr_assert_str_eq(a, from);
	cr_assert_str_eq(b, to);
}

static void expect_list(char (*got)[24], int n, const char *const *want)
{
	int i = 0;

	for (; want[i]; i++) {
		cr_assert_lt(i, n, "missing %s", want[i]);
		cr_assert_str_eq(got[i], want[i]);
	}
	cr_assert_eq(n, i, "%d phones, want %d", n, i);
}

static void expect_emails(const bidx_facts *f, const char *const *want)
{
	int i = 0;

	for (; want[i]; i++) {
		cr_assert_lt(i, f->nemails, "missing %s", want[i]);
		cr_assert_str_eq(f->emails[i], want[i]);
	}
	cr_assert_eq(f->nemails, i);
}

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NONE ((const char *const[]){NULL})

/* --- the seed notices --- */

/* 九州商船, 2018-01-15: a Q&A after an intrusion; leakage still under
 * investigation, no count, the password is the one item said to be in the
 * possibly leaked data; card data is expressly not leaked. */
Test(seeds, kyusho_000)
{
	bidx_facts f;

	seed("000_da7de96949e8aa49.txt", &f);
	cr_assert_eq(f.affected, 0);
	expect_set("leaked", bidx_leaked_names, f.leaked, NAMES("パスワード"));
	expect_set("method", bidx_method_names, f.method, NAMES("不正アクセス"));
	expect_set("authorities", bidx_authority_names, f.authorities,
	           NAMES("個人情報保護委員会", "警察"));   /* 長崎県警 */
	cr_assert_eq(f.period_from.prec, BIDX_DATE_NONE);
	cr_assert_eq(f.period_to.prec, BIDX_DATE_NONE);
	expect_list(f.phones, f.nphones, NONE);
	expect_emails(&f, NAMES("kyusho-system@kyusho.co.jp"));
}

/* ななつ星 Gallery, 2019: "最大7,996名" in total, card data of up to 3,086
 * records; the item list of the table; 2013-10-05 ~ 2019-03-11. */
Test(seeds, nanatsuboshi_001)
{
	bidx_facts f;

	seed("001_2b508cbf938dd260.txt", &f);
	cr_assert_eq(f.affected, 7996);
	cr_assert_eq(f.unit, BIDX_UNIT_MEI);
	cr_assert_eq(f.qual, BIDX_QUAL_MAX);
	expect_set("leaked", bidx_leaked_names, f.leaked,
	           NAMES("クレジットカード番号", "有効期限", "セキュリティコード", "氏名", "住所",
	                 "郵便番号", "電話番号", "FAX番号", "性別", "生年月日", "メールアドレス",
	                 "職業", "パスワード", "秘密の質問"));
	expect_set("method", bidx_method_names, f.method, NAMES("不正アクセス", "脆弱性"));
	/* 九州運輸局 is a regional bureau of 国土交通省; 福岡県警察本部 */
	expect_set("authorities", bidx_authority_names, f.authorities,
	           NAMES("個人情報保護委員会", "警察", "国土交通省", "クレジットカード会社",
	                 "決済代行会社", "第三者調査機関"));
	expect_period(&f, "2013-10-05", "2019-03-11");
	expect_list(f.phones, f.nphones, NAMES("0120-772-962"));
	expect_emails(&f, NAMES("contact@nanatsuboshi-gallery.jp"));
}

/* 札幌通運, 平成28年9月16日: a follow-up on remedies; card information was
 * leaked (no item list, no count); SQL injection, XSS, OS command injection
 * and password list attacks are only named as what a WAF blocks, and the
 * vulnerabilities found were "not the cause" but are the notice's topic. */
Test(seeds, sapporo_tsuun_002)
{
	bidx_facts f;

	seed("002_a11ea7e3654a911b.txt", &f);
	cr_assert_eq(f.affected, 0);
	expect_set("leaked", bidx_leaked_names, f.leaked, NAMES("クレジットカード番号"));
	expect_set("method", bidx_method_names, f.method, NAMES("不正アクセス", "脆弱性"));
	expect_set("authorities", bidx_authority_names, f.authorities, NONE);
	cr_assert_eq(f.period_from.prec, BIDX_DATE_NONE);
	expect_list(f.phones, f.nphones, NAMES("03-3456-4071", "011-251-4118"));
	expect_emails(&f, NONE);
}

/* e-ながさきどっとこむ, 2024: card data of 18,746 people, member data of
 * 60,350 and delivery addresses of 78,840: affected is the largest. */
Test(seeds, e_nagasaki_003)
{
	bidx_facts f;

	seed("003_5a5215cd65d3f6e3.txt", &f);
	cr_assert_eq(f.affected, 78840);
	cr_assert_eq(f.unit, BIDX_UNIT_MEI);
	cr_assert_eq(f.qual, BIDX_QUAL_EXACT);
	expect_set("leaked", bidx_leaked_names, f.leaked,
	           NAMES("カード名義人名", "クレジットカード番号", "有効期限", "セキュリティコード",
	                 "氏名", "メールアドレス", "郵便番号", "住所", "電話番号", "会社名", "性別",
	                 "生年月日", "FAX番号", "職業"));
	expect_set("method", bidx_method_names, f.method, NAMES("不正アクセス", "改ざん"));
	/* "監督官庁である個人情報保護委員会" names one authority, not two */
	expect_set("authorities", bidx_authority_names, f.authorities,
	           NAMES("個人情報保護委員会", "警察", "クレジットカード会社", "第三者調査機関"));
	/* the card-data period comes first; member data reach back to 2000 */
	expect_period(&f, "2021-03-10", "2024-05-22");
	expect_list(f.phones, f.nphones, NONE);   /* ♯9110 is no subscriber number */
	expect_emails(&f, NONE);
}

/* カゴヤ・ジャパン, 2016年11月9日: 48,685件(=人数) under "個人情報の件数". */
Test(seeds, kagoya_004)
{
	bidx_facts f;

	seed("004_d9cd4af4c8fa6ca2.txt", &f);
	cr_assert_eq(f.affected, 48685);
	cr_assert_eq(f.unit, BIDX_UNIT_KEN);
	cr_assert_eq(f.qual, BIDX_QUAL_EXACT);
	expect_set("leaked", bidx_leaked_names, f.leaked,
	           NAMES("氏名", "住所", "電話番号", "メールアドレス", "ログインID", "パスワード"));
	expect_set("method", bidx_method_names, f.method,
	           NAMES("不正アクセス", "OSコマンドインジェクション", "脆弱性"));
	/* 個人情報認定保護団体, 総務省(近畿総合通信局), 経済産業省, 京都府警察,
	 * the investigator PCF (専門調査会社), 関係官庁 */
	expect_set("authorities", bidx_authority_names, f.authorities,
	           NAMES("認定個人情報保護団体", "総務省", "経済産業省", "警察", "第三者調査機関",
	                 "所管官庁"));
	expect_period(&f, "2015-04-01", "2016-09-21");
	expect_list(f.phones, f.nphones, NAMES("0120-102-291"));
	expect_emails(&f, NAMES("support@kagoya.com"));
}

/* The product owner's checks across the five. */
Test(seeds, owner_checks)
{
	static const char *const files[] = {
		"000_da7de96949e8aa49.txt", "001_2b508cbf938dd260.txt", "002_a11ea7e3654a911b.txt",
		"003_5a5215cd65d3f6e3.txt", "004_d9cd4af4c8fa6ca2.txt"};
	uint32_t cvc = mask_of(bidx_leaked_names, NAMES("セキュリティコード"));
	bidx_facts f;
	int i;

	for (i = 0; i < 5; i++) {
		seed(files[i], &f);
		cr_assert_eq(f.affected >= 40000, i == 3 || i == 4, "%s", files[i]);
		cr_assert_eq((f.leaked & cvc) != 0, i == 1 || i == 3, "%s", files[i]);
	}
}

/* --- counts --- */

Test(counts, qualifiers_and_multipliers)
{
	bidx_facts f;

	facts_of("個人情報約2万8千件が流出した可能性があります。", &f);
	cr_assert_eq(f.affected, 28000);
	cr_assert_eq(f.unit, BIDX_UNIT_KEN);
	cr_assert_eq(f.qual, BIDX_QUAL_APPROX);
	facts_of("漏えいの対象は1万件以上です。", &f);
	cr_assert_eq(f.affected, 10000);
	cr_assert_eq(f.qual, BIDX_QUAL_OVER);
	facts_of("流出したおそれのある顧客は最大で１２，３４５人。", &f);
	cr_assert_eq(f.affected, 12345);
	cr_assert_eq(f.unit, BIDX_UNIT_MEI);
	cr_assert_eq(f.qual, BIDX_QUAL_MAX);
	facts_of("漏洩件数：約1.5万件", &f);
	cr_assert_eq(f.affected, 15000);
	cr_assert_eq(f.qual, BIDX_QUAL_APPROX);
	facts_of("流出した会員は3万人超", &f);
	cr_assert_eq(f.affected, 30000);
	cr_assert_eq(f.qual, BIDX_QUAL_OVER);
	facts_of("対象となるお客様 1万2,345名", &f);
	cr_assert_eq(f.affected, 12345);
	facts_of("漏えいした可能性：会員 500名、取引先 1,200件", &f);
	cr_assert_eq(f.affected, 1200);
	cr_assert_eq(f.unit, BIDX_UNIT_KEN);
}

Test(counts, what_is_not_a_count)
{
	bidx_facts f;

	/* no context word: a news item's numbers are not an incident's */
	facts_of("来場者は5万人を数えた。", &f);
	cr_assert_eq(f.affected, 0);
	/* years, dates, money, phone numbers, 第N, 名義, 契約 */
	facts_of("2024年5月24日に流出を確認。被害額は300万円、第3者委員会、"
	         "問い合わせ 0120-123-4567。流出対象のカード名義2名義、契約1,000件", &f);
	cr_assert_eq(f.affected, 1000);
	cr_assert_eq(f.qual, BIDX_QUAL_EXACT);
	facts_of("流出の可能性 第2件目", &f);
	cr_assert_eq(f.affected, 0);
	facts_of("", &f);
	cr_assert_eq(f.affected, 0);
}

/* A count past BIDX_COUNT_MAX used to be cut to its first fifteen digits
 * (99999999999999999999999件 -> 999999999999999) or to wrap around in
 * the multiplication by 万/億; now it is dropped and remembered. */
Test(counts, a_count_past_the_limit_is_dropped_not_cut)
{
	bidx_facts f;

	facts_of("個人情報99999999999999999999999件が流出しました。", &f);
	cr_assert_eq(f.affected, 0, "%llu", (unsigned long long)f.affected);
	cr_assert_eq(f.ndropped, 1);
	cr_assert_str_eq(f.dropped, "99999999999999999999999件");
	facts_of("個人情報18446744073709551616件が流出", &f);
	cr_assert_eq(f.affected, 0, "%llu", (unsigned long long)f.affected);
	facts_of("個人情報1844674407370955万件が流出", &f);
	cr_assert_eq(f.affected, 0, "%llu", (unsigned long long)f.affected);
	facts_of("流出した顧客は最大99999999999億人、また1,200件", &f);
	cr_assert_eq(f.affected, 1200, "%llu", (unsigned long long)f.affected);
	cr_assert_eq(f.ndropped, 1);
	cr_assert_str_eq(f.dropped, "99999999999億人");
	/* the largest count kept, and the same reached through 万 and 千 */
	facts_of("個人情報999,999,999,999,999件が流出", &f);
	cr_assert_eq(f.affected, BIDX_COUNT_MAX);
	cr_assert_eq(f.ndropped, 0);
	facts_of("個人情報99999999999万9千999件が流出", &f);
	cr_assert_eq(f.affected, BIDX_COUNT_MAX, "%llu", (unsigned long long)f.affected);
	facts_of("個人情報99999999999万1万件が流出", &f);
	cr_assert_eq(f.affected, 0, "%llu", (unsigned long long)f.affected);
	/* a long dropped count is remembered cut on a character boundary */
	facts_of("個人情報1111111111111111111111111111111111111111万件が流出", &f);
	cr_assert_eq(f.ndropped, 1);
	cr_assert_lt(strlen(f.dropped), sizeof f.dropped);
	cr_assert_eq(strncmp(f.dropped, "1111111111", 10), 0, "%s", f.dropped);
}

/* --- leaked items --- */

Test(leaked, lists_and_denials)
{
	bidx_facts f;

	facts_of("【流出した情報】\n・お名前\n・ご住所\n・ＩＤ\n\n"
	         "お問い合わせ\n電話番号：0120-111-222\n", &f);
	expect_set("leaked", bidx_leaked_names, f.leaked, NAMES("氏名", "住所", "ログインID"));
	facts_of("クレジットカード情報の流出はございません。氏名と住所が漏えいしました。", &f);
	expect_set("leaked", bidx_leaked_names, f.leaked, NAMES("氏名", "住所"));
	facts_of("CVVを含むカード番号が漏洩した可能性があります。IDEA社の調査", &f);
	expect_set("leaked", bidx_leaked_names, f.leaked,
	           NAMES("クレジットカード番号", "セキュリティコード"));
	/* without a leak context, item names are just words */
	facts_of("お名前と生年月日をお書き添えの上ご連絡ください。", &f);
	cr_assert_eq(f.leaked, 0);
}

/* --- methods, authorities --- */

Test(vocab, methods_and_authorities)
{
	bidx_facts f;

	facts_of("ランサムウェアに感染しました。フィッシングとは、偽のサイトで…"
	         "SQLインジェクションを防ぐ仕組み。標的型攻撃メールは確認されておりません。"
	         "所管官庁と警視庁に報告し、JPCERT/CCに相談しました。IPAの資料を参照。", &f);
	expect_set("method", bidx_method_names, f.method, NAMES("ランサムウェア"));
	expect_set("authorities", bidx_authority_names, f.authorities,
	           NAMES("所管官庁", "警察", "JPCERT/CC"));
	/* a title in apposition counts once, as the name after it; an ASCII
	 * spelling only as a whole word (IPAX is not IPA) */
	facts_of("監督官庁である個人情報保護委員会に報告し、IPAXにも連絡しました。", &f);
	expect_set("authorities", bidx_authority_names, f.authorities,
	           NAMES("個人情報保護委員会"));
}

/* --- contacts and periods --- */

Test(contacts, phones_and_emails)
{
	bidx_facts f;

	facts_of("フリーダイヤル ０１２０－１２３－４５６（受付 9:00～18:00）"
	         "TEL 03(1234)5678 / 090-1234-5678 / 0120123456 / 2024-05-22 / 12-3456-7890 "
	         "/ 0312345678901 mail: Info@Example.co.jp, info@example.co.jp. x@y, a@b.c", &f);
	expect_list(f.phones, f.nphones,
	            NAMES("0120-123-456", "03-1234-5678", "090-1234-5678", "0120123456"));
	expect_emails(&f, NAMES("Info@Example.co.jp"));
}

Test(period, ranges)
{
	bidx_facts f;

	facts_of("受付期間外\n2016年4月1日から2016年9月21日までの間に不正アクセス", &f);
	expect_period(&f, "2016-04-01", "2016-09-21");
	facts_of("平成２７年４月１日〜平成２８年３月３１日", &f);
	expect_period(&f, "2015-04-01", "2016-03-31");
	facts_of("2020年1月~2019年1月", &f);   /* backwards: no period */
	cr_assert_eq(f.period_from.prec, BIDX_DATE_NONE);
	facts_of("会場 2024年6月1日(土)～2024年6月2日(日)\n流出期間：2023年1月～2024年3月", &f);
	expect_period(&f, "2023-01", "2024-03");
}

/* --- measurement on livedoor news (no notices: printed, not asserted) --- */

static void measure_file(const char *path, long *docs, long *aff, long *lk, long *me)
{
	bidx_facts f;
	size_t len;
	char *text = slurp(path, &len);

	bidx_facts_extract(text, len, &f);
	(*docs)++;
	*aff += f.affected > 0;
	*lk += f.leaked != 0;
	*me += f.method != 0;
	free(text);
}

Test(measure, livedoor, .timeout = 600)
{
	const char *base = tu_corpus("livedoor");
	char dir[4096], sub[4096 + 256], path[8192 + 512];
	long docs = 0, aff = 0, lk = 0, me = 0;
	struct dirent *c, *e;
	DIR *d, *s;

	if (base == NULL)
		cr_skip_test("livedoor corpus not found");
	snprintf(dir, sizeof dir, "%s/text", base);
	if ((d = opendir(dir)) == NULL)
		cr_skip_test("no %s", dir);
	while ((c = readdir(d)) != NULL) {
		if (c->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof sub, "%s/%s", dir, c->d_name);
		if ((s = opendir(sub)) == NULL)
			continue;
		while ((e = readdir(s)) != NULL) {
			size_t l = strlen(e->d_name);
			if (l < 5 || strcmp(e->d_name + l - 4, ".txt") != 0 ||
			    strncmp(e->d_name, "LICENSE", 7) == 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", sub, e->d_name);
			measure_file(path, &docs, &aff, &lk, &me);
		}
		closedir(s);
	}
	closedir(d);
	fprintf(stderr, "facts on livedoor: %ld documents; affected count %ld, leaked %ld, "
	        "method %ld\n", docs, aff, lk, me);
	cr_assert_gt(docs, 0);
}

/* --- the lines cut out of the whole text's normalisation --- */

static void expect_same_facts(const char *what, const char *text, size_t len)
{
	bidx_facts a, b;
	bidx_norm w;
	char x[BIDX_DATE_ISO_SIZE], y[BIDX_DATE_ISO_SIZE];

	bidx_facts_extract(text, len, &a);
	cr_assert_eq(bidx_normalize(text, len, 1, &w), BIDX_OK, "%s", what);
	bidx_facts_extract_norm(text, len, &w, &b);
	bidx_norm_free(&w);
	cr_assert_eq(a.affected, b.affected, "%s", what);
	cr_assert_eq(a.unit, b.unit, "%s", what);
	cr_assert_eq(a.qual, b.qual, "%s", what);
	cr_assert_eq(a.leaked, b.leaked, "%s", what);
	cr_assert_eq(a.method, b.method, "%s", what);
	cr_assert_eq(a.authorities, b.authorities, "%s", what);
	bidx_date_iso(&a.period_from, x), bidx_date_iso(&b.period_from, y);
	cr_assert_str_eq(x, y, "%s", what);
	bidx_date_iso(&a.period_to, x), bidx_date_iso(&b.period_to, y);
	cr_assert_str_eq(x, y, "%s", what);
	cr_assert_eq(a.ncounts, b.ncounts, "%s", what);
	for (int i = 0; i < a.ncounts; i++) {
		cr_assert_eq(a.counts[i].value, b.counts[i].value, "%s", what);
		cr_assert_eq(a.counts[i].unit, b.counts[i].unit, "%s", what);
		cr_assert_eq(a.counts[i].qual, b.counts[i].qual, "%s", what);
		cr_assert_str_eq(a.counts[i].what, b.counts[i].what, "%s", what);
	}
	cr_assert_eq(a.nevents, b.nevents, "%s", what);
	for (int i = 0; i < a.nevents; i++) {
		bidx_date_iso(&a.events[i].date, x), bidx_date_iso(&b.events[i].date, y);
		cr_assert_str_eq(x, y, "%s", what);
		cr_assert_str_eq(a.events[i].what, b.events[i].what, "%s", what);
	}
	cr_assert_eq(a.nphones, b.nphones, "%s", what);
	for (int i = 0; i < a.nphones; i++)
		cr_assert_str_eq(a.phones[i], b.phones[i], "%s", what);
	cr_assert_eq(a.nemails, b.nemails, "%s", what);
	cr_assert_eq(a.ndropped, b.ndropped, "%s", what);
	cr_assert_str_eq(a.dropped, b.dropped, "%s", what);
	cr_assert_eq(a.oom, b.oom, "%s", what);
}

/* Texts whose lines normalise differently alone and inside the whole text
 * (a combining mark or a space across a break), and plain ones. */
Test(whole, same_facts_as_line_by_line)
{
	static const char *const texts[] = {
		"個人情報の件数\r\n48,685件\r\n流出した情報\n・氏名\n・住所\n・クレジットカード番号\n",
		"か\n\xe3\x82\x99流出した件数 3件\n対象者 12名",   /* U+3099 joins か across the break */
		"漢\n\xcc\x81 流出 5件\n\xcc\x81\n",               /* U+0301 */
		"card \n  number 流出 7件 \n\n\t漏えい 8名\n",
		"\xc2\xb4\n\xc2\xb4 対象 9件\xc2\xb4\n",           /* U+00B4: a space and U+0301 */
		"\xe3\x81\n\x82 流出 10件\n\xe3\x80\x80\xe3\x80\x80漏洩 11件\n",   /* bytes cut by a break */
		"2023年4月1日から2023年5月1日までの間\n不正アクセスにより流出\n電話番号: 0120-123-456\n",
		"\n\n   \n",
		"流出",
	};
	char what[32];
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		snprintf(what, sizeof what, "text %zu", i);
		expect_same_facts(what, texts[i], strlen(texts[i]));
	}
	const char *dirs[] = {"seeds", "seeds-html"};
	for (size_t k = 0; k < 2; k++) {
		char dir[4096], path[8192];
		snprintf(dir, sizeof dir, "%s/corpus/%s", BIDX_SOURCE_DIR, dirs[k]);
		DIR *d = opendir(dir);
		cr_assert_not_null(d, "%s", dir);
		int files = 0;
		for (struct dirent *e; (e = readdir(d)) != NULL;) {
			if (e->d_name[0] == '.' || strstr(e->d_name, ".pdf"))
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			size_t len;
			char *text = slurp(path, &len);
			expect_same_facts(path, text, len);
			free(text);
			files++;
		}
		closedir(d);
		cr_assert_gt(files, 0);
	}
}
