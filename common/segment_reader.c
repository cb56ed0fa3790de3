#include "segment_reader.h"
#include "checksum.h"
#include "fault.h"
#include "io.h"
#include "normalize.h"
#include "varint.h"
#include "fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bidx_err fail(bidx_err e, char *why, size_t n, const char *msg)
{
	snprintf(why, n, "%s", msg);
	return e == BIDX_ECORRUPT ? bidx_corrupt() : e;
}

static bidx_err check_header(const uint8_t *m, size_t size, char *why, size_t n)
{
	if (size < BIDX_HEADER_SIZE + BIDX_FOOTER_SIZE)
		return fail(BIDX_ECORRUPT, why, n, "file too short to be an index (truncated?)");
	if (memcmp(m, BIDX_MAGIC, 8))
		return fail(BIDX_ECORRUPT, why, n, "not a bidx index (bad magic)");
	if (bidx_get_u64le(m + 24) != bidx_xxh3(m, 24))
		return fail(BIDX_ECORRUPT, why, n, "header checksum mismatch");
	uint32_t version = bidx_get_u32le(m + 8);
	if (version != BIDX_FORMAT_VERSION) {
		snprintf(why, n, "format version %u, this bsearch reads version %u: rebuild with `bidx build`",
		         version, BIDX_FORMAT_VERSION);
		return BIDX_EVERSION;
	}
	if (bidx_get_u64le(m + 16) != size)
		return fail(BIDX_ECORRUPT, why, n, "file size differs from the header (truncated or extended)");
	return BIDX_OK;
}

static bidx_err read_table(bidx_segment *s, char *why, size_t n)
{
	const uint8_t *f = s->map + s->size - BIDX_FOOTER_SIZE;
	uint64_t toff = bidx_get_u64le(f);
	uint32_t nsec = bidx_get_u32le(f + 8);
	if (memcmp(f + 24, BIDX_END_MAGIC, 8) || bidx_get_u32le(f + 12) != BIDX_FORMAT_VERSION)
		return fail(BIDX_ECORRUPT, why, n, "bad footer");
	uint64_t tlen = (uint64_t)nsec * BIDX_TABLE_ENTRY_SIZE;
	if (nsec != BIDX_SEC_MAX || toff < BIDX_HEADER_SIZE ||
	    toff + tlen != s->size - BIDX_FOOTER_SIZE)
		return fail(BIDX_ECORRUPT, why, n, "bad section table position");
	const uint8_t *t = s->map + toff;
	s->table_sum = bidx_get_u64le(f + 16);
	if (s->table_sum != bidx_xxh3(t, tlen))
		return fail(BIDX_ECORRUPT, why, n, "section table checksum mismatch");
	uint64_t prev_end = BIDX_HEADER_SIZE;
	for (uint32_t i = 0; i < nsec; i++, t += BIDX_TABLE_ENTRY_SIZE) {
		uint32_t id = bidx_get_u32le(t);
		uint64_t off = bidx_get_u64le(t + 8), len = bidx_get_u64le(t + 16);
		/* sections are stored in id order, aligned, without overlap */
		if (id != i + 1 || off % 8 || off < prev_end || len > toff - off)
			return fail(BIDX_ECORRUPT, why, n, "bad section table entry");
		s->sec[id].p = s->map + off;
		s->sec[id].len = (size_t)len;
		prev_end = off + len;
	}
	return BIDX_OK;
}

static const char *const sec_names[] = {"", "META", "POSTINGS", "TERMS", "DOCS", "BOUNDS",
                                        "PATHS", "STORE", "ZDICT", "CHUNKS",
                                        "FIELDS", "FIELDSTR", "CKPTS"};

/* Verifies the whole-section checksums; with `small_only`, all but the
 * chunk-verified POSTINGS and STORE. */
static bidx_err verify_sections(const bidx_segment *s, int small_only, char *why, size_t n)
{
	const uint8_t *t = s->map + bidx_get_u64le(s->map + s->size - BIDX_FOOTER_SIZE);
	for (int id = 1; id <= BIDX_SEC_MAX; id++, t += BIDX_TABLE_ENTRY_SIZE) {
		if (small_only && (id == BIDX_SEC_POSTINGS || id == BIDX_SEC_STORE))
			continue;
		if (bidx_xxh3(s->sec[id].p, s->sec[id].len) != bidx_get_u64le(t + 24)) {
			snprintf(why, n, "checksum mismatch in section %s", sec_names[id]);
			return bidx_corrupt();
		}
	}
	return BIDX_OK;
}

