#!/usr/bin/env bash
# Two builds of Wayfinder compared on ECS CreateService CPU per call, loaded at the same time (paired A/B, for
# a change worth a few %: two runs one after the other move ±10 % here). Both servers run alone on CPU1, the
# driver on CPU0; each gets the state of bench/lib/control-plane-setup.mjs and WARM calls first (its JIT warm),
# then bench/lib/ab-create-service.mjs runs ROUNDS rounds of COUNT calls on both at once.
# Usage: A=/path/to/build B=/path/to/other/build bench/ab-create-service.sh   (ROUNDS=12 COUNT=500 WARM=2000)
#        AENV="X=1" BENV="X=2" …   (an environment for each side, e.g. a variable an experiment reads)
# A and B default to this checkout: A against itself shows the noise floor (median ratio 1.00 ± 0.01 here).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/peers.sh; need_peers taskset curl
HERE=$(pwd); A=${A:-$HERE}; B=${B:-$HERE}; ROUNDS=${ROUNDS:-12}; COUNT=${COUNT:-500}; WARM=${WARM:-2000}
PORT_A=${PORT_A:-4781}; PORT_B=${PORT_B:-4782}
for d in "$HERE" "$A" "$B"; do [ -f "$d/dist/src/cli/main.js" ] || { echo "$d is not a built checkout" >&2; exit 1; }; done
DATA=$(mktemp -d); export NODE_NO_WARNINGS=1
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DATA"; }
trap cleanup EXIT
start() { (cd "$1" && exec env $2 taskset -c 1 node bin/wayfinder.js up --port "$3" --dns-port 0 --data-dir "$DATA/$3" --runtime process \
  --operation-delay-ms 0 --log-level error) > "$DATA/$3.log" 2>&1 & PIDS+=($!); }
start "$A" "${AENV:-}" "$PORT_A"; PID_A=${PIDS[0]}
start "$B" "${BENV:-}" "$PORT_B"; PID_B=${PIDS[1]}
for p in "$PORT_A" "$PORT_B"; do
  up=0; for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$p/_wayfinder/health" && up=1 && break; sleep 0.1; done
  [ "$up" = 1 ] && kill -0 "$PID_A" 2>/dev/null && kill -0 "$PID_B" 2>/dev/null || { echo "a server did not start on $p (see $DATA/$p.log)" >&2; cat "$DATA/$p.log" >&2; exit 1; }
  node bench/lib/control-plane-setup.mjs "http://127.0.0.1:$p" > /dev/null
  taskset -c 0 node bench/lib/signed-writes.mjs "$p" create-service "$WARM" 10 warm > /dev/null
done
taskset -c 0 node bench/lib/ab-create-service.mjs "$PORT_A" "$PID_A" "$PORT_B" "$PID_B" "$ROUNDS" "$COUNT"
