/*
 * manifest.c - the manifest codec (manifest.h, docs/FORMAT.md "MANIFEST"):
 * segment file names, encode, decode with every check, and publication.
 *
 * Decoding refuses a bad header, end marker or checksum before it reads a
 * single field, then checks what the checksum cannot: segment numbers in
 * increasing order, document maps within range and in corpus order, sources
 * that account for every document, zero padding.  Each refusal names what
 * is wrong (manifest_refuse).  Two checksums: `head_sum` covers the header,
 * the segment list and the maps, all that a reader without the sources
 * (bsearch) decodes, and `msum` the whole file; such a reader verifies the
 * first only, so that it never hashes nor faults in the source list (nearly
 * all of the bytes: a path per file).  A manifest is published like a
 * segment (io.h: tmp file, fsync, rename), which is what makes a build
 * visible.
 */
#include "manifest.h"
#include "buf.h"
#include "checksum.h"
#include "fault.h"
#include "format.h"
#include "io.h"
#include "varint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAN_FOOTER_SIZE 16   /* XXH3 of everything before it, then BIDX_END_MAGIC */
#define MAN_HEAD_SUM 72      /* head_sum:u64, the header's last field */

void bidx_segment_name(uint32_t seq, char *out, size_t outlen)
{
	snprintf(out, outlen, "seg-%06u.bidx", seq);
}

int bidx_segment_parse_name(const char *name, size_t len, uint32_t *seq)
{
	char again[32];
	uint64_t v = 0;
	size_t i = 4;
	if (len < 4 + 6 + 5 || len > 4 + 10 + 5 || memcmp(name, "seg-", 4) ||
	    memcmp(name + len - 5, ".bidx", 5))
		return 0;
	for (; i < len - 5; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(name[i] - '0');
	}
	if (v > UINT32_MAX)
		return 0;
	/* exactly the spelling bidx_segment_name gives, leading zeros and all */
	bidx_segment_name((uint32_t)v, again, sizeof again);
	if (strlen(again) != len || memcmp(again, name, len))
		return 0;
	*seq = (uint32_t)v;
	return 1;
}

int bidx_index_own_name(const char *name, size_t len)
{
	uint32_t seq;
	return (len == strlen(BIDX_MANIFEST_FILE) && !memcmp(name, BIDX_MANIFEST_FILE, len)) ||
	       bidx_segment_parse_name(name, len, &seq);
}

void bidx_manifest_free(bidx_manifest *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; i < m->nsegs; i++)
		free(m->segs[i].map);
	free(m->segs);
	for (uint32_t i = 0; i < m->nsrc && m->src; i++)
		free(m->src[i].path);
	free(m->src);
	for (uint32_t i = 0; i < m->nroots && m->roots; i++)
		free(m->roots[i]);
	free(m->roots);
	memset(m, 0, sizeof *m);
}

static bidx_err manifest_refuse(char *why, size_t n, const char *msg)
{
	snprintf(why, n, "manifest: %s", msg);
	return bidx_corrupt();
}

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* The common case, an index built from scratch or optimized: the entries,
 * segment after segment, are 0, 1, 2 ... ndocs - 1, every id once and in
 * range without the bitmap of decode_maps.  1 when so (the maps are then
 * decoded into *rc's care and *pp moved past them), 0 when not (nothing
 * done). */
static int decode_identity(const uint8_t **pp, const uint8_t *end, bidx_manifest *m, bidx_err *rc)
{
	const uint8_t *p = *pp;
	uint64_t total = 0;
	for (uint32_t s = 0; s < m->nsegs; s++)
		total += m->segs[s].ndocs;
	if (total != m->ndocs || (size_t)(end - p) / 4 < total)
		return 0;
	for (uint32_t d = 0; d < m->ndocs; d++)
		if (bidx_get_u32le(p + 4 * (size_t)d) != d)
			return 0;
	for (uint32_t s = 0, next = 0; s < m->nsegs; s++) {
		bidx_man_seg *g = &m->segs[s];
		if (!(g->map = bidx_malloc((size_t)g->ndocs * 4 + 4))) {
			*rc = BIDX_ENOMEM;
			return 1;
		}
		for (uint32_t d = 0; d < g->ndocs; d++)
			g->map[d] = next++;
		g->live = g->ndocs;
	}
	*pp = p + 4 * (size_t)total;
	*rc = BIDX_OK;
	return 1;
}

