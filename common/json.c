/*
 * json.c - JSON string literals (json.h).  One pass over the bytes: the
 * escapes RFC 8259 requires, \uXXXX for the characters termsafe.h would
 * make visible on a terminal, and U+FFFD for each byte that is not valid
 * UTF-8, so whatever a document or a file name holds, the output is valid
 * JSON and safe to print.
 */
#include "json.h"
#include "normalize.h"
#include "termsafe.h"

#include <stdint.h>

/* \uXXXX, or a surrogate pair past the BMP. */
static void put_escaped(FILE *f, uint32_t cp)
{
	if (cp < 0x10000) {
		fprintf(f, "\\u%04x", (unsigned)cp);
		return;
	}
	cp -= 0x10000;
	fprintf(f, "\\u%04x\\u%04x", (unsigned)(0xD800 + (cp >> 10)), (unsigned)(0xDC00 + (cp & 0x3FF)));
}

void bidx_json_str(FILE *f, const char *s, size_t n)
{
	putc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(f, "\\u%04x", c);
			} else if (c < 0x80) {
				putc(c, f);
			} else {
				/* a valid sequence passes through; each byte of an
				 * invalid one becomes U+FFFD, so the output is valid JSON */
				uint32_t cp;
				int l = bidx_utf8_decode((const uint8_t *)s + i, n - i, &cp);
				if (l > 0 && bidx_ts_hidden(cp)) {
					put_escaped(f, cp);
					i += (size_t)l - 1;
				} else if (l > 0) {
					fwrite(s + i, 1, (size_t)l, f);
					i += (size_t)l - 1;
				} else {
					fputs("\\ufffd", f);
				}
			}
		}
	}
	putc('"', f);
}
