#!/usr/bin/env bash
# Control-plane throughput: DescribeVpcs (EC2 query/XML) and DescribeLogGroups (awsJson) on Wayfinder
# and on moto_server, side by side in one run, same machine, same signed requests (Wayfinder verifies
# every signature; moto does not check them).
# Scheme as the other benchmarks (bench/harness/http.sh): wrk on CPU0, each server alone on CPU1. Usage:
#   bench/control-plane.sh            (DUR=10 REPS=3 CONC=10 by default; every wrk run is bounded by DUR)
#   DUR=2 REPS=1 WARM=1 bench/control-plane.sh   (a few-second smoke run)
# Needs wrk, taskset, curl, bc, moto_server and the aws CLI (it creates the log groups). Results, logs and
# both servers' data go to bench/results/control-plane-<date>/ (OUT=... to choose).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/peers.sh; need_peers wrk taskset curl bc moto_server aws
DUR=${DUR:-10}; REPS=${REPS:-3}; CONC=${CONC:-10}; WARM=${WARM:-2}
WF_PORT=${WF_PORT:-4611}; MOTO_PORT=${MOTO_PORT:-4612}
OUT=${OUT:-bench/results/control-plane-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$OUT"
[ -f dist/src/cli/main.js ] || npm run build >/dev/null

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$OUT/data"; }
trap cleanup EXIT
wait_health() { for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "$1 not up" >&2; return 1; }

taskset -c 1 node bin/wayfinder.js up --port "$WF_PORT" --dns-port 0 --data-dir "$OUT/data" --runtime process > "$OUT/wayfinder.log" 2>&1 & PIDS+=($!)
taskset -c 1 moto_server -H 127.0.0.1 -p "$MOTO_PORT" > "$OUT/moto.log" 2>&1 & PIDS+=($!)
wait_health "http://127.0.0.1:$WF_PORT/_wayfinder/health"; wait_health "http://127.0.0.1:$MOTO_PORT/moto-api/"

# Same state on both: the default VPC, and 5 log groups. The first EC2 call makes moto build its EC2
# backend (seconds on one core); it is made here, so no wrk run (the warm-up included) waits for it.
for port in $WF_PORT $MOTO_PORT; do
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 \
    aws --endpoint-url "http://127.0.0.1:$port" ec2 describe-vpcs >/dev/null
  for i in 1 2 3 4 5; do
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 \
      aws --endpoint-url "http://127.0.0.1:$port" logs create-log-group --log-group-name "/bench/g$i" >/dev/null
  done
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A RPS
for op in describe-vpcs:ec2 describe-log-groups:logs; do
  name=${op%%:*}; svc=${op##*:}
  for target in wayfinder:$WF_PORT moto:$MOTO_PORT; do
    who=${target%%:*}; port=${target##*:}
    node bench/lib/wrk-signed-script.mjs "$port" "$svc" "$name" > "$OUT/$who-$name.lua"
    taskset -c 0 wrk -t1 -c"$CONC" -d"${WARM}s" -s "$OUT/$who-$name.lua" "http://127.0.0.1:$port/" > /dev/null
    for rep in $(seq 1 "$REPS"); do
      taskset -c 0 wrk -t1 -c"$CONC" -d"${DUR}s" --latency -s "$OUT/$who-$name.lua" "http://127.0.0.1:$port/" > "$OUT/$who-$name.r$rep.wrk"
      if grep -q "Non-2xx" "$OUT/$who-$name.r$rep.wrk"; then echo "non-2xx answers from $who $name — see $OUT/$who-$name.r$rep.wrk" >&2; exit 1; fi
    done
    RPS[$who-$name]=$(grep -h 'Requests/sec' "$OUT/$who-$name".r*.wrk | awk '{print $2}' | median)
  done
done

{
  echo "Control plane, wrk -t1 -c$CONC -d${DUR}s, $REPS reps (median), wrk on CPU0, server on CPU1"
  printf '%-22s %14s %14s %10s\n' operation 'wayfinder r/s' 'moto r/s' ratio
  for name in describe-vpcs describe-log-groups; do
    w=${RPS[wayfinder-$name]}; m=${RPS[moto-$name]}
    printf '%-22s %14.0f %14.0f %9.2fx\n' "$name" "$w" "$m" "$(echo "$w / $m" | bc -l)"
  done
} | tee "$OUT/summary.txt"