/* The maps: every entry a collection id below ndocs or BIDX_DELETED, every
 * collection id exactly once. */
static bidx_err decode_maps(const uint8_t **pp, const uint8_t *end, bidx_manifest *m, char *why,
                            size_t n)
{
	const uint8_t *p = *pp;
	bidx_err irc;
	if (decode_identity(pp, end, m, &irc))
		return irc;
	uint8_t *seen = bidx_calloc((size_t)m->ndocs / 8 + 1, 1);
	if (!seen)
		return BIDX_ENOMEM;
	uint64_t live = 0;
	bidx_err rc = BIDX_OK;
	for (uint32_t s = 0; s < m->nsegs && !rc; s++) {
		bidx_man_seg *g = &m->segs[s];
		if ((size_t)(end - p) / 4 < g->ndocs) {
			rc = manifest_refuse(why, n, "document maps run past the end");
			break;
		}
		g->map = bidx_malloc((size_t)g->ndocs * 4 + 4);
		if (!g->map) {
			rc = BIDX_ENOMEM;
			break;
		}
		for (uint32_t d = 0; d < g->ndocs; d++, p += 4) {
			uint32_t id = bidx_get_u32le(p);
			g->map[d] = id;
			if (id == BIDX_DELETED)
				continue;
			if (id >= m->ndocs || (seen[id >> 3] >> (id & 7) & 1)) {
				rc = manifest_refuse(why, n, id >= m->ndocs ? "a document map entry is out of range"
				                                : "two documents share a collection id");
				break;
			}
			seen[id >> 3] |= (uint8_t)(1u << (id & 7));
			g->live++;
			live++;
		}
	}
	free(seen);
	if (!rc && live != m->ndocs)
		rc = manifest_refuse(why, n, "the document maps do not cover every collection id");
	*pp = p;
	return rc;
}

/* The corpus roots after the sources (absent in manifests written before
 * roots were kept): nroots:u32 reserved:u32, then each len:u32 reserved:u32
 * path[len] pad8. */
static bidx_err decode_roots(const uint8_t *p, const uint8_t *end, bidx_manifest *m, char *why,
                             size_t n)
{
	if ((size_t)(end - p) < 8 || bidx_get_u32le(p + 4))
		return manifest_refuse(why, n, "bytes after the source list");
	uint32_t nr = bidx_get_u32le(p);
	p += 8;
	if (nr == 0 || nr > (size_t)(end - p) / 16)
		return manifest_refuse(why, n, "root count larger than the manifest");
	m->roots = bidx_calloc((size_t)nr + 1, sizeof *m->roots);
	if (!m->roots)
		return BIDX_ENOMEM;
	for (uint32_t i = 0; i < nr; i++) {
		if ((size_t)(end - p) < 8 || bidx_get_u32le(p + 4))
			return manifest_refuse(why, n, "the root list runs past the end");
		uint32_t len = bidx_get_u32le(p);
		p += 8;
		if (len == 0 || pad8(len) > (size_t)(end - p))
			return manifest_refuse(why, n, "a root path runs past the end");
		if (memchr(p, 0, len) || p[0] != '/')
			return manifest_refuse(why, n, "a root path is not an absolute path");
		for (size_t k = len; k < pad8(len); k++)
			if (p[k])
				return manifest_refuse(why, n, "non-zero padding after a root path");
		if (!(m->roots[i] = bidx_malloc((size_t)len + 1)))
			return BIDX_ENOMEM;
		memcpy(m->roots[i], p, len);
		m->roots[i][len] = 0;
		m->nroots = i + 1;
		p += pad8(len);
	}
	if (p != end)
		return manifest_refuse(why, n, "bytes after the root list");
	return BIDX_OK;
}

