#!/usr/bin/env bash
# HTTP benchmark harness (run by bench/gateway.sh; usable alone): starts each CONFIG — a peer or probe in
# front of the same Node backend, or the Wayfinder gateway — loads it with wrk, records CPU accounting,
# stops it by PID, then the next one. Not product code.
#   OUT=<dir> RUN=<tmpdir> [SCHEME=pinned|split|free DUR=10 REPS=3 CONCS="50 1" WARM=3] bench/harness/http.sh CONFIG...
# SCHEME=pinned: wrk on CPU0, every server process (backend + proxy) on CPU1 (taskset).
# SCHEME=split:  wrk AND the backend on CPU0, the proxy alone on CPU1 (the proxy's own capacity).
# SCHEME=free:   no taskset.
# CONFIG: nginx-direct[-w2] | node-direct (backend only) | nginx-proxy[-w2] | undici-request | undici-stream |
#   undici-dispatch | undici-dispatch-buf | node-l4 | node-raw-proto | wayfinder-gw | wayfinder-gw-<name>
#   (another built checkout listed in GW_ALT="<name>=<path> ..."); suffix @ngxbe puts the nginx backend
#   (conf/nginx-backend.conf) behind the proxy instead of backend.mjs. GW_MODE=cloudmap|http for the gateway.
# Ports: PORT_BASE (default 8080) + 1 nginx backend, +2 node backend, +10 nginx-proxy, +13 undici, +16 node-l4,
# +17 node-raw-proto, +18 the gateway (so PORT_BASE=5050 keeps every server in 5051-5068).
# Per run it writes OUT/<config>.c<conc>.r<rep>.wrk (wrk output) and .cpu (CPU accounting), and
# OUT/<config>.headers (one response); summarize-http.mjs reads them. Servers' logs and nginx's files go
# to RUN (default: a fresh directory under ${TMPDIR:-/tmp}, removed at exit).
set -u
H=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$H/../.." && pwd)
CONF=$ROOT/bench/conf
SCHEME=${SCHEME:-pinned}; DUR=${DUR:-10}; REPS=${REPS:-3}; CONCS=${CONCS:-"50 1"}; WARM=${WARM:-3}
OUT=${OUT:-$ROOT/bench/results/http-$(date +%Y%m%d-%H%M%S)}
if [ -z "${RUN:-}" ]; then RUN=$(mktemp -d "${TMPDIR:-/tmp}/wayfinder-http.XXXXXX"); OWN_RUN=1; else OWN_RUN=; fi
export RUN; mkdir -p "$OUT" "$RUN"
B=${PORT_BASE:-8080}
P_NGXBE=$((B + 1)) P_BE=$((B + 2)) P_NGX=$((B + 10)) P_UNDICI=$((B + 13)) P_L4=$((B + 16)) P_RAW=$((B + 17)) P_GW=$((B + 18))
if [ "$SCHEME" = pinned ] || [ "$SCHEME" = split ]; then SRV="taskset -c 1"; LG="taskset -c 0"; else SRV=""; LG=""; fi
PIDS=()
start() { local role=$1 pin=$SRV; shift
  if [ "$SCHEME" = split ] && { [ "$role" = backend ] || [ "$role" = nginx-backend ]; }; then pin="taskset -c 0"; fi
  $pin "$@" >"$RUN/$role.log" 2>&1 & PIDS+=("$role:$!"); }
