#!/usr/bin/env bash
# The hot path beside its floor: the v1 task list (50 tasks) and create, TaskMaster against a
# bare asyncpg + orjson app (bench/floor_app.py) running the same statements and writing the
# same bytes, in one run: PostgreSQL, 2 workers each, 1,000 seeded users with 50 tasks each,
# wrk -t2 -c64 rotating users per request, alternating rounds, medians and ratios.
# Five pairs: the list through the read cache beside the same bytes after one Redis GET (through
# redis-py, and through TaskMaster's pipelined client); beside the floor's query, the list with
# a cold cache (every request a miss that fills an entry) and the list of a TaskMaster without
# the cache (READ_CACHE=false); and the create (its cache invalidation included) beside the
# floor's insert.
# Then the embedded default (SQLite, 1 worker, no Redis) alone.
# Usage: bench/hot_path.sh [rounds=5] [seconds=10]
# PROFILE_DIR=dir also records py-spy profiles (collapsed stacks) of every worker in round 1;
# HOT_PATH_USERS and HOT_PATH_TASKS (per user) change the seed (HOT_PATH_USERS=10000
# HOT_PATH_TASKS=100: the read cache issue's 1,000,000 tasks for 10,000 users).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rounds=${1:-5}
seconds=${2:-10}
users=${HOT_PATH_USERS:-1000} tasks_per_user=${HOT_PATH_TASKS:-50} list_users=200 create_users=100
port=${HOT_PATH_PORT:-8870}
ours_url="http://127.0.0.1:$port" floor_url="http://127.0.0.1:$((port + 1))"
embedded_url="http://127.0.0.1:$((port + 2))" uncached_url="http://127.0.0.1:$((port + 3))"
redis_prefix="bench:hotpath:$$:"
database="bench_hot_path_$$" databases=("$database")
# shellcheck source=bench/lib.sh
source bench/lib.sh

for url in "$ours_url" "$floor_url" "$embedded_url" "$uncached_url"; do
  if curl -s -o /dev/null "$url"; then echo "hot_path: something already listens at $url" >&2; exit 1; fi
done

profilers=()
profile() { # name master-pid: py-spy records its workers for most of round 1, in the background
  [ -n "${PROFILE_DIR:-}" ] && [ "$round" = 1 ] || return 0
  mkdir -p "$PROFILE_DIR"
  local worker
  for worker in $(pgrep -P "$2" -f spawn_main); do  # uvicorn's workers: collapsed stacks
    (sleep 1 && exec "$root/.venv/bin/py-spy" record --gil --format raw -d $((seconds - 3)) \
      -o "$PROFILE_DIR/$1-$worker.txt" --pid "$worker" >"$PROFILE_DIR/$1-$worker.log" 2>&1) &
    profilers+=($!)
  done
}

results="$work/results"
measure() { # target scenario url values-file header method [cold]
  case $1 in
    taskmaster) profile "$1-$2" "${servers[0]}" ;;
    floor) profile "$1-$2" "${servers[1]}" ;;
    uncached) profile "$1-$2" "${servers[2]}" ;;
  esac
  local line pid port=${3#http://127.0.0.1:}
  (sleep $((seconds / 2)) && spread "${port%%/*}" >"$work/spread") &
  pid=$!
  line=$(wrk -t2 -c64 -d"${seconds}s" --latency -s bench/hot_path.lua "$3" -- "$4" "$5" "$6" "${7:-}" |
    awk '/^RESULT/ {print $2, $3, $4}')
  wait "$pid"
  for pid in "${profilers[@]}"; do wait "$pid" || true; done
  profilers=()
  echo "$round $1 $2 $line $(cat "$work/spread")" | tee -a "$results"
}

echo "hot_path: $rounds rounds of ${seconds}s, wrk -t2 -c64, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- PostgreSQL: TaskMaster and the floor, 2 workers each ---------------------------------
createdb -h 127.0.0.1 -U postgres "$database"
database_url="$pg/$database"
seed DATABASE_URL="$database_url"
psql -h 127.0.0.1 -U postgres -d "$database" -Atc "SELECT email FROM users ORDER BY id" > "$work/emails"

# Three apps of 2 workers on one PostgreSQL (100 connections): 14 a pool, for each of them.
shared=(DATABASE_URL="$database_url" REDIS_URL="$redis_url" REDIS_PREFIX="$redis_prefix"
  DB_POOL_MAX=14)
