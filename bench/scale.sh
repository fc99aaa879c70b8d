#!/usr/bin/env bash
# Wayfinder at small and at large state, in one run on one server (issue 16, target 3 and the big-state
# half of target 4): bench/scale-setup.mjs builds the small state, everything is measured, the same
# script grows it to 1,000 Cloud Map services / 10,384 instances / 100 HTTP APIs × 300 routes / 502
# running tasks (process runtime, `sleep 3600`), everything is measured again, then the server is
# stopped with --keep-tasks and started again on that data dir: time to healthy, time until it has
# re-adopted every task (its fds on each task's stdout pipe), and how many tasks are RUNNING with the
# same pid as before the restart (DescribeTasks).
# Measured at each state (load on CPU0, server on CPU1, REPS reps, medians; CPU per request from /proc):
#   gateway   wrk -t1 -c10 on route r5 of API `probe` (VPC link → Cloud Map `probe`, 10 instances → the
#             bench backend): req/s, p50, p99, server CPU µs/req
#   dns       dnsperf -c 1 -q 100, `probe.scale.local A` (10 records): qps, server CPU µs/query
#   health    bench/lib/health-flip.mjs: ms from an UpdateInstanceCustomHealthStatus call until DNS and the
#             gateway show it (--health-delay-ms 0), median and max of FLIPS flips
#   control   wrk -t1 -c1 on ListInstances (probe, MaxResults 100), DiscoverInstances (probe),
#             DescribeServices (ECS `probe`, 2 tasks), GetRoutes (API `probe`, maxResults 100): p50, p99,
#             server CPU µs/req
#   memory    server RSS; at large state also the tasks' own RSS (per task) and the server's growth
#   idle      server CPU with no load (ms per s, over 5 s): its share is inside every CPU µs/req figure
# The small state is measured twice: alone, and "crowded", beside as many idle processes as the large state's
# tasks bring (a `sh` and a `sleep` each, outside Wayfinder). On the VMs these figures come from, ~1,000 more
# processes alone raise the load generator's c=10 p99 from ~1 ms to 2–4 ms with Wayfinder's state unchanged
# (the host's agents scan every process): "large ÷ crowded" compares the two states with that held equal.
# Usage:  bench/scale.sh                (DUR=10 REPS=3)
#         DUR=3 REPS=1 bench/scale.sh   (a smoke run; SERVICES=100 APIS=10 TASKS=50 shrink the state)
# Needs wrk, dnsperf, taskset, setsid, curl, bc; run `npm run build` first. Ports: PORT (5160), PORT+1 (DNS),
# PORT+2 (backend). Results go to bench/results/scale-<date>/ (OUT=… to choose); data is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/peers.sh; need_peers wrk dnsperf taskset curl bc setsid
DUR=${DUR:-10}; REPS=${REPS:-3}; FLIPS=${FLIPS:-10}
PORT=${PORT:-5160}; DNS_PORT=$((PORT + 1)); BACKEND=$((PORT + 2))
OUT=${OUT:-bench/results/scale-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
[ -f dist/src/cli/main.js ] || { echo "run npm run build first" >&2; exit 1; }
export NODE_NO_WARNINGS=1
EP=http://127.0.0.1:$PORT

PIDS=()
# The servers' tasks too (each a process group): a server stopped with --keep-tasks leaves them running.
cleanup() {
  local groups; groups="${TASK_PIDS:-} $(for p in "${PIDS[@]}"; do pgrep -P "$p" || true; done)"
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  for g in $groups ${CROWD:-}; do kill -KILL -- "-$g" 2>/dev/null || true; done
  rm -rf "$OUT/data"
}
trap cleanup EXIT
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12+$13}'; }
rss_kb() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms_of() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v/1000; else if (v ~ /ms$/) print v+0; else if (v ~ /s$/) print v*1000; else print v }'; }
WF_ARGS=(up --port "$PORT" --dns-port "$DNS_PORT" --data-dir "$OUT/data" --runtime process --operation-delay-ms 0 --health-delay-ms 0
  --vpc-link-delay-ms 0 --task-stable-ms 1000 --gateway-rate-limit 100000000 --gateway-burst-limit 100000000 --log-level error)
start_wf() { taskset -c 1 node bin/wayfinder.js "${WF_ARGS[@]}" "$@" >> "$OUT/wayfinder.log" 2>&1 & WF=$!; PIDS+=("$WF"); }
wait_healthy() { for _ in $(seq 1200); do curl -sf -o /dev/null "$EP/_wayfinder/health" && return 0; sleep 0.025; done; echo "not healthy" >&2; return 1; }

