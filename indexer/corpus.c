/*
 * corpus.c - the corpus walk: from the command line's paths to the list
 * of files a build reads.  What is in a file (its encoding, its notices,
 * their titles) is analysis/'s business.
 *
 * A file is identified by its device and inode, so one file reached under
 * several spellings (./a and a, a/ and a//x, two links to one folder, a
 * hard link) is listed once, under the first spelling met.  Each argument
 * is made absolute first (bidx_corpus_abspath), and that is the spelling
 * the manifest keys its files by and the documents are stored under, so
 * that a printed path opens from wherever bsearch runs (pathshow.h).
 * Index directories (a manifest or segment files in them, or the build's
 * own) are never walked into, and say nothing.  Symbolic links are followed only when they resolve inside one of the
 * arguments (as ripgrep does), all of them with --follow; files that are not
 * regular, or that belong to a virtual file system (/proc, /sys), are never
 * read.  Entries a .bidxignore file (of the folder or one above it, up to
 * the argument) or an --exclude glob ignores are left out silently
 * (ignore.h); --exclude wins over a .bidxignore's `!`, and an argument
 * itself is never ignored.
 */
#include "corpus.h"
#include "fault.h"
#include "ignore.h"
#include "io.h"
#include "manifest.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#ifdef __linux__
#include <linux/magic.h>
#include <sys/vfs.h>
#endif

typedef struct visited {
	dev_t dev;
	ino_t ino;
	struct visited *up;   /* the directories above, for loop detection */
} visited;

typedef struct fileid {
	dev_t dev;
	ino_t ino;
	int used;
} fileid;

/* One walk over all the arguments of a build. */
typedef struct walker {
	bidx_filelist *fl;
	int follow;              /* follow every symbolic link */
	const bidx_walk_opts *o;
	struct stat index_st;    /* the build's own index directory */
	int have_index;
	bidx_skip_fn skip;
	void *sarg;
	char **roots;            /* realpath of each argument that has one; owned */
	size_t nroots;
	fileid *ids;             /* open addressing over (dev, ino) of the files listed */
	size_t idcap, nids;
	dev_t dev;               /* the device last asked about */
	int have_dev, dev_virtual;   /* ... and whether it holds a virtual file system */
	bidx_ignore *ig;         /* the rules of the .bidxignore files of the folders entered */
	bidx_ignore *ex;         /* the --exclude globs, anchored at each argument */
} walker;

static int push(bidx_filelist *fl, char *p)
{
	if (bidx_grow((void **)&fl->paths, &fl->cap, fl->n + 1, sizeof *fl->paths))
		return -1;
	fl->paths[fl->n++] = p;
	return 0;
}

void bidx_filelist_free(bidx_filelist *fl)
{
	if (!fl)
		return;
	for (size_t i = 0; i < fl->n; i++)
		free(fl->paths[i]);
	free(fl->paths);
	fl->paths = NULL;
	fl->n = fl->cap = 0;
}

int bidx_corpus_is_text(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot && (!strcasecmp(dot, ".txt") || !strcasecmp(dot, ".md") ||
	               !strcasecmp(dot, ".csv") || !strcasecmp(dot, ".jsonl") ||
	               !strcasecmp(dot, ".ndjson") || !strcasecmp(dot, ".html") ||
	               !strcasecmp(dot, ".htm") || !strcasecmp(dot, ".xhtml") ||
	               !strcasecmp(dot, ".pdf") || !strcasecmp(dot, ".docx"));
}

char *bidx_corpus_spelling(const char *arg)
{
	size_t n = strlen(arg), o = 0;
	char *s = bidx_malloc(n + 2);
	if (!s)
		return NULL;
	if (arg[0] == '/')
		s[o++] = '/';
	for (size_t i = 0; i < n;) {
		while (i < n && arg[i] == '/')
			i++;
		size_t j = i;
		while (j < n && arg[j] != '/')
			j++;
		if (j == i || (j - i == 1 && arg[i] == '.')) {
			i = j;
			continue;   /* "//" and "/./" */
		}
		if (o && s[o - 1] != '/')
			s[o++] = '/';
		memcpy(s + o, arg + i, j - i);
		o += j - i;
		i = j;
	}
	if (o == 0 && n)
		s[o++] = '.';
	s[o] = 0;
	return s;
}