stop_all() {
  local e p kids
  for e in "${PIDS[@]}"; do p=${e#*:}; kids=$(pgrep -P "$p" 2>/dev/null); kill "$p" $kids 2>/dev/null; done
  for e in "${PIDS[@]}"; do wait "${e#*:}" 2>/dev/null; done
  PIDS=(); sleep 1
}
trap 'stop_all; [ -n "$OWN_RUN" ] && rm -rf "$RUN"' EXIT
wait_port() { for _ in $(seq 100); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1${URLPATH:-/}")" = 200 ] && return 0; sleep 0.1; done; echo "port $1 not up" >&2; return 1; }
ticks() { local t=0 q; for q in $1 $(pgrep -P "$1" 2>/dev/null); do [ -r /proc/$q/stat ] && t=$((t + $(sed 's/.*) //' /proc/$q/stat | awk '{print $12+$13}'))); done; echo $t; }
cpustat() { awk '/^cpu[01] /{printf "%s %d %d ", $1, $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat; }
ngx() { # $1 conf name, $2 workers, $3 upstream port, $4 listen port. -p/-e keep nginx's own startup log under RUN too.
  sed -e "s|__RUN__|$RUN|g" -e "s/__WORKERS__/$2/" -e "s/__UPSTREAM__/${3:-$P_BE}/" -e "s/__PORT__/$4/" "$CONF/$1.conf" > "$RUN/$1.conf"
  start "$1" nginx -p "$RUN" -e "$RUN/$1.startup.err" -c "$RUN/$1.conf" -g 'daemon off;'
}
backend() { # $1 = node|nginx ; sets UP
  if [ "$1" = nginx ]; then ngx nginx-backend 1 "" $P_NGXBE; UP=$P_NGXBE; else start backend node "$H/backend.mjs" $P_BE; UP=$P_BE; fi
  URLPATH=/ wait_port $UP
}
gateway() { # $1 built checkout; its own bench/gateway-server.mjs starts a whole Wayfinder on $P_GW
  rm -f "$RUN/gw-api"
  start proxy env UPSTREAM_PORT="$UP" PORT=$P_GW GW_MODE="${GW_MODE:-cloudmap}" GW_API_FILE="$RUN/gw-api" node "$1/bench/gateway-server.mjs"
  for _ in $(seq 200); do [ -s "$RUN/gw-api" ] && break; sleep 0.1; done
  [ -s "$RUN/gw-api" ] || { echo "the gateway did not start (see $RUN/proxy.log)" >&2; return 1; }
  URLPATH=/_aws/execute-api/$(cat "$RUN/gw-api")/%24default/; PORT=$P_GW
}
alt_checkout() { local a; for a in ${GW_ALT:-}; do [ "${a%%=*}" = "$1" ] && { echo "${a#*=}"; return 0; }; done; return 1; }
setup() { # config name -> start processes, set PORT (and URLPATH: the gateway is reached by the path form)
  local c=$1 be=node dir; UP=$P_BE; URLPATH=/
  case $c in *@ngxbe) be=nginx; c=${c%@ngxbe};; esac
  case $c in
    nginx-direct)    ngx nginx-backend 1 "" $P_NGXBE; PORT=$P_NGXBE;;
    nginx-direct-w2) ngx nginx-backend 2 "" $P_NGXBE; PORT=$P_NGXBE;;
    node-direct)     start backend node "$H/backend.mjs" $P_BE; PORT=$P_BE;;
    nginx-proxy)     backend $be; ngx nginx-proxy 1 $UP $P_NGX; PORT=$P_NGX;;
    nginx-proxy-w2)  backend $be; ngx nginx-proxy 2 $UP $P_NGX; PORT=$P_NGX;;
    undici-request|undici-stream|undici-dispatch|undici-dispatch-buf)
                     backend $be; start proxy env PORT=$P_UNDICI UPSTREAM_PORT=$UP MODE=${c#undici-} node "$H/proxy-undici.mjs"; PORT=$P_UNDICI;;
    node-l4)         backend $be; start proxy env PORT=$P_L4 UPSTREAM_PORT=$UP node "$H/proxy-l4.mjs"; PORT=$P_L4;;
    node-raw-proto)  backend $be; start proxy env PORT=$P_RAW UPSTREAM_PORT=$UP node "$H/proxy-raw.mjs"; PORT=$P_RAW;;
    wayfinder-gw)    backend $be; gateway "$ROOT" || return 1;;
    wayfinder-gw-*)  dir=$(alt_checkout "${c#wayfinder-gw-}") || { echo "$c: no ${c#wayfinder-gw-}=<checkout> in GW_ALT" >&2; return 1; }
                     backend $be; gateway "$dir" || return 1;;
    *) echo "unknown config $c" >&2; return 1;;
  esac
  wait_port $PORT
}
for cfg in "$@"; do
  setup "$cfg" || { stop_all; continue; }
  URL="http://127.0.0.1:$PORT$URLPATH"
  curl -s -D - "$URL" > "$OUT/$cfg.headers"; echo >> "$OUT/$cfg.headers"
  $LG wrk -t1 -c50 -d${WARM}s "$URL" > /dev/null   # warm-up (JIT, pools)
  for conc in $CONCS; do for rep in $(seq 1 $REPS); do
    f="$OUT/$cfg.c$conc.r$rep"
    declare -A T0=(); for e in "${PIDS[@]}"; do T0[${e%%:*}]=$(ticks ${e#*:}); done
    s0=$(cpustat)
    TIMEFORMAT='%R %U %S'
    { time $LG wrk -t1 -c$conc -d${DUR}s --latency "$URL" > "$f.wrk" ; } 2> "$f.wrktime"
    s1=$(cpustat)
    { echo "scheme $SCHEME"; echo "stat0 $s0"; echo "stat1 $s1"; echo "wrk $(cat "$f.wrktime")";
      for e in "${PIDS[@]}"; do echo "proc ${e%%:*} $(( $(ticks ${e#*:}) - ${T0[${e%%:*}]} ))"; done; } > "$f.cpu"
    rm -f "$f.wrktime"
    printf '%-22s c%-3s r%s %s req/s\n' "$cfg" "$conc" "$rep" "$(awk '/Requests\/sec/{print $2}' "$f.wrk")"
  done; done
  stop_all
done
