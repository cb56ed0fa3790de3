/*
 * question.h - the best-match mode (`bsearch --any`): a question typed as
 * people type it, analysed into its content words, and the documents ranked
 * by how well they cover those words.
 *
 * Analysis (question.c) runs MeCab (analysis/tokenize.h) over the normalised
 * question.  Nouns, verbs and adjectives are kept; particles, auxiliaries,
 * symbols, adverbs, conjunctions, pronouns, dependent nouns and verbs
 * written in kana alone (する, ある, いる: the grammar's own verbs) are
 * dropped.  Each kept word is searched, like any bsearch word, as a
 * substring of the normalised text, in all its forms:
 *  - a verb or adjective by its stem with every ending of its conjugation
 *    row (持って and 持つ both search 持た 持ち 持つ 持て 持と 持っ), so any
 *    inflected form finds the others;
 *  - a run of nouns (国民年金: 国民 + 年金) as the compound and as each of
 *    its parts, so the compound finds the parts apart and the parts the
 *    compound; a compound of three or more parts adds each adjacent pair;
 *  - a noun in the other kana (ゴミ and ごみ: katakana as hiragana, a word in
 *    hiragana alone as katakana), and a noun with kanji by its reading in
 *    katakana (鴉: カラス), as MeCab's dictionary gives it;
 *  - a noun with kanji by its reading in hiragana (子供: こども), as a
 *    further word of the question at BIDX_ANY_W_READING, with its own
 *    document frequency (a reading that is grammar, 市内: しない, is too
 *    common to count and leaves the noun's alone);
 *  - a compound's suffix with kanji (名詞,接尾: 犬 in 保護犬, 品 in 名産品),
 *    the thing itself, as a further word at BIDX_ANY_W_SUFFIX (名産品 finds
 *    特産品);
 *  - a noun with kanji of three characters or more that MeCab keeps whole
 *    (野良犬, 粗大ごみ) also by its two parts, cut where both are nouns to
 *    MeCab (a part of one character a kanji) and the last, the head, is
 *    shortest, of four characters at most (野良 + 犬, 粗大 + ごみ), each a
 *    further word of the question at BIDX_ANY_W_SPLIT: a text that writes
 *    the thing apart, or by its head alone (犬, ごみ), is found;
 *  - any form with one or two hiragana between kanji also without them, as
 *    official writing leaves okurigana out (申し込 申込, 振り込 振込);
 *  - with the thesaurus (thesaurus.h: dict/thesaurus.txt, a general-domain
 *    table made from Sudachi's synonym dictionary), the words of the same
 *    meaning as a further word of the question at a low weight: one for
 *    the word's other spellings and abbreviations (国保: 国民健康保険,
 *    BIDX_ANY_W_SAME) and one for its near synonyms (亡くなる: 死亡 死去...,
 *    BIDX_ANY_W_NEAR), the first BIDX_ANY_MAX_RELATED words of the table; a
 *    form that overlaps one of the question's own forms, or another
 *    thesaurus form, is left out, so no occurrence counts twice; a word in more than BIDX_ANY_RELATED_MAX_DF
 *    of the documents is no vocabulary mismatch, and its thesaurus words
 *    are not searched.
 *  - a question that asks for a place, a date, a fee, a person or a
 *    reason (どこ/どちら, いつ/何日, いくら, 誰, なぜ: the interrogatives of
 *    dict/answers.txt, bidx_question_answers) also searches them and the
 *    words an answer of that type has (どこ: 場所 窓口 所在地 住所 会場;
 *    いつ: 期間 時間 曜日 期限...), those the question does not have, as one
 *    further word at
 *    BIDX_ANY_W_ANSWER (BIDX_QW_ANSWER) that scores only the documents the
 *    question's other words find: among the entries on one subject, the
 *    one that names a place answers どこ.
 * A word that occurs twice counts twice (qtf).
 *
 * Ranking (question_rank.c): the sum over the question's words of each
 * word's BM25 (idf times saturated frequency), with the title and the body
 * as two fields, each with its own length norm and its own idf (a word in
 * every answer, 窓口 or 時間, can still be rare among the titles, the
 * questions), so a document with more of the question's words, and rarer
 * ones, ranks first, and a short title that is mostly the question's words
 * (a FAQ's question) first of all.  A second signal, for words MeCab cuts
 * otherwise (名産品 / 特産品, 申込み / 申し込み), is BM25 over the question's
 * character bigrams, at a lower weight.  A prior adds a little for a title
 * shorter than the average (a FAQ's more general question) and takes as
 * much from a longer one.  Last, the BIDX_ANY_RERANK (20) best gain up to
 * BIDX_ANY_TITLE_SIM (12 %) of the best score by how much of their title
 * the question has in the same order: the longest common subsequence of
 * the two, hiragana left out (particles and endings), over the title's
 * length.  A FAQ's title is itself a question, and the one asked in other
 * words has its subject and its predicate in the same order as it.  A
 * word's field found in more than BIDX_ANY_MAX_DF of the documents carries
 * no information and is left out (question boilerplate: 教える, 方法, 場合,
 * ...), by its document frequency rather than by a list; when every word is
 * that common, all are kept.
 * Below that, a word that stands near the end of the titles it is in (a
 * FAQ's question names its subject first and asks last: 教える, 必要,
 * 手続き in …の手続きは必要ですか) is the collection's question template
 * and loses up to 30 % of its idf, by its mean place in those titles (not
 * the answer words: they are the asking part of a title by design).
 * What this needs of every document (its lengths in words, its title
 * prior) is read once for an index, by its first question, and kept with
 * it (bidx_index_derived); a question then reads only its words' postings.
 * Parameters and their measured effect: bench/README.md.
 */
