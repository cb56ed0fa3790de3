#define _GNU_SOURCE /* memmem */
/*
 * kind.c - document kinds by rules (kind.h).
 *
 * An incident notice is an organisation telling of something that went
 * wrong with information or systems it holds: the title names the incident
 * (不正アクセス, 流出, 紛失, 誤送信...), or several sentences do, and the
 * text speaks as the organisation (弊社, 当協会...) or apologises (お詫び,
 * ご迷惑).  An incident word alone is not enough: crime-prevention columns,
 * security advice and event pages mention 流出 or 詐欺 without reporting
 * anything.  A news article is a web article (URL / date / title layout) or
 * text that reports on others (によると, と発表した, 同社) without speaking
 * as the organisation; it is about an incident when it reports one: its
 * title names one as an event (not 不正アクセス禁止法 or 漏えい対策), or two
 * sentences tell one happened (発覚, 判明, と発表).  Everything else that
 * names an issuer, a date or an announcement word is a notice; the rest is
 * other.
 */
#include "kind.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "wordset.h"

static const char *const incident_words[] = {
	"不正アクセス", "漏えい", "漏洩", "流出", "紛失", "盗難", "誤送信", "誤送付", "誤発送",
	"誤配送", "誤配布", "誤配達", "誤掲載", "誤公開", "ランサムウェア", "ランサムウエア",
	"サイバー攻撃", "改ざん", "改竄", "不正ログイン", "ウイルス感染", "ウィルス感染",
	"マルウェア", "情報漏れ", "システム障害", "通信障害", "不正利用", "不正送金", "盗まれ",
	"持ち出", "誤って", NULL};
static const char *const apology_words[] = {"お詫び", "おわび", "お詫", "陳謝", "ご迷惑",
                                            "ご心配をおかけ", "申し訳", NULL};
static const char *const self_words[] = {
	"弊社", "当社", "当協会", "当法人", "当機構", "当組合", "当団体", "本学", "当大学", "当院",
	"当病院", "当館", "当センター", "当店", "当市", "本市", "当町", "本町", "当村", "当県",
	"本県", "当財団", "弊団体", "弊法人", "弊組合", "当事務所", "弊所", NULL};
static const char *const found_words[] = {"判明", "発覚", "確認されました", "確認いたしました",
                                          "発生いたしました", "発生しました", "受けました",
                                          "ことがわかりました", NULL};
static const char *const news_words[] = {"によると", "と発表した", "を発表した", "明らかにした",
                                         "報じ", "同社は", "同社の", "同社が", "と話した",
                                         "取材", "記者", NULL};
static const char *const notice_words[] = {"お知らせ", "募集", "開催", "案内", "申し込み", "申込",
                                           "問い合わせ", "問合せ", "について", "ください", NULL};

/* Words after an incident word that make it a topic, not an event:
 * 不正アクセス禁止法, 情報漏えい対策, 紛失防止. */
static const char *const topic_words[] = {"禁止法", "対策", "防止", "のリスク", "の危険", NULL};
/* Words of a sentence that tell an incident happened (not a risk, advice
 * or a law): 発覚, 判明, と発表した, 謝罪, 被害を受け. */
static const char *const event_words[] = {"発覚", "判明", "と発表", "を発表", "明らかにした",
                                          "謝罪", "被害に遭", "被害を受け", "があった",
                                          "された可能性", "発生した", "発生し、", NULL};

/* The first word of words found in s[0..n), or NULL. */
static const char *first_of(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (memmem(s, n, *words, strlen(*words)))
			return *words;
	return NULL;
}

/* The first incident word of s[0..n) that names an event, not a topic
 * (one followed by a topic word), or NULL. */
static const char *event_in(const char *s, size_t n)
{
	for (const char *const *w = incident_words; *w; w++) {
		size_t wl = strlen(*w);
		for (const char *p = s, *hit; (hit = memmem(p, (size_t)(s + n - p), *w, wl)) != NULL;
		     p = hit + wl) {
			const char *after = hit + wl;
			int topic = 0;
			for (const char *const *t = topic_words; *t && !topic; t++)
				topic = (size_t)(s + n - after) >= strlen(*t) &&
				        !memcmp(after, *t, strlen(*t));
			if (!topic)
				return *w;
		}
	}
	return NULL;
}

