/*
 * ostream.c - write errors of standard output (ostream.h).
 *
 * errno is only meaningful right after the write that failed, and stdio
 * may have dropped the failed buffer, so the first error seen is kept; when
 * it was not seen in time, a pipe with no reader is recognised by poll()
 * (POLLERR on its write end).
 */
#include "ostream.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

static int first_errno;   /* errno of stdout's first failed write */

void bidx_ostream_init(void)
{
	signal(SIGPIPE, SIG_IGN);
}

/* A pipe (or socket) whose reading end is closed. */
static int reader_gone(FILE *f)
{
	struct stat st;
	struct pollfd p = {fileno(f), POLLOUT, 0};
	if (p.fd < 0 || fstat(p.fd, &st) || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return 0;
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

int bidx_ostream_error(FILE *f)
{
	int e = errno;
	if (!ferror(f))
		return 0;
	if (!first_errno)
		first_errno = reader_gone(f) ? EPIPE : e ? e : EIO;
	return first_errno;
}

void bidx_ostream_puts(const char *s)
{
	errno = 0;
	fputs(s, stdout);
	bidx_ostream_error(stdout);
}

int bidx_ostream_close(const char *prog, const char *what, const char *then, int status)
{
	errno = 0;
	fflush(stdout);
	int e = bidx_ostream_error(stdout);
	if (fclose(stdout) && !e && errno != EBADF)   /* EBADF: stdout was closed, nothing written */
		e = errno ? errno : EIO;
	if (!e || e == EPIPE)
		return status;
	fprintf(stderr, "%s: cannot write %s: %s%s%s\n", prog, what, strerror(e),
	        then ? "; " : "", then ? then : "");
	return 2;
}
