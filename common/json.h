/* json.h - writing JSON strings (RFC 8259 escaping) for --json output. */
#ifndef BIDX_JSON_H
#define BIDX_JSON_H

#include <stddef.h>
#include <stdio.h>

/* Writes s[0..n) as a quoted JSON string; control characters are escaped,
 * UTF-8 passes through (inputs are valid UTF-8). */
void bidx_json_str(FILE *f, const char *s, size_t n);

#endif
