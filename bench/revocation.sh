#!/usr/bin/env bash
# The delay until every instance refuses an ended session: two TaskMaster instances (separate
# processes, one worker each) on PostgreSQL and Redis; bench/revocation.py signs out on one and
# asks the other until it refuses.
# Usage: bench/revocation.sh [times=200]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
times=${1:-200}
port=${REVOCATION_PORT:-8890}
redis_prefix="bench:revocation:$$:"
database="bench_revocation_$$" databases=("$database")
# shellcheck source=bench/lib.sh
source bench/lib.sh

createdb -h 127.0.0.1 -U postgres "$database"
shared=(DATABASE_URL="$pg/$database" REDIS_URL="$redis_url" REDIS_PREFIX="$redis_prefix"
  DATA_DIR="$work/data")
(in_work "${shared[@]}" "$root/.venv/bin/taskmaster" migrate >/dev/null)
for instance in 0 1; do
  in_work "${shared[@]}" "$root/.venv/bin/taskmaster" serve --port $((port + instance)) &
  servers+=($!)
done
wait_for "http://127.0.0.1:$port/health"
wait_for "http://127.0.0.1:$((port + 1))/health"
echo "revocation: $times sessions, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$root/.venv/bin/python" bench/revocation.py "http://127.0.0.1:$port" \
  "http://127.0.0.1:$((port + 1))" --times "$times"
