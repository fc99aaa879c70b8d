#!/usr/bin/env bash
# Control-plane throughput on Wayfinder and on moto_server, side by side in one run, same machine, same
# signed requests (Wayfinder verifies every signature; moto does not check them):
#   describe-vpcs (EC2 query/XML), describe-log-groups (awsJson), discover-instances (Cloud Map, 10
#   instances), describe-services (ECS, one service), get-routes (API Gateway REST, 50 routes, one page)
#   replayed by wrk; create-service (ECS CreateService, desiredCount 0, a new name per call, WRITES calls
#   signed ahead by bench/lib/signed-writes.mjs, after a warm-up batch of WRITE_WARM calls, WRITES by default).
# Scheme as the other benchmarks (bench/harness/http.sh): load on CPU0, each server alone on CPU1. Per
# operation: req/s (median of REPS), server CPU µs per request (/proc, user+system, summed over the
# reps: the figure a loaded machine moves least) and both ratios Wayfinder ÷ moto. Usage:
#   bench/control-plane.sh            (DUR=10 REPS=3 CONC=10 WRITES=2000 by default; every run is bounded)
#   DUR=2 REPS=1 WARM=1 WRITES=300 bench/control-plane.sh   (a few-second smoke run)
#   OPS="discover-instances get-routes" bench/control-plane.sh   (some operations only)
#   PROFILE=1 bench/control-plane.sh  (Wayfinder runs with --cpu-prof; the profile lands in $OUT)
#   WF_ALT=before=/path/to/other/checkout bench/control-plane.sh   (a second Wayfinder build, e.g. main, measured in
#     the same run against the same moto: same state, same requests, one more row per operation)
# Needs wrk, taskset, curl, bc, moto_server and the aws CLI (it creates the log groups). Results, logs and
# both servers' data go to bench/results/control-plane-<date>/ (OUT=... to choose).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/peers.sh; need_peers wrk taskset curl bc moto_server aws
DUR=${DUR:-10}; REPS=${REPS:-3}; CONC=${CONC:-10}; WARM=${WARM:-2}; WRITES=${WRITES:-2000}; WRITE_WARM=${WRITE_WARM:-$WRITES}
OPS=${OPS:-"describe-vpcs describe-log-groups discover-instances describe-services get-routes create-service"}
WF_PORT=${WF_PORT:-4611}; MOTO_PORT=${MOTO_PORT:-4612}; ALT_PORT=${ALT_PORT:-$((WF_PORT + 2))}
WF_ALT=${WF_ALT:-}; ALT_NAME=${WF_ALT%%=*}; ALT_DIR=${WF_ALT#*=}
[ -z "$WF_ALT" ] || [ -f "$ALT_DIR/dist/src/cli/main.js" ] || { echo "WF_ALT $ALT_NAME: $ALT_DIR is not a built checkout" >&2; exit 1; }
OUT=${OUT:-bench/results/control-plane-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
[ -f dist/src/cli/main.js ] || npm run build >/dev/null
export NODE_NO_WARNINGS=1

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$OUT/data" "$OUT/data-alt"; }
trap cleanup EXIT
wait_health() { for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "$1 not up" >&2; return 1; }
# CPU ticks (1/100 s) of a process and its children.
ticks() { local t=0 q; for q in $1 $(pgrep -P "$1" 2>/dev/null); do [ -r /proc/$q/stat ] && t=$((t + $(sed 's/.*) //' /proc/$q/stat | awk '{print $12+$13}'))); done; echo $t; }

PROF=(); [ "${PROFILE:-0}" = 1 ] && PROF=(--cpu-prof --cpu-prof-dir "$OUT")
taskset -c 1 node "${PROF[@]}" bin/wayfinder.js up --port "$WF_PORT" --dns-port 0 --data-dir "$OUT/data" --runtime process \
  --operation-delay-ms 0 --log-level error > "$OUT/wayfinder.log" 2>&1 & WF=$!; PIDS+=("$WF")
taskset -c 1 moto_server -H 127.0.0.1 -p "$MOTO_PORT" > "$OUT/moto.log" 2>&1 & MOTO=$!; PIDS+=("$MOTO")
wait_health "http://127.0.0.1:$WF_PORT/_wayfinder/health"; wait_health "http://127.0.0.1:$MOTO_PORT/moto-api/"
TARGETS="wayfinder:$WF_PORT:$WF moto:$MOTO_PORT:$MOTO"
if [ -n "$WF_ALT" ]; then
  (cd "$ALT_DIR" && exec taskset -c 1 node bin/wayfinder.js up --port "$ALT_PORT" --dns-port 0 --data-dir "$OUT/data-alt" --runtime process \
    --operation-delay-ms 0 --log-level error) > "$OUT/$ALT_NAME.log" 2>&1 & ALT=$!; PIDS+=("$ALT")
  wait_health "http://127.0.0.1:$ALT_PORT/_wayfinder/health"
  TARGETS="$TARGETS $ALT_NAME:$ALT_PORT:$ALT"
fi

# Same state on both: the default VPC, 5 log groups, the Cloud Map service of bench/lib/cloudmap-setup.mjs
# (10 instances), and bench/lib/control-plane-setup.mjs's ECS service and HTTP API. The first EC2 call makes
# moto build its EC2 backend (seconds on one core); it is made here, so no wrk run waits for it.
declare -A API
for target in $TARGETS; do
  IFS=: read -r who port _ <<< "$target"
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 \
    aws --endpoint-url "http://127.0.0.1:$port" ec2 describe-vpcs >/dev/null
  for i in 1 2 3 4 5; do
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 \
      aws --endpoint-url "http://127.0.0.1:$port" logs create-log-group --log-group-name "/bench/g$i" >/dev/null
  done
  node bench/lib/cloudmap-setup.mjs "http://127.0.0.1:$port" discover
  API[$who]=$(node bench/lib/control-plane-setup.mjs "http://127.0.0.1:$port" | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).apiId')
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A RPS CPU
for name in $OPS; do
  for target in $TARGETS; do
    IFS=: read -r who port pid <<< "$target"
    if [ "$name" = create-service ]; then
      # Writes: REPS batches of WRITES new services each (names unique per batch), timed by the driver.
      # A warm-up batch first, as the read operations get WARM seconds of wrk: every server, the peer
      # included, is measured past its first calls (a JIT is cold for them).
      [ "$WRITE_WARM" -gt 0 ] && taskset -c 0 node bench/lib/signed-writes.mjs "$port" create-service "$WRITE_WARM" "$CONC" warm > /dev/null
      t0=$(ticks "$pid"); n=0
      for rep in $(seq 1 "$REPS"); do
        taskset -c 0 node bench/lib/signed-writes.mjs "$port" create-service "$WRITES" "$CONC" "r$rep" > "$OUT/$who-$name.r$rep.json"
        n=$((n + WRITES))
      done
      CPU[$who-$name]=$(echo "($(ticks "$pid") - $t0) * 10000 / $n" | bc -l)
      RPS[$who-$name]=$(for f in "$OUT/$who-$name".r*.json; do node -pe 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).rps' "$f"; done | median)
      continue
    fi
    case $name in
      describe-vpcs) svc=ec2; args='{}';;
      describe-log-groups) svc=logs; args='{}';;
      discover-instances) svc=servicediscovery; args='{"NamespaceName":"bench","ServiceName":"svc"}';;
      describe-services) svc=ecs; args='{"cluster":"bench","services":["bench"]}';;
      get-routes) svc=apigateway; args="{\"ApiId\":\"${API[$who]}\"}";;
    esac
    node bench/lib/wrk-signed-script.mjs "$port" "$svc" "$name" "$args" > "$OUT/$who-$name.lua"
    taskset -c 0 wrk -t1 -c"$CONC" -d"${WARM}s" -s "$OUT/$who-$name.lua" "http://127.0.0.1:$port/" > /dev/null
    t0=$(ticks "$pid"); n=0
    for rep in $(seq 1 "$REPS"); do
      taskset -c 0 wrk -t1 -c"$CONC" -d"${DUR}s" --latency -s "$OUT/$who-$name.lua" "http://127.0.0.1:$port/" > "$OUT/$who-$name.r$rep.wrk"
      if grep -q "Non-2xx" "$OUT/$who-$name.r$rep.wrk"; then echo "non-2xx answers from $who $name — see $OUT/$who-$name.r$rep.wrk" >&2; exit 1; fi
      n=$((n + $(awk '/requests in/{print $1}' "$OUT/$who-$name.r$rep.wrk")))
    done
    CPU[$who-$name]=$(echo "($(ticks "$pid") - $t0) * 10000 / $n" | bc -l)
    RPS[$who-$name]=$(grep -h 'Requests/sec' "$OUT/$who-$name".r*.wrk | awk '{print $2}' | median)
  done
