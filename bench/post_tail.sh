#!/usr/bin/env bash
# The create's tail at a fixed rate, three TaskMasters side by side on one database (2 workers
# each, 200,000 tasks for 2,000 users): the read cache on with a pool of 14, off with a pool
# of 14, off with a pool of 10 (the settings bench/strategy_table.sh's configurations differ
# in). Each round offers 1,000 POST /api/v1/tasks a second to each in turn for 10 s
# (bench/fixed_rate.py) and prints its RESULT line: offered achieved p50 p99 max errors.
# Usage: bench/post_tail.sh [rounds=3] [seconds=10]   (ports 8890-8892)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rounds=${1:-3}
seconds=${2:-10}
users=2000 tasks_per_user=100 list_users=200 create_users=200
redis_prefix="bench:posttail:$$:"
database="bench_post_tail_$$" databases=("$database")
# shellcheck source=bench/lib.sh
source bench/lib.sh

declare -A settings_of=([8890]="READ_CACHE=true DB_POOL_MAX=14"
  [8891]="READ_CACHE=false DB_POOL_MAX=14" [8892]="READ_CACHE=false DB_POOL_MAX=10")
ports=(8890 8891 8892)

createdb -h 127.0.0.1 -U postgres "$database"
seed DATABASE_URL="$pg/$database"
psql -h 127.0.0.1 -U postgres -d "$database" -Atc "SELECT email FROM users ORDER BY id" > "$work/emails"
for port in "${ports[@]}"; do
  read -r -a settings <<< "${settings_of[$port]}"
  in_work DATABASE_URL="$pg/$database" REDIS_URL="$redis_url" REDIS_PREFIX="$redis_prefix" \
    DATA_DIR="$work/data" "${settings[@]}" "$root/.venv/bin/taskmaster" serve --port "$port" \
    --workers 2 &
  servers+=($!)
done
for port in "${ports[@]}"; do wait_for "http://127.0.0.1:$port/health"; done
sign_in "http://127.0.0.1:${ports[0]}"
for port in "${ports[@]}"; do  # warm the pools and plans
  wrk -t2 -c64 -d3s -s bench/hot_path.lua "http://127.0.0.1:$port/api/v1/tasks" -- \
    "$work/create.tokens" Authorization POST >/dev/null
done

echo "round settings RESULT offered achieved p50_ms p99_ms max_ms errors"
for round in $(seq 1 "$rounds"); do
  for port in "${ports[@]}"; do
    echo "$round ${settings_of[$port]// /,} $("$root/.venv/bin/python" bench/fixed_rate.py \
      "http://127.0.0.1:$port/api/v1/tasks" --rate 1000 --seconds "$seconds" \
      --values "$work/create.tokens" --header Authorization --method POST \
      --body '{"title":"Bench task"}')"
  done
done
