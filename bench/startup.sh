#!/usr/bin/env bash
# Cold start: `wayfinder up` on an empty data directory, from spawn to the first 200 from
# /_wayfinder/health, beside moto_server (spawn to its first 200 from /moto-api/) in the same run,
# interleaved (W M W M …) so both see the same machine. Each run reports wall ms to healthy and the
# server's CPU ms by then (user+system from /proc: the figure a shared machine moves least).
#
#   bench/startup.sh                          # REPS=9
#   REPS=3 bench/startup.sh                   # a smoke run
#   ALT="before=/path/to/other/checkout" bench/startup.sh
#                                             # also starts another built checkout, in the same run
#   PORT=5451 bench/startup.sh              # the server's port (DNS on PORT+1)
# Needs: node (bench/harness/up-to-healthy.mjs polls with Node's http client); moto_server for the peer (pip install 'moto[server]').
# Run `npm run build` first. Servers are stopped by PID; data directories are temporary and removed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPS=${REPS:-9}
ALT=${ALT:-}
. "$ROOT/bench/lib/peers.sh"; need_peers moto_server
[ -f "$ROOT/dist/src/server/app.js" ] || { echo "run npm run build first" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/wayfinder-startup.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
PROBE="node $ROOT/bench/harness/up-to-healthy.mjs"
# Below the kernel's ephemeral range (32768–60999): a port in it can be taken by any client socket
# (a run right after bench/dns.sh met EADDRINUSE on 45602).
PORT=${PORT:-5451}
wayfinder_run() { # $1 checkout
  local d; d=$(mktemp -d "$WORK/data.XXXXXX")
  $PROBE "http://127.0.0.1:$PORT/_wayfinder/health" node "$1/bin/wayfinder.js" up --port $PORT --dns-port $((PORT + 1)) --data-dir "$d" --runtime process
  rm -rf "$d"
}
moto_run() { $PROBE "http://127.0.0.1:$PORT/moto-api/" moto_server -p $PORT 2>/dev/null; }
configs="wayfinder moto_server"; for a in $ALT; do configs="$configs wayfinder-${a%%=*}"; done
echo "cold start to healthy, REPS=$REPS, interleaved: $configs"
for r in $(seq 1 "$REPS"); do
  for c in $configs; do
    line=
    case $c in
      wayfinder) line=$(wayfinder_run "$ROOT" || true);;
      moto_server) line=$(moto_run || true);;
      wayfinder-*) for a in $ALT; do [ "wayfinder-${a%%=*}" = "$c" ] && line=$(wayfinder_run "${a#*=}" || true); done;;
    esac
    echo "$c ${line:-failed}" | tee -a "$WORK/runs"
  done
done
echo
node -e '
  const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split(" "));
  const med = (a) => { const s = [...a].sort((x, y) => x - y); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
  const by = new Map();
  for (const [c, , wall, , cpu] of rows) {
    if (!by.has(c)) by.set(c, { wall: [], cpu: [], failed: 0 });
    if (Number.isFinite(+wall) && Number.isFinite(+cpu)) { by.get(c).wall.push(+wall); by.get(c).cpu.push(+cpu); } else by.get(c).failed++;
  }
  const peer = by.get("moto_server");
  console.log("config               wall ms (median, min–max)    CPU ms (median)   wall ÷ moto   CPU ÷ moto");
  for (const [c, v] of by) {
    const w = med(v.wall), cpu = med(v.cpu);
    console.log(`${c.padEnd(20)} ${w.toFixed(0).padStart(7)} (${Math.min(...v.wall).toFixed(0)}–${Math.max(...v.wall).toFixed(0)})`.padEnd(50) + `${cpu.toFixed(0).padStart(8)}   ${(w / med(peer.wall)).toFixed(2).padStart(11)}   ${(cpu / med(peer.cpu)).toFixed(2).padStart(10)}` + (v.failed ? `   (${v.failed} runs not healthy)` : ""));
  }' "$WORK/runs"
