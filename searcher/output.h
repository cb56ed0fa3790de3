/*
 * output.h - what bsearch prints: a ranked list for people, JSON lines for
 * scripts, paths (-l) or a count (-c).
 */
#ifndef BIDX_OUTPUT_H
#define BIDX_OUTPUT_H

#include <stdint.h>
#include <stdio.h>
#include "query_eval.h"
#include "segment_reader.h"

typedef enum bidx_outmode { BIDX_OUT_HUMAN, BIDX_OUT_JSON, BIDX_OUT_PATHS, BIDX_OUT_COUNT } bidx_outmode;

typedef struct bidx_outopts {
	bidx_outmode mode;
	int color;           /* ANSI colours in human output */
	uint32_t limit;      /* hits shown (human, JSON) */
	uint32_t offset;     /* hits skipped first */
	FILE *f;
} bidx_outopts;

/* Ranks r's hits and prints them.  Returns BIDX_ECORRUPT if a document
 * record or stored text is damaged, BIDX_EIO if writing failed. */
bidx_err bidx_output(bidx_segment *seg, bidx_result *r, const bidx_outopts *o);

#endif
