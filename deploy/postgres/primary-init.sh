# shellcheck shell=bash
# Run once by the postgres image's entrypoint (docker-entrypoint-initdb.d), when the primary's
# data directory is first made: TaskMaster's own role and database (not the superuser), the
# role and slot the replica streams through, and the pg_hba line that lets it in.
set -e

psql --set ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    --set app_password="$(< /run/secrets/db_password)" \
    --set replication_password="$(< /run/secrets/replication_password)" <<'SQL'
CREATE ROLE taskmaster LOGIN PASSWORD :'app_password';
CREATE DATABASE taskmaster OWNER taskmaster;
CREATE ROLE replicator REPLICATION LOGIN PASSWORD :'replication_password';
-- The slot keeps the WAL the replica has not received yet (bounded by max_slot_wal_keep_size).
SELECT pg_create_physical_replication_slot('replica1');
SQL

# pg_hba's "all" does not cover replication connections.
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
