#!/usr/bin/env bash
# A real PostgreSQL streaming replica of this machine's server, for `.ci/run` and `make bench`.
#
#   tools/replica.sh start [DIR]   pg_basebackup -R from 127.0.0.1:5432 into DIR (default: a new
#                                  temporary directory), started as a hot standby on
#                                  REPLICA_PORT (5433); prints DIR on its last line
#   tools/replica.sh stop DIR      stop it (immediate) and delete DIR
#   tools/replica.sh status DIR    pg_isready and the replay position
#
# Run as root (it runs PostgreSQL as the postgres user) or as postgres. The primary needs
# wal_level=replica (the default) and a free WAL sender (max_wal_senders, 10 by default); when a
# replication connection from 127.0.0.1 is refused, `start` adds one line to the primary's
# pg_hba.conf, marked "# bastau tools/replica.sh", before its other lines, and reloads it:
#   host replication postgres 127.0.0.1/32 trust
# (once: later runs find it). No replication slot is created, so a replica that is never stopped
# holds no WAL on the primary. The standby's own configuration is a few lines in DIR (Debian keeps
# the primary's postgresql.conf outside the data directory, so none is copied).
set -euo pipefail

PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_USER="${PG_USER:-postgres}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
MARK="# bastau tools/replica.sh"

psql_primary() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qAt "$@" </dev/null; }

pgbin() {
    local version
    version=$(psql_primary -c "SHOW server_version_num")
    echo "/usr/lib/postgresql/$((version / 10000))/bin"
}

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

replication_allowed() {
    psql "host=$PG_HOST port=$PG_PORT user=$PG_USER replication=true dbname=postgres" \
        -qAtc "IDENTIFY_SYSTEM" </dev/null >/dev/null 2>&1
}

allow_replication() {
    replication_allowed && return 0
    local hba
    hba=$(psql_primary -c "SHOW hba_file")
    if ! grep -qF "$MARK" "$hba"; then
        echo "replica: allowing replication connections from 127.0.0.1 in $hba" >&2
        { echo "host replication $PG_USER 127.0.0.1/32 trust  $MARK"; cat "$hba"; } >"$hba.bastau"
        cat "$hba.bastau" >"$hba" && rm -f "$hba.bastau"
    fi
    psql_primary -c "SELECT pg_reload_conf()" >/dev/null
    for _ in $(seq 20); do replication_allowed && return 0; sleep 0.2; done
    echo "replica: the primary still refuses replication connections (see $hba)" >&2
    return 1
}

start() {
    local dir=${1:-}
    local wal_level bin
    wal_level=$(psql_primary -c "SHOW wal_level")
    if [ "$wal_level" = minimal ]; then
        echo "replica: the primary has wal_level=minimal; set wal_level=replica and restart it" >&2
        return 1
    fi
    if pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT"; then
        echo "replica: port $REPLICA_PORT is taken (another replica running? REPLICA_PORT=...)" >&2
        return 1
    fi
    allow_replication
    bin=$(pgbin)
    [ -n "$dir" ] || dir=$(mktemp -d /tmp/bastau-replica.XXXXXX)
    mkdir -p "$dir"
    chmod 700 "$dir"
    [ "$(id -u)" != 0 ] || chown postgres:postgres "$dir"
    echo "replica: pg_basebackup from $PG_HOST:$PG_PORT into $dir" >&2
    as_postgres "$bin/pg_basebackup" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -D "$dir/data" \
        -R -X stream --checkpoint=fast
    # The standby's configuration: its port, its socket in DIR, trust from this machine only, and
    # the limits a hot standby must have at least as high as its primary.
    local limits=""
    for name in max_connections max_worker_processes max_wal_senders \
        max_prepared_transactions max_locks_per_transaction; do
        limits+="$name = $(psql_primary -c "SHOW $name")"$'\n'
    done
    as_postgres tee "$dir/data/postgresql.conf" >/dev/null <<EOF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
hba_file = '$dir/data/pg_hba.conf'
hot_standby = on
shared_buffers = 128MB
logging_collector = off
$limits
EOF
    as_postgres tee "$dir/data/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 120 start >&2
    for _ in $(seq 120); do
        if [ "$(psql -h 127.0.0.1 -p "$REPLICA_PORT" -U "$PG_USER" -d postgres -qAt \
            -c "SELECT pg_is_in_recovery()" </dev/null 2>/dev/null)" = t ]; then
            echo "replica: hot standby ready on 127.0.0.1:$REPLICA_PORT" >&2
            echo "$dir"
            return 0
        fi
        sleep 0.5
    done
    echo "replica: the standby did not become ready; its log:" >&2
    tail -n 30 "$dir/postgres.log" >&2 || true
    return 1
}

stop() {
    local dir=${1:?usage: tools/replica.sh stop DIR}
    case "$dir" in /tmp/*|/var/tmp/*) ;; *) echo "replica: refusing to delete $dir" >&2; return 1;; esac
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_postgres "$(pgbin)/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
    fi
    rm -rf "$dir"
}

status() {
    local dir=${1:-}
    pg_isready -h 127.0.0.1 -p "$REPLICA_PORT"
    psql -h 127.0.0.1 -p "$REPLICA_PORT" -U "$PG_USER" -d postgres -qAt </dev/null \
        -c "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn(), now() - pg_last_xact_replay_timestamp()"
    [ -z "$dir" ] || tail -n 5 "$dir/postgres.log"
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    status) shift; status "$@" ;;
    *) echo "usage: tools/replica.sh start [DIR] | stop DIR | status [DIR]" >&2; exit 2 ;;
esac
