#!/usr/bin/env bash
# The Wayfinder gateway beside the measured peers, in one run of the in-repo HTTP harness
# (bench/harness/http.sh: nginx config in bench/conf/, backend and probes in bench/harness/): same Node
# backend, loopback, pinned scheme (wrk on CPU0, every server on CPU1), wrk c=50 and c=1, REPS
# repetitions, medians.
#
#   bench/gateway.sh                    # the measured run: DUR=10 REPS=3
#   DUR=2 REPS=1 bench/gateway.sh       # a smoke run
#   INTERLEAVE=0 bench/gateway.sh       # the harness's own order (config by config)
#   GW_ALT="before=/path/to/other/checkout" bench/gateway.sh
#                                       # also measures another built checkout as wayfinder-gw-before,
#                                       # in the same run (same backend, same nginx-proxy baseline)
#   KEEP=bench/results/gw-x bench/gateway.sh   # keeps the raw wrk/CPU files
#   PORT_BASE=5050 bench/gateway.sh     # every server on 5051-5068 instead of 8081-8098
#
# Configs: nginx-proxy, undici-dispatch, node-raw-proto (peers and probes: node-raw-proto is the
# hand-parsed Content-Length-only ceiling probe; see bench/harness/http.sh for the others CONFIGS may
# name) and wayfinder-gw: `node bench/gateway-server.mjs`, a full Wayfinder with the seed's API (VPC link
# → Cloud Map service → the backend; GW_MODE=http for a plain HTTP_PROXY route), hit through the path
# form /_aws/execute-api/{apiId}/%24default/ (so wrk and curl need no Host header). Prints req/s,
# p50/p99, CPU µs per request and the ratio to nginx-proxy. Needs: nginx, wrk, taskset, curl; run
# `npm run build` first. Servers are stopped by PID; everything they write goes to a temporary directory.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GW_ALT=${GW_ALT:-}
ALT_NAMES=""; for a in $GW_ALT; do ALT_NAMES="$ALT_NAMES wayfinder-gw-${a%%=*}"; done
CONFIGS=${CONFIGS:-"nginx-proxy undici-dispatch node-raw-proto wayfinder-gw$ALT_NAMES"}
export SCHEME=${SCHEME:-pinned} DUR=${DUR:-10} REPS=${REPS:-3} CONCS=${CONCS:-"50 1"} WARM=${WARM:-3} GW_ALT
. "$ROOT/bench/lib/peers.sh"; need_peers nginx wrk taskset curl
[ -f "$ROOT/dist/src/server/app.js" ] || { echo "run npm run build first" >&2; exit 1; }
for a in $GW_ALT; do
  [ -f "${a#*=}/dist/src/server/app.js" ] || { echo "GW_ALT ${a%%=*}: ${a#*=} is not a built checkout" >&2; exit 1; }
done
HARNESS=$ROOT/bench/harness

WORK=$(mktemp -d "${TMPDIR:-/tmp}/wayfinder-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
OUT="$WORK/results"
export OUT RUN="$WORK/run"
mkdir -p "$OUT" "$RUN"
echo "harness: bench/harness/http.sh; scheme $SCHEME, DUR=${DUR}s, REPS=$REPS, concurrency $CONCS"
# Absolute numbers drift within minutes on a VM with other tenants, and the harness runs config after config:
# with INTERLEAVE=1 (default) each repetition runs every config once (the order reversed on even
# repetitions), so every config sees the same conditions; the medians are then taken over the reps.
if [ "${INTERLEAVE:-1}" = 1 ] && [ "$REPS" -gt 1 ]; then
  for r in $(seq 1 "$REPS"); do
    order=$CONFIGS; [ $((r % 2)) = 0 ] && order=$(echo $CONFIGS | tr ' ' '\n' | tac | tr '\n' ' ')
    echo "repetition $r: $order"
    OUT="$WORK/rep$r" REPS=1 "$HARNESS/http.sh" $order
    for f in "$WORK/rep$r"/*.r1.*; do [ -e "$f" ] && b=$(basename "$f") && mv "$f" "$OUT/${b/.r1./.r$r.}"; done
    for f in "$WORK/rep$r"/*.headers; do [ -e "$f" ] && mv "$f" "$OUT/"; done
  done
else
  "$HARNESS/http.sh" $CONFIGS
fi
for cfg in $CONFIGS; do [ -s "$OUT/$cfg.headers" ] && { echo "--- $cfg answered:"; head -n 12 "$OUT/$cfg.headers"; }; done
echo
JSON="$WORK/summary.json" node "$HARNESS/summarize-http.mjs" "$OUT"
echo
JSON="$WORK/summary.json" node -e '
  const rows = JSON.parse(require("fs").readFileSync(process.env.JSON, "utf8"));
  const med = (a) => { const s = [...a].sort((x, y) => x - y); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
  const proxyCpu = (r) => { const k = Object.keys(r.procs).find((p) => p !== "backend" && p !== "nginx-backend"); return k ? med(r.procs[k]) : NaN; };
  for (const c of [...new Set(rows.map((r) => r.c))].sort((a, b) => b - a)) {
    const base = rows.find((r) => r.cfg === "nginx-proxy" && r.c === c);
    console.log(`c=${c}`);
    console.log("  config              req/s    p50 µs   p99 µs   proxy CPU µs/req   ÷ nginx-proxy req/s   paired ÷ nginx   CPU ÷ nginx");
    for (const r of rows.filter((x) => x.c === c).sort((a, b) => b.rpsMed - a.rpsMed)) {
      const ratio = base ? (r.rpsMed / base.rpsMed).toFixed(2) : "n/a";
      // Repetition i of every config ran back to back (INTERLEAVE=1): the median of per-rep ratios
      // is the least sensitive to the machine drifting between repetitions.
      const paired = base && base.rps.length === r.rps.length ? med(r.rps.map((v, i) => v / base.rps[i])).toFixed(2) : "n/a";
      const cpuRatio = base ? (proxyCpu(r) / proxyCpu(base)).toFixed(2) : "n/a";
      console.log(`  ${(r.cfg + (r.err ? " (ERR)" : "")).padEnd(18)} ${String(Math.round(r.rpsMed)).padStart(7)} ${String(Math.round(r.p50Med)).padStart(8)} ${String(Math.round(r.p99Med)).padStart(8)} ${proxyCpu(r).toFixed(1).padStart(18)} ${ratio.padStart(21)} ${paired.padStart(16)} ${cpuRatio.padStart(13)}`);
    }
  }'
if [ -n "${KEEP:-}" ]; then cp -r "$OUT" "$KEEP" && echo "raw results kept in $KEEP"; fi
