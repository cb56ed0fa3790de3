/*
 * pathshow.c - stored (absolute) paths shown relative to the current
 * directory when below it (pathshow.h).
 */
#include "pathshow.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *cwd;            /* getcwd() once; NULL when it failed */
static size_t cwd_len;
static pthread_once_t cwd_once = PTHREAD_ONCE_INIT;

static void read_cwd(void)
{
	cwd = getcwd(NULL, 0);
	cwd_len = cwd ? strlen(cwd) : 0;
	if (cwd_len == 1)
		cwd_len = 0;         /* "/": every absolute path is below it */
}

const char *bidx_path_shown(const char *path, size_t len, size_t *shown_len)
{
	*shown_len = len;
	if (len == 0 || path[0] != '/')
		return path;
	pthread_once(&cwd_once, read_cwd);
	if (!cwd)
		return path;
	if (len > cwd_len + 1 && !memcmp(path, cwd, cwd_len) && path[cwd_len] == '/') {
		*shown_len = len - cwd_len - 1;
		return path + cwd_len + 1;
	}
	return path;
}

size_t bidx_path_file_len(const char *path, size_t len)
{
	size_t i = len;
	while (i > 0 && path[i - 1] >= '0' && path[i - 1] <= '9')
		i--;
	/* no file the indexer reads ends in ":DIGITS" (its name ends in an
	 * extension), so such a tail is a record's line */
	return i < len && i > 1 && path[i - 1] == ':' ? i - 1 : len;
}
