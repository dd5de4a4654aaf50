#!/usr/bin/env bash
# First start of PostgreSQL only (empty data volume): one database per service, each owned by
# a login role of the same name that no other service can connect as. Passwords come from
# <SERVICE>_DB_PASSWORD (deploy/.env). Later password changes: see deploy/README.md.
set -euo pipefail

for name in ${CAREPATH_DATABASES:-intake infusion followup}; do
  password_var="${name^^}_DB_PASSWORD"
  password="${!password_var:?$password_var is not set}"
  echo "carepath: database and role '$name'"
  psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
    --set name="$name" --set password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
done
