/*
 * vocab.c - the fixed vocabularies of incident facts (see vocab.h).
 *
 * Names are stored as a notice would display them.  The index stores bit
 * sets over these tables, so an entry's position is part of the format:
 * append new entries at the end (each table holds at most 32), never
 * reorder, rename only to a spelling that means the same thing.  Which
 * spellings name an entry is here too, in normalised form; in which
 * sentences a spelling counts (context) is up to analysis/facts.c.  A
 * change of the spellings changes what analysis extracts
 * (BIDX_ANALYSIS_REVISION, analysis/analyze.h).
 *
 * Order: the most common facts first, grouped (identity, contact, card,
 * account, other); there is room left in every table.
 */
#include "vocab.h"
#include "error.h"
#include "normalize.h"
#include "text.h"

#include <string.h>

const char *const bidx_leaked_names[] = {
	"氏名",                 /*  0 */
	"住所",                 /*  1 */
	"郵便番号",             /*  2 */
	"電話番号",             /*  3 */
	"FAX番号",              /*  4 */
	"メールアドレス",       /*  5 */
	"生年月日",             /*  6 */
	"性別",                 /*  7 */
	"年齢",                 /*  8 */
	"職業",                 /*  9 */
	"勤務先",               /* 10 */
	"会社名",               /* 11 */
	"クレジットカード番号", /* 12 */
	"有効期限",             /* 13 */
	"セキュリティコード",   /* 14 */
	"カード名義人名",       /* 15 */
	"口座番号",             /* 16 */
	"パスワード",           /* 17 */
	"ログインID",           /* 18 */
	"秘密の質問",           /* 19 */
	"会員番号",             /* 20 */
	"購入履歴",             /* 21 */
	"マイナンバー",         /* 22 */
	"健康情報",             /* 23 */
	NULL,
};

const char *const bidx_method_names[] = {
	"不正アクセス",                 /*  0 */
	"不正ログイン",                 /*  1 */
	"SQLインジェクション",          /*  2 */
	"OSコマンドインジェクション",   /*  3 */
	"クロスサイトスクリプティング", /*  4 */
	"脆弱性",                       /*  5 */
	"改ざん",                       /*  6 */
	"マルウェア",                   /*  7 */
	"ランサムウェア",               /*  8 */
	"標的型攻撃",                   /*  9 */
	"フィッシング",                 /* 10 */
	"なりすまし",                   /* 11 */
	"パスワードリスト攻撃",         /* 12 */
	"ブルートフォース攻撃",         /* 13 */
	"DDoS攻撃",                     /* 14 */
	"設定不備",                     /* 15 */
	"誤送信",                       /* 16 */
	"誤送付",                       /* 17 */
	"誤公開",                       /* 18 */
	"紛失",                         /* 19 */
	"盗難",                         /* 20 */
	"内部不正",                     /* 21 */
	NULL,
};

const char *const bidx_authority_names[] = {
	"個人情報保護委員会",     /*  0 */
	"警察",                   /*  1 */
	"所管官庁",               /*  2 */
	"経済産業省",             /*  3 */
	"総務省",                 /*  4 */
	"金融庁",                 /*  5 */
	"厚生労働省",             /*  6 */
	"文部科学省",             /*  7 */
	"国土交通省",             /*  8 */
	"認定個人情報保護団体",   /*  9 */
	"JPCERT/CC",              /* 10 */
	"IPA",                    /* 11 */
	"NISC",                   /* 12 */
	"クレジットカード会社",   /* 13 */
	"決済代行会社",           /* 14 */
	"第三者調査機関",         /* 15 */
	"教育委員会",             /* 16 */
	NULL,
};

/* --- spellings: normalised synonyms -> entries of the tables above --- */

const bidx_vocab_syn bidx_leaked_syns[] = {
	{"氏名", 0}, {"名前", 0}, {"住所", 1}, {"郵便番号", 2}, {"〒", 2},
	{"電話番号", 3}, {"携帯番号", 3}, {"fax番号", 4}, {"ファックス番号", 4},
	{"ファクス番号", 4}, {"メールアドレス", 5}, {"mailアドレス", 5}, {"e-mail", 5},
	{"生年月日", 6}, {"誕生日", 6}, {"性別", 7}, {"年齢", 8}, {"職業", 9},
	{"勤務先", 10}, {"勤め先", 10}, {"会社名", 11}, {"法人名", 11},
	{"カード番号", 12}, {"カード情報", 12}, {"有効期限", 13},
	{"セキュリティコード", 14}, {"セキュリティーコード", 14}, {"cvv", 14}, {"cvc", 14},
	{"cvv2", 14}, {"名義人", 15}, {"カード名義", 15}, {"口座番号", 16}, {"口座情報", 16},
	{"パスワード", 17}, {"ログインid", 18}, {"ユーザーid", 18}, {"ユーザid", 18},
	{"会員id", 18}, {"アカウント名", 18}, {"ログイン名", 18}, {"id", 18},
	{"秘密の質問", 19}, {"会員番号", 20}, {"顧客番号", 20}, {"お客様番号", 20},
	{"購入履歴", 21}, {"注文履歴", 21}, {"購入商品", 21}, {"注文内容", 21},
	{"マイナンバー", 22}, {"個人番号", 22}, {"健康情報", 23}, {"病歴", 23},
	{"診療情報", 23}, {"健康診断", 23},
	{NULL, 0},
};