#ifndef BIDX_QUESTION_H
#define BIDX_QUESTION_H

#include <stdint.h>
#include <stdio.h>
#include "error.h"
#include "index.h"
#include "query_eval.h"
#include "thesaurus.h"
#include "tokenize.h"

#define BIDX_ANSWERS_NAME "answers.txt"   /* the answer-type table, in dict/ */
#define BIDX_ANY_MAX_WORDS 64      /* words kept from one question */
#define BIDX_ANY_MAX_FORMS 32      /* forms searched for one word */
#define BIDX_ANY_MAX_DF 0.25       /* share of documents above which a word
                                      is left out (per field) */
#define BIDX_ANY_W_SAME 0.3        /* a thesaurus word of the same vocabulary */
#define BIDX_ANY_W_NEAR 0.15       /* a thesaurus near synonym */
#define BIDX_ANY_W_READING 0.5     /* a noun's reading in hiragana */
#define BIDX_ANY_W_SPLIT 0.5       /* a part of a long noun MeCab keeps whole */
#define BIDX_ANY_SPLIT_MIN 3       /* characters of a noun that is split */
#define BIDX_ANY_SPLIT_HEAD 4      /* characters of its head (the last part), at most */
#define BIDX_ANY_W_SUFFIX 0.3      /* a compound's suffix with kanji (犬 in 保護犬) */
#define BIDX_ANY_W_ANSWER 1.5      /* the words of the question's answer type */
#define BIDX_ANY_MAX_RELATED 4     /* thesaurus words for one word */
#define BIDX_ANY_RELATED_MAX_DF 0.1   /* share of documents above which a word's
                                        thesaurus words are not searched */

typedef enum bidx_qword_kind {
	BIDX_QW_WORD,      /* a noun, verb or adjective (a compound's part too) */
	BIDX_QW_COMPOUND,  /* a run of nouns (or an adjacent pair of one) */
	BIDX_QW_RELATED,   /* words of the same meaning as another (thesaurus.h),
	                      a noun's reading in hiragana, a part of a long
	                      noun or a compound's suffix */
	BIDX_QW_ANSWER,    /* the words an answer to the question's interrogative
	                      has (どこ: 場所, 窓口...): scores only the documents
	                      another word finds */
} bidx_qword_kind;

typedef struct bidx_qword {
	char *label;               /* the word as reported: its normalised base
	                              form (thesaurus words: "/" between them);
	                              owned */
	char *forms[BIDX_ANY_MAX_FORMS];   /* normalised strings searched; owned */
	uint32_t nforms;
	bidx_qword_kind kind;
	uint32_t qtf;              /* times the question has it */
	double weight;             /* of its score: 1, or BIDX_ANY_W_SAME,
	                              BIDX_ANY_W_NEAR, BIDX_ANY_W_READING,
	                              BIDX_ANY_W_SPLIT or BIDX_ANY_W_SUFFIX
	                              (BIDX_QW_RELATED), BIDX_ANY_W_ANSWER
	                              (BIDX_QW_ANSWER) */
	uint32_t from;             /* BIDX_QW_RELATED: the word it stands for
	                              (its thesaurus words, reading, parts and
	                              suffixes are not searched when that word is in
	                              over BIDX_ANY_RELATED_MAX_DF of the
	                              documents; nor is a related word of one
	                              character in over BIDX_ANY_MAX_DF) */
} bidx_qword;

