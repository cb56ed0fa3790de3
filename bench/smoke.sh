#!/usr/bin/env bash
# The bench smoke test (ctest bench_smoke): index a tiny corpus, run
# bsearch-bench once over its query file in both output modes, and check
# every hit count against the brute-force scan (field queries, which the scan
# cannot evaluate, are n/a there and only checked to have run).  Takes a few
# seconds.
#   smoke.sh BIDX BSEARCH_BENCH BRUTEFORCE CORPUS QUERYFILE WORKDIR
set -euo pipefail
bidx=$1 bench=$2 brute=$3 corpus=$4 queries=$5 work=$6
rm -rf "$work"
mkdir -p "$work"
"$bidx" build -q -i "$work/index" "$corpus"
"$bench" --index "$work/index" --reps 1 --warmup 0 --hits "$work/bidx.hits" "$queries" >"$work/human.txt"
"$bench" --index "$work/index" --reps 1 --warmup 0 --json --extra json "$queries" >"$work/summary.json"
grep -q '"p99_us":' "$work/summary.json"
"$brute" "$queries" "$corpus" >"$work/truth.hits" 2>/dev/null
n=$(wc -l <"$work/truth.hits")
if [ "$n" -lt 50 ]; then
	echo "bench_smoke: $queries has $n queries; want at least 50" >&2
	exit 1
fi
if ! paste "$work/truth.hits" "$work/bidx.hits" | awk -F'\t' '
	$1 == "n/a" && $3 ~ /^[0-9]+$/ { next }
	$1 != $3 { printf "%s: truth %s, bidx %s\n", $2, $1, $3; bad = 1 }
	END { exit bad }' >"$work/diff.txt"; then
	echo "bench_smoke: hit counts differ from the brute-force scan:" >&2
	cat "$work/diff.txt" >&2
	exit 1
fi
tail -n 1 "$work/human.txt"
