#!/usr/bin/env bash
# --gateway-workers beside nginx's worker_processes, in one run: the Wayfinder gateway at N=1 and N=2
# threads (bench/gateway-server.mjs: the seed's API, VPC link → Cloud Map → backend, path form) and
# nginx proxy_pass with worker_processes 1 and 2 (bench/conf/nginx-proxy.conf), all in front of the
# same backend (nginx returning a fixed 200, bench/conf/nginx-backend.conf, the lightest backend so it
# is not what limits N=2). No CPU pinning: N=2 needs both cores, so wrk, backend and proxy share the
# machine's cores (say so when quoting figures; on a 2-core machine wrk takes one of them).
# Each repetition runs every config once (order reversed on even repetitions); medians over reps.
# Prints req/s, p50, the proxy's CPU µs per request (utime+stime of every thread/process of the proxy
# over the run ÷ requests), the paired ratio to nginx with as many workers, and N=2 ÷ N=1 scaling.
#
#   bench/gateway-workers.sh                     # DUR=10 REPS=3 C=50
#   DUR=3 REPS=1 bench/gateway-workers.sh        # a smoke run
#   BASE_PORT=5110 bench/gateway-workers.sh      # ports BASE..BASE+2 (backend, nginx, gateway)
# Needs nginx, wrk, curl; `npm run build` first. Servers are stopped by PID; files go to a temp dir.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUR=${DUR:-10} REPS=${REPS:-3} C=${C:-50} WARM=${WARM:-2} THREADS=${THREADS:-1}
BASE_PORT=${BASE_PORT:-8150}
BACKEND_PORT=$BASE_PORT NGINX_PORT=$((BASE_PORT + 1)) GW_PORT=$((BASE_PORT + 2))
CONFIGS=${CONFIGS:-"nginx-w1 nginx-w2 wayfinder-n1 wayfinder-n2"}
. "$ROOT/bench/lib/peers.sh"; need_peers nginx wrk curl
[ -f "$ROOT/dist/src/server/app.js" ] || { echo "run npm run build first" >&2; exit 1; }
RUN=$(mktemp -d "${TMPDIR:-/tmp}/wayfinder-gwworkers.XXXXXX")
PIDS=()
stop_all() {
  local p kids
  for p in "${PIDS[@]}"; do kids=$(pgrep -P "$p" 2>/dev/null || true); kill "$p" $kids 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}
trap 'stop_all; [ -n "${BACKEND_PID:-}" ] && kill "$BACKEND_PID" 2>/dev/null; rm -rf "$RUN"' EXIT
# CPU ticks of a process and its children (nginx workers), every thread included.
ticks() { local t=0 q; for q in $1 $(pgrep -P "$1" 2>/dev/null || true); do [ -r "/proc/$q/stat" ] && t=$((t + $(sed 's/.*) //' "/proc/$q/stat" | awk '{print $12+$13}'))); done; echo $t; }
wait_url() { for _ in $(seq 300); do [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ] && return 0; sleep 0.1; done; echo "$1 not up" >&2; return 1; }
nginx_conf() { # $1 conf, $2 workers, $3 listen port, $4 upstream port
  sed -e "s|__RUN__|$RUN|g" -e "s/__WORKERS__/$2/" -e "s/__UPSTREAM__/${4:-0}/" -e "s/127.0.0.1:8090/127.0.0.1:$3/" -e "s/127.0.0.1:8081/127.0.0.1:$3/" \
    "$ROOT/bench/conf/$1.conf" > "$RUN/$1-$2.conf"
  echo "$RUN/$1-$2.conf"
}

# One backend for the whole run.
nginx -p "$RUN" -e "$RUN/backend.err" -c "$(nginx_conf nginx-backend 1 "$BACKEND_PORT")" -g 'daemon off;' > "$RUN/backend.log" 2>&1 &
BACKEND_PID=$!
wait_url "http://127.0.0.1:$BACKEND_PORT/"

