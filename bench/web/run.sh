#!/usr/bin/env bash
# Load test of `wbc-nca serve` on loopback with wrk (Debian package `wrk`): starts the server, runs each scenario,
# prints one RESULT line per scenario, stops the server. Usage: bench/web/run.sh MODEL.safetensors CELL.png [threads]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="$1"; image="$2"; threads="${3:-2}"; url="http://127.0.0.1:5082"
"$root/wbc-nca" serve --model "$model" --urls "$url" --threads "$threads" > /tmp/wbc-nca-serve-load.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 60); do curl -sf "$url/health" >/dev/null && break; sleep 1; done
curl -sf -F "images=@$image" "$url/api/predict?samples=1" >/dev/null   # warm-up
run() { echo "== $1"; shift; IMG="$image" wrk --timeout 60s "$@" -s "$root/bench/web/predict.lua" | grep -E "RESULT|Non-2xx|Socket errors" || true; }
echo "== GET /health, 8 connections"; wrk -t2 -c8 -d10s "$url/health" | grep -E "Requests/sec|Latency" || true
run "POST /api/predict, 1 image, samples=1, 1 connection"  -t1 -c1 -d20s "$url/api/predict?samples=1"
run "POST /api/predict, 1 image, samples=1, 4 connections" -t2 -c4 -d40s "$url/api/predict?samples=1"
run "POST /api/predict, 1 image, samples=8 (default), 2 connections" -t2 -c2 -d40s "$url/api/predict"
