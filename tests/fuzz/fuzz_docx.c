/* libFuzzer target: the .docx reader on arbitrary bytes (the zip container,
 * then word/document.xml and docProps/core.xml).  Checks that the text it
 * gives is valid UTF-8 and that the part-size bound holds. */
#include <stdlib.h>
#include <string.h>

#include "docx.h"
#include "fuzz.h"
#include "normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bidx_extract x;
	char why[256];
	memset(&x, 0, sizeof x);
	if (bidx_docx_extract((const char *)data, size, &x, why, sizeof why) == BIDX_OK) {
		if (x.text.len > 2 * BIDX_DOCX_MAX_PART ||
		    bidx_utf8_check(x.text.p, x.text.len) != x.text.len)
			abort();
		if (strnlen(x.title, BIDX_EXTRACT_FIELD) == BIDX_EXTRACT_FIELD)
			abort();
	}
	bidx_extract_free(&x);
	return 0;
}
