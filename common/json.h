/* json.h - writing JSON strings (RFC 8259 escaping) for --json output. */
#ifndef BIDX_JSON_H
#define BIDX_JSON_H

#include <stddef.h>
#include <stdio.h>

/* Writes s[0..n) as a quoted JSON string.  Control characters (C0, DEL,
 * C1), format characters (bidi overrides, zero-width...) and U+2028/U+2029
 * are escaped as \uXXXX, the characters termsafe.h makes visible, so no raw
 * control byte reaches a terminal that shows the JSON; other valid UTF-8
 * passes through and each invalid byte becomes \ufffd (file names need not
 * be UTF-8), so the output is always valid JSON. */
void bidx_json_str(FILE *f, const char *s, size_t n);

#endif
