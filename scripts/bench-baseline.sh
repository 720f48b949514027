#!/usr/bin/env bash
# The hand-written baseline `strato bench` compares against: the same
# PostgreSQL steps strato takes for a cluster, as a person would script them.
#   bench-baseline.sh template WORK BIN
#   bench-baseline.sh create   WORK BIN NODES IP_PREFIX PORT   (nodes at IP_PREFIX.1, .2, ...)
#   bench-baseline.sh restart  WORK BIN NODES IP_PREFIX PORT
#   bench-baseline.sh destroy  WORK BIN NODES IP_PREFIX PORT
#   bench-baseline.sh backup   WORK BIN SOCKET_DIR PORT   (plain pg_basebackup of a running primary)
#   bench-baseline.sh copy     WORK BIN                   (plain copy of that backup, as a restore would)
#   bench-baseline.sh clean    WORK BIN
set -euo pipefail
op=$1 work=$2 bin=$3
nodes=${4:-1} prefix=${5:-127.0.0} port=${6:-8000}

sock() { echo "$work/s$1"; }
conf() { # node dir, ordinal
    cat > "$1/strato.conf" <<CONF
listen_addresses = '$prefix.$(( $2 + 1 ))'
port = $port
unix_socket_directories = '$(sock "$2")'
max_connections = 50
shared_buffers = 32MB
hot_standby = on
wal_keep_size = 256MB
CONF
}
start() { mkdir -p "$(sock "$1")"; "$bin/pg_ctl" start -w -s -D "$work/n$1" -l "$work/n$1.log" >/dev/null; }
psql_p() { "$bin/psql" -X -q -A -t -h "$(sock 0)" -p "$port" -U strato -d postgres -c "$1"; }
wait_streaming() {
    [ "$nodes" -gt 1 ] || return 0
    until [ "$(psql_p "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" -ge $(( nodes - 1 )) ]; do
        sleep 0.05
    done
}

case $op in
template)
    "$bin/initdb" -D "$work/template" -U strato --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >/dev/null
    echo "include_if_exists = 'strato.conf'" >> "$work/template/postgresql.conf"
    ;;
create)
    cp -a "$work/template" "$work/n0"
    conf "$work/n0" 0
    start 0
    psql_p "CREATE ROLE dbadmin LOGIN CREATEDB PASSWORD 'Dws2017demo!'"
    psql_p "CREATE DATABASE gaussdb OWNER dbadmin"
    for ((i = 1; i < nodes; i++)); do
        "$bin/pg_basebackup" -D "$work/n$i" -h "$(sock 0)" -p "$port" -U strato -X stream -c fast -R --no-sync
        conf "$work/n$i" "$i"
        start "$i"
    done
    wait_streaming
    ;;
restart)
    for ((i = nodes - 1; i >= 0; i--)); do "$bin/pg_ctl" stop -w -s -m fast -D "$work/n$i"; done
    for ((i = 0; i < nodes; i++)); do start "$i"; done
    wait_streaming
    ;;
backup)
    "$bin/pg_basebackup" -D "$work/backup" -h "$4" -p "$5" -U strato -F p -X stream -c fast
    ;;
copy)
    cp -a "$work/backup" "$work/restored"
    # A restore must be on disk before it serves: PostgreSQL syncs its data directory on start.
    sync -f "$work/restored"
    ;;
clean)
    rm -rf "$work/backup" "$work/restored"
    ;;
destroy)
    for ((i = nodes - 1; i >= 0; i--)); do "$bin/pg_ctl" stop -w -s -m immediate -D "$work/n$i" || true; done
    for ((i = 0; i < nodes; i++)); do rm -rf "$work/n$i" "$work/n$i.log" "$(sock "$i")"; done
    ;;
esac
