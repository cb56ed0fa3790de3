/* libFuzzer target: encoding detection and conversion (analysis/encoding.c)
 * on arbitrary file contents.  Checks the contract the analysers rely on:
 * accepted text is valid UTF-8 without NUL bytes and without the stray
 * controls a bad conversion leaves (ESC from ISO-2022-JP, C1 from EUC-JP),
 * and a refusal says why. */
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size ? size : 1);
	if (!in)
		return 0;
	memcpy(in, data, size);
	bidx_text t;
	char why[256];
	bidx_err rc = bidx_text_decode(in, size, &t, why, sizeof why);   /* takes in */
	if (rc == BIDX_OK) {
		if (!t.encoding || t.raw_len != size)
			abort();
		if (bidx_utf8_check((const uint8_t *)t.p, t.len) != t.len || memchr(t.p, 0, t.len))
			abort();
		int converted = strcmp(t.encoding, "UTF-8") && strcmp(t.encoding, "UTF-8 with BOM");
		if (converted && !strcmp(t.encoding, "ISO-2022-JP") && memchr(t.p, 0x1b, t.len))
			abort();
		for (size_t i = 0; converted && !strncmp(t.encoding, "EUC", 3) && i + 1 < t.len; i++)
			if ((unsigned char)t.p[i] == 0xc2 && (unsigned char)t.p[i + 1] < 0xa0)
				abort();
	} else if (rc == BIDX_EINPUT && !why[0]) {
		abort();
	}
	bidx_text_free(&t);
	return 0;
}
