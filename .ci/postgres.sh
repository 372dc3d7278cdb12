#!/usr/bin/env bash
# Start or stop a local PostgreSQL for dbt_migrate's integration tests.
#
#   .ci/postgres.sh start   # installs Debian's postgresql if missing, starts it on 127.0.0.1:$PORT,
#                           # creates the user/password/database, prints the env exports
#   .ci/postgres.sh stop    # stops the cluster
#
# Typical use:  eval "$(.ci/postgres.sh start)" && .venv/bin/pytest python/tests/e2e/test_integration_tests.py
# Runs as root (uses pg_ctlcluster / runs psql as the postgres user) or as a user with sudo.
set -euo pipefail

HOST="${DBT_MIGRATE_PG_HOST:-127.0.0.1}"
PORT="${DBT_MIGRATE_PG_PORT:-5432}"
USER_NAME="${DBT_MIGRATE_PG_USER:-dbt_migrate}"
PASSWORD="${DBT_MIGRATE_PG_PASSWORD:-dbt_migrate}"
DBNAME="${DBT_MIGRATE_PG_DBNAME:-dbt_migrate}"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

log() { echo "postgres.sh: $*" >&2; }

ensure_installed() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
    log "installing postgresql (apt-get)"
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
  fi
}

cluster() {
  # prints "<version> <name>" of the first cluster, creating one if none exists
  local line
  line="$(pg_lsclusters -h 2>/dev/null | head -n 1 || true)"
  if [ -z "$line" ]; then
    local version
    version="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
    log "creating cluster $version/main on port $PORT"
    $SUDO pg_createcluster "$version" main --port "$PORT" >&2
    line="$(pg_lsclusters -h | head -n 1)"
  fi
  echo "$line" | awk '{print $1, $2}'
}


psql_admin() {
  local port="$1"; shift
  if [ "$(id -u)" -eq 0 ]; then
    su postgres -s /bin/sh -c "psql -X -q -v ON_ERROR_STOP=1 -p $port $(printf '%q ' "$@")"
  else
    sudo -u postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" "$@"
  fi
}

start() {
  ensure_installed
  read -r version name <<<"$(cluster)"
  local conf_port
  conf_port="$(pg_lsclusters -h | awk -v v="$version" -v n="$name" '$1==v && $2==n {print $3}')"
  if [ "$conf_port" != "$PORT" ]; then
    $SUDO pg_conftool "$version" "$name" set port "$PORT" >&2
  fi
  # pg_conftool leaves "127.0.0.1" unquoted (invalid), so listen_addresses goes in a conf.d file
  $SUDO pg_conftool "$version" "$name" remove listen_addresses >&2 || true
  $SUDO mkdir -p "/etc/postgresql/$version/$name/conf.d"
  echo "listen_addresses = '$HOST'" | $SUDO tee "/etc/postgresql/$version/$name/conf.d/dbt_migrate.conf" >/dev/null
  if ! pg_lsclusters -h | awk -v v="$version" -v n="$name" '$1==v && $2==n {print $4}' | grep -q online; then
    log "starting cluster $version/$name on $HOST:$PORT"
    $SUDO pg_ctlcluster "$version" "$name" start >&2
  fi
  for _ in $(seq 1 30); do
    if pg_isready -q -h "$HOST" -p "$PORT"; then break; fi
    sleep 1
  done
  pg_isready -h "$HOST" -p "$PORT" >&2
  psql_admin "$PORT" -d postgres <<SQL >&2
do \$\$ begin
  if not exists (select 1 from pg_roles where rolname = '${USER_NAME}') then
    create role "${USER_NAME}" login password '${PASSWORD}';
  else
    alter role "${USER_NAME}" login password '${PASSWORD}';
  end if;
end \$\$;
SQL
  if [ -z "$(psql_admin "$PORT" -d postgres -tA -c "select 1 from pg_database where datname = '${DBNAME}'")" ]; then
    psql_admin "$PORT" -d postgres -c "create database \"${DBNAME}\" owner \"${USER_NAME}\"" >&2
  fi
  cat <<ENV
export DBT_MIGRATE_PG_HOST=${HOST}
export DBT_MIGRATE_PG_PORT=${PORT}
export DBT_MIGRATE_PG_USER=${USER_NAME}
export DBT_MIGRATE_PG_PASSWORD=${PASSWORD}
export DBT_MIGRATE_PG_DBNAME=${DBNAME}
ENV
}

stop() {
  if ! command -v pg_lsclusters >/dev/null 2>&1; then log "postgresql not installed"; return 0; fi
  pg_lsclusters -h | while read -r version name port status _; do
    if [ "$port" = "$PORT" ] && [ "$status" = "online" ]; then
      log "stopping cluster $version/$name"
      $SUDO pg_ctlcluster "$version" "$name" stop >&2
    fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
