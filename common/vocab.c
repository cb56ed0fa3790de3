/*
 * vocab.c - the fixed vocabularies of incident facts.
 *
 * Names are stored as a notice would display them.  The index stores bit
 * sets over these tables, so an entry's position is part of the format:
 * append new entries at the end (each table holds at most 32), never
 * reorder, rename only to a spelling that means the same thing.  How a
 * notice's words map onto entries (synonyms, context) is up to
 * indexer/facts.c.
 *
 * Order: the most common facts first, grouped (identity, contact, card,
 * account, other); there is room left in every table.
 */
#include "vocab.h"

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
