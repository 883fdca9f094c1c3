"""Consistent online backups and restores: SQLite's backup API, PostgreSQL's pg_dump/pg_restore.

Both are safe while the application runs: SQLite's backup API copies a consistent snapshot page by
page (WAL readers and writers keep working), and pg_dump reads one MVCC snapshot. A restore
replaces the whole database; stop the application servers first.
"""

import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa


class BackupError(Exception):
    """A backup or restore could not be made; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    seconds: float


def _sqlite_file(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def pg_tool(name: str, *, pg_bin: str | None = None) -> str:
    """The path of pg_dump/pg_restore: MHU_PG_BIN's directory, else PATH, else pg_bin."""
    explicit = os.environ.get("MHU_PG_BIN")
    if explicit and (Path(explicit) / name).exists():
        return str(Path(explicit) / name)
    found = shutil.which(name)
    if found:
        return found
    candidate = Path(pg_bin or "/usr/lib/postgresql/15/bin") / name
    if candidate.exists():
        return str(candidate)
    raise BackupError(f"{name} not found: install the PostgreSQL client or set MHU_PG_BIN.")


def _pg_args(url: sa.URL) -> tuple[list[str], dict]:
    # Credentials go through the environment, never the command line (visible in `ps`).
    args = ["--dbname", url.database or "postgres"]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = {**os.environ, "PGPASSWORD": url.password or ""} if url.password else dict(os.environ)
    return args, env


def _run(command: list[str], env: dict) -> None:
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {completed.stderr.strip()[-2000:]}")


def sqlite_integrity(path: Path) -> str:
    """PRAGMA integrity_check of an SQLite file ('ok' when sound)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


def backup_database(*, url: str, path: Path, pg_bin: str | None = None) -> BackupResult:
    """Write a consistent copy of the database at `url` to `path` (SQLite file or pg_dump -Fc)."""
    parsed = sa.make_url(url)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    started = time.monotonic()
    if parsed.get_backend_name() == "sqlite":
        source = sqlite3.connect(f"file:{_sqlite_file(parsed)}?mode=ro", uri=True)
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        if (result := sqlite_integrity(partial)) != "ok":
            partial.unlink(missing_ok=True)
            raise BackupError(f"The copy failed its integrity check: {result}")
    elif parsed.get_backend_name() == "postgresql":
        args, env = _pg_args(parsed)
        _run([pg_tool("pg_dump", pg_bin=pg_bin), "--format=custom", "--file", str(partial), *args], env)
    else:
        raise BackupError(f"Backups of {parsed.get_backend_name()} databases are not supported.")
    os.replace(partial, path)  # a half-written backup never carries the final name
    path.chmod(0o600)  # the copy holds identified data
    return BackupResult(path=path, bytes=path.stat().st_size, seconds=time.monotonic() - started)


def restore_database(*, url: str, path: Path, pg_bin: str | None = None) -> BackupResult:
    """Replace the database at `url` with the backup at `path`; all or nothing."""
    parsed = sa.make_url(url)
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    started = time.monotonic()
    if parsed.get_backend_name() == "sqlite":
        try:
            result = sqlite_integrity(path)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} is not an SQLite backup: {error}") from error
        if result != "ok":
            raise BackupError(f"The backup failed its integrity check: {result}")
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_file(parsed))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    elif parsed.get_backend_name() == "postgresql":
        args, env = _pg_args(parsed)
        # --no-owner --no-privileges: the restoring role owns what it creates, and grants naming
        # roles of the server the backup came from are left out (the CLI grants the app role).
        _run([pg_tool("pg_restore", pg_bin=pg_bin), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", *args, str(path)], env)
    else:
        raise BackupError(f"Restores of {parsed.get_backend_name()} databases are not supported.")
    return BackupResult(path=path, bytes=path.stat().st_size, seconds=time.monotonic() - started)
