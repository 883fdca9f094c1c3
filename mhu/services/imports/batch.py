"""Running an import batch: stream the file, map each row, write calls in bulk, keep the counts.

Rows are processed in chunks of CHUNK_ROWS: a chunk's new calls (with their source keys) and list
rows are inserted in bulk (through a staging table on SQLite, COPY on PostgreSQL), changed calls updated
with one executemany, the rejects stored and the batch's progress saved. A transaction takes
chunks until it has been open TRANSACTION_SECONDS, so a crash loses at most those few seconds of
writes, and `rows_done` (saved with them) says where to resume; the source keys (`Call.source_key`)
make re-running any part safe.

The metric facts are refreshed once, at the batch's end: the per-call facts of the calls it
created or changed (set-based, a few statements) and the day sums of the local days its calls
are on (refresh_batch(): on PostgreSQL both at once, on two connections). A batch that stops
midway gets the same refresh when it ends: fail_batch() does it for what was written, and a
batch resumed after a restart does it at its end for every chunk of every run (the calls are
found through its source keys and recorded changes, not remembered in memory). Until then the
dashboard lags behind the batch's calls, as it does during any import.

A dry run maps and classifies every row (would create / update / leave unchanged / reject)
without writing calls.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import operator
import os
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from mhu import enums
from mhu.extensions import db
from mhu.models import (
    Agency, Call, CallPresentingProblem, CallRiskFlag, ImportBatch, ImportChange, ImportReject, Team,
)
from mhu.models.types import utcnow
from mhu.services import audit
from mhu.services.imports.mapping import Mapper
from mhu.services.imports.profile import LIST_FIELDS, TIME_FIELDS, ProfileError, parse_profile
from mhu.services.imports.reader import FileError, Table
from mhu.services.localtime import local_parts
from mhu.services.metrics import facts

CHUNK_ROWS = 10_000
# A commit writes every page the transaction changed. A file out of time order changes pages all
# over the call table's time indexes, and with a commit per chunk most were written again by each
# chunk: committing every two or three chunks took a million-row import on SQLite from 175 to
# about 140 s (bench/README.md "Import"). Bounded by time because on SQLite the open transaction
# holds the write lock: a call saved in the field meanwhile waits at most this plus a chunk,
# well inside the 10 s busy timeout.
TRANSACTION_SECONDS = 2.0
_FORK = multiprocessing.get_context("fork")  # the mapping process (_Run._start_mapping); Linux, as deployed
MAX_ERRORS = 100
MAX_SUMMARY = 200
PREVIEW_ROWS = 20
# What a call gets when the profile does not fill a field that cannot be empty. A CAD record is
# a 911 call unless the profile says otherwise; the intercept follows the team (calls.default_intercept).
NOT_NULL_DEFAULTS = {
    "call_source": "911", "nature": "other", "arrestable_offense": "none", "transfer_in": "none",
    "transfer_out": "none", "force_level": "none", "cit_officer_on_scene": False, "followup_required": False,
    # Rows are the unit's own calls unless the profile maps who responded (CAD history: patrol_only).
    "responder_type": "co_responder",
}
SCALAR_COLUMNS = (
    "incident_number", "received_at", "dispatched_at", "arrived_at", "cleared_at", "call_source", "nature",
    "initial_call_type", "final_call_type", "sim_intercept", "arrestable_offense", "district", "beat", "address",
    "latitude", "longitude", "cit_officer_on_scene", "transfer_in", "transfer_out", "force_level", "disposition",
    "legal_hold_type", "followup_required", "narrative", "responder_type", "not_taken_reason",
)
_RECEIVED, _RESPONDER = SCALAR_COLUMNS.index("received_at"), SCALAR_COLUMNS.index("responder_type")
# The columns of a created call, in the order _Run._insert builds its rows: those of the row,
# bound in the mapping process (_Run._prepare), then those of the batch and the moment, then the
# source key.
ROW_COLUMNS = [*SCALAR_COLUMNS, "local_date", "local_hour", "local_weekday"]
CALL_COLUMNS = [
    *ROW_COLUMNS, "id", "agency_id", "person_id", "team_id",
    "version", "created_at", "created_by_id", "updated_at", "updated_by_id", "voided_at", "voided_by_id", "void_reason",
    "source_profile", "source_key", "created_batch_id", "last_batch_id",
]


class BatchFailed(Exception):
    """The profile or the file cannot be used: the batch ends as failed with these problems."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def bulk_insert(connection, table: sa.Table, rows: list[dict]) -> None:
    """INSERT many rows (dicts with the same keys) with one executemany; see insert_rows()."""
    if rows:
        names = list(rows[0])
        insert_rows(connection, table, names, [tuple(row[name] for name in names) for row in rows])


def insert_rows(connection, table: sa.Table, names: list[str], rows: list[tuple]) -> None:
    """INSERT many rows (tuples of the columns `names`) through the driver (COPY on PostgreSQL,
    a staging table on SQLite: _staged_insert), each value through its column's own bind
    processor (so UTC, UUID and enum checks are SQLAlchemy's), without SQLAlchemy's per-row
    parameter machinery, which cost as much CPU as the mapping itself (row_binder())."""
    if not rows:
        return
    dialect = connection.dialect
    compiled = sa.insert(table).compile(dialect=dialect, column_keys=names)
    binds = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
    if set(binds) != set(names):  # a column default the rows do not carry: let SQLAlchemy do it
        connection.execute(sa.insert(table), [dict(zip(names, row)) for row in rows])
        return
    insert_bound_rows(connection, table, names, list(map(row_binder(dialect, table, names), rows)))


