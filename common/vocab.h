/*
 * vocab.h - the fixed vocabularies of incident facts.  The order of each
 * table is part of the index format (documents store bit sets over it):
 * append only, never reorder.
 */
#ifndef BIDX_VOCAB_H
#define BIDX_VOCAB_H

#include <stddef.h>

extern const char *const bidx_leaked_names[];     /* NULL-terminated, <= 32 */
extern const char *const bidx_method_names[];     /* NULL-terminated, <= 32 */
extern const char *const bidx_authority_names[];  /* NULL-terminated, <= 32 */

#endif
