#!/usr/bin/env bash
# The scaling strategy's "Performance Benchmarks" table, measured on this machine: TaskMaster
# in three configurations side by side, 2 workers each, on 1,000,000 tasks for 10,000 users
# (10,000 x 100, `taskmaster seed`), PostgreSQL and Redis:
#   mvp        the first migration's task indexes only (on a copy of the database), a pool of
#              10 (node-postgres's default, the MVP's), no read cache;
#   optimized  every index of our migrations, a pool of 14, no read cache;
#   cached     the same with the read cache (Path 4).
# For GET /api/v1/tasks (a user's 100 tasks) and POST /api/v1/tasks, each round measures the
# most requests/s (wrk -t2 -c64, as bench/hot_path.sh) and the p50/p99 latency at a fixed
# offered rate (bench/fixed_rate.py, open loop, 1,000/s), with the database's transactions/s
# meanwhile (pg_stat_database: commits and rollbacks; a statement outside a transaction is
# one). A tenth of the users read (1,000), a fiftieth others write (200). Rounds alternate the configurations; the report
# gives medians.
# Usage: bench/strategy_table.sh [rounds=3] [seconds=10]
# STRATEGY_USERS, STRATEGY_TASKS (per user), STRATEGY_RATE and STRATEGY_PORT change the
# defaults (10000, 100, 1000, 8880: ports 8880-8882).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rounds=${1:-3}
seconds=${2:-10}
users=${STRATEGY_USERS:-10000} tasks_per_user=${STRATEGY_TASKS:-100}
list_users=$((users / 10)) create_users=$((users / 50))
rate=${STRATEGY_RATE:-1000}
port=${STRATEGY_PORT:-8880}
redis_prefix="bench:strategy:$$:"
database="bench_strategy_$$" mvp_database="bench_strategy_mvp_$$"
cached_database="bench_strategy_cached_$$"
databases=("$database" "$mvp_database" "$cached_database")
# shellcheck source=bench/lib.sh
source bench/lib.sh

configs=(mvp optimized cached)
declare -A url_of=([mvp]="http://127.0.0.1:$port" [optimized]="http://127.0.0.1:$((port + 1))"
  [cached]="http://127.0.0.1:$((port + 2))")
# A database each, so that one's counts never include another's late-reported transactions.
declare -A database_of=([mvp]="$mvp_database" [optimized]="$database" [cached]="$cached_database")
declare -A settings_of=([mvp]="READ_CACHE=false DB_POOL_MAX=10"
  [optimized]="READ_CACHE=false DB_POOL_MAX=14" [cached]="READ_CACHE=true DB_POOL_MAX=14")
for config in "${configs[@]}"; do
  if curl -s -o /dev/null "${url_of[$config]}"; then
    echo "strategy_table: something already listens at ${url_of[$config]}" >&2
    exit 1
  fi
done

serve() { # config
  local config=$1 settings
  read -r -a settings <<< "${settings_of[$config]}"
  in_work DATABASE_URL="$pg/${database_of[$config]}" REDIS_URL="$redis_url" \
    REDIS_PREFIX="$redis_prefix" DATA_DIR="$work/data" "${settings[@]}" \
    "$root/.venv/bin/taskmaster" serve --port "${url_of[$config]##*:}" --workers 2 &
  servers+=($!)
}

echo "strategy_table: $rounds rounds of ${seconds}s, $users users x $tasks_per_user tasks," \
  "$rate/s offered, load average $(cut -d' ' -f1-3 /proc/loadavg)"
createdb -h 127.0.0.1 -U postgres "$database"
seed DATABASE_URL="$pg/$database"
psql -h 127.0.0.1 -U postgres -d "$database" -Atc "SELECT email FROM users ORDER BY id" > "$work/emails"

