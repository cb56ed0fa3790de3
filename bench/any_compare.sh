#!/usr/bin/env bash
# bench/any_compare.sh - what `bsearch --any` gives for a set of questions,
# as one file to compare between two builds: for each question its
# `--any --json -n 20` output (took_us left out), its `--any -c` count and
# its `--any -l` list.  The questions are the lines of QUESTIONS (not empty,
# not led by '#'), or the second column of a TSV (id TAB text) with --tsv N
# (its first N lines).
#
#   bash bench/any_compare.sh [--tsv N] INDEX QUESTIONS > OUT
#   cmp OUT-before OUT-after
#
# Environment: BSEARCH (the bsearch to run; default build/bsearch).
set -euo pipefail
bsearch=${BSEARCH:-build/bsearch}
tsv=0
if [ "${1:-}" = --tsv ]; then
	tsv=$2
	shift 2
fi
index=$1 questions=$2
if [ "$tsv" -gt 0 ]; then
	lines=$(head -n "$tsv" "$questions" | cut -f2)
else
	lines=$(grep -v '^#' "$questions" | grep -v '^$')
fi
while IFS= read -r q; do
	printf '== %s\n' "$q"
	"$bsearch" -i "$index" --any --json -n 20 --color never -- "$q" |
		sed 's/"took_us":[0-9]*,\{0,1\}//g' || true
	"$bsearch" -i "$index" --any -c --color never -- "$q" || true
	"$bsearch" -i "$index" --any -l --color never -- "$q" | md5sum || true
done <<< "$lines"