/* Sources, in corpus order: each one's documents carry the next collection
 * ids, in order. */
static bidx_err decode_sources(const uint8_t *p, const uint8_t *end, bidx_manifest *m,
                               char *why, size_t n)
{
	uint32_t next = 0;
	if (m->nsrc > (size_t)(end - p) / BIDX_MAN_SRC_SIZE)
		return manifest_refuse(why, n, "source count larger than the manifest");
	m->src = bidx_calloc((size_t)m->nsrc + 1, sizeof *m->src);
	if (!m->src)
		return BIDX_ENOMEM;
	for (uint32_t i = 0; i < m->nsrc; i++) {
		bidx_source *s = &m->src[i];
		if ((size_t)(end - p) < BIDX_MAN_SRC_SIZE)
			return manifest_refuse(why, n, "source list runs past the end");
		s->size = bidx_get_u64le(p);
		s->mtime_ns = (int64_t)bidx_get_u64le(p + 8);
		s->hash = bidx_get_u64le(p + 16);
		s->bytes = bidx_get_u64le(p + 24);
		s->seg = bidx_get_u32le(p + 32);
		s->first = bidx_get_u32le(p + 36);
		s->ndocs = bidx_get_u32le(p + 40);
		uint32_t pl = bidx_get_u32le(p + 44);
		p += BIDX_MAN_SRC_SIZE;
		if (pl == 0 || pl > (size_t)(end - p) || pad8(pl) > (size_t)(end - p))
			return manifest_refuse(why, n, "a source path runs past the end");
		if (memchr(p, 0, pl))
			return manifest_refuse(why, n, "a source path holds a NUL byte");
		s->path = bidx_malloc((size_t)pl + 1);
		if (!s->path)
			return BIDX_ENOMEM;
		memcpy(s->path, p, pl);
		s->path[pl] = 0;
		p += pad8(pl);
		if (s->seg >= m->nsegs || s->ndocs == 0 || s->first > m->segs[s->seg].ndocs ||
		    s->ndocs > m->segs[s->seg].ndocs - s->first)
			return manifest_refuse(why, n, "a source's documents lie outside its segment");
		for (uint32_t k = 0; k < s->ndocs; k++)
			if (m->segs[s->seg].map[s->first + k] != next++)
				return manifest_refuse(why, n, "a source's documents are not in corpus order");
	}
	if (next != m->ndocs)
		return manifest_refuse(why, n, "the sources do not account for every document");
	return p == end ? BIDX_OK : decode_roots(p, end, m, why, n);
}

/* The head_sum of a manifest whose segment list and maps end (padding
 * included) at p + end: XXH3 of bytes [0, MAN_HEAD_SUM) and [header end,
 * end), the field itself left out.  BIDX_ENOMEM when no hash state. */
static bidx_err head_sum(const uint8_t *p, size_t end, uint64_t *sum)
{
	XXH3_state_t *st = XXH3_createState();
	if (!st)
		return BIDX_ENOMEM;
	XXH3_64bits_reset(st);
	XXH3_64bits_update(st, p, MAN_HEAD_SUM);
	XXH3_64bits_update(st, p + BIDX_MAN_HEADER_SIZE, end - BIDX_MAN_HEADER_SIZE);
	*sum = (uint64_t)XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return BIDX_OK;
}

/* Where the maps' padding ends, from the segment list (len bytes before the
 * footer): 1, or 0 when the list or the maps would run past len. */
static int head_end(const uint8_t *p, size_t len, size_t *end)
{
	uint64_t nsegs = bidx_get_u32le(p + 12), at = BIDX_MAN_HEADER_SIZE, ndocs = 0;
	if (nsegs > (len - at) / BIDX_MAN_SEG_SIZE)
		return 0;
	for (uint64_t s = 0; s < nsegs; s++)
		ndocs += bidx_get_u32le(p + at + s * BIDX_MAN_SEG_SIZE + 4);
	at += nsegs * BIDX_MAN_SEG_SIZE;
	if (ndocs > (len - at) / 4 || pad8(at + ndocs * 4) > len)
		return 0;
	*end = pad8(at + ndocs * 4);
	return 1;
}

