/*
 * indexdir.c - the index directory of a build (indexdir.h).
 *
 * A build owns the directory while it holds an flock(2) on DIR/lock; tmp
 * files left by a build that is not running any more are stale then, and
 * go.  A manifest reaches the directory only after the index it describes
 * has been opened the way bsearch opens it, and is published by rename, so
 * readers see the old index or the new one, never a mix.  Afterwards only
 * files a build writes and the new manifest no longer lists are removed.
 */
#include "indexdir.h"
#include "format.h"
#include "index.h"
#include "segment.h"
#include "io.h"
#include "termsafe.h"
#include "varint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

char *bidx_indexdir_segment_path(const char *dir, uint32_t seq)
{
	char name[32];
	bidx_segment_name(seq, name, sizeof name);
	return bidx_path_join(dir, name);
}

static bidx_err lock_dir(const char *dir, int *fd, char *why, size_t whylen)
{
	char *path = bidx_path_join(dir, "lock");
	if (!path)
		return BIDX_ENOMEM;
	if (mkdir(dir, 0777) && errno != EEXIST) {
		snprintf(why, whylen, "cannot create the index directory %s: %s", dir, strerror(errno));
		free(path);
		return BIDX_EIO;
	}
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	free(path);
	if (*fd < 0) {
		snprintf(why, whylen, "cannot create %s/lock: %s", dir, strerror(errno));
		return BIDX_EIO;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB)) {
		snprintf(why, whylen, "another bidx is updating the index in %s; try again when it "
		         "has finished", dir);
		close(*fd);
		*fd = -1;
		return BIDX_EIO;
	}
	return BIDX_OK;
}

bidx_err bidx_indexdir_lock(const char *dir, int *fd, char *why, size_t whylen)
{
	bidx_err rc = lock_dir(dir, fd, why, whylen);
	if (!rc)   /* under the lock, a tmp file of a build not running is stale */
		bidx_out_cleanup_stale(dir, bidx_index_own_name);
	return rc;
}

void bidx_indexdir_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Whether DIR/index.bidx is an index an older bidx wrote (format 1: the
 * segment magic, then version 1), not some file of the same name. */
static int is_format1_index(const char *dir)
{
	char *p = bidx_path_join(dir, BIDX_OLD_INDEX_FILE);
	uint8_t h[BIDX_HEADER_SIZE];
	int fd = p ? open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW) : -1;
	ssize_t got = fd >= 0 ? read(fd, h, sizeof h) : -1;
	int yes = got > 0 && bidx_segment_magic_version(h, (size_t)got) == 1;
	if (fd >= 0)
		close(fd);
	free(p);
	return yes;
}

void bidx_indexdir_remove_unlisted(const char *dir, const bidx_manifest *m)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	int old = is_format1_index(dir);
	while ((e = readdir(d))) {
		uint32_t seq;
		int listed = 0;
		if (old && !strcmp(e->d_name, BIDX_OLD_INDEX_FILE))
			old = 0;
		else if (!bidx_segment_parse_name(e->d_name, strlen(e->d_name), &seq))
			continue;
		else
			for (uint32_t i = 0; i < m->nsegs; i++)
				listed |= m->segs[i].seq == seq;
		if (listed)
			continue;
		char *p = bidx_path_join(dir, e->d_name);
		if (p)
			unlink(p);
		free(p);
	}
	closedir(d);
}

bidx_err bidx_indexdir_publish(const char *dir, FILE *msg, const bidx_manifest *m, char *why,
                               size_t whylen)
{
	bidx_buf b = BIDX_BUF_INIT;
	bidx_index *ix = NULL;
	bidx_manifest back;
	char rwhy[512];
	int published = 0;
	bidx_err rc = bidx_manifest_encode(m, &b);
	if (!rc)
		rc = bidx_index_open_encoded(dir, b.p, b.len, &ix, rwhy, sizeof rwhy);
	bidx_index_close(ix);
	if (!rc) {
		rc = bidx_manifest_decode(b.p, b.len, 1, &back, rwhy, sizeof rwhy);
		bidx_manifest_free(&back);
	}
	if (rc && rc != BIDX_ENOMEM) {
		snprintf(why, whylen, "the index this build made in %s does not open (%s); nothing "
		         "was published", dir, rwhy);
		bidx_buf_free(&b);
		return rc;
	}
	if (!rc)
		rc = bidx_manifest_write_encoded(dir, b.p, b.len, &published);
	bidx_buf_free(&b);
	if (rc && published) {
		/* in place, but the rename may not survive a power cut */
		bidx_ts_msg(msg, "bidx: %s: the new index is in place, but syncing the "
		        "directory failed (%s)", dir, strerror(errno));
		rc = BIDX_OK;
	}
	if (rc)
		snprintf(why, whylen, "cannot write the manifest in %s: %s", dir,
		         rc == BIDX_EIO ? strerror(errno) : bidx_strerror(rc));
	return rc;
}