setup() { # config -> PIDS, URL
  case $1 in
    nginx-w*) nginx -p "$RUN" -e "$RUN/proxy.err" -c "$(nginx_conf nginx-proxy "${1#nginx-w}" "$NGINX_PORT" "$BACKEND_PORT")" -g 'daemon off;' > "$RUN/$1.log" 2>&1 &
              PIDS+=($!); URL="http://127.0.0.1:$NGINX_PORT/";;
    wayfinder-n*) rm -f "$RUN/gw-api"
              PORT=$GW_PORT UPSTREAM_PORT=$BACKEND_PORT GW_WORKERS="${1#wayfinder-n}" GW_API_FILE="$RUN/gw-api" node "$ROOT/bench/gateway-server.mjs" > "$RUN/$1.log" 2>&1 &
              PIDS+=($!)
              for _ in $(seq 300); do [ -s "$RUN/gw-api" ] && break; sleep 0.1; done
              [ -s "$RUN/gw-api" ] || { echo "the gateway did not start:"; cat "$RUN/$1.log"; return 1; } >&2
              URL="http://127.0.0.1:$GW_PORT/_aws/execute-api/$(cat "$RUN/gw-api")/%24default/";;
    *) echo "unknown config $1" >&2; return 1;;
  esac
  wait_url "$URL"
}

echo "gateway workers vs nginx worker_processes: DUR=${DUR}s REPS=$REPS c=$C wrk -t$THREADS, no pinning, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$REPS"); do
  order=$CONFIGS; [ $((r % 2)) = 0 ] && order=$(echo $CONFIGS | tr ' ' '\n' | tac | tr '\n' ' ')
  for cfg in $order; do
    setup "$cfg"
    wrk -t"$THREADS" -c"$C" -d"${WARM}s" "$URL" > /dev/null
    t0=$(ticks "${PIDS[0]}")
    wrk -t"$THREADS" -c"$C" -d"${DUR}s" --latency "$URL" > "$RUN/$cfg.r$r.wrk"
    echo "proc $(( $(ticks "${PIDS[0]}") - t0 ))" > "$RUN/$cfg.r$r.cpu"
    grep -qE 'Non-2xx|Socket errors' "$RUN/$cfg.r$r.wrk" && echo "  ($cfg r$r: $(grep -E 'Non-2xx|Socket errors' "$RUN/$cfg.r$r.wrk"))"
    printf '  r%s %-14s %s req/s\n' "$r" "$cfg" "$(awk '/Requests\/sec/{print $2}' "$RUN/$cfg.r$r.wrk")"
    stop_all
  done
done

DIR=$RUN CONFIGS=$CONFIGS REPS=$REPS node --input-type=module -e '
  import fs from "node:fs";
  const { DIR, CONFIGS, REPS } = process.env;
  const med = (a) => { const s = [...a].sort((x, y) => x - y); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
  const us = (v) => { const m = /^([\d.]+)(us|ms|s)$/.exec(v ?? ""); return m ? +m[1] * { us: 1, ms: 1e3, s: 1e6 }[m[2]] : NaN; };
  const runs = {};
  for (const cfg of CONFIGS.split(" ").filter(Boolean)) {
    runs[cfg] = [];
    for (let r = 1; r <= +REPS; r++) {
      const w = fs.readFileSync(`${DIR}/${cfg}.r${r}.wrk`, "utf8");
      const reqs = +(/(\d+) requests in/.exec(w) || [])[1];
      const ticks = +/proc (\d+)/.exec(fs.readFileSync(`${DIR}/${cfg}.r${r}.cpu`, "utf8"))[1];
      runs[cfg].push({ rps: +(/Requests\/sec:\s+([\d.]+)/.exec(w) || [])[1], p50: us((/\s50%\s+(\S+)/.exec(w) || [])[1]), cpu: (ticks * 10000) / reqs });
    }
  }
  const peerOf = (cfg) => cfg.replace(/^wayfinder-n/, "nginx-w");
  const paired = (a, b, f) => (runs[a] && runs[b] ? med(runs[a].map((x, i) => f(x) / f(runs[b][i]))).toFixed(2) : "n/a");
  console.log("\nconfig           req/s   p50 µs   proxy CPU µs/req   paired req/s ÷ nginx same workers   CPU ÷ nginx   ÷ own N=1 req/s");
  for (const [cfg, rs] of Object.entries(runs)) {
    const peer = peerOf(cfg);
    const isGw = cfg !== peer;
    const one = cfg.replace(/\d+$/, "1");
    console.log(
      `${cfg.padEnd(14)} ${String(Math.round(med(rs.map((x) => x.rps)))).padStart(7)} ${String(Math.round(med(rs.map((x) => x.p50)))).padStart(8)} ${med(rs.map((x) => x.cpu)).toFixed(1).padStart(18)}` +
        ` ${(isGw ? paired(cfg, peer, (x) => x.rps) : "").padStart(35)} ${(isGw ? paired(cfg, peer, (x) => x.cpu) : "").padStart(13)} ${(cfg !== one ? paired(cfg, one, (x) => x.rps) : "").padStart(17)}`,
    );
  }
'
