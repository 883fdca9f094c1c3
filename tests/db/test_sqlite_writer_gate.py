"""SQLite writers queue on a file lock (mhu/db_setup.py, SQLiteWriterGate) instead of SQLite's
sleeping busy handler: taken by a transaction's first write, released when it ends, never by reads."""

import os
import subprocess
import sys
import textwrap
import threading

import pytest
import sqlalchemy as sa

from mhu import create_app
from mhu.extensions import db

pytestmark = pytest.mark.skipif(os.environ.get("MHU_TEST_DATABASE_URL", "").startswith("postgresql"),
                                reason="SQLite only: PostgreSQL has row locks")


@pytest.fixture
def engine(tmp_path):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'gate.sqlite3'}")
    with app.app_context():
        engine = db.engine
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
        yield engine
        engine.dispose()


def gate_is_free(engine) -> bool:
    """Whether another process could take the gate now."""
    probe = textwrap.dedent(f"""
        import fcntl, os, sys
        fd = os.open({engine.url.database + '-writer.lock'!r}, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.exit(1)
    """)
    return subprocess.run([sys.executable, "-c", probe]).returncode == 0


def test_a_write_holds_the_gate_until_its_commit(engine):
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT count(*) FROM note")).scalar()
        assert gate_is_free(engine)  # reading takes nothing
        connection.execute(sa.text("INSERT INTO note (body) VALUES ('a')"))
        assert not gate_is_free(engine)
        connection.commit()
        assert gate_is_free(engine)


def test_a_rollback_or_a_connection_given_back_releases_the_gate(engine):
    with engine.connect() as connection:
        connection.execute(sa.text("INSERT INTO note (body) VALUES ('a')"))
        connection.rollback()
        assert gate_is_free(engine)
        connection.execute(sa.text("INSERT INTO note (body) VALUES ('b')"))
    assert gate_is_free(engine)  # closed mid-transaction: the pool's reset rolled it back
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM note")).scalar() == 0


def write_on_threads(engine, *, threads: int = 4, writes: int = 20, together: bool = False) -> None:
    """`threads` threads, each committing `writes` inserts one by one; `together`: they start at
    the same moment."""
    start = threading.Barrier(threads) if together else None

    def write(number):
        if start is not None:
            start.wait()
        for _ in range(writes):
            with engine.begin() as connection:
                connection.execute(sa.text("INSERT INTO note (body) VALUES (:b)"), {"b": str(number)})

    running = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()


def test_writers_on_threads_take_turns_and_all_commit(engine):
    write_on_threads(engine)

    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM note")).scalar() == 80
    assert gate_is_free(engine)


def test_a_thread_writing_on_a_second_connection_is_not_left_waiting_on_itself(engine):
    with engine.connect() as first, engine.connect() as second:
        first.execute(sa.text("INSERT INTO note (body) VALUES ('a')"))
        second.execute(sa.text("PRAGMA busy_timeout = 50"))
        with pytest.raises(sa.exc.OperationalError, match="locked"):  # SQLite's own answer, at once
            second.execute(sa.text("INSERT INTO note (body) VALUES ('b')"))
        first.commit()
    assert gate_is_free(engine)


def test_threads_whose_first_writes_race_share_one_gate(engine, monkeypatch):
    """The threads of a process that write for the first time at the same moment open the lock
    file once: two descriptors would be two gates, and a release through the wrong one would
    leave the other locked (writers then timed out and lost their turn)."""
    import mhu.db_setup

    opened, real_open = [], os.open

    def slow_open(path, *args, **kwargs):
        if str(path).endswith("-writer.lock"):
            opened.append(path)
            threading.Event().wait(0.05)  # widen the moment in which the threads race
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(mhu.db_setup.os, "open", slow_open)
    write_on_threads(engine, together=True)

    assert len(opened) == 1
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM note")).scalar() == 80
    assert gate_is_free(engine)
