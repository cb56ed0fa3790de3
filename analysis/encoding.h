/*
 * encoding.h - from a file's bytes to UTF-8 text: encoding detection and
 * conversion (iconv) for the encodings Japanese notices come in.
 *
 * Detection, in this order:
 *  1. a byte-order mark: UTF-8 (dropped), UTF-16LE or UTF-16BE (converted);
 *  2. a NUL byte anywhere else: a binary file;
 *  3. only 7-bit bytes with an escape sequence ESC $ ..., ESC ( J or ESC ( I:
 *     ISO-2022-JP, validated strictly (only the designations ESC ( B, ESC ( J,
 *     ESC ( I, ESC $ @, ESC $ B, ESC $ ( D, ESC $ ( O, ESC $ ( P, ESC $ ( Q;
 *     two-byte text only pairs of bytes 0x21-0x7E; no SO or SI) and refused
 *     as invalid ISO-2022-JP otherwise;
 *  4. valid UTF-8 (plain ASCII included): UTF-8, used in place;
 *  5. mostly valid UTF-8 with a few bad sequences: refused as invalid UTF-8
 *     (naming the offset), rather than read as mojibake;
 *  6. strict conversions from EUC-JP and from CP932 (Shift_JIS with the
 *     Windows extensions), a result holding C1 controls (EUC-JP bytes
 *     0x80-0x9F) dropped; when both succeed the one whose result reads more
 *     like Japanese (kana, kanji, CJK punctuation, few half-width katakana)
 *     wins, and a result that does not read like Japanese at all is refused;
 *  7. anything else: "not UTF-8, UTF-16, Shift_JIS, EUC-JP or ISO-2022-JP".
 *
 * Text with CR line ends only (classic Mac) has them turned into LF, so that
 * lines, titles and snippets work as for LF or CRLF text.
 */
#ifndef BIDX_ENCODING_H
#define BIDX_ENCODING_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

/* Files larger than this are skipped unread (memory stays bounded). */
#define BIDX_MAX_FILE_BYTES ((size_t)256 << 20)

typedef struct bidx_text {
	const char *p;         /* UTF-8 text without BOM, NUL-free; not NUL-terminated */
	size_t len;            /* bytes of p */
	size_t raw_len;        /* bytes of the file as read */
	uint64_t hash;         /* XXH3 of those bytes (bidx_text_load only) */
	const char *encoding;  /* "UTF-8", "Shift_JIS (CP932)", ...; static */
	char *owned;           /* the buffer p points into; owned, freed by bidx_text_free */
} bidx_text;

/* Detects the encoding of data[0..len) and converts it to UTF-8.  Takes
 * ownership of data (a malloc'd buffer; freed here or by bidx_text_free).
 * Returns BIDX_OK, BIDX_ENOMEM, or BIDX_EINPUT with the reason in why
 * (e.g. "binary file (NUL byte at offset 12)"; no "skipped"). */
bidx_err bidx_text_decode(char *data, size_t len, bidx_text *out, char *why, size_t whylen);

/* Reads the regular file path (at most max bytes: larger files are refused
 * unread) and decodes it.  BIDX_EIO (errno set, reason in why) when it cannot
 * be read, BIDX_EINPUT when it is too large or unusable, BIDX_ENOMEM. */
bidx_err bidx_text_load(const char *path, size_t max, bidx_text *out, char *why, size_t whylen);

void bidx_text_free(bidx_text *t);   /* NULL ok; zeroes *t */

#endif
