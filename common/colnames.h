/*
 * colnames.h - the column names that give a notice its fields.
 *
 * A CSV or JSON Lines file names its columns in Japanese or English
 * (記事タイトル, 公開日, 自治体名...); the indexer reads those columns as the
 * fields title, date, org, category and body, and the searcher takes the
 * same names as aliases of those fields in a query (タイトル:お詫び is
 * title:お詫び).  One table, so the two cannot drift apart.
 */
#ifndef BIDX_COLNAMES_H
#define BIDX_COLNAMES_H

/* The field ("title", "date", "org", "category", "body") that a column
 * named `name` gives, compared without regard to ASCII case; NULL for any
 * other name.  The result is static. */
const char *bidx_colname_field(const char *name);

#endif
