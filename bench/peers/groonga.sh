#!/usr/bin/env bash
# The Groonga peer of bench/run.sh.
#
#   groonga.sh build DB TOKENIZER LOADFILE   create DB: Docs(_key path, title,
#       body) loaded from LOADFILE (bench-groonga --export), then a lexicon with
#       TOKENIZER (TokenMecab or TokenBigram) and the normaliser below, and a
#       positional index on body, built after the load (Groonga's fast path).
#       Prints the normaliser used.
#   groonga.sh bench DB NAME BENCH_GROONGA ARGS...   run the latency bench
#       (bench-groonga) against DB with MeCab set up as below.
#
# MeCab: groonga-tokenizer-mecab makes naist-jdic the system default; bidx
# uses IPAdic (UTF-8), so TokenMecab is pointed at it through MECABRC.
# TokenMecab runs with chunked_tokenize (text cut into chunks at sentence
# ends, as bidx feeds MeCab): without it MeCab refuses long Aozora texts
# ("too long sentence") and the index is not built.
# Normaliser: NormalizerNFKC150 when this Groonga has it, else NormalizerNFKC121,
# else NormalizerAuto.
set -euo pipefail

IPADIC=${BIDX_MECAB_DICDIR:-/var/lib/mecab/dic/ipadic-utf8}

mecabrc() {
	local rc
	rc=$(mktemp)
	echo "dicdir = $IPADIC" >"$rc"
	echo "$rc"
}

normalizer() {
	local db=$1 n
	for n in NormalizerNFKC150 NormalizerNFKC121 NormalizerAuto; do
		if echo "normalize $n a" | groonga "$db" 2>/dev/null | grep -q '^\[\[0,'; then
			echo "$n"
			return
		fi
	done
	echo NormalizerAuto
}

cmd_build() {
	local db=$1 tok=$2 load=$3 norm rc
	[ "$tok" = TokenMecab ] && tok="'TokenMecab(\"chunked_tokenize\", true)'"
	rm -rf "$(dirname "$db")"
	mkdir -p "$(dirname "$db")"
	rc=$(mecabrc)
	groonga -n "$db" </dev/null >/dev/null
	norm=$(normalizer "$db")
	{
		echo "plugin_register tokenizers/mecab"
		echo "table_create Docs TABLE_HASH_KEY ShortText"
		echo "column_create Docs title COLUMN_SCALAR ShortText"
		echo "column_create Docs body COLUMN_SCALAR LongText"
		cat "$load"
		echo "table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer $tok --normalizer $norm"
		echo "column_create Terms idx COLUMN_INDEX|WITH_POSITION Docs body"
	} | MECABRC=$rc groonga "$db" >"$db.log"
	rm -f "$rc"
	if grep -v '^\[\[0,' "$db.log" | grep -q .; then
		echo "groonga.sh: $db: a command failed:" >&2
		grep -v '^\[\[0,' "$db.log" | cut -c1-300 >&2
		exit 2
	fi
	echo "$norm"
}

cmd_bench() {
	local db=$1 name=$2 bin=$3 rc status=0
	shift 3
	rc=$(mecabrc)
	MECABRC=$rc "$bin" --index "$db" --extra "$name" "$@" || status=$?
	rm -f "$rc"
	return $status
}

case ${1:-} in
build) shift; cmd_build "$@" ;;
bench) shift; cmd_bench "$@" ;;
*) echo "usage: groonga.sh build DB TOKENIZER LOADFILE | bench DB NAME BENCH_GROONGA ARGS..." >&2; exit 2 ;;
esac
