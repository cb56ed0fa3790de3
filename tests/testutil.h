/* testutil.h - helpers shared by the tests: corpora, temporary indexes. */
#ifndef BIDX_TESTUTIL_H
#define BIDX_TESTUTIL_H

#include <stddef.h>

/* The directory of a corpus set ("seeds", "livedoor", "municipal"): the
 * shared one when present, else the bundled copy under corpus/ (announced
 * on stderr), else NULL.  The string stays valid, and is the same for
 * each later call with the same set.  With BIDX_NO_SHARED set (and not "0") the shared
 * corpora are never used, as on a plain clone. */
const char *tu_corpus(const char *set);

/* Nonzero when BIDX_NO_SHARED asks the tests to act as on a plain clone. */
int tu_no_shared(void);

/* A fresh temporary directory (removed by tu_rmtree); malloc'd. */
char *tu_tmpdir(const char *tag);
void tu_rmtree(const char *dir);

/* The one segment file of an index built from scratch. */
#define TU_SEGMENT "seg-000001.bidx"

/* Writes len bytes of data to the file path, replacing it (asserting
 * success). */
void tu_write_file(const char *path, const void *data, size_t len);

/* Copies a file (asserting success). */
void tu_copy_file(const char *from, const char *to);

/* The base names of the paths in `lines` (bsearch -l output, one per line;
 * consumed), space separated into out, each cut to `width` bytes when
 * width > 0. */
void tu_base_names(char *lines, int width, char *out, size_t n);

/* Runs a shell command, captures stdout into a malloc'd string; *status gets
 * the exit code. */
char *tu_run(const char *cmd, int *status);

/* Runs the formatted shell command in dir (after `cd`), stdout and stderr
 * together, into a malloc'd string (asserting it ran); *status gets the
 * exit code. */
char *tu_sh(const char *dir, int *status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The value of the number at the start of s (Arabic digits, digit-group
 * commas, kanji numerals, 十 百 千 and the large units 万 億 兆), evaluated
 * on its own terms, and in *len its bytes (0 when s starts with none). */
unsigned long long tu_number_value(const char *s, size_t *len);

/* v written in one of the forms: 0 Arabic, 1 with digit-group commas,
 * 2 kanji numerals, 3 Arabic digits with the large units, 4 the same with
 * 千 for whole thousands (1万2千), 5 kanji digits one by one, 6 Arabic
 * digits with the large units and digit-group commas (1,200万). */
void tu_number_write(unsigned long long v, int form, char *out, size_t cap);

/* Criterion ignores LeakSanitizer's report at a worker's exit, so tests
 * that exercise error paths ask for a leak check themselves (a no-op without
 * AddressSanitizer). */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define TU_ASSERT_NO_LEAKS() \
	cr_assert_eq(__lsan_do_recoverable_leak_check(), 0, "memory leaked")
#else
#define TU_ASSERT_NO_LEAKS() ((void)0)
#endif

#endif
