#!/usr/bin/env bash
# The hot path beside its floor: the v1 task list (50 tasks) and create, TaskMaster against a
# bare asyncpg + orjson app (bench/floor_app.py) running the same statements and writing the
# same bytes, in one run: PostgreSQL, 2 workers each, 1,000 seeded users with 50 tasks each,
# wrk -t2 -c64 rotating users per request, alternating rounds, medians and ratios.
# Three pairs: the list through the read cache beside the same bytes after one Redis GET, the
# list of a TaskMaster without the cache (READ_CACHE=false) beside the floor's query, and the
# create (its cache invalidation included) beside the floor's insert.
# Then the embedded default (SQLite, 1 worker, no Redis) alone.
# Usage: bench/hot_path.sh [rounds=5] [seconds=10]
# PROFILE_DIR=dir also records py-spy profiles (collapsed stacks) of every worker in round 1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rounds=${1:-5}
seconds=${2:-10}
users=1000 tasks_per_user=50 list_users=200 create_users=100
password="bench password 1"
port=${HOT_PATH_PORT:-8870}
ours_url="http://127.0.0.1:$port" floor_url="http://127.0.0.1:$((port + 1))"
embedded_url="http://127.0.0.1:$((port + 2))" uncached_url="http://127.0.0.1:$((port + 3))"
redis_url=${REDIS_URL-redis://127.0.0.1:6379/0}
redis_prefix="bench:hotpath:$$:"
database="bench_hot_path_$$"
pg="postgresql://postgres@127.0.0.1:5432"
work=$(mktemp -d)
servers=()
tool() { "$root/.venv/bin/python" "$root/bench/hot_path_tool.py" "$@"; }

stop_servers() {
  local pid
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
  servers=()
}
cleanup() {
  stop_servers
  dropdb -h 127.0.0.1 -U postgres --if-exists --force "$database" 2>/dev/null || true
  redis-cli -u "$redis_url" --scan --pattern "$redis_prefix*" |  # keys may hold spaces
    xargs -r -d '\n' redis-cli -u "$redis_url" del >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for url in "$ours_url" "$floor_url" "$embedded_url" "$uncached_url"; do
  if curl -s -o /dev/null "$url"; then echo "hot_path: something already listens at $url" >&2; exit 1; fi
done

wait_for() { # url: until it answers, or fail
  for _ in $(seq 1 150); do
    curl -s -o /dev/null "$1" && { sleep 1; return; }  # 1 s more for the second worker
    sleep 0.2
  done
  echo "hot_path: no answer from $1" >&2
  exit 1
}

# Settings every TaskMaster below shares: production, a throwaway signing key, tokens that
# outlive the run, sign-in limits high enough to sign in every benchmark user, and a per-user
# API limit no benchmark user reaches (it is still counted on every request: its cost shows).
openssl genpkey -algorithm ed25519 -out "$work/jwt.pem" 2>/dev/null
common=(ENVIRONMENT=production JWT_PRIVATE_KEY_FILE="$work/jwt.pem" LOG_LEVEL=warning
  ACCESS_TOKEN_TTL_SECONDS=7200 RATE_LOGIN_IP=100000/h RATE_LOGIN_ACCOUNT=100000/h
  RATE_LOGIN_ACCOUNT_IP=100000/h RATE_REGISTER_IP=100000/h RATE_API_USER=10000000/m)
# Run in $work (no stray .env) as what it starts: `(in_work cmd)`, or `in_work cmd &` for a server.
in_work() { cd "$work" && exec env -u DATABASE_URL -u REDIS_URL "${common[@]}" "$@"; }

seed() { # env...: migrate, seed, list the users' emails in the order they joined
  (in_work "$@" "$root/.venv/bin/taskmaster" migrate >/dev/null)
  (in_work "$@" "$root/.venv/bin/taskmaster" seed --users "$users" \
    --tasks-per-user "$tasks_per_user" --password "$password" --seed 1) | grep Seeded
}

sign_in() { # url: tokens and user ids for the list users and, apart, the create users
  head -n "$list_users" "$work/emails" > "$work/list.emails"
  tail -n +$((list_users + 1)) "$work/emails" | head -n "$create_users" > "$work/create.emails"
  for set in list create; do
    tool signin "$1" "$work/$set.emails" "$password" "$work/$set.tokens" "$work/$set.users"
  done
}

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

# How wrk's connections fell to the workers (they race to accept): "connections per worker".
spread() { # port
  ss -Htnp state established "( sport = :$1 )" | grep -o 'pid=[0-9]*' | sort | uniq -c |
    sort -rn | awk '{printf "%s%s", sep, $1; sep = "/"}'
}

results="$work/results"
measure() { # target scenario url values-file header method
  case $1 in
    taskmaster) profile "$1-$2" "${servers[0]}" ;;
    floor) profile "$1-$2" "${servers[1]}" ;;
    uncached) profile "$1-$2" "${servers[2]}" ;;
  esac
  local line pid port=${3#http://127.0.0.1:}
  (sleep $((seconds / 2)) && spread "${port%%/*}" >"$work/spread") &
  pid=$!
  line=$(wrk -t2 -c64 -d"${seconds}s" --latency -s bench/hot_path.lua "$3" -- "$4" "$5" "$6" |
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
warm "$uncached_url/api/v1/tasks" "$work/list.tokens" Authorization GET
warm "$floor_url/floor/tasks" "$work/list.users" X-User GET
warm "$ours_url/api/v1/tasks" "$work/create.tokens" Authorization POST
warm "$floor_url/floor/tasks" "$work/create.users" X-User POST

echo "round target scenario req/s p99_ms errors connections_per_worker"
for round in $(seq 1 "$rounds"); do
  measure taskmaster list "$ours_url/api/v1/tasks" "$work/list.tokens" Authorization GET
  measure floor cached "$floor_url/floor/cached" "$work/list.users" X-User GET
  measure uncached list "$uncached_url/api/v1/tasks" "$work/list.tokens" Authorization GET
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
