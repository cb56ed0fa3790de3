#!/usr/bin/env bash
# test_libbidx.sh BUILD_DIR SOURCE_DIR
#
# libbidx as a program that embeds search gets it: from a staged
# `make install` (DESTDIR), the shared library with its soname and
# symlinks, include/bidx.h and bidx.pc; the library exports the functions
# of bidx.h and nothing else; the installed bsearch does not need it; a
# small program (libbidx_client.c) compiles with
# `pkg-config --cflags --libs bidx`, and what it reads through the library
# (hits, fields, snippets with their marks, facets, the total) equals what
# `bsearch --json` and `bsearch -c` print for the same queries.
set -euo pipefail
build=$1
src=$(cd "$2" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bidx-libbidx-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "test_libbidx: $*" >&2; exit 1; }
passed=0

# 1. the installed files
DESTDIR=$tmp/stage cmake --install "$build" --prefix /usr/local >/dev/null
root=$tmp/stage/usr/local
libdir=$(dirname "$(find "$root" -name bidx.pc -path '*/pkgconfig/*' | head -1)")/..
[ -f "$libdir/pkgconfig/bidx.pc" ] || fail "make install did not write lib/pkgconfig/bidx.pc"
libdir=$(cd "$libdir" && pwd)
[ -f "$root/include/bidx.h" ] || fail "make install did not write include/bidx.h"
real=$(ls "$libdir"/libbidx.so.*.*.* 2>/dev/null | head -1)
[ -n "$real" ] || fail "make install did not write libbidx.so.MAJOR.MINOR.PATCH"
soname=$(readelf -d "$real" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[[ $soname == libbidx.so.[0-9]* ]] || fail "libbidx has no versioned soname: '$soname'"
[ "$(readlink -f "$libdir/$soname")" = "$(readlink -f "$real")" ] ||
	fail "no $soname symlink to $(basename "$real")"
[ "$(readlink -f "$libdir/libbidx.so")" = "$(readlink -f "$real")" ] ||
	fail "no libbidx.so (development) symlink"
passed=$((passed + 1))

# 2. it exports exactly the functions of bidx.h
declared=$(grep -o '^BIDX_API [^(]*(' "$root/include/bidx.h" | grep -o '[a-z_]*($' | tr -d '(' |
           sort)
exported=$(nm -D --defined-only "$real" | awk '$2 ~ /^[TWD]$/ {print $3}' | sed 's/@.*//' | sort)
[ -n "$declared" ] || fail "no BIDX_API function found in bidx.h"
[ "$declared" = "$exported" ] ||
	fail "libbidx exports other symbols than bidx.h declares: $(diff <(echo "$declared") \
	     <(echo "$exported") | grep '^[<>]' | tr '\n' ' ')"
passed=$((passed + 1))

# 3. the installed bsearch stands alone: it links the library's code
# statically, so it needs no libbidx.so and no RUNPATH (each costs every
# bsearch process a library search at start)
dyn=$(readelf -d "$root/bin/bsearch")
if grep -q "NEEDED.*\[$soname\]" <<<"$dyn"; then fail "bsearch loads $soname"; fi
if grep -Eq "\((RUNPATH|RPATH)\)" <<<"$dyn"; then fail "bsearch has a RUNPATH"; fi
env -u LD_LIBRARY_PATH "$root/bin/bsearch" --version >/dev/null ||
	fail "the installed bsearch does not start"
passed=$((passed + 1))

# 4. a program compiles against it with pkg-config only; the header stands
# alone, strict C99 and C11
export PKG_CONFIG_PATH=$libdir/pkgconfig
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
pkg-config --exists bidx || fail "pkg-config does not find bidx.pc"
[ "$(pkg-config --modversion bidx)" = "$("$root/bin/bsearch" --version | awk '{print $2}')" ] ||
	fail "bidx.pc's version is not bsearch's"
cc=${CC:-cc}
for std in c99 c11; do
	echo '#include <bidx.h>' | $cc -std=$std -Wall -Wextra -Wpedantic -Werror -fsyntax-only \
		$(pkg-config --cflags bidx) -x c - || fail "bidx.h does not compile alone with -std=$std"
done
# a library built with AddressSanitizer (the sanitizer tier of make test)
# needs its runtime in the program too, as any program linking it would
san=
if ldd "$libdir"/libbidx.so.* 2>/dev/null | grep libasan >/dev/null; then   # not -q: no SIGPIPE under pipefail
	san="-fsanitize=address,undefined"
fi
# shellcheck disable=SC2046,SC2086
$cc -std=c11 -Wall -Wextra -Werror $san -o "$tmp/client" "$src/tests/golden/libbidx_client.c" \
	$(pkg-config --cflags --libs bidx) || fail "the client does not build with pkg-config"
export LD_LIBRARY_PATH=$libdir
passed=$((passed + 1))

# 5. the library answers as bsearch --json does (the library gives the stored
# absolute path, bsearch --json the same as abspath).
unset BIDX_USERDIC BIDX_SYNONYMS BIDX_MECAB_DICDIR BIDX_INDEX
"$root/bin/bidx" build -q -i "$tmp/ix" "$src/corpus" || fail "the installed bidx cannot build"
norm_hits='select(has("rank")) | {rank, doc, score, path: (.abspath // .path), title, snippet,
           snippet_marks, matches,
           fields: [.fields[] | select(.name != "affected_count" and .name != "event")
                    | {name, value, source}],
           affected: (if (.affected | type) == "object" then .affected.value
                      else (.affected // 0) end)}'
compare() { # QUERY [OPTION...]: the client and bsearch agree
	local q=$1
	shift
	local lib bs libn bsn
	lib=$(cd / && "$tmp/client" "$tmp/ix" "$@" "$q") || fail "client failed on '$q' $*"
	bs=$(cd / && "$root/bin/bsearch" -i "$tmp/ix" --json "$@" -- "$q") || true
	[ "$(jq -c "$norm_hits" <<<"$lib")" = "$(jq -c "$norm_hits" <<<"$bs")" ] ||
		fail "hits differ for '$q' $*:
$(diff <(jq -c "$norm_hits" <<<"$lib") <(jq -c "$norm_hits" <<<"$bs") | head -6)"
	libn=$(jq -r 'select(has("total")) | .total' <<<"$lib")
	bsn=$(cd / && "$root/bin/bsearch" -i "$tmp/ix" -c "$@" -- "$q") || true
	[ "$libn" = "${bsn:-0}" ] || fail "total for '$q' $*: library $libn, bsearch -c ${bsn:-0}"
	if [[ " $* " == *" --facet "* ]]; then
		[ "$(jq -c 'select(has("facets")) | .facets' <<<"$lib")" = \
		  "$(jq -c 'select(has("facets")) | .facets' <<<"$bs")" ] ||
			fail "facets differ for '$q' $*"
	fi
	echo "$libn"
}
n=$(compare 個人情報)
[ "$n" -gt 0 ] || fail "個人情報 finds nothing in corpus/"
[ "$(cd / && "$tmp/client" "$tmp/ix" 個人情報 | jq -s 'map(select(has("rank"))) | length')" = 10 ] ||
	fail "the default page is not 10 hits"
compare 個人情報 -n 3 --offset 2 >/dev/null
compare 'カード OR 口座' -n 20 --sort date >/dev/null
compare 不正アクセス --sort -date >/dev/null
compare 不正アクセス --sort affected -n 5 >/dev/null
compare '(カード OR 口座) -試験' -n 5 >/dev/null
compare 'org:九州商船' >/dev/null
compare お知らせ -n 2 --facet org,year,category,leaked >/dev/null
compare 漏えい --exact -n 30 >/dev/null
compare ニュースレターなし語句 >/dev/null
passed=$((passed + 1))

# 6. synonyms: with nothing set, the library finds the installed table from
# its own place (the client lives elsewhere), as the installed bsearch does
lib=$(cd "$tmp" && ./client "$tmp/ix" -n 0 漏えい | jq -r 'select(has("total")) | .total')
exact=$(cd "$tmp" && ./client "$tmp/ix" -n 0 --exact 漏えい | jq -r 'select(has("total")) | .total')
inst=$("$root/bin/bsearch" -i "$tmp/ix" -c 漏えい)
[ "$lib" = "$inst" ] || fail "the library counts $lib for 漏えい, the installed bsearch $inst"
[ "$lib" -gt "$exact" ] || fail "the library finds no synonym of 漏えい ($lib, exact $exact)"
compare 漏えい -n 30 >/dev/null
passed=$((passed + 1))

# 7. errors come back as a status and a message, never as output or a crash
out=$("$tmp/client" "$tmp/nosuch" x 2>&1) && fail "a missing index is not an error"
[[ $out == *"$tmp/nosuch"*"no index found"* ]] || fail "a missing index says: $out"
out=$("$tmp/client" "$tmp/ix" 'カード OR' 2>&1) && fail "a bad query is not an error"
[[ $out == *"bad query at byte"*"[pos 10]"*"query syntax error"* ]] || fail "a bad query says: $out"
passed=$((passed + 1))

# 8. the Debian package carries the library, its header and bidx.pc, and
# its bsearch finds the library beside it (no LD_LIBRARY_PATH)
(cd "$build" && cpack -G DEB -B "$tmp/pkg" >/dev/null) || fail "cpack failed"
deb=$(ls "$tmp"/pkg/bidx_*.deb) || fail "no .deb written"
dpkg-deb -x "$deb" "$tmp/deb"
debpc=$(find "$tmp/deb/usr" -name bidx.pc) && [ -n "$debpc" ] || fail "the package has no bidx.pc"
[ -f "$tmp/deb/usr/include/bidx.h" ] || fail "the package has no usr/include/bidx.h"
ls "$(dirname "$debpc")/../$soname" >/dev/null || fail "the package has no $soname"
env -u LD_LIBRARY_PATH "$tmp/deb/usr/bin/bsearch" --version >/dev/null ||
	fail "the packaged bsearch does not start (does it find $soname?)"
# shellcheck disable=SC2046
echo '#include <bidx.h>' | $cc -fsyntax-only $(PKG_CONFIG_PATH=$(dirname "$debpc") pkg-config \
	--cflags bidx) -x c - || fail "the packaged bidx.pc does not point at its own include/"
passed=$((passed + 1))

echo "test_libbidx: $passed checks passed"