static size_t id_hash(const walker *w, dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)dev * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)ino * 0xC2B2AE3D27D4EB4Full);
	return (size_t)(h ^ (h >> 29)) & (w->idcap - 1);
}

/* Records the file (dev, ino): 1 when it was new, 0 when already listed,
 * -1 when out of memory. */
static int id_add(walker *w, dev_t dev, ino_t ino)
{
	if (2 * (w->nids + 1) > w->idcap) {
		size_t cap = w->idcap ? 2 * w->idcap : 64;
		fileid *old = w->ids;
		size_t oldcap = w->idcap;
		w->ids = bidx_calloc(cap, sizeof *w->ids);
		if (!w->ids) {
			w->ids = old;
			return -1;
		}
		w->idcap = cap;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].used) {
				size_t h = id_hash(w, old[i].dev, old[i].ino);
				while (w->ids[h].used)
					h = (h + 1) & (cap - 1);
				w->ids[h] = old[i];
			}
		free(old);
	}
	size_t h = id_hash(w, dev, ino);
	for (; w->ids[h].used; h = (h + 1) & (w->idcap - 1))
		if (w->ids[h].dev == dev && w->ids[h].ino == ino)
			return 0;
	w->ids[h] = (fileid){dev, ino, 1};
	w->nids++;
	return 1;
}

/* Whether the resolved path real lies in (or is) one of the roots. */
static int inside_roots(const walker *w, const char *real)
{
	for (size_t i = 0; i < w->nroots; i++) {
		size_t l = strlen(w->roots[i]);
		if (!strncmp(real, w->roots[i], l) &&
		    (real[l] == 0 || real[l] == '/' || (l && w->roots[i][l - 1] == '/')))
			return 1;
	}
	return 0;
}

/* Files of the kernel's virtual file systems (/proc, /sys, ...): regular
 * by stat, but generated on reading, never a notice. */
static int is_virtual(const char *path)
{
#ifdef __linux__
	static const unsigned long magic[] = {
		PROC_SUPER_MAGIC, SYSFS_MAGIC, DEBUGFS_MAGIC, TRACEFS_MAGIC, SECURITYFS_MAGIC,
		SELINUX_MAGIC, CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, DEVPTS_SUPER_MAGIC,
		EFIVARFS_MAGIC, BPF_FS_MAGIC, PSTOREFS_MAGIC,
	};
	struct statfs fs;
	if (statfs(path, &fs))
		return 0;
	for (size_t i = 0; i < sizeof magic / sizeof *magic; i++)
		if ((unsigned long)fs.f_type == magic[i])
			return 1;
#else
	(void)path;
#endif
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bidx_err walk(walker *w, const char *path, const visited *up, int top);

/* Whether a manifest file begins with the manifest magic. */
static int has_manifest(const char *dir)
{
	char *p = bidx_path_join(dir, BIDX_MANIFEST_FILE);
	char h[8];
	int fd = p ? open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW) : -1;
	int yes = fd >= 0 && read(fd, h, sizeof h) == (ssize_t)sizeof h &&
	          !memcmp(h, BIDX_MAN_MAGIC, 8);
	if (fd >= 0)
		close(fd);
	free(p);
	return yes;
}

/* An index directory: the build's own, or one holding a bidx manifest or
 * segment files (seg-NNNNNN.bidx). */
static int is_index_dir(const walker *w, const char *path, const struct stat *st,
                        const bidx_filelist *names)
{
	uint32_t seq;
	if (w->have_index && st->st_dev == w->index_st.st_dev && st->st_ino == w->index_st.st_ino)
		return 1;
	for (size_t i = 0; i < names->n; i++) {
		const char *n = names->paths[i];
		if (bidx_segment_parse_name(n, strlen(n), &seq) ||
		    (!strcmp(n, BIDX_MANIFEST_FILE) && has_manifest(path)))
			return 1;
	}
	return 0;
}