def insert_bound_rows(connection, table: sa.Table, names: list[str], rows: Iterable[tuple]) -> None:
    """insert_rows() for rows (a list, or an iterable read once) whose values have been through
    their columns' bind processors (row_binder()): COPY on PostgreSQL, the staging table on SQLite."""
    if isinstance(rows, Sequence) and not rows:
        return
    if connection.dialect.name == "postgresql":
        _copy(connection, table, names, rows)
    else:
        _staged_insert(connection, table, names, rows)


def row_binder(dialect, table: sa.Table, names) -> Callable[[tuple], tuple]:
    """A function giving a row of the columns `names` (a tuple) with each value through its
    column's bind processor for `dialect` (a column without one passes its values as they are),
    on PostgreSQL times and days then in COPY's binary form (_copy_processor), for
    insert_bound_rows(). Row by row: half the time of processing the rows a column at a time."""
    return _per_value([_copy_processor(table.c[name].type, dialect) for name in names])


def _per_value(processes: list[Callable | None]) -> Callable[[tuple], tuple]:
    """A function giving a row with each value that is not None through its column's process
    (None: the column's values pass as they are)."""
    if not any(processes):
        return tuple
    steps = [(index, process) for index, process in enumerate(processes) if process is not None]

    def apply(row: tuple) -> tuple:
        values = list(row)
        for index, process in steps:
            if values[index] is not None:
                values[index] = process(values[index])
        return tuple(values)

    return apply


# COPY's binary format carries no types: the server reads each field as its column's type. A time
# (timestamptz) goes as what that type is in the format, an int8 of microseconds since 2000-01-01
# UTC, a day (date) as an int4 of days since then and a uuid as its 16 bytes (_copy_processor),
# which psycopg's integer and bytea dumpers pack in C. So bound rows hold ints rather than
# datetimes, and cross from the mapping process in a fifth of the time (pickling aware datetimes
# was a fifth of its CPU), and a batch's ids are bound once, not dumped again in Python for each
# row (bench/README.md "Import").
_PG_EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)
_PG_EPOCH_DAY = _PG_EPOCH.date().toordinal()
_MICROSECOND = timedelta(microseconds=1)


def _copy_processor(type_: sa.types.TypeEngine, dialect) -> Callable | None:
    """The column type's bind processor, then on PostgreSQL a time or a day in COPY's binary form
    (an int: _copy sends it with the integer type of the same size). Made for millions of values:
    an enum's codes are bound once (_bound_codes), and an aware time goes straight to its
    instant, the one thing the binary form keeps (the bind processor only moves it to UTC, or
    refuses a naive time, which still goes through it)."""
    process = type_._cached_bind_processor(dialect)
    impl = _impl(type_)
    if isinstance(impl, sa.Enum) and process is not None:
        codes = _bound_codes(type_, dialect)
        return lambda value: codes[value] if value in codes else process(value)
    if dialect.name != "postgresql":
        return process
    if isinstance(impl, sa.DateTime) and impl.timezone:
        checked = process or (lambda value: value)
        return lambda moment: _pg_microseconds(moment if moment.tzinfo is not None else checked(moment))
    if isinstance(impl, sa.Date):
        encode = _pg_day
    elif isinstance(impl, sa.Uuid):
        encode = operator.attrgetter("bytes")
    else:
        return process
    return _chain(process, encode)


def _impl(type_: sa.types.TypeEngine) -> sa.types.TypeEngine:
    """The type a TypeDecorator (UTCDateTime) stands on, or the type itself."""
    return type_.impl_instance if isinstance(type_, sa.TypeDecorator) else type_


def _pg_microseconds(moment: datetime) -> int:
    return (moment - _PG_EPOCH) // _MICROSECOND


def _pg_day(day: date) -> int:
    return day.toordinal() - _PG_EPOCH_DAY


def row_reader(dialect, table: sa.Table, names) -> Callable[[tuple], tuple]:
    """The inverse of row_binder(): a row of bound values back as the values a query of these
    columns returns (aware UTC times, dates, booleans; other values are bound as they are)."""
    processes = []
    for name in names:
        type_ = table.c[name].type
        impl = _impl(type_)
        if not isinstance(impl, (sa.DateTime, sa.Date, sa.Boolean, sa.Uuid)):
            processes.append(None)
            continue
        decode = None
        if dialect.name == "postgresql" and isinstance(impl, sa.DateTime) and impl.timezone:
            decode = lambda value: _PG_EPOCH + value * _MICROSECOND
        elif dialect.name == "postgresql" and isinstance(impl, sa.Date):
            decode = lambda value: date.fromordinal(value + _PG_EPOCH_DAY)
        elif dialect.name == "postgresql" and isinstance(impl, sa.Uuid):
            decode = lambda value: uuid.UUID(bytes=value)
        processes.append(_chain(decode, type_._cached_result_processor(dialect, None)))
    return _per_value(processes)


def _chain(first: Callable | None, then: Callable | None) -> Callable | None:
    """then(first(value)), either of them possibly absent."""
    if first is None:
        return then
    if then is None:
        return first
    return lambda value: then(first(value))


