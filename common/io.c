/*
 * io.c - whole-file reads, atomic publication and read-only maps (io.h).
 *
 * Reads are bounded: a file is read up to a caller's limit plus one byte,
 * so a file that grows while it is read is caught, and a name that is not a
 * regular file is refused without blocking on it.  An output file is
 * written through a buffer to NAME.tmp-PID with an XXH3 running over what
 * is written, fsynced, renamed over NAME and the directory fsynced; every
 * failure (injected ones included, fault.h) leaves the old file in place and
 * the tmp file removed.  Last, the lookup of the dictionary files (user
 * dictionary, synonyms): an environment variable first, then dict/ beside
 * the executable or share/bidx/ of its installation.
 */
#include "io.h"
#include "fault.h"
#include "format.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

bidx_err bidx_read_file_max(const char *path, size_t max, char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	/* O_NONBLOCK: a name swapped for a FIFO after a directory walk must not hang */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		errno = e;
		return BIDX_EIO;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return BIDX_EINPUT;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return BIDX_ETOOBIG;
	}
	/* read at most max + 1 bytes: a file that grows meanwhile is caught */
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = bidx_malloc(cap);
	bidx_err rc = buf ? BIDX_OK : BIDX_ENOMEM;
	while (!rc) {
		if (n == cap) {
			if (cap > max) {
				rc = BIDX_ETOOBIG;
				break;
			}
			size_t nc = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *nb = bidx_realloc(buf, nc);
			if (!nb) {
				rc = BIDX_ENOMEM;
				break;
			}
			buf = nb;
			cap = nc;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rc = BIDX_EIO;
		else if (r == 0)
			break;
		else
			n += (size_t)r;
	}
	int e = errno;
	close(fd);
	if (!rc && n == cap) {   /* room for the terminating NUL */
		char *nb = bidx_realloc(buf, cap + 1);
		if (nb)
			buf = nb;
		else
			rc = BIDX_ENOMEM;
	}
	if (rc) {
		free(buf);
		errno = e;
		return rc;
	}
	buf[n] = 0;   /* NUL-terminated for callers that treat it as a string */
	*data = buf;
	*len = n;
	return BIDX_OK;
}

bidx_err bidx_read_file(const char *path, char **data, size_t *len)
{
	bidx_err rc = bidx_read_file_max(path, SIZE_MAX / 2, data, len);
	if (rc == BIDX_EINPUT) {
		errno = EISDIR;
		rc = BIDX_EIO;
	}
	return rc;
}

char *bidx_path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int slash = la > 0 && a[la - 1] != '/';
	char *s = bidx_malloc(la + lb + 2);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	if (slash)
		s[la++] = '/';
	memcpy(s + la, b, lb + 1);
	return s;
}

static void out_fail(bidx_out *o, bidx_err e)
{
	if (!o->err) {
		o->err = e;
		o->saved_errno = errno;
	}
}

bidx_err bidx_out_open(bidx_out *o, const char *dir, const char *final)
{
	char name[300];
	memset(o, 0, sizeof *o);
	o->fd = -1;
	if (mkdir(dir, 0777) && errno != EEXIST)
		return BIDX_EIO;
	snprintf(name, sizeof name, "%s.tmp-%ld", final, (long)getpid());
	o->dir = strdup(dir);
	o->tmp_path = bidx_path_join(dir, name);
	o->final_path = bidx_path_join(dir, final);
	o->xs = XXH3_createState();
	o->wbuf = bidx_malloc(BIDX_OUT_BUFSIZE);
	if (!o->dir || !o->tmp_path || !o->final_path || !o->xs || !o->wbuf) {
		bidx_out_abort(o);
		return BIDX_ENOMEM;
	}
	XXH3_64bits_reset(o->xs);
	o->fd = open(o->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (o->fd < 0) {
		int e = errno;
		bidx_out_abort(o);
		errno = e;
		return BIDX_EIO;
	}
	return BIDX_OK;
}

static void write_all(bidx_out *o, const void *p, size_t n, uint64_t at, int positional)
{
	const char *c = p;
	while (n > 0 && !o->err) {
		if (bidx_fault_hit(BIDX_FAULT_WRITE)) {
			errno = EIO;
			out_fail(o, BIDX_EIO);
			return;
		}
		size_t chunk = n > (1u << 30) ? (1u << 30) : n;
		ssize_t w = positional ? pwrite(o->fd, c, chunk, (off_t)at) : write(o->fd, c, chunk);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			out_fail(o, BIDX_EIO);
			return;
		}
		c += w;
		n -= (size_t)w;
		at += (uint64_t)w;
	}
}

static void flush(bidx_out *o)
{
	if (o->wlen && !o->err)
		write_all(o, o->wbuf, o->wlen, 0, 0);
	o->wlen = 0;
}

