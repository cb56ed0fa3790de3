#!/usr/bin/env bash
# bench/faq/run.sh - ranking quality of `bsearch --any` on the localgovFAQ
# collection (the Amagasaki city FAQ and real user questions with graded
# judgments): builds an index of faq.jsonl with bidx (title = question, body
# = answer) and runs every dev query through bench-faq (bsearch --any in
# process): nDCG@10, MRR@10, Recall@10, Recall@100.  Skips, exiting 0 with a
# notice, when the shared corpora are absent.
#
#   bash bench/faq/run.sh [--json] [--run FILE]
#
# Environment: BIDX_CORPUS (default ../shared/corpus beside the project
# root), BUILD (the CMake build directory; default build).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
corpus=${BIDX_CORPUS:-$root/../shared/corpus}
build=${BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
faq=$corpus/localgovfaq
if [ ! -f "$faq/faq.jsonl" ] || [ ! -f "$faq/queries-dev.tsv" ] || [ ! -f "$faq/qrels-dev.tsv" ]; then
	echo "faq: no localgovfaq collection at $faq; skipped" >&2
	exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/bidx-faq.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$build/bidx" build -q --full -i "$work/index" "$faq/faq.jsonl"
"$build/bench/bench-faq" --index "$work/index" --faq "$faq/faq.jsonl" \
	--queries "$faq/queries-dev.tsv" --qrels "$faq/qrels-dev.tsv" "$@"