static bidx_err walk_dir(walker *w, const char *path, const struct stat *st, const visited *up)
{
	for (const visited *v = up; v; v = v->up)
		if (v->dev == st->st_dev && v->ino == st->st_ino) {
			w->skip(path, "directory loop (a symlink to a directory above it); skipped",
			        w->sarg);
			return BIDX_OK;
		}
	visited me = {st->st_dev, st->st_ino, (visited *)(uintptr_t)up};
	DIR *d = opendir(path);
	if (!d) {
		char why[256];
		snprintf(why, sizeof why, "cannot open directory: %s; skipped", strerror(errno));
		w->skip(path, why, w->sarg);
		return BIDX_OK;
	}
	bidx_filelist names = {0};
	bidx_err rc = BIDX_OK;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;    /* hidden entries, . and .. */
		char *n = strdup(e->d_name);
		if (!n || push(&names, n)) {
			free(n);
			rc = BIDX_ENOMEM;
			break;
		}
	}
	closedir(d);
	if (!rc && is_index_dir(w, path, st, &names)) {
		bidx_filelist_free(&names);
		return BIDX_OK;   /* an index, not a corpus: silently left alone */
	}
	size_t mark = bidx_ignore_mark(w->ig);
	if (!rc && (rc = bidx_ignore_load(w->ig, path)) == BIDX_EIO) {
		char *f = bidx_path_join(path, BIDX_IGNORE_FILE);
		char why[256];
		snprintf(why, sizeof why, "cannot read: %s; its patterns are not applied",
		         strerror(errno));
		if (f)
			w->skip(f, why, w->sarg);
		rc = f ? BIDX_OK : BIDX_ENOMEM;
		free(f);
	}
	if (names.n)
		qsort(names.paths, names.n, sizeof *names.paths, cmp_str);
	for (size_t i = 0; i < names.n && !rc; i++) {
		char *child = bidx_path_join(path, names.paths[i]);
		if (!child) {
			rc = BIDX_ENOMEM;
			break;
		}
		rc = walk(w, child, &me, 0);
		free(child);
	}
	bidx_ignore_pop(w->ig, mark);
	bidx_filelist_free(&names);
	return rc;
}

/* A symbolic link met in the walk: 1 to follow it, 0 when reported. */
static int follow_link(walker *w, const char *path)
{
	char why[4400];
	char *real = realpath(path, NULL);
	if (!real) {
		snprintf(why, sizeof why, "%s; skipped", errno == ENOENT ?
		         "broken symbolic link (its target does not exist)" : strerror(errno));
		w->skip(path, why, w->sarg);
		return 0;
	}
	int in = inside_roots(w, real);
	if (!in) {
		snprintf(why, sizeof why, "symbolic link to %.4096s, outside the corpus; skipped "
		         "(--follow follows it)", real);
		w->skip(path, why, w->sarg);
	}
	free(real);
	return in;
}

static bidx_err walk(walker *w, const char *path, const visited *up, int top)
{
	struct stat st, to;
	char why[256];
	int r = lstat(path, &st);
	if (r == 0 && !top) {
		int isdir = S_ISLNK(st.st_mode) ? !stat(path, &to) && S_ISDIR(to.st_mode)
		                                : S_ISDIR(st.st_mode);
		if (bidx_ignore_match(w->ex, path, isdir, NULL, NULL) ||
		    bidx_ignore_match(w->ig, path, isdir, NULL, NULL))
			return BIDX_OK;   /* ignored: silently */
	}
	if (r == 0 && S_ISLNK(st.st_mode)) {
		/* the arguments themselves are followed, as they were asked for */
		if (!top && !w->follow && !follow_link(w, path))
			return BIDX_OK;
		r = stat(path, &st);
	}
	if (r) {
		snprintf(why, sizeof why, "%s; skipped", strerror(errno));
		w->skip(path, why, w->sarg);
		return top ? BIDX_EIO : BIDX_OK;
	}
	if (S_ISDIR(st.st_mode))
		return walk_dir(w, path, &st, up);
	if (!S_ISREG(st.st_mode)) {
		w->skip(path, "not a regular file; skipped", w->sarg);
		return BIDX_OK;
	}
	if (!bidx_corpus_is_text(path)) {
		w->skip(path, "only .txt, .md, .csv, .jsonl, .ndjson, .html, .htm, .xhtml, .pdf and .docx "
		        "files are indexed; skipped", w->sarg);
		return BIDX_OK;
	}
	if (!w->have_dev || w->dev != st.st_dev) {
		/* one file system per device: ask once per device met */
		w->have_dev = 1;
		w->dev = st.st_dev;
		w->dev_virtual = is_virtual(path);
	}
	if (w->dev_virtual) {
		w->skip(path, "a file of a virtual file system (/proc, /sys), not a notice; skipped",
		        w->sarg);
		return BIDX_OK;
	}
	int fresh = id_add(w, st.st_dev, st.st_ino);
	if (fresh <= 0)
		return fresh < 0 ? BIDX_ENOMEM : BIDX_OK;   /* 0: listed under another name */
	char *p = strdup(path);
	if (!p || push(w->fl, p)) {
		free(p);
		return BIDX_ENOMEM;
	}
	return BIDX_OK;
}

