#!/bin/bash
# Load test of bsearch --serve on loopback: indexes a corpus (livedoor by
# default), starts the service on a free port and runs serve-load at each
# concurrency level for a fixed number of requests.
#   bash bench/serve.sh [CORPUS_DIR] [REQUESTS] [LEVELS]
set -euo pipefail
BUILD=${BUILD:-build}
CORPUS=${1:-${BIDX_CORPUS:-../shared/corpus}/livedoor}
REQUESTS=${2:-4000}
LEVELS=${3:-1,4,16,64}
QUERIES=$(dirname "$0")/queries/livedoor.txt
work=$(mktemp -d /tmp/bidx-serve-bench-XXXXXX)
trap 'kill $srv 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
"$BUILD/bidx" build -q -i "$work/index" "$CORPUS"
"$BUILD/bsearch" -i "$work/index" --serve 127.0.0.1:0 2>"$work/log" &
srv=$!
for _ in $(seq 100); do
  port=$(sed -n 's/.*on http:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$work/log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/log"; exit 1; }
echo "bsearch --serve on $CORPUS: $(grep -o '([0-9]* documents)' "$work/log"), $(nproc) cores; $REQUESTS requests per level, a new connection each"
"$BUILD/bench/serve-load" "$port" "$QUERIES" "$REQUESTS" "$LEVELS"
