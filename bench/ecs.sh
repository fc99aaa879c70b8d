#!/usr/bin/env bash
# ECS benchmarks (the lead runs the measured ones on a quiet machine; SMOKE=1 runs a few-second smoke):
#   1. CreateService → first HEALTHY instance in Cloud Map, median of RUNS (10), process and docker runtimes
#   2. N (200) tasks on the process runtime: time to converge, and the server's memory
# Server pinned to CPU1 (taskset), the SDK client unpinned; results in bench/results/ecs-<date>/.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}; N=${N:-200}
if [ "${SMOKE:-0}" = 1 ]; then RUNS=2; N=10; fi
OUT=${OUT:-bench/results/ecs-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$OUT"
[ -f dist/src/cli/main.js ] || npm run build >/dev/null
{
  node bench/ecs-first-healthy.mjs process "$RUNS"
  if docker info >/dev/null 2>&1; then
    scripts/docker-test-image.sh >/dev/null
    node bench/ecs-first-healthy.mjs docker "$RUNS"
  else
    echo '{"bench":"ecs-first-healthy","runtime":"docker","skipped":"no Docker engine answers"}'
  fi
  node bench/ecs-scale.mjs "$N"
} 2> >(grep -v -e NodeVersionSupportWarning -e 'node >=22' -e 'January 2027' -e 'a.co/' -e 'trace-warnings' -e 'receiving updates' -e '^$' >&2) | tee "$OUT/summary.jsonl"