/* --- the text's cues in one pass --- */

enum { L_INCIDENT, L_APOLOGY, L_SELF, L_FOUND, L_NEWS, L_NOTICE, L_EVENT, NLISTS };

static const char *const *const lists[NLISTS] = {incident_words, apology_words, self_words,
                                                  found_words, news_words, notice_words,
                                                  event_words};

#define LIST_MAX 64    /* words in one list */

/* One word set of every list; a word of two lists is in it twice. */
static bidx_wordset cues_set;
static uint8_t cue_list[BIDX_WORDSET_MAX];   /* by word id: its list */
static uint8_t cue_index[BIDX_WORDSET_MAX];  /* its place in the list */
static pthread_once_t cues_once = PTHREAD_ONCE_INIT;

static void cues_init(void)
{
	bidx_wordset_init(&cues_set);
	for (int l = 0; l < NLISTS; l++)
		for (int k = 0; lists[l][k]; k++) {
			int id = bidx_wordset_add(&cues_set, lists[l][k]);
			if (id >= 0) {   /* every word is 6 bytes or more; LIST_MAX, 256 words */
				cue_list[id] = (uint8_t)l;
				cue_index[id] = (uint8_t)k;
			}
		}
}

/* What the rules ask of the text: which words of each list occur, how
 * often each news word does (not overlapping), and the sentences (cut at
 * 。 and line ends) that hold an incident word, and of those the ones
 * that also tell it happened (an event word). */
typedef struct textcues {
	const char *t;
	size_t len;
	size_t i, j;          /* the current sentence t[i..j) */
	size_t nl, maru;      /* the first \n, the first 。 at i or after (len: none) */
	int done;             /* no sentence left */
	int inc, ev;          /* the current sentence holds an incident, an event word */
	int nsent, nevent;    /* sentences with an incident word; with an event word too */
	uint8_t found[NLISTS][LIST_MAX];
	int news_count[LIST_MAX];
	size_t news_end[LIST_MAX];   /* the end of the news word's last counted occurrence */
} textcues;

/* The first 。 (E3 80 82) starting at i or after, or len: memchr for its
 * last byte, rarer than its first. */
static size_t maru_from(const char *t, size_t len, size_t i)
{
	for (const char *q = t + i + 2; q < t + len && (q = memchr(q, 0x82, (size_t)(t + len - q)));
	     q++)
		if ((uint8_t)q[-2] == 0xE3 && (uint8_t)q[-1] == 0x80)
			return (size_t)(q - 2 - t);
	return len;
}

/* The end of the sentence starting at c->i: the first \n or 。 from there
 * (each found once and kept until the sentences pass it). */
static size_t sentence_end(textcues *c)
{
	size_t i = c->i;
	if (c->nl < i) {
		const char *q = memchr(c->t + i, '\n', c->len - i);
		c->nl = q ? (size_t)(q - c->t) : c->len;
	}
	if (c->maru < i)
		c->maru = maru_from(c->t, c->len, i);
	return c->nl < c->maru ? c->nl : c->maru;
}

/* Closes the current sentence and opens the next. */
static void next_sentence(textcues *c)
{
	if (c->j > c->i && c->inc) {
		c->nsent++;
		c->nevent += c->ev;
	}
	c->inc = c->ev = 0;
	c->i = c->j + (c->j < c->len && c->t[c->j] == '\n' ? 1 : 3);
	if (c->i >= c->len)
		c->done = 1;
	else
		c->j = sentence_end(c);
}

static void cue_hit(void *ctx, int id, size_t at)
{
	textcues *c = ctx;
	int l = cue_list[id], k = cue_index[id];
	size_t wl = cues_set.len[id];

	while (!c->done && at >= c->j)
		next_sentence(c);
	c->found[l][k] = 1;
	if (l == L_NEWS && at >= c->news_end[k]) {
		c->news_count[k]++;
		c->news_end[k] = at + wl;
	}
	if ((l == L_INCIDENT || l == L_EVENT) && !c->done && at >= c->i && at + wl <= c->j) {
		if (l == L_INCIDENT)
			c->inc = 1;
		else
			c->ev = 1;
	}
}

