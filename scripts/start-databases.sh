#!/usr/bin/env bash
# Installs (Debian packages) and starts PostgreSQL and MariaDB when they are
# not up, and makes the `baton` role and database the tests use in each.
# Idempotent: safe to run before every test run.
set -euo pipefail

log() { echo "start-databases: $*" >&2; }

need_install=()
command -v pg_ctlcluster >/dev/null 2>&1 || need_install+=(postgresql)
command -v mariadbd >/dev/null 2>&1 || need_install+=(mariadb-server)
if [ ${#need_install[@]} -gt 0 ]; then
  log "installing ${need_install[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_install[@]}" >/dev/null
fi

# PostgreSQL: the Debian cluster, started with pg_ctlcluster (no systemd here).
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
  if [ -z "$cluster" ]; then
    version=$(ls /usr/lib/postgresql | sort -n | tail -1)
    pg_createcluster "$version" main >/dev/null
    cluster="$version main"
  fi
  log "starting PostgreSQL $cluster"
  # shellcheck disable=SC2086
  pg_ctlcluster $cluster start
fi
for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
pg_isready -q -h 127.0.0.1 -p 5432 || { log "PostgreSQL did not come up"; exit 1; }
su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname='baton'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"create role baton login password 'baton'\""
su postgres -c "psql -qtAc \"select 1 from pg_database where datname='baton'\"" | grep -q 1 ||
  su postgres -c "psql -qc 'create database baton owner baton'"

# MariaDB: its init script starts mysqld_safe in the background.
if ! mariadb-admin ping --silent >/dev/null 2>&1; then
  log "starting MariaDB"
  service mariadb start >/dev/null
fi
for _ in $(seq 1 50); do mariadb-admin ping --silent >/dev/null 2>&1 && break; sleep 0.2; done
mariadb-admin ping --silent >/dev/null 2>&1 || { log "MariaDB did not come up"; exit 1; }
mariadb -e "create database if not exists baton;
  create user if not exists 'baton'@'127.0.0.1' identified by 'baton';
  create user if not exists 'baton'@'localhost' identified by 'baton';
  grant all on baton.* to 'baton'@'127.0.0.1';
  grant all on baton.* to 'baton'@'localhost';"
log "PostgreSQL and MariaDB are up (user baton, password baton, database baton)"
