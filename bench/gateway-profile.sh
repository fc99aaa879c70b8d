#!/usr/bin/env bash
# Where the gateway's time goes under load: the benchmark's setup (Node backend and the gateway on
# CPU1, wrk -c50 on CPU0), a V8 CPU profile of the serving phase only (GW_PROFILE in
# gateway-server.mjs), then the top self-time functions (bench/harness/prof-top.mjs). The backend is
# bench/harness/backend.mjs, as in bench/gateway.sh.
#
#   bench/gateway-profile.sh [seconds] [out.cpuprofile]
#
# The V8 profiler samples wall time: with the backend on the same CPU, time the gateway spends
# preempted inside a write() shows up as write time. `perf record -g -p <pid>` (with node
# --perf-basic-prof) gives the kernel/user split. Servers are stopped by PID. Needs wrk and taskset;
# run `npm run build` first. The profile goes to a fresh directory under ${TMPDIR:-/tmp} unless named.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HARNESS=$ROOT/bench/harness
. "$ROOT/bench/lib/peers.sh"; need_peers wrk taskset
D=${1:-5}
OUT=${2:-$(mktemp -d "${TMPDIR:-/tmp}/wayfinder-prof.XXXXXX")/gateway.cpuprofile}
[ -f "$ROOT/dist/src/server/app.js" ] || { echo "run npm run build first" >&2; exit 1; }
B=${PORT_BASE:-8080}; P_BE=$((B + 2)) P_GW=$((B + 18))   # as bench/harness/http.sh
RUN=$(mktemp -d "${TMPDIR:-/tmp}/wayfinder-prof-run.XXXXXX")
taskset -c 1 node "$HARNESS/backend.mjs" $P_BE > "$RUN/backend.log" 2>&1 & BE=$!
GW_PROFILE="$OUT" GW_API_FILE="$RUN/api" PORT=$P_GW UPSTREAM_PORT=$P_BE taskset -c 1 node "$ROOT/bench/gateway-server.mjs" > "$RUN/gw.log" 2>&1 & GW=$!
trap 'kill $GW $BE 2>/dev/null || true; rm -rf "$RUN"' EXIT
for _ in $(seq 200); do [ -s "$RUN/api" ] && break; sleep 0.1; done
URL="http://127.0.0.1:$P_GW/_aws/execute-api/$(cat "$RUN/api")/%24default/"
taskset -c 0 wrk -t1 -c50 -d2s "$URL" > /dev/null
taskset -c 0 wrk -t1 -c50 -d"${D}s" "$URL" | grep -E 'Requests/sec'
kill $GW; wait $GW 2>/dev/null || true
kill $BE; wait $BE 2>/dev/null || true
node "$HARNESS/prof-top.mjs" "$OUT"
echo "profile: $OUT"