static void text_cues(const char *t, size_t len, textcues *c)
{
	pthread_once(&cues_once, cues_init);
	memset(c, 0, sizeof *c);
	c->t = t;
	c->len = len;
	if (len == 0) {
		c->done = 1;
	} else {
		const char *q = memchr(t, '\n', len);
		c->nl = q ? (size_t)(q - t) : len;
		c->maru = maru_from(t, len, 0);
		c->j = sentence_end(c);
	}
	bidx_wordset_scan(&cues_set, t, len, cue_hit, c);
	while (!c->done)
		next_sentence(c);
}

/* The first word of list l (in the list's order) that the text holds. */
static const char *first_found(const textcues *c, int l)
{
	for (int k = 0; lists[l][k]; k++)
		if (c->found[l][k])
			return lists[l][k];
	return NULL;
}

static void cue(bidx_kindinfo *o, const char *family, const char *word)
{
	size_t u = strlen(o->cues);
	if (word && u + strlen(family) + strlen(word) + 3 < sizeof o->cues)
		snprintf(o->cues + u, sizeof o->cues - u, "%s%s:%s", u ? " " : "", family, word);
}

void bidx_kind_classify(const char *title, size_t tlen, const char *text, size_t len,
                        int web_article, int has_org, int has_date, bidx_kindinfo *out)
{
	char num[16];
	memset(out, 0, sizeof *out);
	if (!text)
		text = "", len = 0;
	if (!title)
		title = "", tlen = 0;
	textcues tc;
	text_cues(text, len, &tc);
	const char *in_title = first_of(title, tlen, incident_words);
	const char *apology = first_found(&tc, L_APOLOGY);
	const char *self = first_found(&tc, L_SELF);
	const char *found = first_found(&tc, L_FOUND);
	int nsent = tc.nsent;
	int nnews = 0;
	const char *news = NULL;
	for (int k = 0; news_words[k]; k++) {
		if (tc.news_count[k] && !news)
			news = news_words[k];
		nnews += tc.news_count[k];
	}
	if (web_article || (nnews >= 2 && !self && !apology)) {
		/* about an incident when it reports one: its title names it as an
		 * event, or two sentences tell one happened; security advice,
		 * risk reports and columns on a law mention the words only */
		int nevent = tc.nevent;
		out->kind = BIDX_KIND_NEWS;
		out->about_incident = event_in(title, tlen) || nevent >= 2;
		cue(out, "layout", web_article ? "web article" : NULL);
		cue(out, "news", news);
		cue(out, "title", in_title);
		if (nsent) {
			snprintf(num, sizeof num, "%d", nsent);
			cue(out, "sentences", num);
		}
		if (nevent) {
			snprintf(num, sizeof num, "%d", nevent);
			cue(out, "happened", num);
		}
		return;
	}
	/* the organisation speaks of an incident of its own */
	int voice = apology || (self && found);
	if ((in_title && voice) || (nsent >= 2 && apology && (self || found)) ||
	    (nsent >= 4 && self && found)) {
		out->kind = BIDX_KIND_INCIDENT;
		cue(out, "title", in_title);
		cue(out, "apology", apology);
		cue(out, "self", self);
		cue(out, "found", found);
		snprintf(num, sizeof num, "%d", nsent);
		cue(out, "sentences", num);
		return;
	}
	const char *nw = first_found(&tc, L_NOTICE);
	if (has_org || has_date || nw) {
		out->kind = BIDX_KIND_NOTICE;
		cue(out, "org", has_org ? "yes" : NULL);
		cue(out, "date", has_date ? "yes" : NULL);
		cue(out, "word", nw);
		if (in_title || nsent)
			cue(out, "not-incident", voice ? "too few incident sentences" : "no apology or own voice");
		return;
	}
	out->kind = BIDX_KIND_OTHER;
	cue(out, "none", "no issuer, date or announcement word");
}

const char *bidx_kind_name(bidx_kind k)
{
	static const char *const names[] = {"other", "notice", "news", "incident"};
	return (unsigned)k < 4 ? names[k] : "other";
}