done

{
  echo "Control plane: wrk -t1 -c$CONC -d${DUR}s (create-service: $WRITES signed calls, $CONC connections), $REPS reps, median r/s;"
  echo "CPU µs/req = server user+system CPU over all reps ÷ requests. Load on CPU0, server on CPU1."
  printf '%-20s %13s %10s %9s %12s %11s %10s\n' operation 'wayfinder r/s' 'moto r/s' 'r/s ratio' 'wf µs/req' 'moto µs/req' 'CPU ratio'
  for name in $OPS; do
    w=${RPS[wayfinder-$name]}; m=${RPS[moto-$name]}; wc=${CPU[wayfinder-$name]}; mc=${CPU[moto-$name]}
    printf '%-20s %13.0f %10.0f %8.2fx %12.0f %11.0f %9.2fx\n' "$name" "$w" "$m" "$(echo "$w / $m" | bc -l)" "$wc" "$mc" "$(echo "$mc / $wc" | bc -l)"
    if [ -n "$WF_ALT" ]; then
      w=${RPS[$ALT_NAME-$name]}; wc=${CPU[$ALT_NAME-$name]}
      printf '%-20s %13.0f %10.0f %8.2fx %12.0f %11.0f %9.2fx\n' "  ($ALT_NAME)" "$w" "$m" "$(echo "$w / $m" | bc -l)" "$wc" "$mc" "$(echo "$mc / $wc" | bc -l)"
    fi
  done
  echo "(CPU ratio = moto's CPU per request ÷ Wayfinder's: how many times less CPU Wayfinder spends on one call.)"
} | tee "$OUT/summary.txt"
