/*
 * io.h - whole-file reads, atomic index publication, read-only mapping.
 *
 * An index file (a segment or the manifest) is written to DIR/NAME.tmp-PID,
 * checksummed section by section as it goes, fsynced, renamed to DIR/NAME,
 * and the directory fsynced.  Until the rename nothing visible changes; a
 * failed or killed build leaves only a stray tmp file, which the next build
 * removes.
 */
#ifndef BIDX_IO_H
#define BIDX_IO_H

#include <stddef.h>
#include <stdint.h>
#include <xxhash.h>
#include "error.h"

/* Reads a whole regular file of at most max bytes into a malloc'd buffer,
 * NUL-terminated (the NUL is not counted in *len).
 * Returns BIDX_EIO (errno set), BIDX_EINPUT (not a regular file),
 * BIDX_ETOOBIG (larger than max, or grew past it while read) or
 * BIDX_ENOMEM; on error *data is NULL. */
bidx_err bidx_read_file_max(const char *path, size_t max, char **data, size_t *len);

/* The same without a limit; a non-regular file is BIDX_EIO with EISDIR. */
bidx_err bidx_read_file(const char *path, char **data, size_t *len);

typedef struct bidx_out {
	int fd;
	char *dir;            /* owned */
	char *tmp_path;       /* owned */
	char *final_path;     /* owned */
	uint64_t off;         /* bytes written so far */
	XXH3_state_t *xs;     /* running checksum of the current section */
	bidx_err err;         /* sticky */
	int saved_errno;      /* errno of the first I/O failure */
	char *wbuf;           /* writes are gathered here; owned */
	size_t wlen;          /* bytes waiting in wbuf */
} bidx_out;

#define BIDX_OUT_BUFSIZE ((size_t)1 << 20)

/* Creates DIR (mode 0777 & umask) if needed and opens the tmp file of
 * DIR/name. */
bidx_err bidx_out_open(bidx_out *o, const char *dir, const char *name);
/* Appends n bytes (sticky errors; also feeds the section checksum). */
void bidx_out_write(bidx_out *o, const void *p, size_t n);
void bidx_out_pad8(bidx_out *o);
void bidx_out_sum_reset(bidx_out *o);
uint64_t bidx_out_sum(bidx_out *o);
/* Overwrites bytes at an earlier offset (header), without checksumming. */
void bidx_out_pwrite(bidx_out *o, const void *p, size_t n, uint64_t at);
/* fsync, rename over the final path, fsync the directory; closes and frees.
 * *renamed says whether the rename happened (a failure after it, of the
 * directory fsync, leaves the new file in place). */
bidx_err bidx_out_commit(bidx_out *o, int *renamed);
/* Closes, removes the tmp file, frees; the previous index is untouched. */
void bidx_out_abort(bidx_out *o);

/* Removes from DIR the tmp files (exactly NAME.tmp-PID, for a NAME that
 * ours() accepts) of builds no longer running; nothing else. */
void bidx_out_cleanup_stale(const char *dir, int (*ours)(const char *name, size_t len));

/* Maps a file read-only.  BIDX_ENOINDEX when it does not exist. */
bidx_err bidx_map_file(const char *path, const uint8_t **map, size_t *size);
void bidx_unmap(const uint8_t *map, size_t size);

/* Finds the data file dict/NAME of this program: beside the running
 * executable or up to two directories above it (the build tree: bidx,
 * tests/test_*, bench/...), or ../share/bidx/NAME beside it (an installed
 * tree).  Fills path[0..n) and returns 0, or -1 when there is none. */
int bidx_dict_find(const char *name, char *path, size_t n);

/* The data file a setting names: $VAR when it is set (an empty value or
 * "none" meaning no file: path ""), else dict/NAME as bidx_dict_find()
 * finds it.  Returns 1 when the path comes from $VAR (not checked), 0 when
 * found in dict/, -1 when there is none. */
int bidx_dict_locate(const char *var, const char *name, char *path, size_t n);

/* path join: "a" + "b" -> "a/b", "a/" + "b" -> "a/b"; malloc'd or NULL. */
char *bidx_path_join(const char *a, const char *b);

#endif