const bidx_vocab_syn bidx_method_syns[] = {
	{"不正アクセス", 0}, {"不正侵入", 0}, {"不正ログイン", 1},
	{"sqlインジェクション", 2}, {"sql injection", 2}, {"osコマンドインジェクション", 3},
	{"コマンドインジェクション", 3}, {"クロスサイトスクリプティング", 4},
	{"クロスサイト・スクリプティング", 4}, {"xss", 4}, {"脆弱性", 5}, {"ぜい弱性", 5},
	{"改ざん", 6}, {"改竄", 6}, {"マルウェア", 7}, {"マルウエア", 7}, {"ウイルス", 7},
	{"ウィルス", 7}, {"emotet", 7}, {"不正プログラム", 7}, {"ランサムウェア", 8},
	{"ランサムウエア", 8}, {"ransomware", 8}, {"標的型", 9}, {"フィッシング", 10},
	{"phishing", 10}, {"なりすまし", 11}, {"成りすまし", 11}, {"パスワードリスト攻撃", 12},
	{"リスト型攻撃", 12}, {"リスト型アカウントハッキング", 12}, {"ブルートフォース", 13},
	{"総当たり攻撃", 13}, {"総当り攻撃", 13}, {"ddos", 14}, {"dos攻撃", 14},
	{"設定不備", 15}, {"設定ミス", 15}, {"設定の不備", 15}, {"設定誤り", 15},
	{"誤設定", 15}, {"誤送信", 16}, {"誤送付", 17}, {"誤発送", 17}, {"誤配布", 17},
	{"誤公開", 18}, {"誤って公開", 18}, {"誤掲載", 18}, {"紛失", 19}, {"盗難", 20},
	{"内部不正", 21}, {"不正に持ち出", 21}, {"無断で持ち出", 21},
	{NULL, 0},
};

const bidx_vocab_syn bidx_authority_syns[] = {
	{"個人情報保護委員会", 0}, {"警察", 1}, {"県警", 1}, {"府警", 1}, {"道警", 1},
	{"警視庁", 1}, {"サイバー犯罪", 1}, {"所管官庁", 2}, {"監督官庁", 2},
	{"関係官庁", 2}, {"所管省庁", 2}, {"関係省庁", 2}, {"監督省庁", 2},
	{"経済産業省", 3}, {"経産省", 3}, {"総務省", 4}, {"総合通信局", 4}, {"金融庁", 5},
	{"財務局", 5}, {"厚生労働省", 6}, {"厚労省", 6}, {"文部科学省", 7}, {"文科省", 7},
	{"国土交通省", 8}, {"国交省", 8}, {"運輸局", 8}, {"観光庁", 8},
	{"認定個人情報保護団体", 9}, {"個人情報認定保護団体", 9}, {"jpcert", 10},
	{"ipa", 11}, {"情報処理推進機構", 11}, {"nisc", 12},
	{"内閣サイバーセキュリティセンター", 12}, {"クレジットカード会社", 13},
	{"カード会社", 13}, {"決済代行会社", 14}, {"決済代行業者", 14},
	{"第三者調査機関", 15}, {"調査機関", 15}, {"調査会社", 15}, {"フォレンジック", 15},
	{"教育委員会", 16},
	{NULL, 0},
};

static const bidx_vocab vocabs[] = {
	{"leaked", bidx_leaked_names, bidx_leaked_syns},
	{"method", bidx_method_names, bidx_method_syns},
	{"authority", bidx_authority_names, bidx_authority_syns},
};

const bidx_vocab *bidx_vocab_of(const char *field)
{
	for (size_t i = 0; i < sizeof vocabs / sizeof *vocabs; i++)
		if (!strcmp(field, vocabs[i].field))
			return &vocabs[i];
	return NULL;
}

bidx_err bidx_vocab_mask(const bidx_vocab *v, const char *q, uint32_t *mask)
{
	uint32_t m = 0;
	size_t qlen = strlen(q);
	*mask = 0;
	if (qlen == 0)
		return BIDX_OK;
	for (int i = 0; v->names[i] && i < 32; i++) {
		bidx_norm n;
		bidx_err rc = bidx_normalize(v->names[i], strlen(v->names[i]), 0, &n);
		if (rc)
			return rc;
		if (bidx_str_has(n.text, n.len, q))
			m |= 1u << i;
		bidx_norm_free(&n);
	}
	/* both ways by the word rule of extraction: leaked:mail finds e-mail,
	 * leaked:c is not in cvv */
	for (const bidx_vocab_syn *s = v->syns; s->word; s++)
		if (bidx_str_find_word(s->word, strlen(s->word), 0, q) >= 0 ||
		    bidx_str_find_word(q, qlen, 0, s->word) >= 0)
			m |= 1u << s->entry;
	*mask = m;
	return BIDX_OK;
}
