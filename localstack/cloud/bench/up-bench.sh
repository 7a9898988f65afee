#!/bin/sh
# Startup benchmark of the local cloud: time from `./skyloom up` to GET /api/v1/health = 200, and the RSS of the
# local cloud's JVM after it has been idle. Prints one line per run and a summary.
#   localstack/cloud/bench/up-bench.sh [runs] [idle-seconds]
set -eu
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/../../.." && pwd)
RUNS=${1:-3}
IDLE=${2:-15}
EDGE=${BENCH_EDGE_PORT:-45660}
API=${BENCH_API_PORT:-48080}

"$ROOT/skyloom" build >/dev/null

now_ms() { date +%s%3N; }
i=1
total=0
max_rss=0
while [ "$i" -le "$RUNS" ]; do
    data=$(mktemp -d)
    start=$(now_ms)
    "$ROOT/skyloom" up --data-dir "$data" --edge-port "$EDGE" --api-port "$API" >"$data.log" 2>&1 &
    launcher=$!
    until curl -sf "http://localhost:$API/api/v1/health" >/dev/null 2>&1; do
        if ! kill -0 "$launcher" 2>/dev/null; then cat "$data.log"; echo "skyloom up died" >&2; exit 1; fi
        sleep 0.1
    done
    ready=$(( $(now_ms) - start ))
    sleep "$IDLE"
    rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$launcher/status")
    kill -TERM "$launcher"
    wait "$launcher" || true
    rm -rf "$data" "$data.log"
    printf 'run %d: health 200 after %d ms; idle RSS %d MB (after %d s idle)\n' "$i" "$ready" $((rss_kb / 1024)) "$IDLE"
    total=$((total + ready))
    [ "$rss_kb" -gt "$max_rss" ] && max_rss=$rss_kb
    i=$((i + 1))
done
printf 'mean time to healthy: %d ms over %d runs; max idle RSS: %d MB; cores: %s\n' $((total / RUNS)) "$RUNS" \
    $((max_rss / 1024)) "$(nproc)"
