#!/usr/bin/env bash
# Cloud Map data plane, side by side in one run (never compare numbers across runs: they drift):
#  1. DNS: Wayfinder's DNS server next to unbound — unbound's config bench/conf/unbound.conf, the query
#     files bench/conf/dnsperf-{A,SRV}.txt, `taskset -c 0 dnsperf -l $DUR -c 1 -q 100` with the server
#     alone on CPU1, results summarised by bench/harness/summarize-dns.mjs. Wayfinder serves the same
#     names from Cloud Map: namespace `local`, service `svc` (A ×3), service `_http._tcp.svc` (SRV ×3;
#     Cloud Map adds the targets' A records to the additional section).
#     With NODE_RAW=1 (default) the reference probe bench/harness/dns-probe.mjs (MODE=raw) runs too.
#  2. DiscoverInstances calls/s: Wayfinder vs moto_server, the same signed request replayed by wrk
#     (Wayfinder verifies every signature; moto does not check them).
# Prints qps, server CPU µs/query and the ratios to unbound, and both DiscoverInstances rates.
#   bench/dns.sh                       (DUR=10 REPS=3; every load run is bounded by DUR)
#   DUR=2 REPS=1 WARM=1 bench/dns.sh   (a few-second smoke run)
# Needs dnsperf, unbound, dig, wrk, taskset, curl, bc, moto_server; results, logs and the servers' data
# go to bench/results/dns-<date>/ (OUT=... to choose).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CONF=$ROOT/bench/conf; HARNESS=$ROOT/bench/harness
. bench/lib/peers.sh; need_peers dnsperf unbound dig wrk taskset curl bc moto_server
DUR=${DUR:-10}; REPS=${REPS:-3}; QTYPES=${QTYPES:-"A SRV"}; DARGS=${DNSPERF_ARGS:-"-c 1 -q 100"}
CONC=${CONC:-10}; WARM=${WARM:-2}
WF_PORT=${WF_PORT:-4621}; WF_DNS=${WF_DNS:-5303}; MOTO_PORT=${MOTO_PORT:-4622}; UNBOUND_PORT=${UNBOUND_PORT:-5301}; PROBE_PORT=${PROBE_PORT:-5302}
OUT=${OUT:-bench/results/dns-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
RUN=$OUT/run; mkdir -p "$RUN"
[ -f dist/src/cli/main.js ] || npm run build >/dev/null

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$RUN/data"; }
trap cleanup EXIT
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
wait_http() { for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "$1 not up" >&2; return 1; }
ticks() { local t=0 q; for q in $1 $(pgrep -P "$1" 2>/dev/null); do [ -r /proc/$q/stat ] && t=$((t + $(sed 's/.*) //' /proc/$q/stat | awk '{print $12+$13}'))); done; echo $t; }
cpustat() { awk '/^cpu[01] /{printf "%s %d %d ", $1, $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat; }

# One DNS case: warm-up, then REPS × QTYPES bounded dnsperf runs.
dns_case() { # cfg pid port probe-name
  local cfg=$1 sp=$2 port=$3 probe=$4
  for _ in $(seq 50); do dig +time=1 +tries=1 @127.0.0.1 -p "$port" "$probe" A +short | grep -q 10.0.0 && break; sleep 0.1; done
  dig @127.0.0.1 -p "$port" _http._tcp.svc.local SRV > "$OUT/$cfg.dig"
  taskset -c 0 dnsperf -s 127.0.0.1 -p "$port" -d "$CONF/dnsperf-A.txt" -l 2 $DARGS > /dev/null 2>&1 # warm-up
  for qt in $QTYPES; do for rep in $(seq 1 "$REPS"); do
    local f="$OUT/$cfg.$qt.r$rep" t0 s0 s1
    t0=$(ticks "$sp"); s0=$(cpustat)
    TIMEFORMAT='%R %U %S'
    { time taskset -c 0 dnsperf -s 127.0.0.1 -p "$port" -d "$CONF/dnsperf-$qt.txt" -l "$DUR" $DARGS > "$f.dnsperf" 2>&1 ; } 2> "$f.t"
    s1=$(cpustat)
    { echo "stat0 $s0"; echo "stat1 $s1"; echo "dnsperf $(cat "$f.t")"; echo "proc server $(( $(ticks "$sp") - t0 ))"; } > "$f.cpu"; rm -f "$f.t"
    printf '%-12s %-3s r%s %s qps\n' "$cfg" "$qt" "$rep" "$(awk '/Queries per second/{print $4}' "$f.dnsperf")"
  done; done
}

echo "== DNS: unbound"
sed -e "s|__RUN__|$RUN|g" -e "s|5301|$UNBOUND_PORT|g" "$CONF/unbound.conf" > "$RUN/unbound.conf"
taskset -c 1 unbound -d -c "$RUN/unbound.conf" > "$RUN/unbound.log" 2>&1 & UB=$!; PIDS+=("$UB")
dns_case unbound "$UB" "$UNBOUND_PORT" svc.local
stop "$UB"; sleep 1

if [ "${NODE_RAW:-1}" = 1 ]; then
  # The reference probe (hand-parsed question + pre-encoded answer, no product around it): shows what
  # Wayfinder's server costs beyond the technique itself. dns-packet comes from the repo's dependencies.
  echo "== DNS: node-raw (reference probe)"
  MODE=raw PORT=$PROBE_PORT taskset -c 1 node "$HARNESS/dns-probe.mjs" > "$RUN/node-raw.log" 2>&1 & NR=$!; PIDS+=("$NR")
  dns_case node-raw "$NR" "$PROBE_PORT" svc.local
  stop "$NR"; sleep 1
fi

echo "== DNS: wayfinder"
taskset -c 1 node bin/wayfinder.js up --port "$WF_PORT" --dns-port "$WF_DNS" --data-dir "$RUN/data" --runtime process \
  --operation-delay-ms 0 --health-delay-ms 1000 --log-level error > "$RUN/wayfinder.log" 2>&1 & WF=$!; PIDS+=("$WF")
wait_http "http://127.0.0.1:$WF_PORT/_wayfinder/health"
node bench/lib/cloudmap-setup.mjs "http://127.0.0.1:$WF_PORT" dns
node bench/lib/cloudmap-setup.mjs "http://127.0.0.1:$WF_PORT" discover
dns_case wayfinder "$WF" "$WF_DNS" svc.local

echo "== DiscoverInstances: wayfinder, then moto_server"
taskset -c 1 moto_server -H 127.0.0.1 -p "$MOTO_PORT" > "$RUN/moto.log" 2>&1 & MOTO=$!; PIDS+=("$MOTO")
wait_http "http://127.0.0.1:$MOTO_PORT/moto-api/"
node bench/lib/cloudmap-setup.mjs "http://127.0.0.1:$MOTO_PORT" discover
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A RPS
for target in wayfinder:$WF_PORT moto:$MOTO_PORT; do
  who=${target%%:*}; port=${target##*:}
  node bench/lib/wrk-signed-script.mjs "$port" servicediscovery discover-instances '{"NamespaceName":"bench","ServiceName":"svc"}' > "$RUN/$who-discover.lua"
  taskset -c 0 wrk -t1 -c"$CONC" -d"${WARM}s" -s "$RUN/$who-discover.lua" "http://127.0.0.1:$port/" > /dev/null
  for rep in $(seq 1 "$REPS"); do
    taskset -c 0 wrk -t1 -c"$CONC" -d"${DUR}s" --latency -s "$RUN/$who-discover.lua" "http://127.0.0.1:$port/" > "$OUT/$who-discover.r$rep.wrk"
    if grep -q "Non-2xx" "$OUT/$who-discover.r$rep.wrk"; then echo "non-2xx answers from $who — see $OUT/$who-discover.r$rep.wrk" >&2; exit 1; fi
  done
  RPS[$who]=$(grep -h 'Requests/sec' "$OUT/$who-discover".r*.wrk | awk '{print $2}' | median)
done
stop "$MOTO"; stop "$WF"

{
  echo "DNS: dnsperf $DARGS -l $DUR over UDP on CPU0, server alone on CPU1, $REPS rep(s), median"
  node "$HARNESS/summarize-dns.mjs" "$OUT"
  echo
  node bench/lib/dns-ratios.mjs "$OUT" unbound wayfinder
  [ "${NODE_RAW:-1}" = 1 ] && { echo; node bench/lib/dns-ratios.mjs "$OUT" unbound node-raw; }
  echo
  echo "DiscoverInstances (10 instances): wrk -t1 -c$CONC -d${DUR}s, $REPS rep(s), median, wrk on CPU0, server on CPU1"
  printf '%-14s %14s %14s %10s\n' operation 'wayfinder r/s' 'moto r/s' ratio
  printf '%-14s %14.0f %14.0f %9.2fx\n' discover "${RPS[wayfinder]}" "${RPS[moto]}" "$(echo "${RPS[wayfinder]} / ${RPS[moto]}" | bc -l)"
} | tee "$OUT/summary.md"