/* The padding between sections (and before the table) is covered by no
 * checksum; it must be zero. */
static bidx_err verify_padding(const bidx_segment *s, char *why, size_t n)
{
	size_t pos = BIDX_HEADER_SIZE;
	size_t table = bidx_get_u64le(s->map + s->size - BIDX_FOOTER_SIZE);
	for (int id = 1; id <= BIDX_SEC_MAX + 1; id++) {
		size_t start = id <= BIDX_SEC_MAX ? (size_t)(s->sec[id].p - s->map) : table;
		for (; pos < start; pos++)
			if (s->map[pos]) {
				snprintf(why, n, "non-zero padding at byte %zu", pos);
				return bidx_corrupt();
			}
		if (id <= BIDX_SEC_MAX)
			pos = start + s->sec[id].len;
	}
	return BIDX_OK;
}

bidx_err bidx_segment_verify(const bidx_segment *s, char *why, size_t n)
{
	bidx_err rc = verify_sections(s, 0, why, n);
	return rc ? rc : verify_padding(s, why, n);
}

static uint32_t chunks_of(size_t len)
{
	return (uint32_t)((len + BIDX_CHUNK_SIZE - 1) / BIDX_CHUNK_SIZE);
}

static bidx_err read_chunks(bidx_segment *s, char *why, size_t n)
{
	const bidx_section_ref *c = &s->sec[BIDX_SEC_CHUNKS];
	if (c->len < BIDX_CHUNKS_HEADER_SIZE || bidx_get_u32le(c->p) != BIDX_CHUNK_SIZE)
		return fail(BIDX_ECORRUPT, why, n, "bad CHUNKS section");
	s->nchunks[0] = bidx_get_u32le(c->p + 8);
	s->nchunks[1] = bidx_get_u32le(c->p + 12);
	if (s->nchunks[0] != chunks_of(s->sec[BIDX_SEC_POSTINGS].len) ||
	    s->nchunks[1] != chunks_of(s->sec[BIDX_SEC_STORE].len) ||
	    c->len != BIDX_CHUNKS_HEADER_SIZE + 8 * ((size_t)s->nchunks[0] + s->nchunks[1]))
		return fail(BIDX_ECORRUPT, why, n, "CHUNKS section does not match the sections it covers");
	s->chunk_sum[0] = c->p + BIDX_CHUNKS_HEADER_SIZE;
	s->chunk_sum[1] = s->chunk_sum[0] + 8 * (size_t)s->nchunks[0];
	for (int i = 0; i < 2; i++) {
		s->chunk_ok[i] = bidx_calloc(s->nchunks[i] / 8 + 1, 1);
		if (!s->chunk_ok[i])
			return BIDX_ENOMEM;
	}
	return BIDX_OK;
}

bidx_err bidx_segment_need(bidx_segment *s, int id, uint64_t off, uint64_t len)
{
	int k = id == BIDX_SEC_POSTINGS ? 0 : 1;
	const bidx_section_ref *sec = &s->sec[id];
	if (len == 0)
		return BIDX_OK;
	if (off > sec->len || len > sec->len - off)
		return bidx_corrupt();
	for (uint64_t c = off / BIDX_CHUNK_SIZE; c <= (off + len - 1) / BIDX_CHUNK_SIZE; c++) {
		if (__atomic_load_n(&s->chunk_ok[k][c >> 3], __ATOMIC_ACQUIRE) >> (c & 7) & 1)
			continue;
		size_t start = (size_t)c * BIDX_CHUNK_SIZE;
		size_t clen = sec->len - start < BIDX_CHUNK_SIZE ? sec->len - start : BIDX_CHUNK_SIZE;
		if (bidx_xxh3(sec->p + start, clen) != bidx_get_u64le(s->chunk_sum[k] + 8 * c))
			return bidx_corrupt();
		__atomic_fetch_or(&s->chunk_ok[k][c >> 3], (uint8_t)(1u << (c & 7)), __ATOMIC_RELEASE);
	}
	return BIDX_OK;
}

