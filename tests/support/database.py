"""Database helpers shared by fixtures and tests."""

import sys
import time

import sqlalchemy as sa

from mhu.extensions import db


def empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if connection.dialect.name != "postgresql":
            for table in tables:
                connection.execute(table.delete())
            return
    names = ", ".join(f'"{t.name}"' for t in tables)
    attempts = 5
    for attempt in range(1, attempts + 1):
        try:
            with db.engine.begin() as connection:
                # TRUNCATE waits for every other transaction on these tables; a connection an earlier
                # test left idle in a transaction (a live-server request thread) would make it wait
                # forever, so wait a bounded time, then end that connection, say so, and retry.
                connection.execute(sa.text("SET LOCAL lock_timeout = '15s'"))
                connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        except sa.exc.OperationalError as error:
            # A live-server request still reading when the test ends can also deadlock with the
            # TRUNCATE (it takes the tables in another order); PostgreSQL lets the request go on,
            # so a later TRUNCATE goes through. On a loaded machine that request may need a while.
            message = str(error)
            if attempt == attempts or ("lock timeout" not in message and "deadlock detected" not in message):
                raise
            if "lock timeout" in message:
                _end_stale_transactions()
            time.sleep(0.2 * attempt)


def _end_stale_transactions() -> None:
    with db.engine.begin() as connection:
        stale = connection.execute(sa.text(
            "SELECT pid, state, left(query, 200) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
        )).all()
        for pid, state, query in stale:
            # Printed, not warned: warnings are errors in this suite, and this is a repair, not a failure.
            print(f"empty_all_tables: ending a connection left {state} by an earlier test: {query}", file=sys.__stderr__)
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
