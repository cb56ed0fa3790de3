/*
 * verify.h - the deepest verification of a segment: its stored texts, and
 * its postings held against them (BIDX_VERIFY_DEEP of segment.h).
 *
 * The structure pass of segment.c checks what the sections say of each
 * other; this pass reads what they say of the documents.  Every stored
 * document must decompress to text_len bytes whose normalised form has
 * nchars characters, its title must be a line of its text, its checkpoints
 * must be restart points of the normaliser and its PDF page starts must lie
 * in the text.  Then every postings list is decoded once more: each unigram
 * must count, per document, exactly the characters of the text (all of them,
 * in the title, whole words, word edges, weighed by a hash of the character,
 * so a count moved to the wrong character or document shows), and each
 * bigram occurrence must be the pair of characters at its position (when
 * the texts fit in memory: 64 Mi characters).  Reading only: nothing here
 * needs the indexer or MeCab.
 */
#ifndef BIDX_VERIFY_H
#define BIDX_VERIFY_H

#include "error.h"
#include "segment.h"

/* Runs the content pass over an open segment, adding what it finds to f
 * (f->content_checked says whether the bigram positions were compared with
 * the texts).  Returns BIDX_OK, or BIDX_ENOMEM when it could not finish;
 * problems are in f. */
bidx_err bidx_verify_content(bidx_segment *s, bidx_findings *f);

#endif