taskset -c 0 node bench/harness/backend.mjs "$BACKEND" > "$OUT/backend.log" 2>&1 & PIDS+=($!)
# --keep-tasks: its stop before the restart leaves the tasks for the next server (which, started
# without it, stops them at the end).
start_wf --keep-tasks; wait_healthy
node bench/scale-setup.mjs "$EP" small "$BACKEND" | tee "$OUT/setup-small.json"
J() { node -pe "JSON.parse(require('fs').readFileSync('$OUT/setup-small.json', 'utf8')).$1"; }
API=$(J probeApiId); PROBE=$(J probeServiceId); FLIP=$(J flipServiceId)
echo "probe.scale.local A" > "$OUT/dnsperf.txt"
node bench/lib/wrk-signed-script.mjs "$PORT" servicediscovery list-instances "{\"ServiceId\":\"$PROBE\",\"MaxResults\":100}" > "$OUT/list-instances.lua"
node bench/lib/wrk-signed-script.mjs "$PORT" servicediscovery discover-instances '{"NamespaceName":"scale.local","ServiceName":"probe"}' > "$OUT/discover-instances.lua"
node bench/lib/wrk-signed-script.mjs "$PORT" ecs describe-services '{"cluster":"scale","services":["probe"]}' > "$OUT/describe-services.lua"
node bench/lib/wrk-signed-script.mjs "$PORT" apigateway get-routes "{\"ApiId\":\"$API\",\"MaxResults\":\"100\"}" > "$OUT/get-routes.lua"
GW_URL="$EP/_aws/execute-api/$API/%24default/probe/r5/x"
curl -sf "$GW_URL" > /dev/null || { echo "the gateway does not answer $GW_URL" >&2; exit 1; }

declare -A R
# wrk run set: name, wrk args, url → R[state-name-{rps,p50,p99,cpu}] (CPU µs/req over all reps).
wrk_set() { # state name conns url [script]
  local st=$1 name=$2 c=$3 url=$4 script=${5:-} t0 n=0 rep f s=()
  [ -n "$script" ] && s=(-s "$script")
  taskset -c 0 wrk -t1 -c"$c" -d2s "${s[@]}" "$url" > /dev/null
  t0=$(ticks "$WF")
  for rep in $(seq 1 "$REPS"); do
    f="$OUT/$st-$name.r$rep.wrk"
    taskset -c 0 wrk -t1 -c"$c" -d"${DUR}s" --latency "${s[@]}" "$url" > "$f"
    if grep -q "Non-2xx" "$f"; then echo "non-2xx answers for $st $name — see $f" >&2; exit 1; fi
    n=$((n + $(awk '/requests in/{print $1}' "$f")))
  done
  R[$st-$name-cpu]=$(echo "($(ticks "$WF") - $t0) * 10000 / $n" | bc -l)
  R[$st-$name-rps]=$(grep -h 'Requests/sec' "$OUT/$st-$name".r*.wrk | awk '{print $2}' | median)
  R[$st-$name-p50]=$(for f in "$OUT/$st-$name".r*.wrk; do ms_of "$(awk '$1=="50%"{print $2}' "$f")"; done | median)
  R[$st-$name-p99]=$(for f in "$OUT/$st-$name".r*.wrk; do ms_of "$(awk '$1=="99%"{print $2}' "$f")"; done | median)
}

measure() { # state
  local st=$1 t0 n=0 rep f
  echo "== measuring at $st state"
  # What the server spends with no load at all (timers, sweeps, the tasks' supervision): every CPU-per-request
  # figure below includes its share of this.
  t0=$(ticks "$WF"); sleep 5; R[$st-idle]=$(echo "($(ticks "$WF") - $t0) * 10 / 5" | bc -l)
  wrk_set "$st" gateway 10 "$GW_URL"
  taskset -c 0 dnsperf -s 127.0.0.1 -p "$DNS_PORT" -d "$OUT/dnsperf.txt" -l 2 -c 1 -q 100 > /dev/null 2>&1
  t0=$(ticks "$WF")
  for rep in $(seq 1 "$REPS"); do
    f="$OUT/$st-dns.r$rep.dnsperf"
    taskset -c 0 dnsperf -s 127.0.0.1 -p "$DNS_PORT" -d "$OUT/dnsperf.txt" -l "$DUR" -c 1 -q 100 > "$f" 2>&1
    n=$((n + $(awk '/Queries completed/{print $3}' "$f")))
  done
  R[$st-dns-cpu]=$(echo "($(ticks "$WF") - $t0) * 10000 / $n" | bc -l)
  R[$st-dns-rps]=$(grep -h 'Queries per second' "$OUT/$st-dns".r*.dnsperf | awk '{print $4}' | median)
  for op in list-instances discover-instances describe-services get-routes; do wrk_set "$st" "$op" 1 "$EP/" "$OUT/$op.lua"; done
  node bench/lib/health-flip.mjs "$EP" "$DNS_PORT" "$API" "$FLIP" "$FLIPS" | tee "$OUT/$st-health.json"
  R[$st-rss]=$(rss_kb "$WF")
}

