/*
 * encoding.c - encoding detection and conversion to UTF-8 (see encoding.h).
 *
 * Conversions are strict: iconv stops at the first byte sequence that is
 * not valid in the source encoding, and that candidate is dropped.  Legacy
 * Japanese encodings overlap (many CP932 byte pairs are valid EUC-JP and
 * the other way round), so when several conversions succeed, the result is
 * scored by how much of it is text a Japanese notice is made of.
 */
#include "encoding.h"
#include "checksum.h"
#include "io.h"
#include "fault.h"
#include "normalize.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void bidx_text_free(bidx_text *t)
{
	if (!t)
		return;
	free(t->owned);
	memset(t, 0, sizeof *t);
}

/* Converts in[0..len) from `from` to UTF-8 into a malloc'd buffer.
 * Returns 0, -1 when the input is not valid in `from` (*bad = its offset),
 * or -2 when memory ran out. */
static int convert(const char *from, const char *in, size_t len, char **out, size_t *outlen,
                   size_t *bad)
{
	*out = NULL;
	*outlen = 0;
	*bad = 0;
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return -1;
	size_t cap = len + len / 2 + 16;
	char *buf = bidx_malloc(cap);
	if (!buf) {
		iconv_close(cd);
		return -2;
	}
	char *ip = (char *)(uintptr_t)in, *op = buf;
	size_t il = len, ol = cap;
	int rc = 0;
	while (il > 0) {
		if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1)
			break;
		if (errno != E2BIG) {   /* EILSEQ or EINVAL (truncated at the end) */
			*bad = (size_t)(ip - in);
			rc = -1;
			break;
		}
		size_t used = (size_t)(op - buf);
		char *nb = bidx_realloc(buf, cap * 2);
		if (!nb) {
			rc = -2;
			break;
		}
		buf = nb;
		cap *= 2;
		op = buf + used;
		ol = cap - used;
	}
	/* flush the shift state (ISO-2022-JP) */
	if (!rc && iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1)
		rc = -1;
	iconv_close(cd);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	*outlen = (size_t)(op - buf);
	return 0;
}

/* How much of UTF-8 text s reads like Japanese, in [0, 1]: the share of its
 * non-ASCII characters that are kana, common kanji, CJK punctuation or
 * full-width forms.  Half-width katakana, which mojibake is full of, count
 * against.  1 for pure ASCII. */
static double japanese_score(const char *s, size_t n)
{
	size_t good = 0, all = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int l = bidx_utf8_decode((const uint8_t *)s + i, n - i, &cp);
		if (l <= 0)
			return 0;
		i += (size_t)l;
		if (cp < 0x80)
			continue;
		all++;
		if ((cp >= 0x3000 && cp <= 0x30FF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
		    (cp >= 0xFF01 && cp <= 0xFF5E))
			good++;
	}
	return all ? (double)good / (double)all : 1.0;
}

/* Counts valid multi-byte UTF-8 sequences and invalid bytes; *first gets
 * the offset of the first invalid byte. */
static void utf8_stats(const uint8_t *s, size_t n, size_t *multi, size_t *bad, size_t *first)
{
	*multi = *bad = 0;
	*first = n;
	for (size_t i = 0; i < n;) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		int l = bidx_utf8_decode(s + i, n - i, &cp);
		if (l > 0) {
			(*multi)++;
			i += (size_t)l;
		} else {
			if (*first == n)
				*first = i;
			(*bad)++;
			i++;
		}
	}
}

/* 7-bit text with an escape that designates a two-byte set (ESC $ ...) or
 * JIS X 0201 (ESC ( J, ESC ( I): ISO-2022-JP, to be validated.  ESC ( B
 * alone changes nothing (terminals emit it) and leaves the text ASCII. */
static int looks_iso2022jp(const char *s, size_t n)
{
	int esc = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80)
			return 0;
		if (c == 0x1b && i + 2 < n &&
		    (s[i + 1] == '$' || (s[i + 1] == '(' && (s[i + 2] == 'J' || s[i + 2] == 'I'))))
			esc = 1;
	}
	return esc;
}

enum { ISO_ASCII, ISO_KANA, ISO_DOUBLE };

/* The designation escape at s[0..n) (s[0] is ESC): its length, and the mode
 * it selects in *mode, or 0 when it is none ISO-2022-JP text uses (RFC 1468,
 * plus JIS X 0212 of ISO-2022-JP-2 and JIS X 0213 of ISO-2022-JP-3; not the
 * Chinese, Korean and Latin sets of ISO-2022-JP-2). */
