/*
 * pdf.h - the text of a PDF file, page by page, for indexing as a notice.
 *
 * poppler has had a steady stream of security bugs, so it never runs in the
 * indexer: bidx_pdf_extract() starts the program again (posix_spawn, safe
 * from a threaded process) as `bidx --extract-pdf FILE`, which sets CPU and
 * address-space limits on itself, opens the file with poppler (poppler-data
 * supplies the CJK CMaps of PDFs that do not embed their fonts) and writes
 * each page's text in reading order to a pipe.  The parent reads it with a
 * wall-clock deadline and kills the child past it, so a hostile PDF can only
 * end its own extraction: the file is reported and skipped.
 *
 * Child protocol (stdout): records  tag:u8 len:u32le bytes[len]
 *   'P' a page's text   'T' the document's Title   'D' its CreationDate
 *   (yyyy-mm-dd)   'E' why the document cannot be read ("encrypted").
 * Exit status 0 when every page was written.
 *
 * The parent removes running headers, footers and page numbers (lines at
 * the top or bottom of pages that repeat on most pages once digits are
 * ignored, and lines that are only a page number) and records where each
 * page starts, so a hit can name its page.
 */
#ifndef BIDX_PDF_H
#define BIDX_PDF_H

#include <stddef.h>
#include "error.h"
#include "extract.h"

/* The child's limits; BIDX_PDF_LIMITS="cpu=S,mem=MB,wall=S" overrides them
 * (for tests of hostile files). */
#define BIDX_PDF_CPU_SECONDS 30
#define BIDX_PDF_MEM_MB 1024
#define BIDX_PDF_WALL_SECONDS 60
#define BIDX_PDF_MAX_TEXT ((size_t)256 << 20)   /* bytes the parent accepts */

/* The program run as the extraction child: by default this program itself
 * (/proc/self/exe); programs other than bidx that index PDFs (tests) name
 * the bidx binary here.  exe is copied. */
void bidx_pdf_set_helper(const char *exe);

/* Extracts path into x (zeroed by the caller; free it with
 * bidx_extract_free either way).  BIDX_EINPUT with the reason in why
 * ("PDF extraction failed (killed by signal 9: CPU time limit)",
 * "encrypted", ...), BIDX_ENOMEM. */
bidx_err bidx_pdf_extract(const char *path, bidx_extract *x, char *why, size_t whylen);

/* The child: `bidx --extract-pdf FILE` writes the records above to fd 1.
 * Returns the exit status. */
int bidx_pdf_child_main(const char *path);

/* Builds x's text from the pages' texts (pages[i][0..lens[i])), dropping
 * running headers, footers and page numbers; x->pages gets each page's
 * start.  Exposed for tests. */
void bidx_pdf_join_pages(const char *const *pages, const size_t *lens, size_t n, bidx_extract *x);

#endif
