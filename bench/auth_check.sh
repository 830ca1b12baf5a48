#!/usr/bin/env bash
# What the session-revocation check costs per request: wrk against two bare endpoints that
# verify the access token, one of them also asking the revocation list (Redis), side by side.
# Usage: bench/auth_check.sh [rounds=3] [seconds=10]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-10}
port=8765
work=$(mktemp -d)
cleanup() {
  kill "$(cat "$work/pid")" 2>/dev/null || true
  rm -rf "$work"
  [ -z "${REDIS_URL:-}" ] || redis-cli -u "$REDIS_URL" --scan --pattern "bench:$$:*" |
    xargs -r -d '\n' redis-cli -u "$REDIS_URL" del >/dev/null
}
trap cleanup EXIT

export DATA_DIR="$work" REDIS_URL=${REDIS_URL-redis://127.0.0.1:6379/0} REDIS_PREFIX="bench:$$:"
export RATE_REGISTER_IP=1000/h LOG_LEVEL=warning
.venv/bin/taskmaster migrate >/dev/null
PYTHONPATH=bench .venv/bin/uvicorn --factory auth_check_app:build --port $port --workers 1 \
  --loop uvloop --http httptools --log-level warning --no-access-log &
echo $! > "$work/pid"
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done

token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/register" -H "Content-Type: application/json" \
  -d '{"email":"bench@example.com","password":"bench password 1","name":"Bench"}' |
  .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["data"]["token"])')

measure() {
  wrk -t1 -c32 -d"${seconds}s" -H "Authorization: Bearer $token" "http://127.0.0.1:$port$1" |
    awk '/Requests\/sec/ {print $2}'
}
echo "round verify_rps verify_and_check_rps ratio"
for round in $(seq 1 "$rounds"); do
  a=$(measure /bench/verify)
  b=$(measure /bench/verify-and-check)
  echo "$round $a $b $(.venv/bin/python -c "print(round($b / $a, 3))")"
done
