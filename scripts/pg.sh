#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster, then stop and delete the cluster.
#
#   scripts/pg.sh COMMAND [ARGS...]
#
# Starts PostgreSQL (binaries in $MHU_PG_BIN, default /usr/lib/postgresql/15/bin) in a temp dir,
# listening on a free 127.0.0.1 port only, creates the database mhu_test and runs COMMAND with
#   MHU_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/mhu_test
# exported. The cluster is stopped and its directory removed on exit, failure or interrupt.
# MHU_PG_OPTIONS adds server settings, e.g. "-c shared_buffers=4GB" (the benchmarks' tuned runs).
# Exits with COMMAND's status, or 69 with a message when PostgreSQL cannot be set up.
set -euo pipefail

PG_BIN="${MHU_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_USER=postgres   # the cluster's superuser; also the OS user when we run as root
DB_NAME=mhu_test

# 69 (EX_UNAVAILABLE) when PostgreSQL cannot be set up, so callers can tell it from COMMAND's status.
die() { echo "pg.sh: $*" >&2; exit 69; }

[[ $# -ge 1 ]] || { echo "usage: scripts/pg.sh COMMAND [ARGS...]" >&2; exit 2; }
for tool in initdb pg_ctl createdb pg_isready; do
    [[ -x "$PG_BIN/$tool" ]] || die "PostgreSQL not found: $PG_BIN/$tool is missing (apt-get install -y postgresql-15, or set MHU_PG_BIN)"
done

# initdb and pg_ctl refuse to run as root, so as root the cluster belongs to the postgres OS user.
if [[ $(id -u) -eq 0 ]]; then
    id -u "$PG_USER" >/dev/null 2>&1 || die "running as root but there is no '$PG_USER' OS user to own the cluster"
    as_pg() { runuser -u "$PG_USER" -- "$@"; }
else
    as_pg() { "$@"; }
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mhu-pg.XXXXXX")
DATA_DIR="$WORK_DIR/data"
LOG_FILE="$WORK_DIR/postgres.log"
STARTED=0

cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP
    if [[ $STARTED -eq 1 ]]; then
        # Immediate mode: the data is thrown away, so there is nothing to flush.
        as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m immediate -w stop >/dev/null 2>&1 \
            || echo "pg.sh: warning: pg_ctl stop failed (log: $LOG_FILE)" >&2
    fi
    rm -rf "$WORK_DIR"
    exit "$status"
}
trap cleanup EXIT
# On a signal, exit with the conventional 128+N status; the EXIT trap then cleans up.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if [[ $(id -u) -eq 0 ]]; then chown "$PG_USER" "$WORK_DIR"; fi

start_seconds=$(date +%s.%N)
if ! as_pg "$PG_BIN/initdb" -D "$DATA_DIR" -U "$PG_USER" -A trust -E UTF8 --locale=C.UTF-8 \
        --no-sync >"$WORK_DIR/initdb.log" 2>&1; then
    cat "$WORK_DIR/initdb.log" >&2
    die "initdb failed; PostgreSQL could not be set up"
fi

# Free ports can be taken between the probe and the bind, so a failed start retries on another.
for attempt in 1 2 3; do
    PORT=$(free_port)
    # Loopback TCP only; the socket lives in our private dir. fsync off: the cluster is disposable.
    if as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -w -t 30 start -o \
            "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories='$WORK_DIR' -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${MHU_PG_OPTIONS:-}" \
            >/dev/null 2>&1; then
        STARTED=1
        break
    fi
    echo "pg.sh: start attempt $attempt on port $PORT failed" >&2
done
if [[ $STARTED -ne 1 ]]; then
    tail -n 20 "$LOG_FILE" >&2 2>/dev/null || true
    die "PostgreSQL could not start (see the log above)"
fi

as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$PG_USER" "$DB_NAME" \
    || die "could not create database $DB_NAME"
ready_seconds=$(date +%s.%N)
printf 'pg.sh: PostgreSQL %s ready on 127.0.0.1:%s in %.1f s (initdb + start + createdb)\n' \
    "$("$PG_BIN/postgres" --version | awk '{print $3}')" "$PORT" \
    "$(awk -v a="$start_seconds" -v b="$ready_seconds" 'BEGIN { print b - a }')" >&2

export MHU_TEST_DATABASE_URL="postgresql+psycopg://$PG_USER@127.0.0.1:$PORT/$DB_NAME"
export MHU_PG_BIN="$PG_BIN"

# Not exec: the EXIT trap must outlive the command to stop the cluster.
set +e
"$@"
status=$?
set -e
exit "$status"
