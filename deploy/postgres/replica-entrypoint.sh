#!/usr/bin/env bash
# The replica's entrypoint: on its first start it copies the primary (pg_basebackup -R, so that
# it starts as a hot standby streaming through the primary's slot); then, as on every later
# start, it hands over to the postgres image's own entrypoint, which finds the data directory
# made and starts the server.
set -euo pipefail

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    PGPASSWORD="$(< /run/secrets/replication_password)" pg_basebackup \
        --host=postgres-primary --username=replicator --pgdata="$PGDATA" \
        --slot=replica1 --wal-method=stream --write-recovery-conf --checkpoint=fast
fi
exec docker-entrypoint.sh "$@"
