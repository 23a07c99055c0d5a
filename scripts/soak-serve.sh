#!/usr/bin/env bash
# A soak test of 'seemore serve' (not in CI): one server under 16 streaming clients for ~30 minutes
# (SOAK_REQUESTS, default 36000 requests at ~20/s), its resident memory printed every 30 s: it must level
# off. Usage: scripts/soak-serve.sh MODEL_DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:?usage: scripts/soak-serve.sh MODEL_DIR}"
requests="${SOAK_REQUESTS:-36000}"
"$root/seemore" bench serve --model "$model" --clients 16 --requests "$requests" --max-tokens 64 &
launcher=$!
trap 'kill "$launcher" 2>/dev/null || true' EXIT INT TERM
start=$SECONDS
while kill -0 "$launcher" 2>/dev/null; do
  sleep 30
  pid=$launcher  # the launcher execs java
  [ -n "$pid" ] && echo "$((SECONDS - start)) s: RSS $(awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status" 2>/dev/null) MB"
done
wait "$launcher"
