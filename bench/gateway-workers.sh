#!/usr/bin/env bash
# --gateway-workers beside nginx's worker_processes, in one run: the Wayfinder gateway at N=1 and N=2
# threads (bench/gateway-server.mjs: the seed's API, VPC link → Cloud Map → backend, path form) and
# nginx proxy_pass with worker_processes 1 and 2 (bench/conf/nginx-proxy.conf), all in front of the
# same backend (nginx returning a fixed 200, bench/conf/nginx-backend.conf, the lightest backend so it
# is not what limits N=2).
#
# Robust on a shared machine: every repetition runs all four configurations back to back (rotated, so
# each takes every position in turn), each after its own warm-up; the table shows the median and the
# min–max over repetitions, and every ratio is paired (the two sides of the same repetition, then the
# median). CPU µs per request (utime+stime of every thread/process of the proxy over the measured run
# ÷ requests) is the figure that moves least when other processes share the cores; "others" says how
# much CPU the rest of the machine used meanwhile.
#
# Pinning (taskset; PIN=0 turns it off). On 2 cores: wrk (one thread) and the backend on CPU 1, the
# proxy with one worker on CPU 0, the proxy with two workers on CPUs 0 and 1 — so a second worker gets
# the share of CPU 1 that wrk and the backend leave it, the same for nginx and Wayfinder. With 3+ cores
# the load side gets CPUs 2… and the proxy never competes with it.
#
#   bench/gateway-workers.sh                     # DUR=10 REPS=3 C=50 WARM=2
#   DUR=5 REPS=3 bench/gateway-workers.sh        # ~2 min
#   BASE_PORT=5510 bench/gateway-workers.sh      # ports BASE..BASE+2 (backend, nginx, gateway)
#   KEEP=1 bench/gateway-workers.sh              # keep the raw wrk/CPU files (their directory is printed)
# Needs nginx, wrk, curl, taskset; `npm run build` first. Servers are stopped by PID; files go to a temp dir.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUR=${DUR:-10} REPS=${REPS:-3} C=${C:-50} WARM=${WARM:-2} PIN=${PIN:-1}
BASE_PORT=${BASE_PORT:-8150}
BACKEND_PORT=$BASE_PORT NGINX_PORT=$((BASE_PORT + 1)) GW_PORT=$((BASE_PORT + 2))
CONFIGS=(nginx-w1 nginx-w2 wayfinder-n1 wayfinder-n2)
. "$ROOT/bench/lib/peers.sh"; need_peers nginx wrk curl taskset
[ -f "$ROOT/dist/src/server/app.js" ] || { echo "run npm run build first" >&2; exit 1; }
CORES=$(nproc)
if [ "$PIN" = 1 ] && [ "$CORES" -ge 2 ]; then
  SERVER_CPUS_1=${SERVER_CPUS_1:-0}
  SERVER_CPUS_2=${SERVER_CPUS_2:-0,1}
  if [ "$CORES" -ge 3 ]; then LOAD_CPUS=${LOAD_CPUS:-2-$((CORES - 1))}; else LOAD_CPUS=${LOAD_CPUS:-1}; fi
else
  PIN=0 SERVER_CPUS_1=0-$((CORES - 1)) SERVER_CPUS_2=0-$((CORES - 1)) LOAD_CPUS=0-$((CORES - 1))
fi
RUN=$(mktemp -d "${TMPDIR:-/tmp}/wayfinder-gwworkers.XXXXXX")
PIDS=()
stop_all() {
  local p kids
  for p in "${PIDS[@]}"; do kids=$(pgrep -P "$p" 2>/dev/null || true); kill "$p" $kids 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}
trap 'stop_all; [ -n "${BACKEND_PID:-}" ] && kill "$BACKEND_PID" 2>/dev/null; [ "${KEEP:-0}" = 1 ] && echo "files kept in $RUN" || rm -rf "$RUN"' EXIT
# CPU ticks (1/100 s) of a process and its children (nginx workers), every thread included.
ticks() { local t=0 q; for q in $1 $(pgrep -P "$1" 2>/dev/null || true); do [ -r "/proc/$q/stat" ] && t=$((t + $(sed 's/.*) //' "/proc/$q/stat" | awk '{print $12+$13}'))); done; echo $t; }
# Busy ticks of the whole machine, every core (user nice system irq softirq steal).
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }
wait_url() { for _ in $(seq 300); do [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ] && return 0; sleep 0.1; done; echo "$1 not up" >&2; return 1; }
nginx_conf() { # $1 conf, $2 workers, $3 listen port, $4 upstream port
  sed -e "s|__RUN__|$RUN|g" -e "s/__WORKERS__/$2/" -e "s/__PORT__/$3/" -e "s/__UPSTREAM__/${4:-0}/" "$ROOT/bench/conf/$1.conf" > "$RUN/$1-$2.conf"
  echo "$RUN/$1-$2.conf"
}