def _staged_insert(connection, table: sa.Table, names: list[str], rows: Iterable[tuple]) -> None:
    """SQLite: the rows into a temporary table without constraints, then one INSERT ... SELECT.

    An executemany runs the INSERT once per row, and SQLite builds the lookup table of every
    `IN (...)` list of the table's CHECK constraints (the enums) anew on each run: for the call
    table that was half the cost of the insert (bench/README.md "Import"). One INSERT ... SELECT
    builds them once. The staging columns have no declared type, so values reach the real table
    exactly as bound and get its column affinities, as with a direct insert."""
    rows = list(rows)
    if not rows:
        return
    staging = f"mhu_staging_{table.name}_{zlib.crc32(' '.join(names).encode()):08x}"
    quoted = ", ".join(f'"{name}"' for name in names)
    connection.exec_driver_sql(f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" ({quoted})')
    connection.exec_driver_sql(f'INSERT INTO temp."{staging}" VALUES ({", ".join("?" * len(names))})', rows)
    try:
        connection.exec_driver_sql(f'INSERT INTO main."{table.name}" ({quoted}) SELECT {quoted} FROM temp."{staging}"')
    finally:
        connection.exec_driver_sql(f'DELETE FROM temp."{staging}"')


def _copy(connection, table: sa.Table, names: list[str], rows) -> None:
    """PostgreSQL: the rows through COPY FROM STDIN on the session's own connection (so in its
    transaction; constraints and triggers apply as for INSERT). An executemany is one INSERT per
    row on the server, several times slower.

    In COPY's binary format, each value sent as its column's type (read from the catalog, so it is
    the column's type as migrated, whatever the model says), times, days and uuids as the integers
    and bytes they are in that format (_copy_processor): the driver packs a row in an eighth of the
    time it takes to write it as text, and the server reads it in half the time it takes to parse
    text (200,000 call rows: 2.0 -> 0.25 s client, 0.92 -> 0.52 s server; bench/README.md
    "Import")."""
    import psycopg
    from psycopg import sql
    from psycopg.types.string import BytesBinaryDumper

    qualified = sql.Identifier(*([table.schema] if table.schema else []), table.name)
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        qualified, sql.SQL(", ").join(sql.Identifier(name) for name in names))
    try:
        with connection.connection.driver_connection.cursor() as cursor:
            # The bytea dumper psycopg.dbapi20 registers unwraps its Binary objects in Python; the
            # uuids' bytes need none of that, and this one is psycopg's C dumper (this cursor only).
            cursor.adapters.register_dumper(None, BytesBinaryDumper)
            types = dict(cursor.execute(
                "SELECT attname, CASE atttypid WHEN CAST('timestamptz' AS regtype) THEN CAST('int8' AS regtype)"
                " WHEN CAST('date' AS regtype) THEN CAST('int4' AS regtype)"
                " WHEN CAST('uuid' AS regtype) THEN CAST('bytea' AS regtype) ELSE atttypid END"
                " FROM pg_attribute WHERE attrelid = CAST(%s AS regclass) AND attnum > 0 AND NOT attisdropped",
                [qualified.as_string(cursor)]).fetchall())
            with cursor.copy(statement) as copy:
                copy.set_types([types[name] for name in names])
                for row in rows:
                    copy.write_row(row)
    except psycopg.Error as error:  # as SQLAlchemy raises it for any other statement (IntegrityError, ...)
        raise sa.exc.DBAPIError.instance(statement.as_string(), None, error, psycopg.Error) from error


