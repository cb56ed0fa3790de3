#!/usr/bin/env bash
# test_install.sh BUILD_DIR SOURCE_DIR
#
# `make install` as a user gets it: the tree `cmake --install` writes under a
# staging DESTDIR must work on its own, away from the build tree (bidx finds
# the compiled user dictionary, bsearch the synonym table, both in
# share/bidx), `man 1 bsearch` must open our page, the bash completion must
# complete what --help lists, and the Debian package (CPack) must carry the
# same tree with its library dependencies.
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bidx-install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "test_install: $*" >&2; exit 1; }
passed=0

# 1. a staged install, with the environment that could point elsewhere unset
DESTDIR=$tmp/stage cmake --install "$build" --prefix /usr/local >/dev/null
root=$tmp/stage/usr/local
for f in bin/bidx bin/bsearch share/bidx/bidx.dic share/bidx/synonyms.txt \
         share/man/man1/bidx.1 share/man/man1/bsearch.1 \
         share/bash-completion/completions/bidx share/bash-completion/completions/bsearch; do
	[ -e "$root/$f" ] || fail "make install did not write $f"
done
passed=$((passed + 1))

# 2. the installed programs index and search with the installed dictionaries
unset BIDX_USERDIC BIDX_SYNONYMS BIDX_MECAB_DICDIR BIDX_INDEX
"$root/bin/bidx" build -q -i "$tmp/ix" "$src/corpus/seeds" ||
	fail "the installed bidx cannot build (user dictionary not found in share/bidx?)"
inst=$("$root/bin/bsearch" -i "$tmp/ix" -c 漏えい)
tree=$("$build/bsearch" -i "$tmp/ix" -c 漏えい)
exact=$("$root/bin/bsearch" -i "$tmp/ix" -c --exact 漏えい)
[ "$inst" = "$tree" ] || fail "installed bsearch counts $inst for 漏えい, the build tree's $tree"
[ "$inst" -gt "$exact" ] ||
	fail "installed bsearch finds no synonym of 漏えい ($inst, exact $exact): synonyms.txt not found"
passed=$((passed + 1))

# 3. man 1 bsearch and man 1 bidx are ours
for cmd in bsearch bidx; do
	MANWIDTH=80 man -M "$root/share/man" -P cat 1 "$cmd" 2>/dev/null | grep -q "^NAME" ||
		fail "man 1 $cmd does not open the installed page"
	MANWIDTH=80 man -M "$root/share/man" -P cat 1 "$cmd" 2>/dev/null | grep -q "$cmd - " ||
		fail "man 1 $cmd is not bidx's page"
done
passed=$((passed + 1))

# 4. completion: every long option of --help completes, and so do values
comp=$root/share/bash-completion/completions/bsearch
complete_words() { # completes the words "$@"; prints COMPREPLY
	bash -c 'source "$1"; shift; fn=$1; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
	         $fn 2>/dev/null; printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@"
}
for opt in $("$build/bsearch" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	complete_words _bsearch bsearch "$opt" | grep -qx -- "$opt" ||
		fail "bsearch $opt (in --help) does not complete"
done
for opt in $("$build/bidx" --help | sed -n '/bidx build/,/bidx optimize/p' |
             grep -o -- '--[a-z][a-z-]*' | sort -u); do
	complete_words _bidx bidx build "$opt" | grep -qx -- "$opt" ||
		fail "bidx build $opt (in --help) does not complete"
done
[ "$(complete_words _bsearch bsearch --facet or,ca)" = "or,category" ] ||
	fail "--facet or,ca does not complete to or,category"
complete_words _bsearch bsearch --sort -d | grep -qx -- -date || fail "--sort -d does not complete"
complete_words _bsearch bsearch tit | grep -qx title: || fail "the field name title: does not complete"
[ "$(complete_words _bidx bidx op)" = optimize ] || fail "bidx op does not complete to optimize"
passed=$((passed + 1))

# 5. the Debian package: the same tree under /usr, with its dependencies,
# and the programs work from it
(cd "$build" && cpack -G DEB -B "$tmp/pkg" >/dev/null) || fail "cpack failed"
deb=$(ls "$tmp"/pkg/bidx_*.deb) || fail "no .deb written"
deps=$(dpkg-deb -f "$deb" Depends)
for d in libmecab2 libzstd1 libxxhash0 libutf8proc2 mecab-ipadic-utf8; do
	[[ $deps == *"$d"* ]] || fail "the package does not depend on $d: $deps"
done
dpkg-deb -x "$deb" "$tmp/deb"
for f in usr/bin/bidx usr/bin/bsearch usr/share/bidx/bidx.dic usr/share/bidx/synonyms.txt \
         usr/share/man/man1/bsearch.1; do
	[ -e "$tmp/deb/$f" ] || fail "the package lacks $f"
done
[ "$("$tmp/deb/usr/bin/bsearch" -i "$tmp/ix" -c 漏えい)" = "$inst" ] ||
	fail "the packaged bsearch answers differently"
passed=$((passed + 1))

echo "$passed passed, 0 failed"