/* The checksums a decode relies on: head_sum always (when the manifest has
 * one: an older one holds zero there, and is verified whole), msum too when
 * the sources are wanted, when there is no head_sum, and when the version
 * is another (its header may mean something else: msum, which every
 * version has, tells damage from a version to refuse by name). */
static bidx_err check_sums(const uint8_t *p, size_t len, int want_sources, char *why, size_t n)
{
	uint64_t want_head = bidx_get_u64le(p + MAN_HEAD_SUM);
	size_t body = len - MAN_FOOTER_SIZE, end;
	int whole = want_sources || !want_head || bidx_get_u32le(p + 8) != BIDX_FORMAT_VERSION;
	if (whole && bidx_get_u64le(p + body) != bidx_xxh3(p, body))
		return manifest_refuse(why, n, "checksum mismatch");
	if (!want_head || bidx_get_u32le(p + 8) != BIDX_FORMAT_VERSION)
		return BIDX_OK;   /* the version check refuses another version */
	if (!head_end(p, body, &end))
		return manifest_refuse(why, n, "segment list or document maps run past the end");
	uint64_t got;
	BIDX_TRY(head_sum(p, end, &got));
	if (got != want_head)
		return manifest_refuse(why, n, "checksum mismatch (segments and document maps)");
	return BIDX_OK;
}

bidx_err bidx_manifest_decode(const uint8_t *p, size_t len, int want_sources, bidx_manifest *m,
                              char *why, size_t n)
{
	memset(m, 0, sizeof *m);
	why[0] = 0;
	if (len < BIDX_MAN_HEADER_SIZE + MAN_FOOTER_SIZE)
		return manifest_refuse(why, n, "too short (truncated?)");
	if (memcmp(p, BIDX_MAN_MAGIC, 8))
		return manifest_refuse(why, n, "bad magic");
	const uint8_t *foot = p + len - MAN_FOOTER_SIZE;
	if (memcmp(foot + 8, BIDX_END_MAGIC, 8))
		return manifest_refuse(why, n, "bad end marker (truncated?)");
	bidx_err rc = check_sums(p, len, want_sources, why, n);
	if (rc)
		return rc;
	uint32_t version = bidx_get_u32le(p + 8);
	if (version != BIDX_FORMAT_VERSION) {
		snprintf(why, n, "format version %u, this program reads version %u: rebuild with "
		         "`bidx build --full`", version, BIDX_FORMAT_VERSION);
		return BIDX_EVERSION;
	}
	m->nsegs = bidx_get_u32le(p + 12);
	m->generation = bidx_get_u64le(p + 16);
	m->settings = bidx_get_u64le(p + 24);
	m->next_seq = bidx_get_u32le(p + 32);
	m->ndocs = bidx_get_u32le(p + 36);
	m->total_tokens = bidx_get_u64le(p + 40);
	m->total_chars = bidx_get_u64le(p + 48);
	m->corpus_bytes = bidx_get_u64le(p + 56);
	m->nsrc = bidx_get_u32le(p + 64);
	uint32_t nsegs = m->nsegs;
	const uint8_t *q = p + BIDX_MAN_HEADER_SIZE, *end = foot;
	m->nsegs = 0;
	if (bidx_get_u32le(p + 68))
		return manifest_refuse(why, n, "reserved header bytes are not zero");
	if (nsegs > (size_t)(end - q) / BIDX_MAN_SEG_SIZE)
		return manifest_refuse(why, n, "segment count larger than the manifest");
	m->segs = bidx_calloc((size_t)nsegs + 1, sizeof *m->segs);
	if (!m->segs)
		return BIDX_ENOMEM;
	m->nsegs = nsegs;
	for (uint32_t s = 0; s < nsegs; s++, q += BIDX_MAN_SEG_SIZE) {
		m->segs[s].seq = bidx_get_u32le(q);
		m->segs[s].ndocs = bidx_get_u32le(q + 4);
		m->segs[s].size = bidx_get_u64le(q + 8);
		m->segs[s].sum = bidx_get_u64le(q + 16);
		if (m->segs[s].seq >= m->next_seq || (s && m->segs[s].seq <= m->segs[s - 1].seq))
			return manifest_refuse(why, n, "segment numbers out of order");
	}
	rc = decode_maps(&q, end, m, why, n);
	if (rc)
		return rc;
	size_t used = (size_t)(q - p);
	if (pad8(used) > len - MAN_FOOTER_SIZE)
		return manifest_refuse(why, n, "document maps run past the end");
	for (; used < pad8(used); used++, q++)
		if (*q)
			return manifest_refuse(why, n, "non-zero padding after the document maps");
	return want_sources ? decode_sources(q, end, m, why, n) : BIDX_OK;
}

