#!/usr/bin/env bash
# A soak test of 'seemore serve' (not in CI): one server under SOAK_CLIENTS (16) streaming clients for
# SOAK_SECONDS (1800), each asking for SOAK_MAX_TOKENS (64) tokens. Every 30 s it logs the server's resident
# memory; at the end, the requests done, the failed ones, and RSS at the start, after a 5-minute warm-up,
# at the end and at its peak: memory is flat when the end is within a few percent of the warm-up figure.
# The clients run in the server's JVM ('bench serve') and keep 40 bytes per request for the percentiles: ~4 MB
# over 30 minutes. It runs a copy of the jar, so rebuilding the project meanwhile does not disturb it. Exit 1
# on any failed request. Usage: scripts/soak-serve.sh MODEL_DIR [LOG]   (e.g. nice -n 10 scripts/soak-serve.sh runs/demo)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:?usage: scripts/soak-serve.sh MODEL_DIR [LOG]}"
log="${2:-/dev/null}"
seconds="${SOAK_SECONDS:-1800}"
clients="${SOAK_CLIENTS:-16}"
max_tokens="${SOAK_MAX_TOKENS:-64}"
warmup=300
"$root/seemore" --version >/dev/null  # builds the jar if it is missing or stale
copy="$(mktemp -d)"
mkdir -p "$copy/scripts" "$copy/target"
cp "$root/seemore" "$copy/"
cp "$root/scripts/find-jdk.sh" "$root/scripts/utf8-locale.sh" "$copy/scripts/"
cp "$root/target/seemore.jar" "$copy/target/"
"$copy/seemore" bench serve --model "$model" --clients "$clients" --requests 2147483647 --max-tokens "$max_tokens" \
  --duration "$seconds" --json "$copy/result.json" &
server=$!  # the launcher execs java: this is the server's process
trap 'kill "$server" 2>/dev/null || true; rm -rf "$copy"' EXIT
trap 'exit 130' INT TERM
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$server/status" 2>/dev/null || true; }
echo "elapsed_s rss_mb" | tee "$log"
start=$SECONDS first="" at_warmup="" last="" peak=0
while kill -0 "$server" 2>/dev/null; do
  sleep 30
  now="$(rss)"
  [ -n "$now" ] || break
  echo "$((SECONDS - start)) $now" | tee -a "$log"
  first="${first:-$now}"
  [ $((SECONDS - start)) -ge "$warmup" ] && at_warmup="${at_warmup:-$now}"
  last="$now"
  [ "$now" -gt "$peak" ] && peak="$now"
done
status=0
wait "$server" || status=$?
echo "RSS (MB): first sample ${first:-?}, after ${warmup} s warm-up ${at_warmup:-?}, end ${last:-?}, peak ${peak}" | tee -a "$log"
[ -f "$copy/result.json" ] && tee -a "$log" < "$copy/result.json" && echo | tee -a "$log"
exit "$status"