measure small
# The small state again, beside as many idle processes as the tasks the large state adds (scale-setup.mjs starts
# TASKS rounded up to tens; sh + sleep each, each pair in its own session, killed before the state grows).
CROWD_TASKS=$(( (${TASKS:-500} + 9) / 10 * 10 )); CROWD=""
for _ in $(seq "$CROWD_TASKS"); do setsid sh -c 'sleep 3600; :' > /dev/null 2>&1 & CROWD="$CROWD $!"; disown $!; done
sleep 2
measure crowded
for g in $CROWD; do kill -KILL -- "-$g" 2>/dev/null || true; done; CROWD=""
echo "== growing to the large state"
node bench/scale-setup.mjs "$EP" large "$BACKEND" | tee "$OUT/setup-large.json"
sleep 2 # let the last task registrations settle
measure large
# The server's children are the tasks' recording wrappers (their runtimeIds); a task's RSS is its wrapper's and its command's.
TASK_PIDS=$(pgrep -P "$WF" || true)
TASKS=$(echo "$TASK_PIDS" | grep -c . || true)
TASK_RSS=0; for p in $TASK_PIDS $(for w in $TASK_PIDS; do pgrep -P "$w"; done); do TASK_RSS=$((TASK_RSS + $(rss_kb "$p" 2>/dev/null || echo 0))); done

echo "== restart on the large state"
kill "$WF"; wait "$WF" 2>/dev/null || true
KEPT=0; for p in $TASK_PIDS; do kill -0 "$p" 2>/dev/null && KEPT=$((KEPT + 1)); done
T0=$(date +%s%N); start_wf; wait_healthy
UP_MS=$(( ($(date +%s%N) - T0) / 1000000 )); UP_CPU=$(( $(ticks "$WF") * 10 ))
# Re-adopted: the new server has opened the task's stdout pipe again (<data>/tasks/.output/<id>/stdout).
ADOPTED=0
for _ in $(seq 4800); do
  ADOPTED=$(ls -l "/proc/$WF/fd" 2>/dev/null | grep -c '/\.output/[0-9a-f]*/stdout$' || true)
  [ "$ADOPTED" -ge "$TASKS" ] && break; sleep 0.025