static size_t iso_escape(const unsigned char *s, size_t n, int *mode)
{
	if (n >= 3 && s[1] == '(' && (s[2] == 'B' || s[2] == 'J')) {
		*mode = ISO_ASCII;
		return 3;
	}
	if (n >= 3 && s[1] == '(' && s[2] == 'I') {
		*mode = ISO_KANA;
		return 3;
	}
	if (n >= 3 && s[1] == '$' && (s[2] == '@' || s[2] == 'B')) {
		*mode = ISO_DOUBLE;
		return 3;
	}
	if (n >= 4 && s[1] == '$' && s[2] == '(' && s[3] && strchr("DOPQ", s[3])) {
		*mode = ISO_DOUBLE;
		return 4;
	}
	return 0;
}

/* Strict ISO-2022-JP: only 7-bit bytes and the escapes above; in a
 * two-byte set, pairs of bytes 0x21-0x7E and nothing else (no control, no
 * space, no DEL) up to the next escape; half-width katakana 0x21-0x5F; no
 * SO or SI.  iconv alone lets DEL, controls and unknown escapes through.
 * Returns 0, or -1 with the offset of the fault in *bad and what it is in
 * why. */
static int iso2022jp_check(const unsigned char *s, size_t n, size_t *bad, char *why, size_t whylen)
{
	int mode = ISO_ASCII;
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		*bad = i;
		if (c == 0x1b) {
			size_t l = iso_escape(s + i, n - i, &mode);
			if (!l) {
				snprintf(why, whylen, "unknown escape sequence");
				return -1;
			}
			i += l;
		} else if (c >= 0x80) {
			snprintf(why, whylen, "8-bit byte 0x%02X", c);
			return -1;
		} else if (c == 0x0e || c == 0x0f) {
			snprintf(why, whylen, "shift code 0x%02X", c);
			return -1;
		} else if (mode == ISO_DOUBLE) {
			if (c < 0x21 || c > 0x7e) {
				snprintf(why, whylen, "byte 0x%02X in two-byte text", c);
				return -1;
			}
			if (i + 1 >= n || s[i + 1] < 0x21 || s[i + 1] > 0x7e) {
				snprintf(why, whylen, "incomplete two-byte character");
				return -1;
			}
			i += 2;
		} else if (mode == ISO_KANA && c > 0x5f) {
			snprintf(why, whylen, "byte 0x%02X in half-width katakana", c);
			return -1;
		} else {
			i++;
		}
	}
	return 0;
}

/* Characters that no conversion of a valid file gives: C1 controls (EUC-JP
 * passes bytes 0x80-0x9F through as U+0080-U+009F), and for ISO-2022-JP
 * ESC, SO and SI (iconv copies an escape it does not know). */
static int stray_controls(const char *s, size_t n, int iso)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (iso && (c == 0x1b || c == 0x0e || c == 0x0f))
			return 1;
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f)
			return 1;
	}
	return 0;
}

typedef struct cand {
	const char *iconv_name;  /* for iconv_open */
	const char *label;       /* for messages */
} cand;

static const cand legacy[] = {
	{"CP932", "Shift_JIS (CP932)"},
	{"EUC-JP-MS", "EUC-JP"},
	{"EUC-JP", "EUC-JP"},
};

static const cand iso2022[] = {
	{"ISO-2022-JP", "ISO-2022-JP"},
	{"ISO-2022-JP-2", "ISO-2022-JP"},
	{"ISO-2022-JP-3", "ISO-2022-JP"},
};

/* Tries each candidate; keeps the best-scoring successful conversion.
 * Returns 0 (found), -1 (none fits) or -2 (out of memory). */
static int try_candidates(const cand *c, size_t nc, const char *in, size_t len,
                          bidx_text *out, double min_score, int iso, size_t *first_bad)
{
	double best = -1;
	*first_bad = 0;
	for (size_t i = 0; i < nc; i++) {
		char *buf;
		size_t blen, bad;
		int r = convert(c[i].iconv_name, in, len, &buf, &blen, &bad);
		if (r == -2)
			return -2;
		if (r) {
			*first_bad = bad > *first_bad ? bad : *first_bad;
			continue;
		}
		if (stray_controls(buf, blen, iso)) {
			free(buf);
			continue;
		}
		double sc = japanese_score(buf, blen);
		if (sc > best && sc >= min_score) {
			free(out->owned);
			out->owned = buf;
			out->p = buf;
			out->len = blen;
			out->encoding = c[i].label;
			best = sc;
		} else {
			free(buf);
		}
	}
	return best >= 0 ? 0 : -1;
}

/* UTF-16 with a BOM (already recognised): converts what follows it. */
static bidx_err decode_utf16(const char *data, size_t len, int be, bidx_text *out,
                             char *why, size_t whylen)
{
	char *buf;
	size_t blen, bad;
	int r = convert(be ? "UTF-16BE" : "UTF-16LE", data + 2, len - 2, &buf, &blen, &bad);
	if (r == -2)
		return BIDX_ENOMEM;
	if (r) {
		snprintf(why, whylen, "invalid UTF-16%s (byte offset %zu)", be ? "BE" : "LE", bad + 2);
		return BIDX_EINPUT;
	}
	out->owned = buf;
	out->p = buf;
	out->len = blen;
	out->encoding = be ? "UTF-16BE" : "UTF-16LE";
	return BIDX_OK;
}