typedef struct bidx_question {
	bidx_qword *w;             /* owned */
	uint32_t n;
	uint32_t *grams;           /* character bigrams of the question's words, as
	                              pairs of code points (a second signal, for
	                              words MeCab cuts otherwise); owned */
	uint32_t ngrams;
	uint32_t *chars;           /* the question's characters but hiragana
	                              (kanji, katakana, letters, digits), in order:
	                              what its title similarity compares; owned */
	uint32_t nchars;
} bidx_question;

/* Analyses text into q (zeroed first; free with bidx_question_free), with
 * the thesaurus th (NULL: none).  A question with no content word gives
 * q->n == 0 and BIDX_OK.  MeCab failing gives BIDX_EMECAB, an over-long
 * question BIDX_ETOOBIG, with a message in why. */
bidx_err bidx_question_analyse_with(bidx_tokenizer *t, const bidx_thesaurus *th, const char *text,
                                    bidx_question *q, char *why, size_t whylen);

/* The same with the answer-type table at (NULL: none), a table in the
 * thesaurus format (dict/answers.txt: the interrogatives of a type, then
 * its answer words led by `~`). bidx_question_analyse_with uses the
 * process's, bidx_question_answers(). */
bidx_err bidx_question_analyse_tables(bidx_tokenizer *t, const bidx_thesaurus *th,
                                      const bidx_thesaurus *at, const char *text,
                                      bidx_question *q, char *why, size_t whylen);

/* The same with the process's thesaurus, bidx_question_thesaurus(). */
bidx_err bidx_question_analyse(bidx_tokenizer *t, const char *text, bidx_question *q, char *why,
                               size_t whylen);

/* The thesaurus (thesaurus.h), found and loaded at the first call of the
 * process (thread-safe) and kept until it ends; NULL when there is none
 * ($BIDX_THESAURUS=none, or no table found or readable: the question's own
 * words are searched alone). */
const bidx_thesaurus *bidx_question_thesaurus(void);

/* The answer-type table, found and loaded as the thesaurus is: $BIDX_ANSWERS
 * when set (empty or "none": none), else dict/answers.txt (io.h,
 * bidx_dict_locate); NULL when there is none (no answer types). */
const bidx_thesaurus *bidx_question_answers(void);
void bidx_question_free(bidx_question *q);   /* NULL ok */

/* 1 when the bigram of code points a c is one the bigram signal uses: two
 * kanji, kana, letters or digits, not both hiragana. */
int bidx_question_gram(uint32_t a, uint32_t c);

/* Which of a question's words each candidate matched: bit i for q->w[i]. */
typedef struct bidx_anymatch {
	const bidx_question *q;    /* not owned; must outlive this */
	uint32_t *docs;            /* candidates in doc id order; owned */
	uint64_t *masks;           /* their word masks; owned */
	uint32_t n;
} bidx_anymatch;

/* Retrieves every document that has at least one of q's words and scores
 * it (see above).  r gets the candidates in doc id order (unsorted; the
 * output ranks them) and, as its terms, every form searched, for snippets;
 * m (may be NULL) which words each candidate matched.  Corrupt postings
 * give BIDX_ECORRUPT. */
bidx_err bidx_question_eval(bidx_index *ix, const bidx_question *q, bidx_result *r,
                            bidx_anymatch *m, char *why, size_t whylen);
void bidx_anymatch_free(bidx_anymatch *m);   /* NULL ok */

/* The words hit h matched, as `"matched_words":[...]` (the members of a
 * JSON object, led by a comma), in the question's order.  ctx is a
 * bidx_anymatch; the signature fits bidx_outopts.json_extra. */
void bidx_anymatch_json(void *ctx, const bidx_hit *h, FILE *f);

/* The labels of the words hit h matched, space separated, into out[0..n). */
void bidx_anymatch_words(const bidx_anymatch *m, uint32_t doc, char *out, size_t n);

#endif
