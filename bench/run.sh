#!/usr/bin/env bash
# bench/run.sh - the benchmarks of issue #5 (`make bench`).  Method and latest
# figures: bench/README.md.
#
#   bash bench/run.sh [--quick | --smoke] [--reps N] [--runs N]
#
#   (default)  seeds+municipal, livedoor and the Aozora sample; every system
#   --quick    seeds+municipal and livedoor, fewer repetitions
#   --smoke    seconds long: the bundled corpus/seeds, 1 repetition, no peers
#   --only NAME  one corpus: seeds+municipal, livedoor or aozora
#   --peers LIST the peers to run, comma-separated (default
#                groonga-mecab,groonga-bigram,sqlite-fts5; "none" for bidx alone)
#
# Then (not with --smoke or --only) the ranking quality of bsearch --any on
# the localgovFAQ dev split (bench/faq/run.sh; skipped without the shared
# corpora) and the latency of questions on livedoor (bsearch-bench --any).
#
# Environment: BIDX_CORPUS (the shared corpora; default ../shared/corpus
# beside the project root), BUILD (the CMake build directory; default build),
# BENCH_RESULTS (default bench/results).
#
# For each corpus: bidx build (timed, peak RSS), raw mecab over the same text,
# the peers' builds (Groonga TokenMecab and TokenBigram, SQLite FTS5
# trigram), query latency of every system over the same query file (in
# process: bsearch-bench, bench-groonga, bench-sqlite; each run --runs times,
# the median of each figure kept), the brute-force hit counts, and the time
# of a whole bsearch process.  Prints one table per corpus and writes
# $BENCH_RESULTS/latest.json and latest.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
corpus=${BIDX_CORPUS:-$root/../shared/corpus}
build=${BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
results=${BENCH_RESULTS:-$root/bench/results}
mode=full reps=10 runs=3 reps_set= runs_set= only= peers=groonga-mecab,groonga-bigram,sqlite-fts5
while [ $# -gt 0 ]; do
	case $1 in
	--quick) mode=quick ;;
	--smoke) mode=smoke ;;
	--reps) reps=$2 reps_set=1; shift ;;
	--runs) runs=$2 runs_set=1; shift ;;
	--only) only=$2; shift ;;
	--peers) peers=$2; shift ;;
	-h|--help) sed -n '2,27p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
if [ "$mode" = quick ]; then
	[ -n "$reps_set" ] || reps=5
	[ -n "$runs_set" ] || runs=3
elif [ "$mode" = smoke ]; then
	[ -n "$reps_set" ] || reps=1
	[ -n "$runs_set" ] || runs=1
fi

log() { printf '%s\n' "$*" >&2; }
peer() { [[ ",$peers," == *",$1,"* ]]; }   # peer NAME: is NAME to be run?

# --- peers and tools, from Debian ---
install_missing() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing Debian packages: ${missing[*]}"
	local sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
if [ "$mode" = smoke ]; then
	install_missing time
else
	install_missing groonga-bin groonga-tokenizer-mecab libsqlite3-dev sqlite3 hyperfine time \
		zstd mecab mecab-ipadic-utf8
fi

# --- build (configure again, so bench-sqlite appears once libsqlite3-dev is in) ---
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
bidx=$build/bidx bsearch=$build/bsearch
bb=$build/bench/bsearch-bench brute=$build/bench/bench-bruteforce
bg=$build/bench/bench-groonga bs=$build/bench/bench-sqlite
ipadic=${BIDX_MECAB_DICDIR:-/var/lib/mecab/dic/ipadic-utf8}

