/*
 * docx.h - the text of a Word document (.docx), for indexing as a notice.
 *
 * The zip is opened from memory with libzip and word/document.xml read with
 * libxml2's streaming reader: paragraphs become lines, table cells are
 * separated by tabs, headers and footers (other parts) are left out, and so
 * is the fallback copy of alternate content.  Title and created date come
 * from docProps/core.xml.  Every part read is bounded in uncompressed size
 * (a zip bomb is refused, not inflated) and in XML depth.
 */
#ifndef BIDX_DOCX_H
#define BIDX_DOCX_H

#include <stddef.h>
#include "error.h"
#include "extract.h"

#define BIDX_DOCX_MAX_PART ((size_t)64 << 20)   /* uncompressed bytes of a part */
#define BIDX_DOCX_MAX_DEPTH 256                  /* XML element depth */

/* Extracts the document data[0..len) into x (zeroed by the caller; free it
 * with bidx_extract_free either way).  BIDX_EINPUT with the reason in why
 * (not a zip, no word/document.xml, too large, too deep, bad XML),
 * BIDX_ENOMEM. */
bidx_err bidx_docx_extract(const char *data, size_t len, bidx_extract *x, char *why, size_t whylen);

#endif