def _time_ordered_numbers(count: int) -> list[int]:
    """`count` new call ids, as their 128-bit integers, in the layout of RFC 9562 UUIDv7: 48 bits
    of Unix milliseconds, then 74 random bits, ascending (ids of the same millisecond are sorted).
    Random version-4 ids land all over the primary-key index of a large call table (a page read
    and written per row); these go to its end, in order. Nothing reads meaning into a call id's
    bits (ids are only looked up, and ordered as a tie-break)."""
    stamp = (time.time_ns() // 1_000_000) << 80
    noise = os.urandom(10 * count)
    numbers = []
    for start in range(0, 10 * count, 10):
        random = int.from_bytes(noise[start:start + 10], "big")
        # version 7 in bits 76-79, variant 0b10 in bits 62-63
        numbers.append(stamp | 0x7 << 76 | (random >> 62 & 0xFFF) << 64 | 0x2 << 62 | random & (1 << 62) - 1)
    numbers.sort()  # as integers: sorting UUID objects calls their __lt__ in Python
    return numbers


def intercepts_by_source(team: Team) -> dict[str, int]:
    """The SIM intercept a call of `team` starts with, per call source (calls.default_intercept),
    worked out once: complete_fields() runs in the mapping process, which must not touch the ORM."""
    from mhu.services.calls import default_intercept

    return {source: default_intercept(team, source) for source in enums.CALL_SOURCES}


def complete_fields(fields: dict, intercepts: dict[str, int]) -> dict:
    """A mapped row with every call column: not-null fields take their defaults when empty, the
    intercept the one its source and team start with (intercepts_by_source)."""
    values = {name: fields.get(name) for name in SCALAR_COLUMNS}
    for name, default in NOT_NULL_DEFAULTS.items():
        if values[name] is None:
            values[name] = default
    if values["sim_intercept"] is None:
        values["sim_intercept"] = intercepts[values["call_source"]]
    for name in LIST_FIELDS:
        values[name] = fields.get(name) or []
    return values


class _Prepared(NamedTuple):
    """A row of the file as the mapping process hands it over: `errors` is None when the key alone
    decides the row (empty, or not the row of its key that duplicate_keys keeps); `cells` is None
    when the row mapped without errors, `bound` and `lists` None when it did not. `bound` is the
    row's ROW_COLUMNS bound for the database (row_binder: what a new call is inserted with; the
    writing process reads the values back from it only for the few rows that need them,
    _Run._values), `lists` its presenting problems and risk flags. Only types that pickle
    cheaply cross between the processes (bench/README.md "Import")."""
    number: int
    cells: list[str] | None
    key: str | None
    errors: list[str] | None = None
    warnings: Sequence[str] = ()
    bound: tuple | None = None
    lists: tuple[list, list] | None = None


class _Run:
    """One pass of a batch over its file."""

    def __init__(self, batch: ImportBatch, progress=None):
        self.batch = batch
        self.progress = progress
        self.agency = db.session.get(Agency, batch.agency_id)
        self.team = db.session.get(Team, batch.team_id)
        self.zone = self.agency.timezone
        self.tzinfo = ZoneInfo(self.zone)
        try:
            self.profile = parse_profile(batch.profile)
            self.table = Table(batch.stored_path, batch.sheet)
            self.mapper = Mapper(self.profile, self.table.header)
        except ProfileError as error:
            raise BatchFailed(error.problems) from None
        except (FileError, OSError) as error:
            raise BatchFailed([f"file: {error}"]) from None
        self.intercepts = intercepts_by_source(self.team)
        # Binding was the writing process's costliest Python work and the mapping process has time
        # to spare: it binds each row's own columns (bench/README.md "Import").
        dialect = db.session.connection().dialect
        self.bind_row = row_binder(dialect, Call.__table__, ROW_COLUMNS)
        self.read_row = row_reader(dialect, Call.__table__, SCALAR_COLUMNS)
        self.summary = Counter(batch.error_summary or {})
        self.errors = list(batch.errors or [])
        self.preview = list(batch.preview or [])
        self.seen: set[str] = set()
        self.last_row: dict[str, int] = {}
        self.repeated: set[str] = set()
        self.transaction_began = time.monotonic()

    # -- passes ------------------------------------------------------------------------------

    def count(self) -> int:
        """Rows in the file, and (for duplicate_keys last/reject) where each key occurs."""
        mode, total, counts = self.profile.duplicate_keys, 0, Counter()
        if mode == "first":  # the count alone, which a million-row file makes worth a fast path
            return sum(1 for _ in self.table.rows())
        for number, cells in self.table.rows():
            total += 1
            key = self.mapper.key(cells)
            if key is None:
                continue
            if mode == "last":
                self.last_row[key] = number
            else:
                counts[key] += 1
        self.repeated = {key for key, n in counts.items() if n > 1}
        return total

    def run(self) -> None:
        batch = self.batch
        batch.columns = self.table.header
        mapping = None
        try:
            # Under duplicate_keys first no row depends on the count pass (last and reject need
            # where each key occurs, which the mapping process inherits when it is forked): it
            # maps the first chunks while the rows are counted, on the other core.
            if self.profile.duplicate_keys == "first":
                mapping = self._start_mapping(batch.rows_done)
            total = self.count()
            batch.rows_total, batch.status = total, "running"
            batch.heartbeat_at = utcnow()
            self._commit()
            mapping = mapping or self._start_mapping(batch.rows_done)
            for chunk in self._mapped_chunks(*mapping):
                self.process(chunk)
                # Emptied first (the generator holds the list too): the collection then walks
                # only what the chunk left behind, not its 10,000 rows (70 ms a chunk).
                chunk.clear()
                gc.collect(1)  # see _collector_per_chunk
        except FileError as error:  # a row the reader cannot parse: what came before it is kept
            self._commit()
            raise BatchFailed([f"file: {error}"]) from None
        finally:
            if mapping is not None:
                _stop_mapping(*mapping)
        self.finish()

    def _commit(self) -> None:
        db.session.commit()
        self.transaction_began = time.monotonic()

    def _commit_when_due(self) -> None:
        """Commit once the transaction has been open TRANSACTION_SECONDS; until then the chunk's
        progress is only flushed, in the same transaction as its writes."""
        if time.monotonic() - self.transaction_began >= TRANSACTION_SECONDS:
            self._commit()
        else:
            db.session.flush()

    def _start_mapping(self, start: int) -> tuple:
        """Fork the process that reads, maps and binds the file's rows after the first `start`
        (_map_rows); its chunks are read with _mapped_chunks and it is stopped with _stop_mapping."""
        receiving, sending = _FORK.Pipe(duplex=False)
        mapper = _FORK.Process(target=self._map_rows, args=(start, sending), daemon=True,
                               name=f"import-mapper-{self.batch.id}")
        mapper.start()
        sending.close()
        return mapper, receiving

    def _mapped_chunks(self, mapper, receiving) -> Iterator[list[_Prepared]]:
        """The chunks of prepared rows (_prepare) of the mapping process (_start_mapping), which
        works ahead of the writes, so the mapping and the database's work run on two cores.

        A thread cannot do this: the writes hand the GIL back and forth for every row (executemany,
        COPY), and with a mapping thread holding it each hand-over waited (slower than one thread,
        bench/README.md "Import"). The child is forked: it inherits the mapper and the file's
        settings and touches neither the session nor any connection (it never writes to the
        database's sockets and ends with os._exit, as multiprocessing's forked children do). A
        full pipe holds it at most about a chunk ahead; an error it meets is raised here; the run
        stops it when it ends, also when a write fails (_stop_mapping)."""
        while True:
            try:
                item = receiving.recv()
            except EOFError:
                mapper.join(5)
                raise RuntimeError(f"the mapping process ended early (exit code {mapper.exitcode})") from None
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def _map_rows(self, start: int, sending) -> None:
        """In the mapping process: every chunk of prepared rows into `sending`, then None (or the
        error that stopped the reading)."""
        try:
            chunk = []
            for position, (number, cells) in enumerate(self.table.rows()):
                if position < start:
                    continue
                chunk.append(self._prepare(number, cells))
                if len(chunk) >= CHUNK_ROWS:
                    sending.send(chunk)
                    chunk = []
            if chunk:
                sending.send(chunk)
            sending.send(None)
        except (BrokenPipeError, ConnectionResetError):
            return  # the writing side stopped
        except Exception as error:  # noqa: BLE001 - handed to the writing side, which raises it
            try:
                sending.send(error)
            except Exception:  # noqa: BLE001 - an error that does not pickle goes as its text
                sending.send(RuntimeError(f"{type(error).__name__}: {error}"))

    def _prepare(self, number: int, cells: list[str]) -> _Prepared:
        """One row's key and, unless its key already rules it out, its mapped fields. The cells
        are kept only for a row that may be rejected (the rejects file shows them)."""
        key = self.mapper.key(cells)
        if self._ruled_out(number, key) is not None:
            return _Prepared(number, cells, key, None)
        row = self.mapper.map(cells)
        if row.errors:
            return _Prepared(number, cells, key, row.errors, row.warnings)
        values = complete_fields(row.fields, self.intercepts)
        bound = self.bind_row((*map(values.__getitem__, SCALAR_COLUMNS), *local_parts(values["received_at"], self.zone)))
        return _Prepared(number, None, key, row.errors, row.warnings, bound,
                         (values["presenting_problems"], values["risk_flags"]))

    def _values(self, bound: tuple, lists: tuple[list, list]) -> dict:
        """A prepared row's values (SCALAR_COLUMNS and LIST_FIELDS) read back from what it was bound to, times in
        the agency's zone: for the rows compared with their calls, and the preview."""
        values = dict(zip(SCALAR_COLUMNS, self.read_row(bound[:len(SCALAR_COLUMNS)])))
        for name in TIME_FIELDS:
            if values[name] is not None:
                values[name] = values[name].astimezone(self.tzinfo)
        return {**values, **dict(zip(LIST_FIELDS, lists))}

    def _ruled_out(self, number: int, key: str | None) -> str | None:
        """Why the key alone decides this row ("empty", "repeated": rejected; "not_last": skipped
        under duplicate_keys last), or None when the row is to be mapped."""
        mode = self.profile.duplicate_keys
        if key is None:
            return "empty"
        if mode == "reject" and key in self.repeated:
            return "repeated"
        if mode == "last" and self.last_row.get(key) != number:
            return "not_last"
        return None

    def finish(self) -> None:
        """Refresh the facts of the calls the batch wrote and the day sums of their days (also for
        a batch that failed)."""
        batch = self.batch
        self._commit()  # the last chunks first: the refresh is long, and what it reads is kept if it fails
        if not batch.dry_run:
            refresh_batch(batch)
        batch.status = "done"
        batch.finished_at = utcnow()
        audit.record(action="import.run", actor=None, object_type="import_batch", object_id=batch.id)
        db.session.commit()

    # -- one chunk ---------------------------------------------------------------------------

    def process(self, chunk: list[_Prepared]) -> None:
        batch, mode = self.batch, self.profile.duplicate_keys
        rejects, mapped, in_chunk = [], [], set()
        # Keys seen in earlier chunks are found on their calls (last_batch_id = this batch), so
        # memory stays flat; a dry run writes no keys and remembers them here instead.
        seen = self.seen if batch.dry_run else in_chunk
        skipped = warned = 0  # added to the batch once (an ORM attribute write per row cost 2 us)
        for number, cells, key, errors, warnings, bound, lists in chunk:
            ruled_out = self._ruled_out(number, key)
            if ruled_out == "empty":
                rejects.append((number, cells, [f"key: empty ({', '.join(self.profile.key)})"]))
                continue
            if ruled_out == "repeated":
                rejects.append((number, cells, [f"key: '{_shown(key)}' is on more than one row of the file"]))
                continue
            if ruled_out == "not_last" or (mode == "first" and key in seen):
                skipped += 1
                continue
            seen.add(key)
            if errors:
                rejects.append((number, cells, errors))
                continue
            if warnings:
                warned += 1
                self._note(number, "warnings", warnings)
            mapped.append((number, key, bound, lists))
        batch.skipped += skipped
        batch.warnings += warned
        self._reject(rejects)
        self._write(mapped)
        batch.rows_done += len(chunk)
        batch.heartbeat_at = utcnow()
        batch.errors, batch.error_summary, batch.preview = list(self.errors), dict(self.summary), list(self.preview)
        self._commit_when_due()
        if self.progress is not None:
            self.progress(len(chunk))

    def _note(self, number: int, kind: str, messages: list[str]) -> None:
        for message in messages:
            if message in self.summary or len(self.summary) < MAX_SUMMARY:
                self.summary[message] += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": number, kind: messages})

    def _reject(self, rejects) -> None:
        if not rejects:
            return
        self.batch.rejected += len(rejects)
        for number, _, reasons in rejects:
            self._note(number, "errors", reasons)
        bulk_insert(db.session.connection(), ImportReject.__table__, [
            {"batch_id": self.batch.id, "row_number": number, "values": cells, "reasons": "; ".join(reasons)}
            for number, cells, reasons in rejects])

    def _write(self, mapped) -> None:
        if not mapped:
            return
        batch = self.batch
        connection = db.session.connection()
        call = Call.__table__
        with _probing_plans(connection):
            existing = {row.source_key: row for row in connection.execute(_keyed_calls(
                connection, batch.agency_id, batch.profile_name, [key for _, key, _, _ in mapped]))}
        new, old = [], []
        for number, key, bound, lists in mapped:
            found = existing.get(key)
            if found is None:
                new.append((number, key, bound, lists))
            elif found.last_batch_id == batch.id and self.profile.duplicate_keys == "first":
                batch.skipped += 1  # written by an earlier run of this batch (resumed): the first row won
            else:
                old.append((number, key, self._values(bound, lists), found))
        changes = self._changes(old)
        for number, _, bound, lists in new[: max(0, PREVIEW_ROWS - len(self.preview))]:
            self.preview.append(_preview(number, "create", self._values(bound, lists)))
        for number, action, values in changes["preview"][: max(0, PREVIEW_ROWS - len(self.preview))]:
            self.preview.append(_preview(number, action, values))
        batch.created += len(new)
        batch.updated += len(changes["updated"])
        batch.unchanged += len(changes["unchanged"])
        if batch.dry_run:
            return
        self._insert(connection, new)
        self._update(connection, changes["updated"])
        touched = [found.id for _, _, _, found in old]
        if touched:  # bookkeeping, not a change of the call: its version and update time stay
            connection.execute(sa.update(call).where(_among(connection, call.c.id, touched))
                               .values(last_batch_id=batch.id, updated_at=call.c.updated_at))

    def _changes(self, old) -> dict:
        """Which existing calls the rows change, with the values they had (for undo)."""
        result = {"updated": [], "unchanged": [], "preview": []}
        if not old:
            return result
        fields = list(self.profile.fields)
        ids = [found.id for _, _, _, found in old]
        current = {row.id: row._mapping for row in db.session.execute(
            sa.select(Call.__table__).where(Call.id.in_(ids)))}
        lists = _current_lists(ids)
        for number, _, values, found in old:
            row = current.get(found.id)
            if row is None:
                continue
            before = {}
            for name in fields:
                was = lists[name].get(found.id, []) if name in LIST_FIELDS else row[name]
                now = values[name]
                if name in LIST_FIELDS:
                    if sorted(was) != sorted(now):
                        before[name] = sorted(was)
                elif was != now:
                    before[name] = _jsonable(was)
            if before:
                result["updated"].append((found.id, values, before))
                result["preview"].append((number, "update", values))
            else:
                result["unchanged"].append(found.id)
                result["preview"].append((number, "unchanged", values))
        return result

    def _insert(self, connection, new) -> None:
        if not new:
            return
        batch, call, dialect = self.batch, Call.__table__, connection.dialect
        agency_id, team_id, created_by, profile_name = batch.agency_id, batch.team_id, batch.created_by_id, batch.profile_name
        # The chunk's constants bound once; the rows' own columns come bound (_prepare).
        bind_id = _copy_processor(call.c.id.type, dialect) or (lambda value: value)
        now = _copy_processor(call.c.created_at.type, dialect)(utcnow())
        problem_codes = _bound_codes(CallPresentingProblem.__table__.c.problem.type, dialect)
        flag_codes = _bound_codes(CallRiskFlag.__table__.c.flag.type, dialect)
        # In time order (ids too): the call indexes on the received time and the local day then
        # take the chunk's entries in key order, not all over the index, and the day sums read a
        # day's calls from fewer pages. A file out of time order imports 10-15 % faster
        # (bench/README.md "Import"); a file in order loses nothing.
        new = sorted(new, key=lambda item: item[2][_RECEIVED])  # bound: UTC text or an int, in time order
        batch_id = bind_id(batch.id)  # a Uuid as the id
        numbers = _time_ordered_numbers(len(new))
        if dialect.name == "postgresql":  # what bind_id makes of uuid.UUID(int=number), without the UUID
            ids = [number.to_bytes(16, "big") for number in numbers]
        else:
            ids = [bind_id(uuid.UUID(int=number)) for number in numbers]
        problems, flags = [], []

        def calls():
            for (_, key, bound, (row_problems, row_flags)), call_id in zip(new, ids):
                for problem in row_problems:
                    problems.append((call_id, problem_codes.get(problem, problem)))
                for flag in row_flags:
                    flags.append((call_id, flag_codes.get(flag, flag)))
                yield (*bound, call_id, agency_id, None, None if bound[_RESPONDER] == "patrol_only" else team_id,
                       1, now, created_by, now, None, None, None, None, profile_name, key, batch_id, batch_id)

        # Built as COPY takes them: the server works through the rows already sent while the next
        # ones are built, instead of waiting for the whole chunk's (the lists fill on the way).
        insert_bound_rows(connection, call, CALL_COLUMNS, calls())
        insert_bound_rows(connection, CallPresentingProblem.__table__, ["call_id", "problem"], problems)
        insert_bound_rows(connection, CallRiskFlag.__table__, ["call_id", "flag"], flags)

    def _update(self, connection, updated) -> None:
        if not updated:
            return
        batch, zone = self.batch, self.agency.timezone
        write_calls(connection, [(call_id, values) for call_id, values, _ in updated], zone=zone,
                    fields=list(self.profile.fields), actor_id=batch.created_by_id, team_id=batch.team_id)
        connection.execute(sa.insert(ImportChange.__table__), [
            {"batch_id": batch.id, "call_id": call_id, "before": before} for call_id, _, before in updated])


def _bound_codes(type_: sa.Enum, dialect) -> dict:
    """Each code of an enum type as its bind processor binds it: a handful of codes bound once
    instead of once a value (a code outside them, which the mapping never gives, goes through the
    processor and meets the column's CHECK)."""
    process = type_._cached_bind_processor(dialect) or (lambda value: value)
    return {code: process(code) for code in _impl(type_).enums}


def _stop_mapping(mapper, receiving) -> None:
    """Stop the mapping process (_Run._start_mapping), whether or not it has finished."""
    receiving.close()
    if mapper.is_alive():
        mapper.kill()
    mapper.join()


def write_calls(connection, rows, *, zone: str, fields: list[str], actor_id: int, team_id: int | None = None) -> None:
    """Set these fields of existing calls (one executemany), their list rows and local parts.

    A call that becomes patrol_only loses its team; one that stops being patrol_only keeps its team
    or takes `team_id` (the batch's)."""
    call = Call.__table__
    scalars = [name for name in fields if name not in LIST_FIELDS]
    params = []
    for call_id, values in rows:
        param = {"b_id": call_id, **{f"b_{name}": values[name] for name in scalars}}
        if "received_at" in scalars:
            param["b_local_date"], param["b_local_hour"], param["b_local_weekday"] = local_parts(
                values["received_at"], zone)
        params.append(param)
    assignments = {name: sa.bindparam(f"b_{name}", type_=call.c[name].type) for name in scalars}
    if "received_at" in scalars:
        assignments.update({name: sa.bindparam(f"b_{name}") for name in ("local_date", "local_hour", "local_weekday")})
    if "responder_type" in scalars:
        assignments["team_id"] = sa.case(
            (sa.bindparam("b_responder_type", type_=call.c.responder_type.type) == "patrol_only", sa.null()),
            else_=sa.func.coalesce(call.c.team_id, team_id))
    assignments.update(version=call.c.version + 1, updated_at=utcnow(), updated_by_id=actor_id)
    connection.execute(sa.update(call).where(call.c.id == sa.bindparam("b_id")).values(assignments), params)
    for name, model, column in (("presenting_problems", CallPresentingProblem, "problem"),
                                ("risk_flags", CallRiskFlag, "flag")):
        if name not in fields:
            continue
        ids = [call_id for call_id, _ in rows]
        connection.execute(sa.delete(model.__table__).where(model.__table__.c.call_id.in_(ids)))
        values = [{"call_id": call_id, column: item} for call_id, row in rows for item in dict.fromkeys(row[name])]
        if values:
            connection.execute(sa.insert(model.__table__), values)


# For the source-key lookup of a chunk on PostgreSQL, as set_config() name and value. Once the
# table's statistics say it is large, the planner reads every key (a scan, or a bitmap of most of
# the index) for a chunk's 10,000, a cost growing with every key ever imported (16 s of a
# million-row import); probing the unique index once per key stays at about 5 us a key. And from
# a statement's sixth run the driver prepares it and the server may switch to a generic plan:
# for this lookup that was a scan testing every key against the whole array (22 s for one chunk
# against 50,000 keys). bench/README.md "Import".
_KEY_LOOKUP_SETTINGS = (("plan_cache_mode", "force_custom_plan"), ("enable_seqscan", "off"),
                        ("enable_bitmapscan", "off"))


@contextlib.contextmanager
def _probing_plans(connection):
    """The statements inside are planned as index probes (_KEY_LOOKUP_SETTINGS), on PostgreSQL.

    Only those: the settings apply to every plan, the foreign-key checks' too, and with custom
    plans forced the server planned each check again for every row a COPY wrote (half its time)."""
    if connection.dialect.name != "postgresql":
        yield
        return
    names = [name for name, _ in _KEY_LOOKUP_SETTINGS]
    connection.execute(
        sa.text("SELECT set_config(name, value, true)"
                " FROM unnest(CAST(:names AS text[]), CAST(:values AS text[])) AS setting(name, value)"),
        {"names": names, "values": [value for _, value in _KEY_LOOKUP_SETTINGS]})
    yield
    # Back to what the session had (reset_val), for the rest of the transaction.
    connection.execute(
        sa.text("SELECT set_config(name, reset_val, true) FROM pg_settings WHERE name = ANY(CAST(:names AS text[]))"),
        {"names": names})


def _keyed_calls(connection, agency_id: int, profile_name: str, keys: list[str]) -> sa.Select:
    """The calls (id, source_key, last_batch_id) of the agency with these source keys of the
    profile, found by probing the unique key index once per key (under _probing_plans).

    The keys are matched in a subquery that OFFSET 0 keeps whole, and the agency and the profile
    above it: given them together, PostgreSQL may read every call of the agency through one of its
    indexes and test each against the chunk's keys, which costs as much as the agency has calls
    (the kind of plan that cost 16 s of a million-row import, bench/README.md "Import"); with the
    keys alone, the key index is the only way in. IS NOT NULL: that index holds only imported
    calls, and PostgreSQL does not read the condition into "= ANY(...)"."""
    call = Call.__table__.c
    keyed = (sa.select(call.id, call.source_key, call.last_batch_id, call.agency_id, call.source_profile)
             .where(call.source_key.is_not(None), _among(connection, call.source_key, keys))
             .offset(0).subquery("keyed"))
    return (sa.select(keyed.c.id, keyed.c.source_key, keyed.c.last_batch_id)
            .where(keyed.c.agency_id == agency_id, keyed.c.source_profile == profile_name))


def _among(connection, column, values: list):
    """column IN values; on PostgreSQL as = ANY(one array parameter), which the server plans and
    binds faster than an IN list of a chunk's thousands of parameters."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == sa.any_(sa.bindparam("among", values, type_=ARRAY(column.type)))
    return column.in_(values)


def _current_lists(ids) -> dict:
    lists = {name: {} for name in LIST_FIELDS}
    for call_id, problem in db.session.execute(
            sa.select(CallPresentingProblem.call_id, CallPresentingProblem.problem)
            .where(CallPresentingProblem.call_id.in_(ids))):
        lists["presenting_problems"].setdefault(call_id, []).append(problem)
    for call_id, flag in db.session.execute(
            sa.select(CallRiskFlag.call_id, CallRiskFlag.flag).where(CallRiskFlag.call_id.in_(ids))):
        lists["risk_flags"].setdefault(call_id, []).append(flag)
    return lists


def refresh_batch(batch: ImportBatch) -> None:
    """The end-of-batch refresh: the per-call facts of the calls the batch wrote, and the day sums
    of their days.

    Neither reads what the other writes (both are worked out from the committed calls and
    follow-ups), so on PostgreSQL the day sums are written on a connection of their own, in their
    own transaction, while the facts are written in the session's: a server process each, on two
    cores, where one core sat idle (bench/README.md "Import"). A day the facts mark stale while
    the day sums run is summed again at its next read. SQLite has one writer: one after the other."""
    if db.session.connection().dialect.name != "postgresql":
        refresh_batch_facts(batch)
        refresh_batch_days(batch)
        return
    app, batch_id = current_app._get_current_object(), batch.id

    def days() -> None:
        with app.app_context():  # a session and a connection of its own
            refresh_batch_days(db.session.get(ImportBatch, batch_id))
            db.session.commit()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"import-days-{batch_id}") as pool:
        summing = pool.submit(days)
        refresh_batch_facts(batch)  # if it fails, leaving the block still waits for the day sums
    summing.result()  # their error, if any, is the batch's


def refresh_batch_facts(batch: ImportBatch) -> None:
    """Per-call metric facts of the calls the batch created or changed, set-based (a few
    statements for the whole batch instead of a refresh per chunk)."""
    connection = db.session.connection()
    facts.refresh_selected_call_facts(connection, _batch_calls(connection, batch))


# The calls of the batch being refreshed, on PostgreSQL (_batch_calls).
_BATCH_CALLS = sa.table("mhu_batch_calls", sa.column("call_id", sa.Uuid))


def _batch_calls(connection, batch: ImportBatch) -> sa.Select:
    """The ids of the calls the batch created or changed, as a query (some ids may repeat).

    On PostgreSQL copied into a temporary table that the session analyzes, to be joined from
    there. The table statistics predate the batch, so the planner takes its id for a rare value
    (636 rows for a million) and joins the calls one index probe at a time: the persons lookup
    took 4.6 s and the facts' reading 6.4 s of a million-row import (bench/README.md "Import").
    The app's role owns no table (docs/deploy-postgresql.md), so it cannot ANALYZE the calls; a
    temporary table is its own."""
    calls = sa.union_all(sa.select(Call.id.label("call_id")).where(Call.created_batch_id == batch.id),
                         _changed_calls(batch))
    if connection.dialect.name != "postgresql":
        return sa.select(calls.subquery().c.call_id)
    connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {_BATCH_CALLS.name} (call_id uuid NOT NULL) ON COMMIT DROP")
    connection.execute(sa.insert(_BATCH_CALLS).from_select(["call_id"], calls))
    connection.exec_driver_sql(f"ANALYZE {_BATCH_CALLS.name}")
    return sa.select(_BATCH_CALLS.c.call_id)


def _changed_calls(batch: ImportBatch) -> sa.Select:
    """The ids of the existing calls the batch changed (one per change)."""
    return sa.select(ImportChange.call_id).where(ImportChange.batch_id == batch.id)


def refresh_batch_days(batch: ImportBatch) -> None:
    """Day sums of the local days of the calls the batch created or changed (and of the days its
    changes moved calls from)."""
    connection = db.session.connection()
    days = set(connection.scalars(sa.union(
        sa.select(Call.local_date).where(Call.created_batch_id == batch.id),
        sa.select(Call.local_date).where(Call.id.in_(_changed_calls(batch))))))
    for before in connection.scalars(sa.select(ImportChange.before).where(ImportChange.batch_id == batch.id)):
        if "received_at" in before and before["received_at"]:
            days.add(local_parts(datetime.fromisoformat(before["received_at"]),
                                 db.session.get(Agency, batch.agency_id).timezone)[0])
    facts.refresh_days(connection, batch.agency_id, days)


def _jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _preview(number: int, action: str, values: dict) -> dict:
    return {"row": number, "action": action, "fields": {name: _jsonable(value) for name, value in values.items()}}


def _shown(key: str) -> str:
    return key.replace("\x1f", " | ")


def run_batch(batch: ImportBatch, *, progress=None) -> ImportBatch:
    """Run (or resume) a batch to its end; a profile or file that cannot be used fails it."""
    try:
        with _collector_per_chunk():
            run = _Run(batch, progress=progress)
            run.run()
    except BatchFailed as error:
        db.session.rollback()
        fail_batch(batch, error.problems)
    except Exception as error:
        db.session.rollback()
        fail_batch(batch, [f"internal error: {type(error).__name__}: {error}"])
        raise
    finally:
        _forget_file(batch)
    return batch


@contextlib.contextmanager
def _collector_per_chunk():
    """The cyclic garbage collector runs once per chunk (_Run.run) instead of every few hundred
    allocations, and skips the objects that existed before the batch (the app, SQLAlchemy's
    metadata): a chunk's rows are hundreds of thousands of live objects, each automatic pass
    walked them and full passes walked the whole heap, a quarter of an import's CPU. Plain
    garbage is still freed at once (reference counting); cycles wait for the chunk's end.
    The collector is process-wide: while a batch runs, other threads' cycles are collected at
    its chunk ends too (seconds apart); a batch running in parallel only loses the saving."""
    was_enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.unfreeze()


def fail_batch(batch: ImportBatch, problems: list[str]) -> None:
    """End a batch as failed; what it wrote is kept (and counted in the metrics)."""
    batch = db.session.merge(batch)
    batch.status = "failed"
    batch.failure = "; ".join(problems)[:1000]
    batch.errors = [*(batch.errors or []), *({"row": None, "errors": [p]} for p in problems)][:MAX_ERRORS + 10]
    batch.finished_at = utcnow()
    if not batch.dry_run and batch.rows_done:
        refresh_batch(batch)
    db.session.commit()


def _forget_file(batch: ImportBatch) -> None:
    """Delete the uploaded copy once the batch has ended (it stays while a restart may resume it)."""
    if batch.status in ("done", "failed") and batch.stored_path and batch.stored_path.startswith(_uploads_marker()):
        Path(batch.stored_path).unlink(missing_ok=True)


def _uploads_marker() -> str:
    return str(Path(current_app.instance_path) / "imports")
