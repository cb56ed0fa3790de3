/*
 * tokenize.c - MeCab behind the word-boundary bitmap and the morpheme walk
 * of tokenize.h.  MeCab is loaded with explicit arguments only (dictionary
 * directory, user dictionary, no rc file), so that nothing of the user's
 * MeCab set-up changes the words of an index; its cuts are then corrected
 * by the rules of bidx_bounds_finish(), which hold whatever MeCab made of
 * a run of letters or digits.
 *
 * libmecab is loaded (dlopen) by the first tokenizer, not linked: bsearch
 * needs it only for --any, and linking it (with the C++ runtime) would cost
 * every search process its relocations and page faults.
 */
#include "tokenize.h"
#include "fault.h"
#include "io.h"
#include "text.h"

#include <dlfcn.h>
#include <mecab.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Debian's mecab-ipadic-utf8; the system default may be another dictionary
 * (groonga-tokenizer-mecab switches it to naist-jdic). */
#define IPADIC_UTF8_DIR "/var/lib/mecab/dic/ipadic-utf8"

/* The libmecab functions used here, looked up by mecab_load(); the calls
 * below keep their names. */
#define MECAB_FUNCTIONS(X) \
	X(model_new) X(model_new_tagger) X(model_new_lattice) X(model_destroy) X(destroy) \
	X(lattice_destroy) X(lattice_set_sentence2) X(lattice_get_bos_node) X(parse_lattice) \
	X(strerror)
static struct {
#define MECAB_FIELD(f) __typeof__(mecab_##f) *f;
	MECAB_FUNCTIONS(MECAB_FIELD)
#undef MECAB_FIELD
	int loaded;        /* 1: every function found */
	char why[200];     /* else what went wrong */
} mecab;
static pthread_once_t mecab_once = PTHREAD_ONCE_INIT;
#define mecab_model_new mecab.model_new
#define mecab_model_new_tagger mecab.model_new_tagger
#define mecab_model_new_lattice mecab.model_new_lattice
#define mecab_model_destroy mecab.model_destroy
#define mecab_destroy mecab.destroy
#define mecab_lattice_destroy mecab.lattice_destroy
#define mecab_lattice_set_sentence2 mecab.lattice_set_sentence2
#define mecab_lattice_get_bos_node mecab.lattice_get_bos_node
#define mecab_parse_lattice mecab.parse_lattice
#define mecab_strerror mecab.strerror