char *bidx_corpus_abspath(const char *arg)
{
	struct stat st;
	char *tidy = bidx_corpus_spelling(arg), *out = NULL;
	if (!tidy)
		return NULL;
	if (lstat(tidy, &st) == 0 && !S_ISLNK(st.st_mode) && (out = realpath(tidy, NULL))) {
		free(tidy);
		return out;
	}
	/* a symbolic link keeps its own name (its folder resolved); a path
	 * that does not exist is made absolute as it is spelt */
	char *slash = strrchr(tidy, '/'), *dir;
	if (slash) {
		char keep = slash[1 - (slash == tidy)];
		slash[1 - (slash == tidy)] = 0;   /* "/" itself, or the folder */
		dir = realpath(tidy, NULL);
		slash[1 - (slash == tidy)] = keep;
	} else
		dir = realpath(".", NULL);
	if (dir)
		out = bidx_path_join(dir, slash ? slash + 1 : tidy);
	else if (tidy[0] == '/')
		out = strdup(tidy);
	else if ((dir = getcwd(NULL, 0)))
		out = bidx_path_join(dir, tidy);
	free(dir);
	free(tidy);
	return out;
}

bidx_err bidx_corpus_walk(const char *const *args, int nargs, int follow, bidx_filelist *fl,
                          bidx_skip_fn skip, void *skip_arg)
{
	bidx_walk_opts o = {.follow = follow};
	return bidx_corpus_walk_with(args, nargs, &o, fl, skip, skip_arg);
}

bidx_err bidx_corpus_walk_with(const char *const *args, int nargs, const bidx_walk_opts *o,
                               bidx_filelist *fl, bidx_skip_fn skip, void *skip_arg)
{
	walker w = {.fl = fl, .follow = o->follow, .o = o, .skip = skip, .sarg = skip_arg};
	bidx_err rc = BIDX_OK, unread = BIDX_OK;
	w.have_index = o->index_dir && stat(o->index_dir, &w.index_st) == 0;
	w.roots = bidx_calloc((size_t)nargs + 1, sizeof *w.roots);
	w.ig = bidx_ignore_new();
	w.ex = bidx_ignore_new();
	if (!w.roots || !w.ig || !w.ex) {
		free(w.roots);
		bidx_ignore_free(w.ig);
		bidx_ignore_free(w.ex);
		return BIDX_ENOMEM;
	}
	for (int i = 0; i < nargs; i++)
		if ((w.roots[w.nroots] = realpath(args[i], NULL)))
			w.nroots++;
	for (int i = 0; i < nargs && !rc; i++) {
		char *p = bidx_corpus_abspath(args[i]);
		rc = p ? BIDX_OK : BIDX_ENOMEM;
		for (size_t k = 0; k < o->nexclude && !rc; k++)
			rc = bidx_ignore_add(w.ex, p, o->exclude[k], strlen(o->exclude[k]), "--exclude");
		if (!rc)
			rc = walk(&w, p, NULL, 1);
		bidx_ignore_pop(w.ex, 0);
		free(p);
		if (rc == BIDX_EIO)
			unread = rc, rc = BIDX_OK;   /* reported; the other arguments go on */
	}
	for (size_t i = 0; i < w.nroots; i++)
		free(w.roots[i]);
	free(w.roots);
	free(w.ids);
	bidx_ignore_free(w.ig);
	bidx_ignore_free(w.ex);
	return rc ? rc : unread;
}
