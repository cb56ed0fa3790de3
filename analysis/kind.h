/*
 * kind.h - what kind of document a notice is: an organisation reporting an
 * incident of its own, another announcement, a news article, or other text.
 *
 * Rules, not a model: a few cue families (incident words in the title or in
 * sentences, an apology or a first-person organisation, reporting phrases,
 * the web-article layout) decide, and the cues that decided are written down
 * with the kind so that a user can see why (`kind` field, its source).
 */
#ifndef BIDX_KIND_H
#define BIDX_KIND_H

#include <stddef.h>

typedef enum bidx_kind { BIDX_KIND_OTHER = 0, BIDX_KIND_NOTICE = 1, BIDX_KIND_NEWS = 2,
                         BIDX_KIND_INCIDENT = 3 } bidx_kind;

typedef struct bidx_kindinfo {
	bidx_kind kind;
	int about_incident;      /* news: the article reports an incident (its facts are kept) */
	char cues[256];          /* "title:不正アクセス apology:お詫び self:弊社 sentences:7" */
} bidx_kindinfo;

/* Classifies a notice from its title and text (UTF-8, as written).
 * web_article: laid out as URL / date / title (news sites); has_org, has_date:
 * the notice names its issuer or its date.  Never fails. */
void bidx_kind_classify(const char *title, size_t tlen, const char *text, size_t len,
                        int web_article, int has_org, int has_date, bidx_kindinfo *out);

/* "incident", "notice", "news" or "other". */
const char *bidx_kind_name(bidx_kind k);

#endif