static bidx_err check_sections(bidx_segment *s, char *why, size_t n)
{
	if (s->sec[BIDX_SEC_META].len != BIDX_META_SIZE)
		return fail(BIDX_ECORRUPT, why, n, "bad META section size");
	bidx_meta_decode(s->sec[BIDX_SEC_META].p, &s->meta);
	uint32_t rev = bidx_meta_norm_rev(s->sec[BIDX_SEC_META].p);
	if (rev != BIDX_NORM_REVISION) {
		snprintf(why, n, "index normalised by revision %u of the normaliser, this program "
		         "uses revision %u (spelling variants as written): rebuild with `bidx build`",
		         rev, BIDX_NORM_REVISION);
		return BIDX_EVERSION;
	}
	if (s->sec[BIDX_SEC_DOCS].len != (size_t)s->meta.ndocs * BIDX_DOC_SIZE)
		return fail(BIDX_ECORRUPT, why, n, "DOCS section size differs from the document count");
	if (s->sec[BIDX_SEC_FIELDS].len != (size_t)s->meta.ndocs * BIDX_FIELDS_SIZE)
		return fail(BIDX_ECORRUPT, why, n, "FIELDS section size differs from the document count");
	const bidx_section_ref *ck = &s->sec[BIDX_SEC_CKPTS];
	size_t idx = ((size_t)s->meta.ndocs + 1) * 8;
	if (ck->len < idx || (ck->len - idx) % 8 ||
	    bidx_get_u64le(ck->p + idx - 8) != (ck->len - idx) / 8)
		return fail(BIDX_ECORRUPT, why, n, "CKPTS section size differs from its index");
	if (bidx_termdict_open(&s->td, s->sec[BIDX_SEC_TERMS].p, s->sec[BIDX_SEC_TERMS].len,
	                       s->sec[BIDX_SEC_POSTINGS].len) ||
	    s->td.nterms != s->meta.nterms)
		return fail(BIDX_ECORRUPT, why, n, "bad term dictionary header");
	return BIDX_OK;
}

bidx_err bidx_segment_open_file(const char *path, bidx_segment **out, char *why, size_t n)
{
	*out = NULL;
	why[0] = 0;
	bidx_segment *s = bidx_calloc(1, sizeof *s);
	if (!s)
		return BIDX_ENOMEM;
	s->path = strdup(path);
	if (!s->path || pthread_mutex_init(&s->dsr_lock, NULL)) {
		free(s->path);
		free(s);
		return BIDX_ENOMEM;
	}
	bidx_err rc = bidx_map_file(s->path, &s->map, &s->size);
	if (rc == BIDX_ENOINDEX)
		snprintf(why, n, "segment file missing");
	else if (rc)
		snprintf(why, n, "cannot read the segment file");
	if (!rc)
		rc = check_header(s->map, s->size, why, n);
	if (!rc)
		rc = read_table(s, why, n);
	if (!rc)
		rc = verify_sections(s, 1, why, n);
	if (!rc)
		rc = check_sections(s, why, n);
	if (!rc)
		rc = read_chunks(s, why, n);
	if (rc) {
		bidx_segment_close(s);
		return rc;
	}
	*out = s;
	return BIDX_OK;
}

void bidx_segment_close(bidx_segment *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->ndsr; i++)
		bidx_dsr_free(s->dsr[i]);
	pthread_mutex_destroy(&s->dsr_lock);
	free(s->chunk_ok[0]);
	free(s->chunk_ok[1]);
	bidx_unmap(s->map, s->size);
	free(s->path);
	free(s);
}

bidx_err bidx_segment_doc(const bidx_segment *s, uint32_t id, bidx_docrec *d)
{
	if (id >= s->meta.ndocs)
		return bidx_corrupt();
	bidx_docrec_decode(s->sec[BIDX_SEC_DOCS].p + (size_t)id * BIDX_DOC_SIZE, d);
	uint64_t blen = ((uint64_t)d->nchars + 8) / 8;
	if (d->store_len > s->sec[BIDX_SEC_STORE].len ||
	    d->store_off > s->sec[BIDX_SEC_STORE].len - d->store_len ||
	    blen > s->sec[BIDX_SEC_BOUNDS].len ||
	    d->bound_off > s->sec[BIDX_SEC_BOUNDS].len - blen ||
	    d->path_len > s->sec[BIDX_SEC_PATHS].len ||
	    d->path_off > s->sec[BIDX_SEC_PATHS].len - d->path_len ||
	    d->title_start > d->title_end || d->title_end > d->nchars)
		return bidx_corrupt();
	/* records tile their sections in doc order: each one ends where the
	 * next begins (or where the section ends), so a damaged length or
	 * offset shows even when every checksum holds */
	uint64_t store_end = s->sec[BIDX_SEC_STORE].len, bound_end = s->sec[BIDX_SEC_BOUNDS].len;
	uint64_t path_end = s->sec[BIDX_SEC_PATHS].len;
	if (id + 1 < s->meta.ndocs) {
		const uint8_t *next = s->sec[BIDX_SEC_DOCS].p + ((size_t)id + 1) * BIDX_DOC_SIZE;
		store_end = bidx_get_u64le(next);
		bound_end = bidx_get_u64le(next + 8);
		path_end = bidx_get_u32le(next + 20);
	}
	if (d->store_off + d->store_len != store_end || d->bound_off + blen != bound_end ||
	    (uint64_t)d->path_off + d->path_len != path_end)
		return bidx_corrupt();
	return BIDX_OK;
}

