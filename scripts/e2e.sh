#!/usr/bin/env bash
# Browser end-to-end tests in Chromium against real servers:
#   1. one host: `taskmaster serve` serves the API and the built app (embedded defaults);
#   2. two origins: the app built with VITE_API_URL on a static host, the API elsewhere with
#      CORS_ORIGIN naming the app: CORS and the refresh cookie across origins.
# Servers get short access tokens (3 s) so silent refresh happens during the run.
set -euo pipefail
cd "$(dirname "$0")/.."

same_port=${E2E_PORT:-18765}
api_port=${E2E_API_PORT:-18766}
app_port=${E2E_APP_PORT:-18767}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export ENVIRONMENT=test LOG_LEVEL=warning ACCESS_TOKEN_TTL_SECONDS=3
export RATE_REGISTER_IP=10000/h RATE_LOGIN_IP=10000/h RATE_LOGIN_ACCOUNT_IP=1000/15m
export CHROMIUM_PATH=${CHROMIUM_PATH:-$(command -v chromium)}

wait_for() {
  for _ in $(seq 1 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done
  echo "no answer from $1" >&2
  return 1
}

echo "== e2e: app and API on one host"
DATA_DIR="$work/one-host" .venv/bin/taskmaster serve --host 127.0.0.1 --port "$same_port" \
  >"$work/one-host.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$same_port/health"
(cd web && E2E_BASE_URL="http://127.0.0.1:$same_port" npx playwright test)

echo "== e2e: app and API on two origins"
(cd web && VITE_API_URL="http://localhost:$api_port/api" npx vite build --logLevel warn \
  --outDir "$work/cdn" --emptyOutDir)
DATA_DIR="$work/two-origins" CORS_ORIGIN="http://localhost:$app_port" \
  .venv/bin/taskmaster serve --host localhost --port "$api_port" >"$work/api.log" 2>&1 &
pids+=($!)
.venv/bin/python scripts/static_host.py "$work/cdn" "$app_port" localhost >"$work/cdn.log" 2>&1 &
pids+=($!)
wait_for "http://localhost:$api_port/health"
wait_for "http://localhost:$app_port/"
(cd web && E2E_BASE_URL="http://localhost:$app_port" E2E_API_URL="http://localhost:$api_port" \
  npx playwright test --grep @cross-origin --output test-results/cross-origin)
