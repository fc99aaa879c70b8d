#!/usr/bin/env bash
# ECR registry throughput, side by side in one run (never compare numbers across runs: they drift):
# Wayfinder's OCI registry next to Debian's docker-registry (distribution 2.8), both started here on
# loopback, each run pushing (POST, streamed PATCH, PUT ?digest=) and pulling a MB-sized random blob
# on both servers back to back (bench/ecr-registry.mjs). Prints each run's ratio, the median table,
# and each server's RSS (Wayfinder's and docker-registry's) at rest and at its peak during an RSS_MB
# push: raw monolithic, raw chunked, and `docker push` of an image with one RSS_MB layer (DOCKER=0
# skips the last; it needs the local wayfinder-test/busybox image).
#   bench/ecr.sh                      (MB=200 RUNS=5 RSS_MB=1024)
#   MB=50 RUNS=1 RSS_MB=100 bench/ecr.sh   (a few-second smoke run)
# BEFORE=<other checkout>/bin/wayfinder.js adds an older build as a third server (before/after in one run).
# PORT=<n> REG_PORT=<m> pin the servers' ports (BEFORE takes PORT+1).
# Needs docker-registry and aws; the output goes to bench/results/ecr-<date>/summary.txt (OUT=...).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/peers.sh; need_peers docker-registry aws
MB=${MB:-200}; RUNS=${RUNS:-5}; RSS_MB=${RSS_MB:-1024}
OUT=${OUT:-bench/results/ecr-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$OUT"
[ -f dist/src/cli/main.js ] || npm run build >/dev/null
node bench/ecr-registry.mjs --mb "$MB" --runs "$RUNS" --rss-mb "$RSS_MB" ${DOCKER:+--docker "$DOCKER"} | tee "$OUT/summary.txt"