/* Gathers small writes (a term's postings, a record) into one write(2). */
void bidx_out_write(bidx_out *o, const void *p, size_t n)
{
	if (o->err || n == 0)
		return;
	XXH3_64bits_update(o->xs, p, n);
	o->off += n;
	if (o->wlen + n > BIDX_OUT_BUFSIZE)
		flush(o);
	if (n >= BIDX_OUT_BUFSIZE) {
		write_all(o, p, n, 0, 0);
		return;
	}
	memcpy(o->wbuf + o->wlen, p, n);
	o->wlen += n;
}

void bidx_out_pad8(bidx_out *o)
{
	static const uint8_t zero[8];
	if (o->off % 8)
		bidx_out_write(o, zero, 8 - o->off % 8);
}

void bidx_out_sum_reset(bidx_out *o)
{
	XXH3_64bits_reset(o->xs);
}

uint64_t bidx_out_sum(bidx_out *o)
{
	return (uint64_t)XXH3_64bits_digest(o->xs);
}

void bidx_out_pwrite(bidx_out *o, const void *p, size_t n, uint64_t at)
{
	flush(o);
	write_all(o, p, n, at, 1);
}

static void out_free(bidx_out *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	free(o->dir);
	free(o->tmp_path);
	free(o->final_path);
	XXH3_freeState(o->xs);
	free(o->wbuf);
	o->dir = o->tmp_path = o->final_path = o->wbuf = NULL;
	o->xs = NULL;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = bidx_fault_hit(BIDX_FAULT_FSYNC) ? (errno = EIO, -1) : fsync(fd);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

bidx_err bidx_out_commit(bidx_out *o, int *renamed)
{
	*renamed = 0;
	flush(o);
	if (!o->err && (bidx_fault_hit(BIDX_FAULT_FSYNC) || fsync(o->fd)))
		out_fail(o, BIDX_EIO);
	if (!o->err && close(o->fd))
		out_fail(o, BIDX_EIO);
	o->fd = -1;
	if (!o->err && (bidx_fault_hit(BIDX_FAULT_RENAME) || rename(o->tmp_path, o->final_path))) {
		if (!errno)
			errno = EIO;
		out_fail(o, BIDX_EIO);
	}
	if (o->err) {
		bidx_err e = o->err;
		int se = o->saved_errno;
		bidx_out_abort(o);
		errno = se;
		return e;
	}
	/* the rename is done: the new file is in place even if this fails */
	*renamed = 1;
	int r = fsync_dir(o->dir);
	int se = errno;
	out_free(o);
	errno = se;
	return r ? BIDX_EIO : BIDX_OK;
}

void bidx_out_abort(bidx_out *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp_path)
		unlink(o->tmp_path);
	out_free(o);
}

void bidx_out_cleanup_stale(const char *dir, int (*ours)(const char *name, size_t len))
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		/* exactly NAME.tmp-PID, NAME one of ours, PID digits */
		const char *t = strstr(e->d_name, ".tmp-");
		if (!t || !t[5] || strspn(t + 5, "0123456789") != strlen(t + 5) ||
		    !ours(e->d_name, (size_t)(t - e->d_name)))
			continue;
		long pid = strtol(t + 5, NULL, 10);
		/* a build still running (kill(pid,0) succeeds) keeps its file */
		if (pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) == 0)
			continue;
		char *p = bidx_path_join(dir, e->d_name);
		if (p)
			unlink(p);
		free(p);
	}
	closedir(d);
}

bidx_err bidx_map_file(const char *path, const uint8_t **map, size_t *size)
{
	*map = NULL;
	*size = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? BIDX_ENOINDEX : BIDX_EIO;
	struct stat st;
	if (fstat(fd, &st)) {
		close(fd);
		return BIDX_EIO;
	}
	if (st.st_size == 0) {
		close(fd);
		*map = (const uint8_t *)"";
		return BIDX_OK;   /* empty: the header check refuses it */
	}
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return BIDX_EIO;
	*map = m;
	*size = (size_t)st.st_size;
	return BIDX_OK;
}

void bidx_unmap(const uint8_t *map, size_t size)
{
	if (map && size)
		munmap((void *)(uintptr_t)map, size);
}

/* Whether dir/a/b names a readable file; fills path. */
static int readable(char *path, size_t n, const char *dir, const char *a, const char *b)
{
	if ((size_t)snprintf(path, n, "%s/%s%s", dir, a, b) >= n)
		return 0;
	return access(path, R_OK) == 0;
}

int bidx_dict_find(const char *name, char *path, size_t n)
{
	char exe[4096];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (k <= 0)
		return -1;
	exe[k] = 0;
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			break;
		*slash = 0;
		if (readable(path, n, exe, "dict/", name) ||
		    (up == 0 && readable(path, n, exe, "../share/bidx/", name)))
			return 0;
	}
	return -1;
}

int bidx_dict_locate(const char *var, const char *name, char *path, size_t n)
{
	const char *env = getenv(var);
	if (env) {
		snprintf(path, n, "%s", !*env || !strcmp(env, "none") ? "" : env);
		return 1;
	}
	return bidx_dict_find(name, path, n);
}
