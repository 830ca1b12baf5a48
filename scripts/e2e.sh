#!/usr/bin/env bash
# Browser end-to-end tests in Chromium against real servers:
#   1. one host: `taskmaster serve` serves the API and the built app (embedded defaults);
#   2. two origins of one site, then two sites: the app built with VITE_API_URL on a static
#      host, the API elsewhere with CORS_ORIGIN naming the app: CORS and the refresh cookie
#      across origins and across sites.
# Servers get short access tokens (3 s) so silent refresh happens during the run.
set -euo pipefail
cd "$(dirname "$0")/.."

same_port=${E2E_PORT:-18765}
api_port=${E2E_API_PORT:-18766}
app_port=${E2E_APP_PORT:-18767}
cross_api_port=${E2E_CROSS_API_PORT:-18768}
cross_app_port=${E2E_CROSS_APP_PORT:-18769}
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
# The 10,000-task account of large-list.spec.ts, seeded in bulk (the API's rate limits would
# take minutes to create it one task at a time).
export E2E_LARGE_EMAIL=user1.large@seed.taskmaster.example E2E_LARGE_PASSWORD=Correct-Horse-42
DATA_DIR="$work/one-host" .venv/bin/taskmaster migrate >"$work/seed.log" 2>&1
DATA_DIR="$work/one-host" .venv/bin/taskmaster seed --users 1 --tasks-per-user 10000 --batch large \
  --password "$E2E_LARGE_PASSWORD" >>"$work/seed.log" 2>&1 || { cat "$work/seed.log" >&2; exit 1; }
# This server logs every request (JSON lines): afterwards, not one of them may hold the
# password (every e2e account has it), an access token (eyJ...), a header or the cookie.
DATA_DIR="$work/one-host" LOG_LEVEL=info .venv/bin/taskmaster serve --host 127.0.0.1 \
  --port "$same_port" >"$work/one-host.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$same_port/health"
# Named localhost, not 127.0.0.1: passkeys (WebAuthn) need a domain for their RP ID, never an IP.
(cd web && E2E_BASE_URL="http://localhost:$same_port" npx playwright test)
lines=$(grep -c '"event": "request"' "$work/one-host.log" || true)
if [ "$lines" -lt 100 ] ||
  grep -E "$E2E_LARGE_PASSWORD|eyJ[A-Za-z0-9_-]{8,}|Bearer |tm_refresh" "$work/one-host.log"; then
  echo "e2e: the server's log ($lines request lines) holds a secret, or too few lines to tell" >&2
  exit 1
fi
echo "e2e: $lines request lines logged, no secret among them"

# The app from a static host, the API on another origin: build the app for that API, serve
# both, run the tagged specs. Extra arguments are the API's environment. WEB_URL names the app:
# its host is the passkeys' RP ID, and its origin the one they are used from.
two_origins() {
  local app_origin=$1 api_origin=$2 name=$3
  shift 3
  (cd web && VITE_API_URL="$api_origin/api" npx vite build --logLevel warn \
    --outDir "$work/$name-app" --emptyOutDir)
  env DATA_DIR="$work/$name" CORS_ORIGIN="$app_origin" WEB_URL="$app_origin" "$@" \
    .venv/bin/taskmaster serve --host 127.0.0.1 --port "${api_origin##*:}" >"$work/$name.log" 2>&1 &
  pids+=($!)
  .venv/bin/python scripts/static_host.py "$work/$name-app" "${app_origin##*:}" "$api_origin" \
    >"$work/$name-app.log" 2>&1 &
  pids+=($!)
  wait_for "$api_origin/health"
  wait_for "$app_origin/"
  (cd web && E2E_BASE_URL="$app_origin" E2E_API_URL="$api_origin" \
    npx playwright test --grep @cross-origin --output "test-results/$name")
}

echo "== e2e: app and API on two origins of one site (SameSite=Lax, the default)"
two_origins "http://localhost:$app_port" "http://localhost:$api_port" same-site

# Two sites: *.localhost names are secure contexts that Chromium resolves to loopback, and each
# is a site of its own, like an app on a CDN's domain calling an API on a host's domain.
echo "== e2e: app and API on two sites (SameSite=None; Secure; Partitioned)"
two_origins "http://app.localhost:$cross_app_port" "http://api.localhost:$cross_api_port" \
  cross-site COOKIE_SAMESITE=none COOKIE_SECURE=true
