/*
 * docx.c - Word documents to text (see docx.h).  The parts are read whole
 * into memory, but never more than BIDX_DOCX_MAX_PART bytes of any: the
 * sizes the zip directory states are not trusted, the reading loop stops
 * past the limit.
 */
#include "docx.h"
#include "fault.h"
#include "html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlreader.h>
#include <zip.h>

/* Reads part `name` of the zip into a malloc'd buffer. */
static bidx_err read_part(zip_t *z, const char *name, char **out, size_t *outlen, char *why,
                          size_t whylen)
{
	*out = NULL;
	*outlen = 0;
	zip_file_t *f = zip_fopen(z, name, 0);
	if (!f) {
		snprintf(why, whylen, "no %s in the zip (not a Word document)", name);
		return BIDX_EINPUT;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = bidx_malloc(cap);
	bidx_err rc = buf ? BIDX_OK : BIDX_ENOMEM;
	while (!rc) {
		if (n == cap) {
			if (cap > BIDX_DOCX_MAX_PART) {
				snprintf(why, whylen, "%s inflates to more than %zu MB (a zip bomb?)", name,
				         BIDX_DOCX_MAX_PART >> 20);
				rc = BIDX_EINPUT;
				break;
			}
			char *nb = bidx_realloc(buf, cap * 2);
			if (!nb) {
				rc = BIDX_ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		zip_int64_t got = zip_fread(f, buf + n, cap - n);
		if (got < 0) {
			snprintf(why, whylen, "%s cannot be inflated (%s)", name, zip_file_strerror(f));
			rc = BIDX_EINPUT;
		} else if (got == 0)
			break;
		else
			n += (size_t)got;
	}
	zip_fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	*outlen = n;
	return BIDX_OK;
}

/* libxml2 reports some errors (encoding conversion, I/O) on stderr whatever
 * the parser options say; the reader's verdict is what bidx reports, with
 * the file's name.  The handlers are per thread in libxml2. */
static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void quiet_structured(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

typedef struct xml_handlers {
	xmlGenericErrorFunc generic;
	void *generic_ctx;
	xmlStructuredErrorFunc structured;
	void *structured_ctx;
} xml_handlers;

static xml_handlers silence(void)
{
	xml_handlers h = {xmlGenericError, xmlGenericErrorContext, xmlStructuredError,
	                  xmlStructuredErrorContext};
	xmlSetGenericErrorFunc(NULL, quiet);
	xmlSetStructuredErrorFunc(NULL, quiet_structured);
	return h;
}

static void restore(xml_handlers h)
{
	xmlSetGenericErrorFunc(h.generic_ctx, h.generic);
	xmlSetStructuredErrorFunc(h.structured_ctx, h.structured);
}

static int named(xmlTextReaderPtr r, const char *name)
{
	const xmlChar *n = xmlTextReaderConstName(r);
	return n && !strcmp((const char *)n, name);
}

/* word/document.xml: w:t text, w:p lines, w:tc cells, w:tab and w:br. */
static bidx_err body_text(const char *xml, size_t n, bidx_extract *x, char *why, size_t whylen)
{
	xmlTextReaderPtr r = xmlReaderForMemory(xml, (int)n, NULL, NULL,
	                                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!r)
		return BIDX_ENOMEM;
	int got, in_text = 0, skip_depth = -1;
	bidx_err rc = BIDX_OK;
	while ((got = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r), depth = xmlTextReaderDepth(r);
		if (depth > BIDX_DOCX_MAX_DEPTH) {
			snprintf(why, whylen, "word/document.xml nested deeper than %d elements",
			         BIDX_DOCX_MAX_DEPTH);
			rc = BIDX_EINPUT;
			break;
		}
		if (skip_depth >= 0) {   /* inside a fallback copy or a field code */
			if (type == XML_READER_TYPE_END_ELEMENT && depth == skip_depth)
				skip_depth = -1;
			continue;
		}
		if (type == XML_READER_TYPE_ELEMENT) {
			if ((named(r, "mc:Fallback") || named(r, "w:instrText") || named(r, "w:delText")) &&
			    !xmlTextReaderIsEmptyElement(r))
				skip_depth = depth;
			else if (named(r, "w:t") && !xmlTextReaderIsEmptyElement(r))
				in_text = 1;
			else if (named(r, "w:tab"))
				x->pending_space = 1;
			else if (named(r, "w:br") || named(r, "w:cr"))
				bidx_extract_break(x);
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (named(r, "w:t"))
				in_text = 0;
			else if (named(r, "w:p") || named(r, "w:tr"))
				bidx_extract_break(x);
			else if (named(r, "w:tc"))
				bidx_extract_cell(x);
		} else if (in_text && (type == XML_READER_TYPE_TEXT ||
		                       type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE)) {
			const char *v = (const char *)xmlTextReaderConstValue(r);
			if (v)
				bidx_extract_text(x, v, strlen(v));
		}
	}
	if (!rc && got < 0) {
		snprintf(why, whylen, "word/document.xml is not well-formed XML");
		rc = BIDX_EINPUT;
	}
	xmlFreeTextReader(r);
	bidx_extract_break(x);
	return rc ? rc : bidx_extract_status(x);
}

/* docProps/core.xml: dc:title and dcterms:created, when there. */
static void core_fields(const char *xml, size_t n, bidx_extract *x)
{
	xmlTextReaderPtr r = xmlReaderForMemory(xml, (int)n, NULL, NULL,
	                                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	char *dst = NULL;
	while (r && xmlTextReaderRead(r) == 1 && xmlTextReaderDepth(r) <= BIDX_DOCX_MAX_DEPTH) {
		int type = xmlTextReaderNodeType(r);
		if (type == XML_READER_TYPE_ELEMENT)
			dst = named(r, "dc:title") ? x->title : named(r, "dcterms:created") ? x->date : NULL;
		else if (type == XML_READER_TYPE_END_ELEMENT)
			dst = NULL;
		else if (dst && type == XML_READER_TYPE_TEXT) {
			const char *v = (const char *)xmlTextReaderConstValue(r);
			if (v)
				bidx_extract_set(dst, v, strlen(v));
		}
	}
	if (x->title[0])
		snprintf(x->title_src, sizeof x->title_src, "docProps title");
	if (x->date[0])
		snprintf(x->date_src, sizeof x->date_src, "docProps created");
	xmlFreeTextReader(r);
}

bidx_err bidx_docx_extract(const char *data, size_t len, bidx_extract *x, char *why, size_t whylen)
{
	bidx_xml_init();
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	if (!z) {
		snprintf(why, whylen, "not a Word document (%s)", zip_error_strerror(&ze));
		zip_error_fini(&ze);
		zip_source_free(src);
		return BIDX_EINPUT;
	}
	zip_error_fini(&ze);
	char *xml;
	size_t n;
	bidx_err rc = read_part(z, "word/document.xml", &xml, &n, why, whylen);
	if (!rc && n > INT32_MAX) {
		snprintf(why, whylen, "word/document.xml too large");
		rc = BIDX_EINPUT;
	}
	xml_handlers h = silence();
	if (!rc)
		rc = body_text(xml, n, x, why, whylen);
	free(xml);
	char tmp[16];
	bidx_err core = rc ? rc : read_part(z, "docProps/core.xml", &xml, &n, tmp, sizeof tmp);
	if (!core) {
		core_fields(xml, n, x);
		free(xml);
	} else if (core == BIDX_ENOMEM)
		rc = core;   /* a document without core.xml has no title; this one would lose it */
	restore(h);
	zip_discard(z);   /* frees src too */
	return rc;
}