/* Text with CR line ends and no LF at all: CR -> LF (same length). */
static void fix_cr_only(bidx_text *t)
{
	if (!memchr(t->p, '\r', t->len) || memchr(t->p, '\n', t->len))
		return;
	char *w = t->owned + (t->p - t->owned);
	for (size_t i = 0; i < t->len; i++)
		if (w[i] == '\r')
			w[i] = '\n';
}

static bidx_err detect(const char *data, size_t len, bidx_text *out, char *why, size_t whylen)
{
	if (len == 0) {
		snprintf(why, whylen, "empty file");
		return BIDX_EINPUT;
	}
	if (len >= 2 && (!memcmp(data, "\xFF\xFE", 2) || !memcmp(data, "\xFE\xFF", 2)))
		return decode_utf16(data, len, data[0] == '\xFE', out, why, whylen);
	const char *nul = memchr(data, 0, len);
	if (nul) {
		snprintf(why, whylen, "binary file (NUL byte at offset %zu)", (size_t)(nul - data));
		return BIDX_EINPUT;
	}
	int r;
	size_t where;
	if (looks_iso2022jp(data, len)) {
		char what[64];
		if (iso2022jp_check((const unsigned char *)data, len, &where, what, sizeof what)) {
			snprintf(why, whylen, "invalid ISO-2022-JP: %s at byte offset %zu", what, where);
			return BIDX_EINPUT;
		}
		r = try_candidates(iso2022, sizeof iso2022 / sizeof *iso2022, data, len, out, 0, 1, &where);
		if (r == -2)
			return BIDX_ENOMEM;
		if (r == 0)
			return BIDX_OK;
		if (where)
			snprintf(why, whylen, "invalid ISO-2022-JP: no such character at byte offset %zu", where);
		else
			snprintf(why, whylen, "invalid ISO-2022-JP: character sets that no one variant "
			         "(ISO-2022-JP-2, ISO-2022-JP-3) holds together");
		return BIDX_EINPUT;
	}
	size_t skip = len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0;
	size_t multi, bad, first;
	utf8_stats((const uint8_t *)data + skip, len - skip, &multi, &bad, &first);
	if (bad == 0) {
		out->p = data + skip;
		out->len = len - skip;
		out->encoding = skip ? "UTF-8 with BOM" : "UTF-8";
		return BIDX_OK;
	}
	/* Legacy encodings give far fewer valid UTF-8 sequences than invalid
	 * bytes; a file mostly made of good ones is broken UTF-8. */
	if (skip || multi >= 2 * bad) {
		snprintf(why, whylen, "invalid UTF-8 byte sequence at offset %zu", first + skip);
		return BIDX_EINPUT;
	}
	r = try_candidates(legacy, sizeof legacy / sizeof *legacy, data, len, out, 0.5, 0, &where);
	if (r == -2)
		return BIDX_ENOMEM;
	if (r == 0)
		return BIDX_OK;
	snprintf(why, whylen, "not UTF-8, UTF-16, Shift_JIS, EUC-JP or ISO-2022-JP "
	         "(invalid UTF-8 at byte offset %zu)", first + skip);
	return BIDX_EINPUT;
}

bidx_err bidx_text_decode(char *data, size_t len, bidx_text *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof *out);
	why[0] = 0;
	out->raw_len = len;
	bidx_err rc = detect(data, len, out, why, whylen);
	if (!rc && out->owned && memchr(out->p, 0, out->len)) {
		snprintf(why, whylen, "binary file (U+0000 in %s text)", out->encoding);
		rc = BIDX_EINPUT;
	}
	if (rc) {
		free(out->owned);
		free(data);
		memset(out, 0, sizeof *out);
		return rc;
	}
	if (out->owned)
		free(data);   /* converted: the raw bytes are no longer needed */
	else
		out->owned = data;
	fix_cr_only(out);
	return BIDX_OK;
}

bidx_err bidx_text_load(const char *path, size_t max, bidx_text *out, char *why, size_t whylen)
{
	char *buf;
	size_t n;
	memset(out, 0, sizeof *out);
	bidx_err rc = bidx_read_file_max(path, max, &buf, &n);
	if (rc == BIDX_EIO)
		snprintf(why, whylen, "cannot read: %s", strerror(errno));
	else if (rc == BIDX_EINPUT)
		snprintf(why, whylen, "not a regular file");
	else if (rc == BIDX_ETOOBIG) {
		snprintf(why, whylen, "file too large (the limit is %zu MB)", max >> 20);
		rc = BIDX_EINPUT;
	}
	if (rc)
		return rc;
	uint64_t hash = bidx_xxh3(buf, n);
	rc = bidx_text_decode(buf, n, out, why, whylen);
	out->hash = hash;
	return rc;
}
