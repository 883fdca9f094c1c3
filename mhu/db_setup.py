"""Per-connection database settings."""

import fcntl
import os
import threading
import time

import sqlalchemy as sa
from flask import Flask

from mhu.extensions import db


def init_app(app: Flask) -> None:
    """Turn on WAL, foreign keys and a busy timeout for every SQLite connection; turn JIT off for
    every PostgreSQL one."""
    busy_timeout = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout}")
        cursor.execute("PRAGMA journal_mode=WAL")
        # A 64 MiB page cache and memory-mapped reads: metric scans re-read the call table a lot
        # and the 2 MiB default made them disk-bound (bench/README.md).
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()

    def on_postgresql_connect(dbapi_connection, _record):
        # JIT compiles any statement planned above jit_above_cost, and the app's are short: the day
        # refresh of a call written at 1M calls spent 158 of its 166 ms compiling (bench/README.md).
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.autocommit = autocommit

    with app.app_context():
        engine = db.engine
        gate = None
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", on_connect)
            if engine.url.database and engine.url.database != ":memory:":
                gate = SQLiteWriterGate(engine.url.database, busy_timeout / 1000)
        elif engine.dialect.name == "postgresql":
            sa.event.listen(engine, "connect", on_postgresql_connect)
        _track_writes(engine, gate)


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_WROTE = "wrote_in_transaction"


def transaction_wrote(connection) -> bool:
    """Whether the connection's current transaction has run a write statement."""
    return bool(connection.info.get(_WROTE))


def _track_writes(engine, gate: "SQLiteWriterGate | None") -> None:
    def before_cursor_execute(connection, _cursor, statement, _parameters, _context, _executemany):
        if statement.lstrip()[:7].upper().startswith(_WRITES):
            connection.info[_WROTE] = True
            if gate is not None:
                gate.before_write(connection)

    def end(connection):
        connection.info.pop(_WROTE, None)
        if gate is not None:
            gate.after_transaction(connection)

    def reset(_dbapi_connection, record, _state):
        # A connection given back to the pool mid-transaction is rolled back here, not through end().
        record.info.pop(_WROTE, None)
        if gate is not None and record.info.get("writer_gate"):
            gate.after_transaction(record)

    sa.event.listen(engine, "before_cursor_execute", before_cursor_execute)
    sa.event.listen(engine, "commit", end)
    sa.event.listen(engine, "rollback", end)
    sa.event.listen(engine.pool, "reset", reset)


class SQLiteWriterGate:
    """One writing transaction at a time across every process on a SQLite file, on a file lock.

    SQLite lets one writer in and makes the others poll with sleeps that grow to 100 ms, so under
    concurrent writes a worker sleeps through most of the moments the lock is free: two gunicorn
    workers created calls no faster than one, with a p99 of 0.4-0.6 s (bench/README.md, "Load").
    Here the first write statement of a transaction first takes an exclusive flock() on
    `<database>-writer.lock` (asked every half millisecond) and the commit or rollback releases it. A thread that cannot get the gate within the busy timeout, or
    that already holds it through another connection, goes on without it: SQLite's own lock still
    keeps the data safe, the gate only orders the waiting.
    """

    def __init__(self, database_path: str, timeout_s: float):
        self.path = f"{database_path}-writer.lock"
        self.timeout_s = timeout_s
        self._pid = None
        self._fd = None
        self._threads = threading.Lock()
        self._holder = None  # the thread holding the gate in this process
        self._setup: dict[int, threading.Lock] = {}  # per process id: see _file()

    def _file(self) -> int:
        # A descriptor inherited through fork() shares its lock with the parent: open one per
        # process. Its threads may make their first writes at the same moment: one opens the file
        # and the others wait for it, or each would open its own descriptor (its own gate) and a
        # release through another's would leave it locked. The setup lock is per process id
        # (dict.setdefault is atomic): one held by another thread at a fork stays held in the child.
        pid = os.getpid()
        if self._pid != pid:
            with self._setup.setdefault(pid, threading.Lock()):
                if self._pid != pid:
                    self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                    self._threads = threading.Lock()
                    self._holder = None
                    self._pid = pid  # last: other threads go past the check only once the rest is set
        return self._fd

    def before_write(self, connection) -> None:
        """Take the gate for this connection's transaction unless it already holds it."""
        if connection.info.get("writer_gate"):
            return
        fd = self._file()
        if self._holder == threading.get_ident():
            return  # this thread writes on a second connection: waiting on itself would never end
        deadline = time.monotonic() + self.timeout_s
        if not self._threads.acquire(timeout=self.timeout_s):
            return
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self._threads.release()
                    return
                time.sleep(0.0005)  # another process writes: ask again soon, not in SQLite's 10-100 ms steps
        self._holder = threading.get_ident()
        connection.info["writer_gate"] = True

    def after_transaction(self, connection) -> None:
        """Release the gate when the transaction that took it ends."""
        if not connection.info.pop("writer_gate", False):
            return
        self._holder = None
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()
