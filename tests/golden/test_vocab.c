/*
 * test_vocab.c - the vocabularies of incident facts (common/vocab.h) seen
 * from both sides: every spelling that extraction files under an entry is
 * a filter value that finds the entry.  An index of the seed notices and
 * the municipal rows is built with the real bidx; then, for every spelling
 * of every entry of leaked, method and authority, `bsearch FIELD:"word"`
 * must find each document whose extracted facts (the --format tsv
 * columns) hold that entry: leaked:カード情報 finds the notices whose
 * leaked items hold クレジットカード番号, since カード情報 is how
 * extraction found them.  The bundled seeds hold enough card, identity and
 * authority facts for this to test spellings that are not display names.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vocab.h"

static char *ixdir;

/* One document of the index: its path and its leaked, method and
 * authority cells (names joined by ';'). */
typedef struct vdoc {
	char *path;
	char *cell[3];
} vdoc;

static vdoc *docs;
static size_t ndocs;

static const struct {
	const char *field;
	const char *const *names;
	const bidx_vocab_syn *syns;
} vocabs[] = {
	{"leaked", bidx_leaked_names, bidx_leaked_syns},
	{"method", bidx_method_names, bidx_method_syns},
	{"authority", bidx_authority_names, bidx_authority_syns},
};

/* bsearch --format tsv over the index: the lines after the header, each
 * cut into at most max cells; returns the lines (malloc'd, NULL-ended)
 * whose cells the caller reads from the buffer *keep. */
static char **tsv(const char *query, char **keep)
{
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s' --format tsv -n 1000000 '%s'",
	         BIDX_BINARY_DIR, ixdir, query);
	char *o = tu_run(cmd, &st);
	cr_assert(o, "%s did not run", cmd);
	cr_assert(st == 0 || st == 1, "%s: status %d", cmd, st);
	size_t n = 0, cap = 16;
	char **lines = malloc(cap * sizeof *lines);
	char *save = NULL;
	int header = 1;
	for (char *l = strtok_r(o, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (header) {
			header = 0;
			continue;
		}
		if (n + 2 > cap)
			lines = realloc(lines, (cap *= 2) * sizeof *lines);
		lines[n++] = l;
	}
	lines[n] = NULL;
	*keep = o;
	return lines;
}

/* Cuts a tsv line into cells in place; returns how many (at most max). */
static int cells(char *line, char **v, int max)
{
	int n = 0;
	for (char *p = line; n < max;) {
		v[n++] = p;
		char *tab = strchr(p, '\t');
		if (!tab)
			break;
		*tab = 0;
		p = tab + 1;
	}
	return n;
}

static int cell_has(const char *cell, const char *name)
{
	size_t l = strlen(name);
	for (const char *p = cell; *p;) {
		const char *semi = strchr(p, ';');
		size_t k = semi ? (size_t)(semi - p) : strlen(p);
		if (k == l && !memcmp(p, name, l))
			return 1;
		p += k + (semi != NULL);
	}
	return 0;
}

static void setup(void)
{
	char cmd[8192], *keep;
	int st;
	const char *seeds = tu_corpus("seeds"), *municipal = tu_corpus("municipal");
	cr_assert(seeds && municipal, "no corpus");
	ixdir = tu_tmpdir("vocab");
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i '%s' '%s' '%s' 2>&1", BIDX_BINARY_DIR, ixdir,
	         seeds, municipal);
	char *o = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "bidx build failed: %s", o);
	free(o);
	char **lines = tsv("kind:incident OR kind:notice OR kind:news OR kind:other", &keep);
	for (ndocs = 0; lines[ndocs]; ndocs++)
		;
	docs = calloc(ndocs, sizeof *docs);
	for (size_t i = 0; i < ndocs; i++) {
		char *v[16];
		int n = cells(lines[i], v, 16);
		cr_assert_geq(n, 9, "a tsv row of %d cells", n);
		docs[i].path = strdup(v[0]);
		for (int k = 0; k < 3; k++)
			docs[i].cell[k] = strdup(v[n - 3 + k]);
	}
	free(lines);
	free(keep);
	cr_assert_gt(ndocs, 0);
}

static void teardown(void)
{
	for (size_t i = 0; i < ndocs; i++) {
		free(docs[i].path);
		for (int k = 0; k < 3; k++)
			free(docs[i].cell[k]);
	}
	free(docs);
	tu_rmtree(ixdir);
	free(ixdir);
}

TestSuite(vocab, .init = setup, .fini = teardown, .timeout = 600);

/* Every entry can be found: it has a spelling extraction looks for. */
Test(vocab, every_entry_has_a_spelling)
{
	for (size_t k = 0; k < sizeof vocabs / sizeof *vocabs; k++)
		for (int e = 0; vocabs[k].names[e]; e++) {
			int have = 0;
			for (const bidx_vocab_syn *s = vocabs[k].syns; s->word && !have; s++)
				have = s->entry == e;
			cr_expect(have, "%s entry %d (%s) has no spelling", vocabs[k].field, e,
			          vocabs[k].names[e]);
		}
}

/* FIELD:"word" finds every document whose FIELD facts hold the entry the
 * word is a spelling of; returns how many such documents there were. */
static size_t check_spelling(size_t k, const bidx_vocab_syn *s)
{
	char q[512], *keep;
	const char *name = vocabs[k].names[s->entry];
	snprintf(q, sizeof q, "%s:\"%s\"", vocabs[k].field, s->word);
	char **got = tsv(q, &keep);
	size_t expected = 0;
	for (size_t d = 0; d < ndocs; d++) {
		if (!cell_has(docs[d].cell[k], name))
			continue;
		expected++;
		int found = 0;
		for (size_t g = 0; got[g] && !found; g++) {
			char *v[2];
			cells(got[g], v, 2);
			found = !strcmp(v[0], docs[d].path);
		}
		cr_expect(found, "%s misses %s, whose %s facts hold %s", q, docs[d].path,
		          vocabs[k].field, name);
	}
	free(got);
	free(keep);
	return expected;
}

Test(vocab, every_spelling_extraction_accepts_finds_its_entry)
{
	size_t tested = 0, not_names = 0;
	for (size_t k = 0; k < sizeof vocabs / sizeof *vocabs; k++)
		for (const bidx_vocab_syn *s = vocabs[k].syns; s->word; s++) {
			if (!check_spelling(k, s))
				continue;
			tested++;
			/* a spelling the display name does not hold: the filter can
			 * find it only through the spellings */
			not_names += !strstr(vocabs[k].names[s->entry], s->word);
		}
	fprintf(stderr, "vocab: %zu documents; %zu spellings with documents, %zu of them not "
	        "within their entry's name\n", ndocs, tested, not_names);
	cr_assert_geq(not_names, 3, "the corpus holds too few facts to test the spellings");
}

static long count(const char *query)
{
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s' -c '%s'", BIDX_BINARY_DIR, ixdir, query);
	char *o = tu_run(cmd, &st);
	cr_assert(o);
	long n = strtol(o, NULL, 10);
	free(o);
	return n;
}

/* The case: カード情報 is how notices say their card numbers
 * leaked, so leaked:カード情報 (and クレジットカード情報, which holds it)
 * finds what leaked:クレジットカード番号 finds. */
Test(vocab, card_information_finds_the_card_number)
{
	long card = count("leaked:クレジットカード番号");
	cr_assert_gt(card, 0);
	cr_expect_eq(count("leaked:カード情報"), card);
	cr_expect_eq(count("leaked:クレジットカード情報"), card);
}
