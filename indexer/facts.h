/*
 * facts.h - the facts of an incident, read from a notice's text.
 *
 * Each fact is optional.  Vocabularies are fixed tables (bidx_leaked_names,
 * bidx_method_names, bidx_authority_names in common/vocab.h) so that a
 * document stores bit sets and a query term maps to the entries whose
 * names contain it.
 */
#ifndef BIDX_FACTS_H
#define BIDX_FACTS_H

#include <stddef.h>
#include <stdint.h>
#include "date.h"

typedef enum bidx_qual { BIDX_QUAL_EXACT = 0, BIDX_QUAL_MAX = 1, BIDX_QUAL_APPROX = 2,
                         BIDX_QUAL_OVER = 3 } bidx_qual;
typedef enum bidx_unit { BIDX_UNIT_NONE = 0, BIDX_UNIT_KEN = 1 /* 件 */,
                         BIDX_UNIT_MEI = 2 /* 名 or 人 */ } bidx_unit;

#define BIDX_FACTS_MAX_CONTACTS 8

typedef struct bidx_facts {
	uint64_t affected;        /* largest affected count stated; 0 = none */
	bidx_unit unit;
	bidx_qual qual;           /* 最大 -> MAX, 約 -> APPROX, 以上/超 -> OVER */
	uint32_t leaked;          /* bit i = bidx_leaked_names[i] */
	uint32_t method;          /* bit i = bidx_method_names[i] */
	uint32_t authorities;     /* bit i = bidx_authority_names[i] */
	bidx_date period_from, period_to;   /* incident period; prec NONE = none */
	char phones[BIDX_FACTS_MAX_CONTACTS][24];  /* as written, digits and hyphens */
	int nphones;
	char emails[BIDX_FACTS_MAX_CONTACTS][96];
	int nemails;
	int oom;                  /* an allocation failed: the facts are incomplete */
} bidx_facts;

/* Reads the facts from a notice's original UTF-8 text (it normalises what
 * it needs itself).  Never fails on input; absent facts stay zero.  When
 * memory runs out, oom is set (the caller reports BIDX_ENOMEM rather than
 * index a notice with facts missing). */
void bidx_facts_extract(const char *text, size_t len, bidx_facts *out);

#endif
