/* testutil.h - helpers shared by the tests: corpora, temporary indexes. */
#ifndef BIDX_TESTUTIL_H
#define BIDX_TESTUTIL_H

#include <stddef.h>

/* The directory of a corpus set ("seeds", "livedoor", "municipal"): the
 * shared one when present, else the bundled copy under corpus/ (announced
 * once on stderr), else NULL. */
const char *tu_corpus(const char *set);

/* A fresh temporary directory (removed by tu_rmtree); malloc'd. */
char *tu_tmpdir(const char *tag);
void tu_rmtree(const char *dir);

/* Runs a shell command, captures stdout into a malloc'd string; *status gets
 * the exit code. */
char *tu_run(const char *cmd, int *status);

#endif