# One backend for the whole run, on the load side's CPUs.
taskset -c "$LOAD_CPUS" nginx -p "$RUN" -e "$RUN/backend.err" -c "$(nginx_conf nginx-backend 1 "$BACKEND_PORT")" -g 'daemon off;' > "$RUN/backend.log" 2>&1 &
BACKEND_PID=$!
wait_url "http://127.0.0.1:$BACKEND_PORT/"

setup() { # config -> PIDS, URL
  local n=${1##*[a-z]} cpus
  cpus=$([ "$n" = 1 ] && echo "$SERVER_CPUS_1" || echo "$SERVER_CPUS_2")
  case $1 in
    nginx-w*) taskset -c "$cpus" nginx -p "$RUN" -e "$RUN/proxy.err" -c "$(nginx_conf nginx-proxy "$n" "$NGINX_PORT" "$BACKEND_PORT")" -g 'daemon off;' > "$RUN/$1.log" 2>&1 &
              PIDS+=($!); URL="http://127.0.0.1:$NGINX_PORT/";;
    wayfinder-n*) rm -f "$RUN/gw-api"
              PORT=$GW_PORT UPSTREAM_PORT=$BACKEND_PORT GW_WORKERS="$n" GW_API_FILE="$RUN/gw-api" taskset -c "$cpus" node "$ROOT/bench/gateway-server.mjs" > "$RUN/$1.log" 2>&1 &
              PIDS+=($!)
              for _ in $(seq 300); do [ -s "$RUN/gw-api" ] && break; sleep 0.1; done
              [ -s "$RUN/gw-api" ] || { echo "the gateway did not start:"; cat "$RUN/$1.log"; return 1; } >&2
              URL="http://127.0.0.1:$GW_PORT/_aws/execute-api/$(cat "$RUN/gw-api")/%24default/";;
    *) echo "unknown config $1" >&2; return 1;;
  esac
  wait_url "$URL"
}

echo "gateway workers vs nginx worker_processes: DUR=${DUR}s (after ${WARM}s warm-up) REPS=$REPS c=$C, wrk -t1"
echo "  $CORES cores; pinning: $([ "$PIN" = 1 ] && echo "wrk + backend on CPU $LOAD_CPUS, proxy with 1 worker on CPU $SERVER_CPUS_1, with 2 on CPUs $SERVER_CPUS_2" || echo none)"
echo "  load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$SECONDS
for r in $(seq 1 "$REPS"); do
  for k in 0 1 2 3; do
    cfg=${CONFIGS[$(((k + r - 1) % 4))]}
    setup "$cfg"
    taskset -c "$LOAD_CPUS" wrk -t1 -c"$C" -d"${WARM}s" "$URL" > /dev/null
    p0=$(ticks "${PIDS[0]}") b0=$(ticks "$BACKEND_PID") m0=$(busy) w0=$(date +%s%N)
    /usr/bin/time -f 'wrkcpu %U %S' -o "$RUN/$cfg.r$r.time" taskset -c "$LOAD_CPUS" wrk -t1 -c"$C" -d"${DUR}s" --latency "$URL" > "$RUN/$cfg.r$r.wrk"
    m1=$(busy) w1=$(date +%s%N)
    echo "proxy $(($(ticks "${PIDS[0]}") - p0)) backend $(($(ticks "$BACKEND_PID") - b0)) machine $((m1 - m0)) wallms $(((w1 - w0) / 1000000))" > "$RUN/$cfg.r$r.cpu"
    grep -qE 'Non-2xx|Socket errors' "$RUN/$cfg.r$r.wrk" && echo "  ($cfg r$r: $(grep -E 'Non-2xx|Socket errors' "$RUN/$cfg.r$r.wrk" | tr '\n' ' '))"
    printf '  rep %s  %-13s %8s req/s\n' "$r" "$cfg" "$(awk '/Requests\/sec/{print $2}' "$RUN/$cfg.r$r.wrk")"
    stop_all
  done
done
echo "  load average after: $(cut -d' ' -f1-3 /proc/loadavg); $((SECONDS - start)) s"

DIR=$RUN REPS=$REPS DUR=$DUR CORES=$CORES C=$C node "$ROOT/bench/gateway-workers-table.mjs"
