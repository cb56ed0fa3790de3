/* libFuzzer target: the .docx reader on arbitrary bytes.  An input that
 * starts like a zip ("PK") is the document as it stands, so the container
 * code is fuzzed; any other input is the XML of the parts: word/document.xml
 * up to the first NUL byte, docProps/core.xml after it, put into a stored
 * zip here (a mutated deflate stream or CRC would otherwise stop nearly
 * every input before the XML reader).  Checks that the text it gives is
 * valid UTF-8 and that the part-size bound holds. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "docx.h"
#include "fuzz.h"
#include "normalize.h"

static unsigned char *put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	return p + 2;
}

static unsigned char *put32(unsigned char *p, uint32_t v)
{
	return put16(put16(p, v & 0xFFFF), v >> 16);
}

/* A zip of the parts names[i] = data[i][0..lens[i]), stored (no
 * compression); the caller frees it. */
static unsigned char *stored_zip(const char *const *names, const uint8_t *const *data,
                                 const size_t *lens, int n, size_t *outlen)
{
	size_t cap = 22;
	for (int i = 0; i < n; i++)
		cap += 30 + 46 + 2 * strlen(names[i]) + lens[i];
	unsigned char *z = malloc(cap), *p = z;
	uint32_t off[4], crc[4];
	for (int i = 0; i < n; i++) {
		size_t nl = strlen(names[i]);
		off[i] = (uint32_t)(p - z);
		crc[i] = (uint32_t)crc32(0, data[i], (uInt)lens[i]);
		p = put32(p, 0x04034b50);
		p = put16(put16(put16(put16(put16(p, 20), 0), 0), 0), 0);
		p = put32(put32(put32(p, crc[i]), (uint32_t)lens[i]), (uint32_t)lens[i]);
		p = put16(put16(p, (unsigned)nl), 0);
		memcpy(p, names[i], nl);
		p += nl;
		if (lens[i])
			memcpy(p, data[i], lens[i]);
		p += lens[i];
	}
	uint32_t cd = (uint32_t)(p - z);
	for (int i = 0; i < n; i++) {
		size_t nl = strlen(names[i]);
		p = put32(p, 0x02014b50);
		p = put16(put16(put16(put16(put16(put16(p, 20), 20), 0), 0), 0), 0);
		p = put32(put32(put32(p, crc[i]), (uint32_t)lens[i]), (uint32_t)lens[i]);
		p = put16(put16(put16(put16(put16(p, (unsigned)nl), 0), 0), 0), 0);
		p = put32(put32(p, 0), off[i]);
		memcpy(p, names[i], nl);
		p += nl;
	}
	uint32_t cdlen = (uint32_t)(p - z) - cd;
	p = put32(p, 0x06054b50);
	p = put16(put16(put16(put16(p, 0), 0), (unsigned)n), (unsigned)n);
	p = put16(put32(put32(p, cdlen), cd), 0);
	*outlen = (size_t)(p - z);
	return z;
}

static void run(const uint8_t *data, size_t size)
{
	bidx_extract x;
	char why[256];
	memset(&x, 0, sizeof x);
	if (bidx_docx_extract((const char *)data, size, &x, why, sizeof why) == BIDX_OK) {
		if (x.text.len > 2 * BIDX_DOCX_MAX_PART ||
		    bidx_utf8_check(x.text.p, x.text.len) != x.text.len)
			abort();
		if (strnlen(x.title, BIDX_EXTRACT_FIELD) == BIDX_EXTRACT_FIELD ||
		    strnlen(x.date, BIDX_EXTRACT_FIELD) == BIDX_EXTRACT_FIELD)
			abort();
	}
	bidx_extract_free(&x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
		run(data, size);
		return 0;
	}
	const uint8_t *nul = memchr(data, 0, size);
	size_t doc = nul ? (size_t)(nul - data) : size;
	const char *names[] = {"[Content_Types].xml", "word/document.xml", "docProps/core.xml"};
	const uint8_t *parts[] = {(const uint8_t *)"<Types/>", data, nul ? nul + 1 : data};
	size_t lens[] = {8, doc, nul ? size - doc - 1 : 0};
	size_t zl;
	unsigned char *z = stored_zip(names, parts, lens, nul ? 3 : 2, &zl);
	if (z)
		run(z, zl);
	free(z);
	return 0;
}
