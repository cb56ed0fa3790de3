/* libFuzzer target: the HTML extractor on arbitrary bytes, both as a page
 * of unknown encoding and as UTF-8 text.  Checks that the text it gives is
 * valid UTF-8 without empty lines, and that fields are NUL-terminated UTF-8. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "html.h"
#include "normalize.h"

static void check_field(const char *f)
{
	size_t n = strnlen(f, BIDX_EXTRACT_FIELD);
	if (n == BIDX_EXTRACT_FIELD || bidx_utf8_check((const uint8_t *)f, n) != n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int utf8 = 0; utf8 < 2; utf8++) {
		bidx_extract x;
		char why[256];
		memset(&x, 0, sizeof x);
		if (bidx_html_extract((const char *)data, size, utf8, &x, why, sizeof why) == BIDX_OK) {
			const uint8_t *t = x.text.p;
			if (x.text.len && (bidx_utf8_check(t, x.text.len) != x.text.len || t[0] == '\n'))
				abort();
			for (size_t i = 1; i < x.text.len; i++)
				if (t[i] == '\n' && t[i - 1] == '\n')
					abort();
			check_field(x.title);
			check_field(x.date);
			check_field(x.org);
		}
		bidx_extract_free(&x);
		(void)bidx_html_sniff((const char *)data, size);
	}
	return 0;
}
