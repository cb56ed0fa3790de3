/* json.h - writing JSON strings (RFC 8259 escaping) for --json output. */
#ifndef BIDX_JSON_H
#define BIDX_JSON_H

#include <stddef.h>
#include <stdio.h>

/* Writes s[0..n) as a quoted JSON string: control characters are escaped,
 * valid UTF-8 passes through and each invalid byte becomes \ufffd (file
 * names need not be UTF-8), so the output is always valid JSON. */
void bidx_json_str(FILE *f, const char *s, size_t n);

#endif
