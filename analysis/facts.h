/*
 * facts.h - the facts of an incident, read from a notice's text.
 *
 * Each fact is optional.  Vocabularies are fixed tables (bidx_leaked_names,
 * bidx_method_names, bidx_authority_names in common/vocab.h) so that a
 * document stores bit sets; the spellings a notice's words are filed
 * under an entry by are there too, and a query term finds the entries
 * through the same spellings.
 */
#ifndef BIDX_FACTS_H
#define BIDX_FACTS_H

#include <stddef.h>
#include <stdint.h>
#include "date.h"
#include "normalize.h"

typedef enum bidx_qual { BIDX_QUAL_EXACT = 0, BIDX_QUAL_MAX = 1, BIDX_QUAL_APPROX = 2,
                         BIDX_QUAL_OVER = 3 } bidx_qual;
typedef enum bidx_unit { BIDX_UNIT_NONE = 0, BIDX_UNIT_KEN = 1 /* 件 */,
                         BIDX_UNIT_MEI = 2 /* 名 or 人 */ } bidx_unit;

#define BIDX_FACTS_MAX_CONTACTS 8
#define BIDX_FACTS_MAX_COUNTS 8
#define BIDX_FACTS_MAX_EVENTS 12

/* One count the notice states, with what it counts. */
typedef struct bidx_count {
	uint64_t value;
	bidx_unit unit;
	bidx_qual qual;
	char what[64];            /* the noun phrase counted (クレジットカード情報); may be "" */
} bidx_count;

/* One dated step of the notice's timeline (経緯). */
typedef struct bidx_event {
	bidx_date date;
	char what[112];           /* what happened: the sentence after the date, cut */
} bidx_event;

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
	bidx_count counts[BIDX_FACTS_MAX_COUNTS];   /* in order; superseded ones left out */
	int ncounts;
	bidx_event events[BIDX_FACTS_MAX_EVENTS];   /* day-precision dates, in text order */
	int nevents;
	int ndropped;             /* counts past BIDX_COUNT_MAX, not recorded */
	char dropped[40];         /* the first of them as written (normalised) */
	int oom;                  /* an allocation failed: the facts are incomplete */
} bidx_facts;

/* affected: the headline count, the largest of counts[] (the one a notice
 * most likely means by "how many are affected": card holders, members and
 * delivery addresses are different people, and the largest bounds them). */

/* Reads the facts from a notice's original UTF-8 text (it normalises what
 * it needs itself).  Never fails on input; absent facts stay zero.  When
 * memory runs out, oom is set (the caller reports BIDX_ENOMEM rather than
 * index a notice with facts missing). */
void bidx_facts_extract(const char *text, size_t len, bidx_facts *out);

/* The same facts, given whole: bidx_normalize(text, len, 1, whole) (the
 * offset map is needed).  The lines are cut out of it instead of normalised
 * again; with whole NULL, or when a line cannot be cut out exactly, they are
 * normalised one by one.  whole is only read. */
void bidx_facts_extract_norm(const char *text, size_t len, const bidx_norm *whole,
                             bidx_facts *out);

/* Forgets the incident facts (counts, leaked, method, authorities, period,
 * events) of a document that reports no incident; contacts stay. */
void bidx_facts_clear_incident(bidx_facts *f);

#endif