in_work "${shared[@]}" DATA_DIR="$work/data" "$root/.venv/bin/taskmaster" serve --port "$port" \
  --workers 2 &
servers+=($!)
in_work "${shared[@]}" PYTHONPATH="$root/bench" \
  "$root/.venv/bin/uvicorn" floor_app:app --port $((port + 1)) --workers 2 \
  --loop uvloop --http httptools --no-access-log --log-level warning &
servers+=($!)
in_work "${shared[@]}" READ_CACHE=false DATA_DIR="$work/data" "$root/.venv/bin/taskmaster" serve \
  --port $((port + 3)) --workers 2 &
servers+=($!)
wait_for "$ours_url/health"
wait_for "$floor_url/"
wait_for "$uncached_url/health"

sign_in "$ours_url"
tool check "$ours_url" "$work/list.tokens" "$work/list.users" --floor "$floor_url" \
  --tasks "$tasks_per_user" --create-tokens "$work/create.tokens" --create-users "$work/create.users"

# Warm every connection of both pools and every prepared statement before measuring.
warm() { # url values-file header method: 3 s of load, not measured
  wrk -t2 -c64 -d3s -s bench/hot_path.lua "$1" -- "$2" "$3" "$4" >/dev/null
}
# The warm-up also fills both caches with every list user's list.
round=0
warm "$ours_url/api/v1/tasks" "$work/list.tokens" Authorization GET
warm "$floor_url/floor/cached" "$work/list.users" X-User GET
warm "$floor_url/floor/pipelined" "$work/list.users" X-User GET
warm "$uncached_url/api/v1/tasks" "$work/list.tokens" Authorization GET
warm "$floor_url/floor/tasks" "$work/list.users" X-User GET
warm "$ours_url/api/v1/tasks" "$work/create.tokens" Authorization POST
warm "$floor_url/floor/tasks" "$work/create.users" X-User POST

echo "round target scenario req/s p99_ms errors connections_per_worker"
for round in $(seq 1 "$rounds"); do
  [ "$round" = 1 ] || warm "$ours_url/api/v1/tasks" "$work/list.tokens" Authorization GET
  measure taskmaster list "$ours_url/api/v1/tasks" "$work/list.tokens" Authorization GET
  measure floor cached "$floor_url/floor/cached" "$work/list.users" X-User GET
  measure floor pipelined "$floor_url/floor/pipelined" "$work/list.users" X-User GET
  measure uncached list "$uncached_url/api/v1/tasks" "$work/list.tokens" Authorization GET
  measure taskmaster cold "$ours_url/api/v1/tasks" "$work/list.tokens" Authorization GET cold
  # Every entry goes (the cold round's are thousands, each of its own query); the next round
  # warms the list users' entries again first.
  drop_redis_prefix "$redis_url" "${redis_prefix}v:"
  measure floor list "$floor_url/floor/tasks" "$work/list.users" X-User GET
  measure taskmaster create "$ours_url/api/v1/tasks" "$work/create.tokens" Authorization POST
  measure floor create "$floor_url/floor/tasks" "$work/create.users" X-User POST
done
stop_servers

# --- The embedded default: SQLite, 1 worker, no Redis, no floor ----------------------------
embedded=(DATA_DIR="$work/embedded")
seed "${embedded[@]}"
sqlite3 "$work/embedded/taskmaster.db" "SELECT email FROM users ORDER BY id" > "$work/emails"
in_work "${embedded[@]}" "$root/.venv/bin/taskmaster" serve --port $((port + 2)) &
servers+=($!)
wait_for "$embedded_url/health"
sign_in "$embedded_url"
tool check "$embedded_url" "$work/list.tokens" "$work/list.users" --tasks "$tasks_per_user"
round=0
warm "$embedded_url/api/v1/tasks" "$work/list.tokens" Authorization GET
warm "$embedded_url/api/v1/tasks" "$work/create.tokens" Authorization POST
for round in $(seq 1 "$rounds"); do
  measure sqlite list "$embedded_url/api/v1/tasks" "$work/list.tokens" Authorization GET
  measure sqlite create "$embedded_url/api/v1/tasks" "$work/create.tokens" Authorization POST
done
stop_servers

echo
tool report "$results"