bidx_err bidx_segment_fields(const bidx_segment *s, uint32_t id, bidx_fieldrec *f)
{
	if (id >= s->meta.ndocs)
		return bidx_corrupt();
	bidx_fieldrec_decode(s->sec[BIDX_SEC_FIELDS].p + (size_t)id * BIDX_FIELDS_SIZE, f);
	if (f->str_len > s->sec[BIDX_SEC_FIELDSTR].len ||
	    f->str_off > s->sec[BIDX_SEC_FIELDSTR].len - f->str_len || f->date_lo > f->date_hi)
		return bidx_corrupt();
	return BIDX_OK;
}

bidx_err bidx_segment_ckpts(const bidx_segment *s, uint32_t id, const uint8_t **pairs, uint32_t *n)
{
	const bidx_section_ref *ck = &s->sec[BIDX_SEC_CKPTS];
	size_t idx = ((size_t)s->meta.ndocs + 1) * 8;
	*pairs = NULL;
	*n = 0;
	if (id >= s->meta.ndocs)
		return bidx_corrupt();
	uint64_t a = bidx_get_u64le(ck->p + (size_t)id * 8), b = bidx_get_u64le(ck->p + (size_t)id * 8 + 8);
	uint64_t total = (ck->len - idx) / 8;
	if (a > b || b > total || b - a > UINT32_MAX)
		return bidx_corrupt();
	*pairs = ck->p + idx + a * 8;
	*n = (uint32_t)(b - a);
	return BIDX_OK;
}

const uint8_t *bidx_segment_bounds(const bidx_segment *s, const bidx_docrec *d)
{
	return s->sec[BIDX_SEC_BOUNDS].p + d->bound_off;
}

const char *bidx_segment_path(const bidx_segment *s, const bidx_docrec *d)
{
	return (const char *)s->sec[BIDX_SEC_PATHS].p + d->path_off;
}

bidx_err bidx_segment_fetch_prefix(bidx_segment *s, const bidx_docrec *d, size_t want, char **buf,
                                   const char **title, size_t *tlen, const char **text,
                                   size_t *avail)
{
	*buf = NULL;
	bidx_err need = bidx_segment_need(s, BIDX_SEC_STORE, d->store_off, d->store_len);
	if (need)
		return need;
	/* take an idle context (or make one), decompress unlocked, give it back */
	bidx_dsr *r = NULL;
	pthread_mutex_lock(&s->dsr_lock);
	if (s->ndsr)
		r = s->dsr[--s->ndsr];
	pthread_mutex_unlock(&s->dsr_lock);
	if (!r) {
		bidx_err rc = bidx_dsr_new(s->sec[BIDX_SEC_ZDICT].p, s->sec[BIDX_SEC_ZDICT].len, &r);
		if (rc)
			return rc;
	}
	bidx_err rc = bidx_dsr_get_prefix(r, s->sec[BIDX_SEC_STORE].p + d->store_off, d->store_len,
	                                  d->text_len, want, buf, title, tlen, text, avail);
	pthread_mutex_lock(&s->dsr_lock);
	if (s->ndsr < BIDX_DSR_POOL) {
		s->dsr[s->ndsr++] = r;
		r = NULL;
	}
	pthread_mutex_unlock(&s->dsr_lock);
	bidx_dsr_free(r);
	return rc;
}

bidx_err bidx_segment_fetch(bidx_segment *s, const bidx_docrec *d, char **buf,
                            const char **title, size_t *tlen, const char **text)
{
	size_t avail;
	return bidx_segment_fetch_prefix(s, d, d->text_len, buf, title, tlen, text, &avail);
}