done
ADOPT_MS=$(( ($(date +%s%N) - T0) / 1000000 )); ADOPT_CPU=$(( $(ticks "$WF") * 10 ))
read -r RUNNING SAME < <(node -e '
  const ECS = require("@aws-sdk/client-ecs");
  const ecs = new ECS.ECSClient({ endpoint: process.argv[1], region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const before = new Set(process.argv[2].split(/\s+/).filter(Boolean));
  (async () => {
    const arns = [];
    let nextToken;
    do {
      const r = await ecs.send(new ECS.ListTasksCommand({ cluster: "scale", maxResults: 100, nextToken }));
      arns.push(...r.taskArns);
      nextToken = r.nextToken;
    } while (nextToken);
    let running = 0, same = 0;
    for (let i = 0; i < arns.length; i += 100) {
      const { tasks } = await ecs.send(new ECS.DescribeTasksCommand({ cluster: "scale", tasks: arns.slice(i, i + 100) }));
      for (const t of tasks) {
        if (t.lastStatus !== "RUNNING") continue;
        running++;
        if (before.has(t.containers[0].runtimeId)) same++;
      }
    }
    console.log(running, same);
  })().finally(() => ecs.destroy());
' "$EP" "$TASK_PIDS")

H() { node -pe "JSON.parse(require('fs').readFileSync('$OUT/$1-health.json', 'utf8')).$2"; }
{
  echo "Scale: small state (2 services + probe/flip, 1 API × 300 routes, 2 tasks) vs large ($(node -pe "const j = JSON.parse(require('fs').readFileSync('$OUT/setup-large.json', 'utf8')); \`\${j.services} services, \${j.instances} instances, \${j.apis} APIs × 300 routes, \${j.tasks} tasks\`"))"
  echo "one server, one run; load on CPU0, server on CPU1; DUR=${DUR}s × $REPS reps (medians); CPU µs/req from /proc over all reps"
  echo "crowded: the small state beside $CROWD_TASKS idle sh + sleep pairs (as many processes as the tasks the large state adds)"
  printf '%-40s %10s %10s %10s %12s %14s\n' metric small crowded large 'large÷small' 'large÷crowded'
  row() { printf '%-40s %10.1f %10.1f %10.1f %11.2fx %13.2fx\n' "$1" "$2" "$3" "$4" "$(echo "$4 / $2" | bc -l)" "$(echo "$4 / $3" | bc -l)"; }
  row 'gateway c=10 req/s' "${R[small-gateway-rps]}" "${R[crowded-gateway-rps]}" "${R[large-gateway-rps]}"
  row 'gateway c=10 p50 ms' "${R[small-gateway-p50]}" "${R[crowded-gateway-p50]}" "${R[large-gateway-p50]}"
  row 'gateway c=10 p99 ms' "${R[small-gateway-p99]}" "${R[crowded-gateway-p99]}" "${R[large-gateway-p99]}"
  row 'gateway CPU µs/req' "${R[small-gateway-cpu]}" "${R[crowded-gateway-cpu]}" "${R[large-gateway-cpu]}"
  row 'DNS A qps' "${R[small-dns-rps]}" "${R[crowded-dns-rps]}" "${R[large-dns-rps]}"
  row 'DNS CPU µs/query' "${R[small-dns-cpu]}" "${R[crowded-dns-cpu]}" "${R[large-dns-cpu]}"
  row 'health call answered ms (median)' "$(H small callMs)" "$(H crowded callMs)" "$(H large callMs)"
  row 'health → DNS ms (median)' "$(H small dnsMs)" "$(H crowded dnsMs)" "$(H large dnsMs)"
  row 'health → DNS ms (max)' "$(H small dnsMaxMs)" "$(H crowded dnsMaxMs)" "$(H large dnsMaxMs)"
  row 'health → gateway ms (median)' "$(H small gatewayMs)" "$(H crowded gatewayMs)" "$(H large gatewayMs)"
  row 'health → gateway ms (max)' "$(H small gatewayMaxMs)" "$(H crowded gatewayMaxMs)" "$(H large gatewayMaxMs)"
  for op in list-instances discover-instances describe-services get-routes; do
    row "$op c=1 p50 ms" "${R[small-$op-p50]}" "${R[crowded-$op-p50]}" "${R[large-$op-p50]}"
    row "$op c=1 p99 ms" "${R[small-$op-p99]}" "${R[crowded-$op-p99]}" "${R[large-$op-p99]}"
    row "$op CPU µs/req" "${R[small-$op-cpu]}" "${R[crowded-$op-cpu]}" "${R[large-$op-cpu]}"
  done
  row 'server idle CPU ms per s' "${R[small-idle]}" "${R[crowded-idle]}" "${R[large-idle]}"
  row 'server RSS MiB' "$(echo "${R[small-rss]} / 1024" | bc -l)" "$(echo "${R[crowded-rss]} / 1024" | bc -l)" "$(echo "${R[large-rss]} / 1024" | bc -l)"
  echo
  echo "memory at large state: $TASKS tasks (a recording sh wrapper + the command each), $(echo "$TASK_RSS / 1024 / ($TASKS + (TASKS == 0))" | bc -l | xargs printf '%.2f') MiB RSS each (their own);"
  echo "  server growth small → large $(echo "(${R[large-rss]} - ${R[small-rss]}) / 1024" | bc -l | xargs printf '%.0f') MiB for the whole state"
  echo "restart on the large state (stopped with --keep-tasks: $KEPT of $TASKS task processes outlived it): healthy after $UP_MS ms"
  echo "  (server CPU $UP_CPU ms by then); all $ADOPTED tasks re-adopted after $ADOPT_MS ms (server CPU $ADOPT_CPU ms by then);"
  echo "  then $RUNNING tasks RUNNING, $SAME of them with the same pid as before the restart"
} | tee "$OUT/summary.txt"
