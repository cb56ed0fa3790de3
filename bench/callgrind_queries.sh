#!/usr/bin/env bash
# Instructions per query (callgrind), the timed pass of bsearch-bench: one
# warm-up pass over the query file, then one timed pass, a dump after every
# query; prints "instructions<TAB>query" for the timed pass, in file order.
# The figures of bench/README.md's evaluation sections; compare two builds
# with `paste` (sort -rn for the slowest first).
#   callgrind_queries.sh BSEARCH_BENCH INDEX QUERYFILE WORKDIR [bench options]
set -euo pipefail
bench=$1 index=$2 queries=$3 work=$4
shift 4
rm -rf "$work"
mkdir -p "$work"
valgrind --tool=callgrind --dump-after=run --callgrind-out-file="$work/cg" \
	"$bench" --index "$index" --reps 1 --warmup 1 "$@" "$queries" >/dev/null 2>"$work/valgrind.log"
n=$(grep -v '^#' "$queries" | grep -c .)
for f in $(ls "$work"/cg.* | sort -t. -k2 -n | sed -n "$((n + 1)),$((2 * n))p"); do
	grep -m1 '^summary:' "$f" | awk '{print $2}'
done | paste - <(grep -v '^#' "$queries" | grep .)
