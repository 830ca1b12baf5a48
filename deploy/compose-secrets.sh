#!/bin/sh
# Makes the secrets compose.yaml reads, in deploy/secrets/ (never committed): the access tokens'
# signing key and the database passwords, with the files derived from them. A secret that
# exists is kept: the database volumes were initialised with it.
set -eu
umask 077
cd "$(dirname "$0")/secrets"

[ -e jwt_private_key.pem ] || openssl genpkey -algorithm ed25519 -out jwt_private_key.pem
for secret in postgres_password db_password replication_password; do
    [ -e "$secret" ] || openssl rand -hex 24 | tr -d '\n' > "$secret"
done

# TaskMaster's role, as PgBouncer checks it and as the TaskMaster containers present it
# (asyncpg reads PGPASSWORD: the database URLs in compose.yaml carry no password).
printf '"taskmaster" "%s"\n' "$(cat db_password)" > pgbouncer_userlist.txt
printf 'PGPASSWORD=%s\n' "$(cat db_password)" > database.env

# Compose mounts the secrets as they are, to be read by the containers' own non-root users:
# readable files, in a folder nobody else on this host may enter. Compose reads database.env.
chmod 0644 jwt_private_key.pem postgres_password db_password replication_password \
    pgbouncer_userlist.txt
chmod 0600 database.env
chmod 0700 .
