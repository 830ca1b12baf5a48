# Shared by the load benchmarks (hot_path.sh, strategy_table.sh, post_tail.sh): sourced,
# never run. Expects: root (the repository), users, tasks_per_user, list_users, create_users,
# databases (the PostgreSQL databases the script makes) and redis_prefix (its Redis keys).
# Gives: work (a scratch folder), pg, redis_url, password, servers (pids), stop_servers,
# wait_for, in_work, seed, sign_in, tool, spread, drop_redis_prefix, and a cleanup on exit
# that stops the servers and drops the databases, the keys and the folder.

work=$(mktemp -d)
pg="postgresql://postgres@127.0.0.1:5432"
redis_url=${REDIS_URL-redis://127.0.0.1:6379/0}
password="bench password 1"
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

drop_redis_prefix() { # url prefix: every key under it (keys may hold spaces)
  redis-cli -u "$1" --scan --pattern "$2*" |
    xargs -r -d '\n' redis-cli -u "$1" del >/dev/null || true
}

cleanup() {
  local database
  stop_servers
  for database in "${databases[@]}"; do
    dropdb -h 127.0.0.1 -U postgres --if-exists --force "$database" 2>/dev/null || true
  done
  drop_redis_prefix "$redis_url" "$redis_prefix"
  rm -rf "$work"
}
trap cleanup EXIT

wait_for() { # url: until it answers, or fail
  for _ in $(seq 1 150); do
    curl -s -o /dev/null "$1" && { sleep 1; return; }  # 1 s more for the second worker
    sleep 0.2
  done
  echo "bench: no answer from $1" >&2
  exit 1
}

# Settings every TaskMaster shares: production, a throwaway signing key, tokens that outlive
# the run, sign-in limits high enough to sign in every benchmark user, and a per-user API limit
# no benchmark user reaches (it is still counted on every request: its cost shows).
openssl genpkey -algorithm ed25519 -out "$work/jwt.pem" 2>/dev/null
common=(ENVIRONMENT=production JWT_PRIVATE_KEY_FILE="$work/jwt.pem" LOG_LEVEL=warning
  ACCESS_TOKEN_TTL_SECONDS=7200 RATE_LOGIN_IP=100000/h RATE_LOGIN_ACCOUNT=100000/h
  RATE_LOGIN_ACCOUNT_IP=100000/h RATE_REGISTER_IP=100000/h RATE_API_USER=10000000/m)
# Run in $work (no stray .env) as what it starts: `(in_work cmd)`, or `in_work cmd &` for a server.
in_work() { cd "$work" && exec env -u DATABASE_URL -u REDIS_URL "${common[@]}" "$@"; }

seed() { # env...: migrate, seed
  (in_work "$@" "$root/.venv/bin/taskmaster" migrate >/dev/null)
  (in_work "$@" "$root/.venv/bin/taskmaster" seed --users "$users" \
    --tasks-per-user "$tasks_per_user" --password "$password" --seed 1) | grep Seeded
}

sign_in() { # url: tokens and user ids for the list users and, apart, the create users
  # No pipe: head would close it on tail, and pipefail would take tail's SIGPIPE for a failure.
  sed -n "1,${list_users}p" "$work/emails" > "$work/list.emails"
  sed -n "$((list_users + 1)),$((list_users + create_users))p" "$work/emails" > "$work/create.emails"
  for set in list create; do
    tool signin "$1" "$work/$set.emails" "$password" "$work/$set.tokens" "$work/$set.users"
  done
}

# How wrk's connections fell to the workers (they race to accept): "connections per worker".
spread() { # port
  ss -Htnp state established "( sport = :$1 )" | grep -o 'pid=[0-9]*' | sort | uniq -c |
    sort -rn | awk '{printf "%s%s", sep, $1; sep = "/"}'
}
