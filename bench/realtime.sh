#!/usr/bin/env bash
# Live updates under load: CLIENTS Socket.IO clients (one per seeded user) held by TaskMaster
# with 2 workers on PostgreSQL and Redis, while RATE task writes a second are made for SECONDS;
# each write's delay from its commit to its owner's client, and the workers' memory per
# connection. The clients run in PARTS processes of their own (bench/realtime.py).
# Usage: bench/realtime.sh [clients=10000] [rate=100] [seconds=30] [parts=2]
# PROFILE_DIR=dir also records py-spy profiles (collapsed stacks) of both workers, whole run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
clients=${1:-10000} rate=${2:-100} seconds=${3:-30} parts=${4:-2}
users=$clients tasks_per_user=1
port=${REALTIME_PORT:-8880}
url="http://127.0.0.1:$port"
redis_prefix="bench:realtime:$$:"
database="bench_realtime_$$" databases=("$database")
# shellcheck source=bench/lib.sh
source bench/lib.sh
ulimit -n "$(ulimit -Hn)"  # every connection is a descriptor, in the workers and in the clients

if curl -s -o /dev/null "$url"; then echo "realtime: something already listens at $url" >&2; exit 1; fi
echo "realtime: $clients clients, $rate writes/s for ${seconds}s, $parts client processes," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"

createdb -h 127.0.0.1 -U postgres "$database"
database_url="$pg/$database"
seed DATABASE_URL="$database_url"
(in_work DATABASE_URL="$database_url" "$root/.venv/bin/python" "$root/bench/realtime.py" \
  accounts "$work/accounts")

in_work DATABASE_URL="$database_url" REDIS_URL="$redis_url" REDIS_PREFIX="$redis_prefix" \
  DATA_DIR="$work/data" "$root/.venv/bin/taskmaster" serve --port "$port" --workers 2 &
servers+=($!)
wait_for "$url/health"
workers=$(pgrep -P "${servers[0]}" -f spawn_main | paste -sd, -)
profilers=()
if [ -n "${PROFILE_DIR:-}" ]; then
  mkdir -p "$PROFILE_DIR"
  for worker in ${workers//,/ }; do
    "$root/.venv/bin/py-spy" record --gil --format raw -o "$PROFILE_DIR/worker-$worker.txt" \
      --pid "$worker" >"$PROFILE_DIR/worker-$worker.log" 2>&1 &
    profilers+=($!)
  done
fi

parts_pids=()
for part in $(seq 0 $((parts - 1))); do
  (in_work "$root/.venv/bin/python" "$root/bench/realtime.py" run "$url" "$work/accounts" \
    --part "$part/$parts" --rate "$(echo "$rate / $parts" | bc -l)" --seconds "$seconds" \
    --pids "$workers" --out "$work/part$part.json") &
  parts_pids+=($!)
done
for pid in "${parts_pids[@]}"; do wait "$pid"; done
for pid in "${profilers[@]}"; do kill -INT "$pid"; wait "$pid" || true; done
"$root/.venv/bin/python" "$root/bench/realtime.py" report "$work"/part*.json
