#!/usr/bin/env bash
# The Wayfinder gateway beside the measured peers, in one run of the shared harness
# (../shared/perf/bench-http.sh, see its README): same Node backend, loopback, pinned scheme
# (wrk on CPU0, every server on CPU1), wrk c=50 and c=1, REPS repetitions, medians.
#
#   bench/gateway.sh                    # the measured run: DUR=10 REPS=3
#   DUR=2 REPS=1 bench/gateway.sh       # a smoke run
#   INTERLEAVE=0 bench/gateway.sh       # the harness's own order (config by config)
#   GW_ALT="before=/path/to/other/checkout" bench/gateway.sh
#                                       # also measures another built checkout as wayfinder-gw-before,
#                                       # in the same run (same backend, same nginx-proxy baseline)
#
# Configs: nginx-proxy, undici-dispatch, node-raw-proto (peers and probes, unchanged: node-raw-proto is
# the hand-parsed Content-Length-only ceiling probe) and wayfinder-gw: `node bench/gateway-server.mjs`,
# a full Wayfinder with the seed's API (VPC link → Cloud Map service → the backend; GW_MODE=http for a
# plain HTTP_PROXY route), hit through the path form /_aws/execute-api/{apiId}/%24default/ (so wrk and the
# harness's curl need no Host header). Prints req/s, p50/p99, CPU µs per request and the ratio to nginx-proxy.
# Needs: nginx, wrk, taskset; run `npm run build` first. Servers are stopped by PID.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PERF=${PERF:-$(cd "$ROOT/../shared/perf" && pwd)}
GW_ALT=${GW_ALT:-}
ALT_NAMES=""; for a in $GW_ALT; do ALT_NAMES="$ALT_NAMES wayfinder-gw-${a%%=*}"; done
CONFIGS=${CONFIGS:-"nginx-proxy undici-dispatch node-raw-proto wayfinder-gw$ALT_NAMES"}
export SCHEME=${SCHEME:-pinned} DUR=${DUR:-10} REPS=${REPS:-3} CONCS=${CONCS:-"50 1"} WARM=${WARM:-3}
[ -f "$ROOT/dist/src/server/app.js" ] || { echo "run npm run build first" >&2; exit 1; }
for t in nginx wrk taskset; do command -v $t >/dev/null || { echo "missing $t" >&2; exit 1; }; done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/wayfinder-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# A private copy of the harness (its files are small; the shared folder stays untouched), with the
# repo's node_modules for undici, plus one setup() case for the Wayfinder gateway and a per-config
# URL path (the gateway is reached by the path form; every other config keeps "/").
mkdir -p "$WORK/perf"
for f in "$PERF"/*; do case $(basename "$f") in results|node_modules|prof|run) ;; *) cp -r "$f" "$WORK/perf/";; esac; done
ln -s "$ROOT/node_modules" "$WORK/perf/node_modules"
H="$WORK/perf/bench-http.sh"
gw_case() { # $1 config name, $2 checkout root (built); its own bench/gateway-server.mjs starts it
  echo "    $1)   backend \$be; rm -f \$RUN/gw-api; start proxy env UPSTREAM_PORT=\$UP PORT=8098 GW_MODE=${GW_MODE:-cloudmap} GW_API_FILE=\$RUN/gw-api node $2/bench/gateway-server.mjs; for _ in \$(seq 200); do [ -s \$RUN/gw-api ] \&\& break; sleep 0.1; done; URLPATH=/_aws/execute-api/\$(cat \$RUN/gw-api)/%24default/; PORT=8098;;"
}
GW_CASE=$(gw_case wayfinder-gw "$ROOT")
for a in $GW_ALT; do
  [ -f "${a#*=}/dist/src/server/app.js" ] || { echo "GW_ALT ${a%%=*}: ${a#*=} is not a built checkout" >&2; exit 1; }
  GW_CASE="$GW_CASE\n$(gw_case "wayfinder-gw-${a%%=*}" "${a#*=}")"
done
sed -i \
  -e "s|^    \*) echo \"unknown config|$GW_CASE\n&|" \
  -e 's|local c=\$1 be=node; UP=8082|local c=$1 be=node; UP=8082; URLPATH=/|' \
  -e 's|http://127.0.0.1:\$1/|http://127.0.0.1:$1${URLPATH:-/}|' \
  -e 's|http://127.0.0.1:\$PORT/|http://127.0.0.1:$PORT${URLPATH:-/}|g' \
  "$H"
grep -q 'wayfinder-gw)' "$H" && grep -q 'URLPATH:-/' "$H" || { echo "could not add the gateway case to the harness" >&2; exit 1; }

OUT="$WORK/results"
export OUT RUN="$WORK/run"
mkdir -p "$OUT" "$RUN"
echo "harness: $PERF (private copy in $WORK/perf); scheme $SCHEME, DUR=${DUR}s, REPS=$REPS, concurrency $CONCS"
# Absolute numbers drift within minutes on a shared VM, and the harness runs config after config:
# with INTERLEAVE=1 (default) each repetition runs every config once (the order reversed on even
# repetitions), so every config sees the same conditions; the medians are then taken over the reps.
if [ "${INTERLEAVE:-1}" = 1 ] && [ "$REPS" -gt 1 ]; then
  for r in $(seq 1 "$REPS"); do
    order=$CONFIGS; [ $((r % 2)) = 0 ] && order=$(echo $CONFIGS | tr ' ' '\n' | tac | tr '\n' ' ')
    echo "repetition $r: $order"
    ( cd "$WORK/perf" && OUT="$WORK/rep$r" REPS=1 ./bench-http.sh $order )
    for f in "$WORK/rep$r"/*.r1.*; do [ -e "$f" ] && b=$(basename "$f") && mv "$f" "$OUT/${b/.r1./.r$r.}"; done
    for f in "$WORK/rep$r"/*.headers; do [ -e "$f" ] && mv "$f" "$OUT/"; done
  done
else
  ( cd "$WORK/perf" && ./bench-http.sh $CONFIGS )
fi
for cfg in $CONFIGS; do [ -s "$OUT/$cfg.headers" ] && { echo "--- $cfg answered:"; head -n 12 "$OUT/$cfg.headers"; }; done
echo
JSON="$WORK/summary.json" node "$WORK/perf/summarize.js" "$OUT"
echo
JSON="$WORK/summary.json" node -e '
  const rows = JSON.parse(require("fs").readFileSync(process.env.JSON, "utf8"));
  const med = (a) => { const s = [...a].sort((x, y) => x - y); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
  const proxyCpu = (r) => { const k = Object.keys(r.procs).find((p) => p !== "backend"); return k ? med(r.procs[k]) : NaN; };
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