work=$(mktemp -d "${TMPDIR:-/tmp}/bidx-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# --- corpora: name|query file|paths ---
corpora=()
if [ "$mode" = smoke ]; then
	corpora+=("seeds|seeds.txt|$root/corpus/seeds")
elif [ -d "$corpus/seeds" ]; then
	corpora+=("seeds+municipal|seeds.txt|$corpus/seeds $corpus/municipal")
	[ -d "$corpus/livedoor" ] && corpora+=("livedoor|livedoor.txt|$corpus/livedoor")
	if [ "$mode" = full ] && [ -f "$corpus/aozora-sample.tar.zst" ] && [ -z "$only" ] || [ "$only" = aozora ]; then
		log "unpacking the Aozora sample into $work"
		mkdir -p "$work/aozora-src"
		zstd -dc "$corpus/aozora-sample.tar.zst" | tar -x -C "$work/aozora-src"
		corpora+=("aozora|aozora.txt|$work/aozora-src/aozora")
	fi
else
	log "run.sh: no shared corpora at $corpus (set BIDX_CORPUS); using the bundled corpus/"
	corpora+=("seeds+municipal|seeds.txt|$root/corpus/seeds $root/corpus/municipal")
fi

# --- helpers ---
jget() { # jget KEY JSON: a number field of a flat JSON object
	printf '%s' "$2" | { grep -o "\"$1\":[-0-9.e+]*" || true; } | head -n 1 | cut -d: -f2
}
median() { # median of the numbers on stdin
	sort -g | awk '{v[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}
timev() { # timev OUT CMD...: /usr/bin/time -v into OUT; prints nothing
	/usr/bin/time -v -o "$1" "${@:2}"
}
tv_wall() { # wall seconds from a time -v file
	awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$1"
}
tv_cpu() { awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$1"; }
tv_rss() { awk -F': ' '/Maximum resident/ {print $2}' "$1"; }

# latency SYSTEM-NAME OUTPREFIX CMD...: runs CMD --json --hits --runs times;
# leaves OUTPREFIX.json (medians) and OUTPREFIX.hits; OUTPREFIX.txt (human).
latency() {
	local name=$1 out=$2 i
	shift 2
	: >"$out.runs"
	for ((i = 1; i <= runs; i++)); do
		"$@" --reps "$reps" --json --hits "$out.hits" >>"$out.runs" || {
			log "run.sh: $name: some queries failed (see above)"
		}
	done
	local f p50 p95 p99 mx qps q hits fq fp50 fp99 fields=
	p50=$(grep -o '"p50_us":[0-9.]*' "$out.runs" | cut -d: -f2 | median)
	p95=$(grep -o '"p95_us":[0-9.]*' "$out.runs" | cut -d: -f2 | median)
	p99=$(grep -o '"p99_us":[0-9.]*' "$out.runs" | cut -d: -f2 | median)
	mx=$(grep -o '"max_us":[0-9.]*' "$out.runs" | cut -d: -f2 | median)
	qps=$(grep -o '"qps":[0-9.]*' "$out.runs" | cut -d: -f2 | median)
	f=$(tail -n 1 "$out.runs")
	q=$(jget queries "$f")
	hits=$(jget hits "$f")
	fq=$(jget field_queries "$f")
	if [ -n "$fq" ]; then
		fp50=$(grep -o '"field_p50_us":[0-9.]*' "$out.runs" | cut -d: -f2 | median)
		fp99=$(grep -o '"field_p99_us":[0-9.]*' "$out.runs" | cut -d: -f2 | median)
		fields=",\"field_queries\":$fq,\"field_p50_us\":$fp50,\"field_p99_us\":$fp99,\"field_hits\":$(jget field_hits "$f")"
	fi
	printf '{"system":"%s","queries":%s,"reps":%s,"runs":%s,"p50_us":%s,"p95_us":%s,"p99_us":%s,"max_us":%s,"qps":%s,"hits":%s%s}\n' \
		"$name" "${q:-0}" "$reps" "$runs" "$p50" "$p95" "$p99" "$mx" "$qps" "${hits:-0}" "$fields" >"$out.json"
}

# cold INDEX QUERY [OPTION]: median wall time (ms) of a whole bsearch process
cold() {
	local idx=$1 q=$2 opt=${3:-} n=30
	if command -v hyperfine >/dev/null; then
		hyperfine -N --warmup 3 --runs "$n" --export-csv "$work/cold.csv" \
			"$bsearch -i $idx --color never $opt $q" >/dev/null 2>&1 &&
			awk -F, 'NR==2 {printf "%.2f\n", $4*1000}' "$work/cold.csv" && return
	fi
	local i t0 t1
	for ((i = 0; i < n; i++)); do
		t0=$(date +%s%N)
		"$bsearch" -i "$idx" --color never $opt "$q" >/dev/null || true
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	done | median | awk '{printf "%.2f\n", $1/1000}'
}

dsize() { du -s -B1 "$1" | cut -f1; }  # disk blocks: Groonga files are sparse

write_results() { # after every corpus, so a failure later keeps what was measured
	local out=$results/latest
	[ "$mode" = smoke ] && out=$work/smoke
	printf '{"date":"%s","mode":"%s","machine":"%s","load_before":"%s","reps":%s,"runs":%s,"corpora":[%s]}\n' \
	"$(date -u +%Y-%m-%dT%H:%MZ)" "$mode" "$machine" "$load_before" "$reps" "$runs" \
		"$(IFS=,; echo "${json_corpora[*]}")" >"$out.json"
	cp "$md" "$out.md"
	[ "$mode" = smoke ] || log "wrote $out.json and $out.md"
}

# --- the run ---
mkdir -p "$results"
machine_cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
machine_ram=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
machine="$(nproc) cores, $machine_cpu, $machine_ram RAM, $(. /etc/os-release && echo "$PRETTY_NAME")"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
groonga_ver=$(groonga --version 2>/dev/null | head -n 1 | cut -d' ' -f2 || true)
sqlite_ver=$(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || true)
log "machine: $machine; load average $load_before; mode $mode, $reps reps x $runs runs"

json_corpora=()
md="$work/report.md"
{
	echo "# bidx benchmark report"
	echo
	echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); commit ${BENCH_COMMIT:-$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')}"
	echo "- machine: $machine; load average before the run: $load_before"
	echo "- mode: $mode; latency: $reps timed repetitions of every query after 1 warm-up pass, each system run $runs times, medians of the runs"
	[ "$mode" = smoke ] || echo "- peers: Groonga $groonga_ver, SQLite $sqlite_ver"
} >"$md"

for c in "${corpora[@]}"; do
	IFS='|' read -r name qfile paths <<<"$c"
	[ -z "$only" ] || [ "$only" = "$name" ] || continue
	queries=$root/bench/queries/$qfile
	cw=$work/$name
	mkdir -p "$cw"
	log "== $name =="
	# shellcheck disable=SC2086
	find $paths \( -name '.*' -prune \) -o -type f \( -iname '*.txt' -o -iname '*.md' -o -iname '*.csv' \
		-o -iname '*.jsonl' -o -iname '*.ndjson' \) -print0 |
		sort -z | xargs -0 cat >"$cw/corpus.txt"

	# bidx build
	# shellcheck disable=SC2086
	timev "$cw/bidx.time" "$bidx" build --full --json -i "$cw/index" $paths >"$cw/bidx.build" 2>"$cw/bidx.log"
	bjson=$(tail -n 1 "$cw/bidx.build")
	docs=$(jget documents "$bjson")
	cbytes=$(jget bytes "$bjson")
	ibytes=$(jget index_bytes "$bjson")
	bwall=$(tv_wall "$cw/bidx.time")
	bcpu=$(tv_cpu "$cw/bidx.time")
	brss=$(tv_rss "$cw/bidx.time")
	cores=$(awk -v c="$bcpu" -v t="$bwall" 'BEGIN {printf "%.2f", (t>0 ? c/t : 0)}')
	mb=$(awk -v b="$cbytes" 'BEGIN {printf "%.2f", b/1e6}')
	bmbs=$(awk -v b="$cbytes" -v t="$bwall" 'BEGIN {printf "%.2f", (t>0 ? b/1e6/t : 0)}')
	bdps=$(awk -v d="$docs" -v t="$bwall" 'BEGIN {printf "%.0f", (t>0 ? d/t : 0)}')
	log "bidx build: $docs docs, $mb MB in ${bwall}s ($bmbs MB/s, $bdps docs/s), cpu ${bcpu}s ($cores cores), peak RSS ${brss} KB, index $ibytes bytes"

	# raw mecab over the same text
	mwall=0 mmbs=0
	if [ "$mode" != smoke ] && command -v mecab >/dev/null; then
		timev "$cw/mecab.time" mecab -b 4194304 -d "$ipadic" "$cw/corpus.txt" -o /dev/null
		mwall=$(tv_wall "$cw/mecab.time")
		mmbs=$(awk -v b="$(stat -c %s "$cw/corpus.txt")" -v t="$mwall" 'BEGIN {printf "%.2f", (t>0 ? b/1e6/t : 0)}')
		log "raw mecab: ${mwall}s, $mmbs MB/s on one core"
	fi

	# ground truth and bidx latency
	# shellcheck disable=SC2086
	"$brute" "$queries" $paths >"$cw/truth.hits" 2>"$cw/truth.log"
	tdocs=$(grep -o '[0-9]* documents' "$cw/truth.log" | cut -d' ' -f1)
	[ "$tdocs" = "$docs" ] || log "run.sh: $name: bidx indexed $docs documents, the brute-force scan read $tdocs (they should read the same notices: see bench/benchcorpus.c)"
	latency bidx "$cw/bidx" "$bb" --index "$cw/index" "$queries"
	latency bidx-count "$cw/bidx-count" "$bb" --index "$cw/index" --extra count "$queries"
	"$bb" --index "$cw/index" --reps "$reps" "$queries" >"$cw/bidx.txt" || true
	first=$(grep -v '^[[:space:]]*\(#\|$\)' "$queries" | head -n 1)   # a plain query
	coldms=$(cold "$cw/index" "$first")
	log "bidx: $(cat "$cw/bidx.json"); cold bsearch $coldms ms"

	# one-file update (after the latency runs, which use the index as built):
	# a notice added beside the corpus, then the same notice changed; the
	# second build is timed (walk, check every file, analyse one, publish)
	mkdir -p "$cw/extra"
	printf 'お知らせ\n第三者による不正アクセスについて\n' >"$cw/extra/update.txt"
	# shellcheck disable=SC2086
	"$bidx" build -q -i "$cw/index" $paths "$cw/extra" 2>>"$cw/bidx.log"
	printf '追記: クレジットカード情報\n' >>"$cw/extra/update.txt"
	# shellcheck disable=SC2086
	timev "$cw/update.time" "$bidx" build --json -i "$cw/index" $paths "$cw/extra" \
		>"$cw/update.build" 2>>"$cw/bidx.log"
	uwall=$(tv_wall "$cw/update.time")
	log "bidx one-file update: ${uwall}s ($(tail -n 1 "$cw/update.build"))"

	systems=(bidx)
	declare -A sbuild=([bidx]=$bwall) ssize=([bidx]=$ibytes)
	if [ "$mode" != smoke ]; then
		if peer groonga-mecab || peer groonga-bigram; then
			"$bg" --export $paths >"$cw/groonga.load" 2>/dev/null
		fi
		for tok in TokenMecab TokenBigram; do
			sys=groonga-${tok#Token}
			sys=${sys,,}
			peer "$sys" || continue
			if ! timev "$cw/$sys.time" bash "$root/bench/peers/groonga.sh" build "$cw/$sys/db" "$tok" \
				"$cw/groonga.load" >"$cw/$sys.norm"; then
				log "run.sh: $name: the $sys build failed; left out"
				echo "$sys: the build failed; left out." >>"$cw/notes.md"
				continue
			fi
			sbuild[$sys]=$(tv_wall "$cw/$sys.time")
			ssize[$sys]=$(dsize "$cw/$sys")
			latency "$sys" "$cw/$sys" bash "$root/bench/peers/groonga.sh" bench "$cw/$sys/db" "$sys" "$bg" "$queries"
			systems+=("$sys")
			log "$sys ($(cat "$cw/$sys.norm")): $(cat "$cw/$sys.json")"
		done
		# the first line of the first file (no pipe: with pipefail, cat's SIGPIPE
		# would end the script)
		norm=
		for f in "$cw"/groonga-*.norm; do
			[ -f "$f" ] && IFS= read -r norm <"$f" || true
			break
		done
		if [ -x "$bs" ] && peer sqlite-fts5; then
			# shellcheck disable=SC2086
			"$bs" --build "$cw/fts5.sqlite" $paths >"$cw/sqlite.build" || {
				log "run.sh: $name: the SQLite build failed"
				exit 2
			}
			# its own time: the inserts and optimize, not reading the corpus (MeCab)
			sbuild[sqlite-fts5]=$(jget seconds "$(cat "$cw/sqlite.build")")
			ssize[sqlite-fts5]=$(dsize "$cw/fts5.sqlite")
			latency sqlite-fts5 "$cw/sqlite-fts5" "$bs" --index "$cw/fts5.sqlite" "$queries"
			systems+=(sqlite-fts5)
			log "sqlite-fts5: $(cat "$cw/sqlite-fts5.json")"
		fi
	fi

	# the table
	bp50=$(jget p50_us "$(cat "$cw/bidx.json")")
	bp99=$(jget p99_us "$(cat "$cw/bidx.json")")
	{
		echo
		echo "## $name: $docs documents, $mb MB"
		echo
		echo "| system | build s | index MB | index/corpus | p50 µs | p99 µs | hits | p50 ×bidx | p99 ×bidx |"
		echo "|---|---|---|---|---|---|---|---|---|"
	} >>"$cw/table.md"
	sysjson=()
	for s in "${systems[@]}"; do
		j=$(cat "$cw/$s.json")
		p50=$(jget p50_us "$j") p99=$(jget p99_us "$j") hits=$(jget hits "$j")
		awk -v s="$s" -v b="${sbuild[$s]}" -v z="${ssize[$s]}" -v c="$cbytes" -v p50="$p50" \
			-v p99="$p99" -v h="$hits" -v bp50="$bp50" -v bp99="$bp99" 'BEGIN {
			printf "| %s | %.1f | %.1f | %.2f | %.0f | %.0f | %s | %.1f | %.1f |\n",
				s, b, z/1e6, (c>0 ? z/c : 0), p50, p99, h, (bp50>0 ? p50/bp50 : 0), (bp99>0 ? p99/bp99 : 0) }' >>"$cw/table.md"
		sysjson+=("${j%\}},\"build_s\":${sbuild[$s]},\"index_bytes\":${ssize[$s]}}")
	done
	{
		echo
		echo "bidx build: $bmbs MB/s, $bdps documents/s, $cores cores busy on average (CPU time ÷ wall time; $(nproc) available), peak RSS $((brss / 1024)) MB; raw mecab (one core) $mmbs MB/s: bidx at $(awk -v a="$bmbs" -v m="$mmbs" 'BEGIN {printf "%.0f", (m>0 ? 100*a/m : 0)}') % of one core's MeCab, $(awk -v a="$bmbs" -v m="$mmbs" -v n="$(nproc)" 'BEGIN {printf "%.0f", (m>0 ? 100*a/m/n : 0)}') % of $(nproc) cores' MeCab."
		echo "bidx parse and evaluate only (\`bsearch -c\`, no ranking, titles or snippets): p50 $(jget p50_us "$(cat "$cw/bidx-count.json")") µs, p99 $(jget p99_us "$(cat "$cw/bidx-count.json")") µs."
		echo "Cold start: a whole \`bsearch\` process for \`$first\`: median $coldms ms."
		echo "One-file update (\`bidx build\` again after one notice changed): ${uwall} s."
		fq=$(jget field_queries "$(cat "$cw/bidx.json")")
		[ -z "$fq" ] || echo "bidx field queries ($fq, not in the table above, which covers the plain queries every system answers; the peers skip them): p50 $(jget field_p50_us "$(cat "$cw/bidx.json")") µs, p99 $(jget field_p99_us "$(cat "$cw/bidx.json")") µs, $(jget field_hits "$(cat "$cw/bidx.json")") hits."
		[ "$mode" = smoke ] || echo "Groonga normaliser: ${norm:-?}."
		if [ -f "$cw/notes.md" ]; then cat "$cw/notes.md"; fi
	} >>"$cw/table.md"

	# hit counts that differ from the ground truth
	hitfiles=("$cw/truth.hits")
	for s in "${systems[@]}"; do hitfiles+=("$cw/$s.hits"); done
	{
		echo
		echo "Hit counts that differ from the brute-force scan of the NFKC-folded text (field queries, n/a there, are not compared):"
		echo
		printf '| query | truth |'
		for s in "${systems[@]}"; do printf ' %s |' "$s"; done
		echo
		printf '|---|---|'
		for s in "${systems[@]}"; do printf -- '---|'; done
		echo
	} >"$cw/diff.md"
	ndiff=$(paste "${hitfiles[@]}" | awk -F'\t' '$1 == "n/a" { next } {
		diff = 0; row = "| " $2 " | " $1 " |";
		for (i = 3; i <= NF; i += 2) { mark = ($i != $1) ? " **" $i "** |" : " " $i " |"; if ($i != $1) diff = 1; row = row mark }
		if (diff) { print row > "/dev/stderr"; n++ } } END { print n+0 }' 2>>"$cw/diff.md")
	[ "$ndiff" -gt 0 ] || echo "(none)" >>"$cw/diff.md"
	cat "$cw/table.md" "$cw/diff.md" >>"$md"
	cat "$cw/table.md" "$cw/diff.md" >&2

	json_corpora+=("{\"corpus\":\"$name\",\"documents\":$docs,\"corpus_bytes\":$cbytes,\"build\":{\"seconds\":$bwall,\"cpu_seconds\":$bcpu,\"cores_used\":$cores,\"cores\":$(nproc),\"peak_rss_kb\":$brss,\"mb_per_s\":$bmbs,\"docs_per_s\":$bdps,\"mecab_mb_per_s\":$mmbs},\"cold_bsearch_ms\":$coldms,\"bidx_count_only\":$(cat "$cw/bidx-count.json"),\"hit_differences\":$ndiff,\"systems\":[$(IFS=,; echo "${sysjson[*]}")]}")
	unset sbuild ssize
	write_results
	rm -rf "$cw/index" "$cw"/groonga-* "$cw/fts5.sqlite" "$cw/corpus.txt" "$cw/groonga.load"
done


# --- questions: FAQ ranking and latency of bsearch --any ---
if [ "$mode" != smoke ] && [ -z "$only" ]; then
	faqj=$(BUILD=$build BIDX_CORPUS=$corpus bash "$root/bench/faq/run.sh" --json || true)
	if [ -n "$faqj" ]; then
		log "faq: $faqj"
		{
			echo
			echo "## FAQ ranking: bsearch --any on the localgovFAQ dev split"
			echo
			echo "| queries | nDCG@10 | MRR@10 | Recall@10 | Recall@100 | question p50 µs | p99 µs |"
			echo "|---|---|---|---|---|---|---|"
			printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$(jget queries "$faqj")" "$(jget ndcg10 "$faqj")" \
				"$(jget mrr10 "$faqj")" "$(jget recall10 "$faqj")" "$(jget recall100 "$faqj")" \
				"$(jget p50_us "$faqj")" "$(jget p99_us "$faqj")"
		} >>"$md"
	fi
	if [ -d "$corpus/livedoor" ]; then
		"$bidx" build -q --full -i "$work/ld-any" "$corpus/livedoor" 2>>"$work/ld-any.log"
		latency bidx-any "$work/ld-any" "$bb" --index "$work/ld-any" --any "$root/bench/queries/livedoor-questions.txt"
		aj=$(cat "$work/ld-any.json")
		coldq=$(grep -v '^[[:space:]]*\(#\|$\)' "$root/bench/queries/livedoor-questions.txt" | head -n 1)
		acold=$(cold "$work/ld-any" "$coldq" --any)
		log "bidx --any on livedoor: $aj; cold bsearch --any $acold ms"
		{
			echo
			echo "Questions on livedoor (\`bsearch-bench --any\`, bench/queries/livedoor-questions.txt, about 20 content words each): p50 $(jget p50_us "$aj") µs, p99 $(jget p99_us "$aj") µs; a whole \`bsearch --any\` process (MeCab load included): median $acold ms."
		} >>"$md"
		rm -rf "$work/ld-any"
	fi
	write_results
fi