bidx_err bidx_manifest_check_totals(const bidx_manifest *m, uint64_t tokens, uint64_t chars,
                                    char *why, size_t n)
{
	uint64_t bytes = 0;
	for (uint32_t i = 0; i < m->nsrc; i++)
		bytes += m->src[i].bytes;
	if (tokens == m->total_tokens && chars == m->total_chars && bytes == m->corpus_bytes)
		return BIDX_OK;
	snprintf(why, n, "live totals (words %llu, characters %llu, bytes %llu) differ from the "
	         "live documents' (%llu, %llu, %llu)", (unsigned long long)m->total_tokens,
	         (unsigned long long)m->total_chars, (unsigned long long)m->corpus_bytes,
	         (unsigned long long)tokens, (unsigned long long)chars, (unsigned long long)bytes);
	return bidx_corrupt();
}

/* Maps the manifest read-only: a publish renames a new file over it and
 * never writes this one again, so the mapping stays what was read, and a
 * reader pays a few page faults for it instead of copying it whole into
 * fresh memory.  BIDX_EINPUT when it is not a regular file, BIDX_ETOOBIG
 * past max. */
static bidx_err map_manifest(const char *path, size_t max, const uint8_t **map, size_t *len)
{
	*map = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return BIDX_EIO;
	bidx_err rc = fstat(fd, &st) ? BIDX_EIO : !S_ISREG(st.st_mode) ? BIDX_EINPUT
	            : (uint64_t)st.st_size > max ? BIDX_ETOOBIG : BIDX_OK;
	if (!rc && st.st_size > 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED)
			rc = BIDX_EIO;
		else
			*map = m, *len = (size_t)st.st_size;
	} else if (!rc) {
		*map = (const uint8_t *)"";   /* empty: decoding refuses it */
	}
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

bidx_err bidx_manifest_read(const char *dir, int want_sources, bidx_manifest *m, char *why,
                            size_t n)
{
	char *path = bidx_path_join(dir, BIDX_MANIFEST_FILE);
	const uint8_t *data = NULL;
	size_t len = 0;
	memset(m, 0, sizeof *m);
	if (!path)
		return BIDX_ENOMEM;
	errno = 0;
	bidx_err rc = map_manifest(path, (size_t)1 << 31, &data, &len);
	if (rc == BIDX_EIO && errno == ENOENT) {
		snprintf(why, n, "no index here: run `bidx build` first");
		rc = BIDX_ENOINDEX;
	} else if (rc == BIDX_EIO || rc == BIDX_EINPUT) {
		snprintf(why, n, "cannot read the manifest: %s",
		         rc == BIDX_EIO ? strerror(errno) : "not a regular file");
		rc = BIDX_EIO;
	} else if (rc == BIDX_ETOOBIG) {
		rc = manifest_refuse(why, n, "larger than 2 GiB");
	} else if (!rc) {
		rc = bidx_manifest_decode(data, len, want_sources, m, why, n);
		if (rc)
			bidx_manifest_free(m);
	}
	bidx_unmap(data, len);
	free(path);
	return rc;
}

