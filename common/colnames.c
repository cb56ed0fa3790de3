/* colnames.c - the column-name table of colnames.h. */
#include "colnames.h"

#include <stddef.h>
#include <strings.h>

static const struct { const char *field; const char *const names[8]; } column_names[] = {
	{"title", {"記事タイトル", "タイトル", "件名", "見出し", "title", "subject", "headline", NULL}},
	{"date", {"公開年月", "日付", "公開日", "発表日", "掲載日", "date", "published", NULL}},
	{"org", {"自治体名", "組織", "発行者", "会社名", "organization", "issuer", "org", NULL}},
	{"category", {"カテゴリ", "分類", "カテゴリー", "category", NULL}},
	{"body", {"記事本文", "本文", "body", "text", "content", NULL}},
};

const char *bidx_colname_field(const char *name)
{
	for (size_t i = 0; i < sizeof column_names / sizeof *column_names; i++)
		for (int k = 0; column_names[i].names[k]; k++)
			if (!strcasecmp(name, column_names[i].names[k]))
				return column_names[i].field;
	return NULL;
}