# Sign in through the optimized configuration, then copy the database (sessions included)
# for the cached configuration, and for the MVP's indexes: every index on tasks but the
# primary key's and the constraints' goes, and the first migration's two come back, on the
# column that took user_id's place.
serve optimized
wait_for "${url_of[optimized]}/health"
sign_in "${url_of[optimized]}"
stop_servers
createdb -h 127.0.0.1 -U postgres -T "$database" "$mvp_database"
createdb -h 127.0.0.1 -U postgres -T "$database" "$cached_database"
psql -h 127.0.0.1 -U postgres -d "$mvp_database" -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$
DECLARE name text;
BEGIN
  FOR name IN
    SELECT i.indexrelid::regclass::text FROM pg_index i
    WHERE i.indrelid = 'tasks'::regclass
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
  LOOP
    EXECUTE 'DROP INDEX ' || name;
  END LOOP;
END $$;
CREATE INDEX ix_tasks_user_created ON tasks (project_id, created_at);
CREATE INDEX ix_tasks_user_status_created ON tasks (project_id, status, created_at);
ANALYZE;
SQL
for db in "$database" "$cached_database"; do psql -h 127.0.0.1 -U postgres -d "$db" -qc "ANALYZE"; done
for db in "$database" "$mvp_database"; do
  echo "$db: $(psql -h 127.0.0.1 -U postgres -d "$db" -Atc \
    "SELECT string_agg(indexname, ', ' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'tasks'")"
done

for config in "${configs[@]}"; do serve "$config"; done
for config in "${configs[@]}"; do wait_for "${url_of[$config]}/health"; done
tool check "${url_of[mvp]}" "$work/list.tokens" "$work/list.users" --tasks "$tasks_per_user"

load() { # url values-file method seconds: wrk's most requests/s -> "rps p99_ms errors requests"
  wrk -t2 -c64 -d"$4s" --latency -s bench/hot_path.lua "$1" -- "$2" Authorization "$3" |
    awk '/^RESULT/ {print $2, $3, $4, $5}'
}
xacts() { # database: transactions so far
  psql -h 127.0.0.1 -U postgres -Atc \
    "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$1'"
}
fixed() { # url values-file method database -> "offered achieved p50 p99 max errors xacts/s"
  local before after line body=()
  [ "$3" = POST ] && body=(--body '{"title":"Bench task"}')
  before=$(xacts "$4")
  line=$("$root/.venv/bin/python" bench/fixed_rate.py "$1" --rate "$rate" --seconds "$seconds" \
    --values "$2" --header Authorization --method "$3" "${body[@]}" | awk '/^RESULT/ {$1=""; print}')
  # Busy backends report their counts about once a second, idle ones within 10 s.
  sleep 11
  after=$(xacts "$4")
  echo "$line $(( (after - before) / seconds ))"
}

# Warm every pool, plan and (for the cached configuration) every list user's entry.
for config in "${configs[@]}"; do
  load "${url_of[$config]}/api/v1/tasks" "$work/list.tokens" GET 3 >/dev/null
  load "${url_of[$config]}/api/v1/tasks" "$work/create.tokens" POST 3 >/dev/null
done
sleep 11  # until the warm-up's counts are reported (see fixed)

results="$work/results"
echo "round config scenario figures"
for round in $(seq 1 "$rounds"); do
  for config in "${configs[@]}"; do
    url="${url_of[$config]}/api/v1/tasks" db=${database_of[$config]}
    # Every list user's entry made again (they last 300 s) and the pools warm, then 11 s for
    # the database's counts of that to be reported; the fixed rates come first, while this
    # database is quiet (see fixed).
    load "$url" "$work/list.tokens" GET 2 >/dev/null
    sleep 11
    echo "$round $config get_fixed $(fixed "$url" "$work/list.tokens" GET "$db")" | tee -a "$results"
    echo "$round $config post_fixed $(fixed "$url" "$work/create.tokens" POST "$db")" | tee -a "$results"
    echo "$round $config get_most $(load "$url" "$work/list.tokens" GET "$seconds")" | tee -a "$results"
    echo "$round $config post_most $(load "$url" "$work/create.tokens" POST "$seconds")" | tee -a "$results"
  done
done
stop_servers

echo
"$root/.venv/bin/python" bench/strategy_report.py "$results" --rate "$rate"