bidx_err bidx_manifest_encode(const bidx_manifest *m, bidx_buf *b)
{
	uint8_t h[BIDX_MAN_HEADER_SIZE] = {0};
	memcpy(h, BIDX_MAN_MAGIC, 8);
	bidx_put_u32le(h + 8, BIDX_FORMAT_VERSION);
	bidx_put_u32le(h + 12, m->nsegs);
	bidx_put_u64le(h + 16, m->generation);
	bidx_put_u64le(h + 24, m->settings);
	bidx_put_u32le(h + 32, m->next_seq);
	bidx_put_u32le(h + 36, m->ndocs);
	bidx_put_u64le(h + 40, m->total_tokens);
	bidx_put_u64le(h + 48, m->total_chars);
	bidx_put_u64le(h + 56, m->corpus_bytes);
	bidx_put_u32le(h + 64, m->nsrc);
	bidx_buf_put(b, h, sizeof h);
	for (uint32_t s = 0; s < m->nsegs; s++) {
		bidx_buf_put_u32le(b, m->segs[s].seq);
		bidx_buf_put_u32le(b, m->segs[s].ndocs);
		bidx_buf_put_u64le(b, m->segs[s].size);
		bidx_buf_put_u64le(b, m->segs[s].sum);
	}
	for (uint32_t s = 0; s < m->nsegs; s++)
		for (uint32_t d = 0; d < m->segs[s].ndocs; d++)
			bidx_buf_put_u32le(b, m->segs[s].map[d]);
	while (b->len % 8)
		bidx_buf_putc(b, 0);
	size_t head_end_at = b->len;
	for (uint32_t i = 0; i < m->nsrc; i++) {
		const bidx_source *s = &m->src[i];
		size_t pl = strlen(s->path);
		bidx_buf_put_u64le(b, s->size);
		bidx_buf_put_u64le(b, (uint64_t)s->mtime_ns);
		bidx_buf_put_u64le(b, s->hash);
		bidx_buf_put_u64le(b, s->bytes);
		bidx_buf_put_u32le(b, s->seg);
		bidx_buf_put_u32le(b, s->first);
		bidx_buf_put_u32le(b, s->ndocs);
		bidx_buf_put_u32le(b, (uint32_t)pl);
		bidx_buf_put(b, s->path, pl);
		while (b->len % 8)
			bidx_buf_putc(b, 0);
	}
	if (m->nroots) {
		bidx_buf_put_u32le(b, m->nroots);
		bidx_buf_put_u32le(b, 0);
	}
	for (uint32_t i = 0; i < m->nroots; i++) {
		size_t rl = strlen(m->roots[i]);
		bidx_buf_put_u32le(b, (uint32_t)rl);
		bidx_buf_put_u32le(b, 0);
		bidx_buf_put(b, m->roots[i], rl);
		while (b->len % 8)
			bidx_buf_putc(b, 0);
	}
	if (!b->err) {
		uint64_t hs;
		bidx_err rc = head_sum(b->p, head_end_at, &hs);
		if (rc)
			return b->err = rc;
		bidx_put_u64le(b->p + MAN_HEAD_SUM, hs);
		uint64_t sum = bidx_xxh3(b->p, b->len);
		bidx_buf_put_u64le(b, sum);
		bidx_buf_put(b, BIDX_END_MAGIC, 8);
	}
	return b->err;
}

bidx_err bidx_manifest_write_encoded(const char *dir, const uint8_t *p, size_t len,
                                     int *published)
{
	bidx_out o;
	*published = 0;
	bidx_err rc = bidx_out_open(&o, dir, BIDX_MANIFEST_FILE);
	if (!rc) {
		bidx_out_write(&o, p, len);
		rc = bidx_out_commit(&o, published);
	}
	return rc;
}

bidx_err bidx_manifest_write(const char *dir, const bidx_manifest *m, int *published)
{
	bidx_buf b = BIDX_BUF_INIT;
	*published = 0;
	bidx_err rc = bidx_manifest_encode(m, &b);
	if (!rc)
		rc = bidx_manifest_write_encoded(dir, b.p, b.len, published);
	bidx_buf_free(&b);
	return rc;
}