static void mecab_load(void)
{
	static const char *const names[] = {"libmecab.so.2", "libmecab.so"};
	void *h = NULL;
	for (size_t i = 0; i < sizeof names / sizeof *names && !h; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(mecab.why, sizeof mecab.why, "cannot load libmecab (%s): install the Debian "
		         "package libmecab2", dlerror());
		return;
	}
	void *f;
#define MECAB_LOOKUP(name) \
	if (!(f = dlsym(h, "mecab_" #name))) { \
		snprintf(mecab.why, sizeof mecab.why, "libmecab lacks mecab_%s", #name); \
		return; \
	} \
	memcpy(&mecab.name, &f, sizeof f);
	MECAB_FUNCTIONS(MECAB_LOOKUP)
#undef MECAB_LOOKUP
	mecab.loaded = 1;
}

struct bidx_tokenizer {
	mecab_model_t *model;
	mecab_t *tagger;
	mecab_lattice_t *lattice;
};

int bidx_userdic_find(char *path, size_t n)
{
	int from = bidx_dict_locate("BIDX_USERDIC", BIDX_USERDIC_NAME, path, n);
	if (from == 1 && path[0] && access(getenv("BIDX_USERDIC"), R_OK)) {
		snprintf(path, n, "BIDX_USERDIC=%s cannot be read", getenv("BIDX_USERDIC"));
		return -1;
	}
	if (from >= 0)
		return 0;
	snprintf(path, n, "no user dictionary %s in dict/ beside the program or above it, nor in "
	         "../share/bidx/ (build it with cmake, or set BIDX_USERDIC to its path, or to "
	         "none for ipadic alone)", BIDX_USERDIC_NAME);
	return -1;
}

bidx_err bidx_tokenizer_new(bidx_tokenizer **out, char *why, size_t whylen)
{
	char user[4096];
	*out = NULL;
	if (bidx_userdic_find(user, sizeof user)) {
		snprintf(why, whylen, "%s", user);
		return BIDX_EMECAB;
	}
	return bidx_tokenizer_open(out, user, why, whylen);
}

/* MeCab's --userdic value is a comma-separated list whose elements may be
 * quoted CSV-style, so one path goes in quotes with '"' doubled. */
static int quote_userdic(char *out, size_t n, const char *path)
{
	size_t o = 0;
	if (n < 3)
		return -1;
	out[o++] = '"';
	for (const char *p = path; *p; p++) {
		if (o + 4 > n)
			return -1;
		if (*p == '"')
			out[o++] = '"';
		out[o++] = *p;
	}
	out[o++] = '"';
	out[o] = 0;
	return 0;
}

/* MeCab gets its arguments as an argv array, each value attached to its
 * option with '=' (MeCab takes everything after the first '=' verbatim), so
 * paths with spaces, quotes, '-' or '=' stay paths and cannot add options.
 * With a known dictionary directory the resource file is /dev/null: a
 * ~/.mecabrc or $MECABRC (a user dictionary, other settings) must not change
 * the words of an index. */
bidx_err bidx_tokenizer_open(bidx_tokenizer **out, const char *userdic, char *why, size_t whylen)
{
	/* MeCab copies the user dictionary list into an 8 KiB buffer */
	char dicarg[4200], userarg[4300], quoted[4200];
	char *argv[5];
	int argc = 0;
	const char *dic = getenv("BIDX_MECAB_DICDIR");
	const char *from_env = dic;
	*out = NULL;
	if (!dic && access(IPADIC_UTF8_DIR "/sys.dic", R_OK) == 0)
		dic = IPADIC_UTF8_DIR;
	argv[argc++] = (char *)(uintptr_t)"bidx";
	if (dic) {
		if ((size_t)snprintf(dicarg, sizeof dicarg, "--dicdir=%s", dic) >= sizeof dicarg) {
			snprintf(why, whylen, "BIDX_MECAB_DICDIR is too long (%zu bytes)", strlen(dic));
			return BIDX_EMECAB;
		}
		argv[argc++] = (char *)(uintptr_t)"--rcfile=/dev/null";
		argv[argc++] = dicarg;
	}
	if (userdic && *userdic) {
		if (quote_userdic(quoted, sizeof quoted, userdic)) {
			snprintf(why, whylen, "user dictionary path too long (%zu bytes)", strlen(userdic));
			return BIDX_EMECAB;
		}
		snprintf(userarg, sizeof userarg, "--userdic=%s", quoted);
	} else {
		snprintf(userarg, sizeof userarg, "--userdic=");   /* none, whatever mecabrc says */
	}
	argv[argc++] = userarg;
	argv[argc] = NULL;
	pthread_once(&mecab_once, mecab_load);
	if (!mecab.loaded) {
		snprintf(why, whylen, "%s", mecab.why);
		return BIDX_EMECAB;
	}
	bidx_tokenizer *t = bidx_calloc(1, sizeof *t);
	if (!t)
		return BIDX_ENOMEM;
	t->model = mecab_model_new(argc, argv);
	if (t->model)
		t->tagger = mecab_model_new_tagger(t->model);
	if (t->tagger)
		t->lattice = mecab_model_new_lattice(t->model);
	if (!t->lattice) {
		const char *u = userdic && *userdic ? userdic : "";
		if (from_env)
			snprintf(why, whylen, "cannot load MeCab with BIDX_MECAB_DICDIR=%s%s%s: %s; "
			         "it must name a MeCab dictionary directory (ipadic-utf8)",
			         from_env, *u ? " and the user dictionary " : "", u, mecab_strerror(NULL));
		else
			snprintf(why, whylen, "cannot load MeCab with the ipadic dictionary (%s)%s%s: %s; "
			         "install the Debian packages mecab-ipadic-utf8 and libmecab2",
			         dic ? dic : "system default", *u ? " and the user dictionary " : "", u,
			         mecab_strerror(NULL));
		bidx_tokenizer_free(t);
		return BIDX_EMECAB;
	}
	*out = t;
	return BIDX_OK;
}

void bidx_tokenizer_free(bidx_tokenizer *t)
{
	if (!t)
		return;
	if (t->lattice)
		mecab_lattice_destroy(t->lattice);
	if (t->tagger)
		mecab_destroy(t->tagger);
	if (t->model)
		mecab_model_destroy(t->model);
	free(t);
}

static int is_alnum(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

uint32_t bidx_bounds_finish(const uint32_t *cp, uint32_t nchars, uint8_t *bits)
{
	bidx_bits_set(bits, 0);
	bidx_bits_set(bits, nchars);
	for (uint32_t i = 1; i < nchars; i++) {
		uint32_t a = cp[i - 1], b = cp[i];
		if ((a | b) >= 0x80)
			continue;   /* every rule below joins two ASCII characters */
		int sep_b = (b == ',' || b == '.') && i + 1 < nchars && is_digit(cp[i + 1]);
		int sep_a = (a == ',' || a == '.') && i >= 2 && is_digit(cp[i - 2]);
		if ((is_alnum(a) && is_alnum(b)) || (is_digit(a) && sep_b) || (sep_a && is_digit(b)))
			bidx_bits_clear(bits, i);
	}
	uint32_t words = 0;
	for (uint32_t i = 0; i < nchars; i++)
		if ((bits[i >> 3] >> (i & 7) & 1) && cp[i] != ' ')
			words++;
	return words;
}

/* End (exclusive byte offset) of the chunk starting at byte `from`. */
static size_t chunk_end(const bidx_norm *n, size_t from)
{
	if (n->len - from <= BIDX_MECAB_CHUNK)
		return n->len;
	size_t lim = from + BIDX_MECAB_CHUNK, cut = 0;
	const unsigned char *s = (const unsigned char *)n->text;
	for (size_t i = lim; i > from + BIDX_MECAB_CHUNK / 2; i--) {
		/* after 。(E3 80 82) ！(EF BC 81) ？(EF BC 9F) . ! ? or a space */
		if (s[i - 1] == ' ' || s[i - 1] == '.' || s[i - 1] == '!' || s[i - 1] == '?' ||
		    (i >= 3 && s[i - 3] == 0xE3 && s[i - 2] == 0x80 && s[i - 1] == 0x82)) {
			cut = i;
			break;
		}
	}
	if (!cut) {      /* no sentence end: cut at a character boundary */
		cut = lim;
		while (cut > from && (s[cut] & 0xC0) == 0x80)
			cut--;
	}
	return cut;
}

bidx_err bidx_tokenize(bidx_tokenizer *t, const bidx_norm *n, uint8_t *bits, uint32_t *ntokens)
{
	uint32_t ci = 0;       /* character index, advanced with the byte offsets */
	*ntokens = 0;
	for (size_t from = 0; from < n->len;) {
		size_t to = chunk_end(n, from);
		mecab_lattice_set_sentence2(t->lattice, n->text + from, to - from);
		if (!mecab_parse_lattice(t->tagger, t->lattice))
			return BIDX_EMECAB;
		for (const mecab_node_t *nd = mecab_lattice_get_bos_node(t->lattice); nd; nd = nd->next) {
			if (nd->stat == MECAB_BOS_NODE || nd->stat == MECAB_EOS_NODE)
				continue;
			size_t b0 = (size_t)(nd->surface - n->text), b1 = b0 + nd->length;
			while (ci < n->nchars && n->byte_off[ci] < b0)
				ci++;
			bidx_bits_set(bits, ci);
			uint32_t cj = ci;
			while (cj < n->nchars && n->byte_off[cj] < b1)
				cj++;
			bidx_bits_set(bits, cj);
			ci = cj;
		}
		while (ci < n->nchars && n->byte_off[ci] < to)
			ci++;
		bidx_bits_set(bits, ci);   /* a chunk end is a boundary */
		from = to;
	}
	*ntokens = bidx_bounds_finish(n->cp, n->nchars, bits);
	return BIDX_OK;
}

int bidx_tokenize_morphs(bidx_tokenizer *t, const char *text, size_t len, bidx_morph_fn fn,
                         void *ctx)
{
	bidx_norm n = {.text = (char *)(uintptr_t)text, .len = len};
	for (size_t from = 0; from < len;) {
		size_t to = chunk_end(&n, from);
		mecab_lattice_set_sentence2(t->lattice, text + from, to - from);
		if (!mecab_parse_lattice(t->tagger, t->lattice))
			return -1;
		for (const mecab_node_t *nd = mecab_lattice_get_bos_node(t->lattice); nd; nd = nd->next) {
			if (nd->stat == MECAB_BOS_NODE || nd->stat == MECAB_EOS_NODE)
				continue;
			int r = fn(ctx, nd->surface, nd->length, nd->feature ? nd->feature : "");
			if (r)
				return r;
		}
		from = to;
	}
	return 0;
}
