"""Files as they come (encodings, delimiters, XLSX), duplicate keys inside a file, and a batch
that survives its process ending."""

import os
import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Call, ImportBatch
from mhu.models.types import utcnow
from mhu.services import imports
from mhu.services.imports import batch as batch_module
from mhu.services.imports.profile import parse_profile
from mhu.services.imports.reader import Table

PROFILE = {"version": 1, "name": "Plain", "timezone": "America/Chicago", "key": ["Id"],
           "fields": {"incident_number": {"column": "Id"}, "received_at": {"column": "When"},
                      "district": {"column": "Area"}}}


def postgresql_only(reason: str):
    """Run the test in the PostgreSQL run only (what it checks is PostgreSQL's)."""
    return pytest.mark.skipif(not os.environ.get("MHU_TEST_DATABASE_URL", "").startswith("postgresql"), reason=reason)


def run_file(unit, path, **profile_overrides):
    agency, team, officer = unit
    profile = parse_profile({**PROFILE, **profile_overrides})
    batch = imports.create_batch(actor=officer, agency=agency, team=team, profile=profile, source=path,
                                 filename=path.name)
    return imports.run(batch)


def run_file_watching(unit, path, observe):
    """run_file(), with `observe` (a before_cursor_execute listener) shown every statement it runs."""
    sa.event.listen(db.engine, "before_cursor_execute", observe)
    try:
        return run_file(unit, path)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", observe)


def districts() -> dict:
    return dict(db.session.execute(sa.select(Call.incident_number, Call.district).where(Call.voided_at.is_(None))).all())


def test_cp1252_with_semicolons_and_old_mac_line_ends(unit, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("Id;When;Area\r1;2026-03-01 10:00;Südstadt\r2;2026-03-02 10:00;Café\r".encode("cp1252"))

    batch = run_file(unit, path)

    assert batch.status == "done" and batch.created == 2
    assert districts() == {"1": "Südstadt", "2": "Café"}


def test_tabs_utf8_without_bom_and_quoted_line_breaks(unit, tmp_path):
    path = tmp_path / "export.tsv"
    path.write_text('Id\tWhen\tArea\n1\t2026-03-01 10:00\t"North\nside"\n\n', encoding="utf-8")

    assert Table(path).delimiter == "\t"
    assert run_file(unit, path).created == 1


def test_an_excel_sep_line_names_the_delimiter_and_is_not_the_header(unit, tmp_path):
    """Excel writes `sep=;` above the header when a CSV is saved for a semicolon locale."""
    path = tmp_path / "export.csv"
    path.write_bytes("\ufeffsep=;\r\nId;When;Area\r\n1;2026-03-01 10:00;North, upper\r\n2;;South\r\n".encode())

    table = Table(path)
    batch = run_file(unit, path)

    assert (table.delimiter, table.header) == (";", ["Id", "When", "Area"])
    assert (batch.created, batch.rejected) == (1, 1)
    assert districts() == {"1": "North, upper"}
    assert [reject["row"] for reject in batch.errors] == [4]  # the file's own line number
    tabbed = tmp_path / "tabbed.csv"
    tabbed.write_text("sep=\t\nId\tWhen\n1\t2026-03-01 10:00\n", encoding="utf-8")
    assert (Table(tabbed).delimiter, Table(tabbed).header) == ("\t", ["Id", "When"])


def test_xlsx_first_sheet_or_the_named_one_with_real_dates(unit, tmp_path):
    import datetime as dt

    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["nothing here"])
    sheet = workbook.create_sheet("Calls")
    sheet.append(["Id", "When", "Area"])
    sheet.append([1001, dt.datetime(2026, 3, 1, 10, 0), "North"])
    sheet.append([None, None, None])
    sheet.append([1002.0, "2026-03-02 11:00", "South"])
    path = tmp_path / "calls.xlsx"
    workbook.save(path)

    agency, team, officer = unit
    batch = imports.create_batch(actor=officer, agency=agency, team=team, profile=parse_profile(PROFILE),
                                 source=path, filename=path.name, sheet="Calls")
    imports.run(batch)

    assert batch.status == "done" and batch.created == 2 and batch.rejected == 0
    assert districts() == {"1001": "North", "1002": "South"}


@pytest.mark.parametrize("mode, expected, counts", [
    ("first", {"1": "A", "2": "C"}, {"created": 2, "skipped": 1, "rejected": 0}),
    ("last", {"1": "B", "2": "C"}, {"created": 2, "skipped": 1, "rejected": 0}),
    ("reject", {"2": "C"}, {"created": 1, "skipped": 0, "rejected": 2}),
])
def test_duplicate_keys_inside_one_file(unit, tmp_path, mode, expected, counts):
    path = tmp_path / "dups.csv"
    path.write_text("Id,When,Area\n1,2026-03-01 10:00,A\n2,2026-03-01 11:00,C\n 1 ,2026-03-01 12:00,B\n")

    batch = run_file(unit, path, duplicate_keys=mode)

    assert districts() == expected
    assert {name: getattr(batch, name) for name in counts} == counts


def seven_row_batch(unit, tmp_path) -> ImportBatch:
    """A queued batch of seven calls, districts D1 to D7."""
    path = tmp_path / "calls.csv"
    path.write_text("Id,When,Area\n" + "".join(f"{n},2026-03-{n:02d} 10:00,D{n}\n" for n in range(1, 8)))
    agency, team, officer = unit
    return imports.create_batch(actor=officer, agency=agency, team=team, profile=parse_profile(PROFILE),
                                source=path, filename=path.name)


def die_after_two_chunks(batch, monkeypatch) -> None:
    """Run `batch` until its process dies after two chunks, and leave it as a dead process does:
    its open transaction lost, still running, its heartbeat ten minutes old."""
    original = batch_module._Run.process
    calls = {"n": 0}

    def dies_after_two_chunks(self, chunk):
        if calls["n"] == 2:
            raise SystemExit("the server stopped")
        calls["n"] += 1
        original(self, chunk)

    monkeypatch.setattr(batch_module._Run, "process", dies_after_two_chunks)
    with pytest.raises(SystemExit):
        batch_module._Run(batch).run()
    db.session.rollback()
    monkeypatch.setattr(batch_module._Run, "process", original)
    batch.heartbeat_at = utcnow() - timedelta(minutes=10)
    db.session.commit()


def test_a_batch_left_running_by_a_dead_process_resumes_with_the_same_result(unit, tmp_path, monkeypatch):
    batch = seven_row_batch(unit, tmp_path)
    monkeypatch.setattr(batch_module, "CHUNK_ROWS", 3)
    monkeypatch.setattr(batch_module, "TRANSACTION_SECONDS", 0)  # a commit per chunk
    die_after_two_chunks(batch, monkeypatch)
    assert (batch.status, batch.rows_done, batch.created) == ("running", 6, 6)

    assert imports.recover_interrupted(inline=True) == [batch.id]

    db.session.refresh(batch)
    assert (batch.status, batch.rows_done, batch.created, batch.rejected) == ("done", 7, 7, 0)
    assert len(districts()) == 7


def test_chunks_share_a_transaction_until_it_is_due_and_a_death_loses_only_that(unit, tmp_path, monkeypatch):
    """Chunks are committed together once their transaction has been open TRANSACTION_SECONDS:
    a process that dies before then loses those chunks (their progress with them), and the
    resumed batch writes them."""
    batch = seven_row_batch(unit, tmp_path)
    monkeypatch.setattr(batch_module, "CHUNK_ROWS", 3)
    monkeypatch.setattr(batch_module, "TRANSACTION_SECONDS", 3600)
    commits = []

    def committed(connection):
        commits.append(connection)

    sa.event.listen(db.engine, "commit", committed)
    try:
        die_after_two_chunks(batch, monkeypatch)
        assert (batch.status, batch.rows_done, batch.created, districts()) == ("running", 0, 0, {})

        commits.clear()
        assert imports.recover_interrupted(inline=True) == [batch.id]
    finally:
        sa.event.remove(db.engine, "commit", committed)

    db.session.refresh(batch)
    assert (batch.status, batch.rows_done, batch.created) == ("done", 7, 7)
    assert len(districts()) == 7
    # the run's start, its three chunks in one transaction, the end with the facts (and on
    # PostgreSQL the day sums', written beside the facts in a transaction of their own)
    assert len(commits) <= 4 + (db.engine.dialect.name == "postgresql")


def test_a_batch_whose_file_is_gone_ends_failed_keeping_what_it_wrote(unit, tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text("Id,When,Area\n1,2026-03-01 10:00,A\n")
    agency, team, officer = unit
    batch = imports.create_batch(actor=officer, agency=agency, team=team, profile=parse_profile(PROFILE),
                                 source=path, filename=path.name, keep_copy=False)
    batch.status, batch.heartbeat_at = "running", utcnow() - timedelta(minutes=10)
    db.session.commit()
    path.unlink()

    assert imports.recover_interrupted(inline=True) == []

    assert db.session.get(ImportBatch, batch.id).status == "failed"


def metric_rows() -> dict:
    """Every row of the per-call facts and the day sums, comparable across a rebuild (without
    surrogate ids, which a rebuild's inserts renumber on PostgreSQL)."""
    from mhu.models import CallFact, MetricDay, MetricDimDay, MetricTeamDay, MetricTotalDay

    rows = {}
    for model in (CallFact, MetricDay, MetricDimDay, MetricTeamDay, MetricTotalDay):
        columns = [column for column in model.__table__.c if column.name != "id"]
        rows[model.__tablename__] = sorted(tuple(map(str, row)) for row in db.session.execute(sa.select(*columns)))
    return rows


def test_the_facts_after_batches_that_create_change_and_resume_are_those_of_a_full_rebuild(unit, tmp_path, monkeypatch):
    """The per-call facts are written once at a batch's end (not per chunk): after a first import,
    persons linked to imported calls, a re-import whose chunks change earlier calls' times and add
    calls, and a batch that dies midway and resumes, they equal a rebuild from the records."""
    from tests.factories import add_person

    from mhu.services.metrics import facts

    agency, team, officer = unit
    monkeypatch.setattr(batch_module, "CHUNK_ROWS", 2)
    profile = {"fields": {**PROFILE["fields"], "dispatched_at": {"column": "Sent"}}}
    first = tmp_path / "first.csv"
    first.write_text("Id,When,Sent,Area\n" + "".join(
        f"{n},2026-03-{n:02d} 10:00,2026-03-{n:02d} 10:0{n},A\n" for n in range(1, 6)))
    assert run_file(unit, first, **profile).created == 5
    person = add_person(officer)
    for call in db.session.scalars(sa.select(Call).where(Call.incident_number.in_(["1", "2", "4"]))):
        call.person_id = person.id
    db.session.commit()

    second = tmp_path / "second.csv"
    second.write_text("Id,When,Sent,Area\n6,2026-03-06 10:00,,B\n1,2026-03-09 08:00,2026-03-09 08:30,A\n"
                      "3,2026-03-03 10:00,2026-03-03 10:03,A\n7,2026-03-02 09:00,,B\n2,2026-03-11 10:00,,C\n")
    batch = run_file(unit, second, **profile)
    assert (batch.created, batch.updated, batch.unchanged) == (2, 2, 1)

    third = tmp_path / "third.csv"
    third.write_text("Id,When,Sent,Area\n" + "".join(f"{n},2026-03-{n:02d} 12:00,,D\n" for n in range(2, 11)))
    batch = imports.create_batch(actor=officer, agency=agency, team=team,
                                 profile=parse_profile({**PROFILE, **profile}), source=third, filename=third.name)
    die_after_two_chunks(batch, monkeypatch)
    assert imports.recover_interrupted(inline=True) == [batch.id]
    db.session.refresh(batch)
    assert batch.status == "done"

    written = metric_rows()
    assert len(written["call_fact"]) == 10
    facts.rebuild()
    assert metric_rows() == written


def test_bulk_writes_keep_each_value_as_given_and_every_constraint(unit, tmp_path):
    """The bulk path (a staging table on SQLite, COPY on PostgreSQL) stores text that looks like
    a number as that text, and a value breaking a CHECK fails the whole insert."""
    path = tmp_path / "calls.csv"
    path.write_text("Id,When,Area,Beat\n007,2026-03-01 10:00,1e3,0012\n8,2026-03-01 11:00,NaN, 12.50 \n")
    batch = run_file(unit, path, fields={**PROFILE["fields"], "beat": {"column": "Beat"}})

    assert batch.created == 2
    rows = db.session.execute(sa.select(Call.incident_number, Call.district, Call.beat).order_by(Call.received_at)).all()
    assert [tuple(row) for row in rows] == [("007", "1e3", "0012"), ("8", "NaN", "12.50")]

    connection = db.session.connection()
    call = db.session.execute(sa.select(Call.__table__).limit(1)).one()._mapping
    values = [call[name] for name in batch_module.CALL_COLUMNS]
    values[batch_module.CALL_COLUMNS.index("id")] = uuid.uuid4()
    bad = list(values)
    bad[batch_module.CALL_COLUMNS.index("latitude")] = 95.0
    with pytest.raises(sa.exc.IntegrityError):
        batch_module.insert_rows(connection, Call.__table__, batch_module.CALL_COLUMNS, [tuple(values), tuple(bad)])
    db.session.rollback()
    naive = list(values)  # a time without a zone is refused before it reaches the database
    naive[batch_module.CALL_COLUMNS.index("received_at")] = datetime(2026, 3, 1, 10, 0)
    with pytest.raises(ValueError, match="naive"):
        batch_module.insert_rows(db.session.connection(), Call.__table__, batch_module.CALL_COLUMNS, [tuple(naive)])
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == 2


def test_times_and_days_reach_the_calls_exactly_and_read_back_the_same(unit, tmp_path):
    """The bulk path sends times and days in the database's own form (on PostgreSQL the integers
    of COPY's binary format): microseconds, times before 2000, offsets and the agency's local day
    all arrive as given, and the same file again finds every call unchanged, its preview in the
    agency's zone."""
    path = tmp_path / "calls.csv"
    path.write_text("Id,When,Area,Cleared\n"
                    "A,1999-12-31 23:59:59.999999,North,2000-01-01T06:00:00.000001+00:00\n"
                    "B,2026-03-08 01:30:00,North,2026-03-08 03:30:00\n"
                    "C,1969-07-20T20:17:40-05:00,North,\n")
    fields = {**PROFILE["fields"], "cleared_at": {"column": "Cleared"}}
    batch = run_file(unit, path, fields=fields)

    assert batch.created == 3, batch.errors
    chicago = ZoneInfo("America/Chicago")
    rows = {row.incident_number: row for row in db.session.execute(
        sa.select(Call.incident_number, Call.received_at, Call.cleared_at, Call.local_date, Call.local_hour))}
    assert rows["A"].received_at == datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=chicago)
    assert rows["A"].cleared_at == datetime(2000, 1, 1, 6, 0, 0, 1, tzinfo=timezone.utc)
    assert (rows["A"].local_date, rows["A"].local_hour) == (date(1999, 12, 31), 23)
    # 2 a.m. on 8 March 2026 does not exist in Chicago: 01:30 CST is 07:30 UTC, 03:30 CDT 08:30 UTC.
    assert rows["B"].received_at == datetime(2026, 3, 8, 7, 30, tzinfo=timezone.utc)
    assert rows["B"].cleared_at == datetime(2026, 3, 8, 8, 30, tzinfo=timezone.utc)
    assert rows["C"].received_at == datetime(1969, 7, 21, 1, 17, 40, tzinfo=timezone.utc)
    assert (rows["C"].local_date, rows["C"].local_hour) == (date(1969, 7, 20), 20)

    again = run_file(unit, path, fields=fields)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    preview = {row["fields"]["incident_number"]: row for row in again.preview}
    assert {row["action"] for row in preview.values()} == {"unchanged"}
    assert preview["A"]["fields"]["received_at"] == "1999-12-31T23:59:59.999999-06:00"
    assert preview["B"]["fields"]["cleared_at"] == "2026-03-08T03:30:00-05:00"


def mapping_processes() -> list:
    import multiprocessing

    return [child for child in multiprocessing.active_children() if child.name.startswith("import-mapper-")]


def test_a_file_that_breaks_midway_fails_the_batch_keeping_the_chunks_before_it(unit, tmp_path, monkeypatch):
    """The rows are read and mapped in a process of their own: a row the reader cannot parse
    fails the batch with the reader's message, keeps the chunks written before it, and leaves
    no process behind."""
    import multiprocessing

    from mhu.services.imports.reader import FileError

    path = tmp_path / "calls.csv"
    path.write_text("Id,When,Area\n" + "".join(f"{n},2026-03-{n:02d} 10:00,D{n}\n" for n in range(1, 8)))
    original = Table.rows

    def breaks_when_the_mapping_process_reads(self):
        mapping = multiprocessing.current_process().name.startswith("import-mapper-")
        for position, row in enumerate(original(self)):
            if mapping and position == 5:
                raise FileError("line 7: unexpected end of data")
            yield row

    monkeypatch.setattr(Table, "rows", breaks_when_the_mapping_process_reads)
    monkeypatch.setattr(batch_module, "CHUNK_ROWS", 2)

    batch = run_file(unit, path)

    assert (batch.status, batch.failure) == ("failed", "file: line 7: unexpected end of data")
    assert (batch.rows_done, batch.created, sorted(districts().values())) == (4, 4, ["D1", "D2", "D3", "D4"])
    assert mapping_processes() == []


def test_a_file_that_breaks_while_counted_fails_the_batch_and_stops_the_mapping_already_started(unit, tmp_path,
                                                                                              monkeypatch):
    """Under duplicate_keys first the mapping process starts before the rows are counted: a row
    the count cannot read fails the batch before anything is written, and stops that process."""
    import multiprocessing

    from mhu.services.imports.reader import FileError

    path = tmp_path / "calls.csv"
    path.write_text("Id,When,Area\n" + "".join(f"{n},2026-03-{n:02d} 10:00,D{n}\n" for n in range(1, 8)))
    original, started = Table.rows, []

    def breaks_when_counted(self):
        if multiprocessing.current_process().name.startswith("import-mapper-"):
            yield from original(self)
            return
        started.extend(mapping_processes())
        yield from list(original(self))[:3]
        raise FileError("line 5: unexpected end of data")

    monkeypatch.setattr(Table, "rows", breaks_when_counted)

    batch = run_file(unit, path)

    assert (batch.status, batch.failure) == ("failed", "file: line 5: unexpected end of data")
    assert (batch.rows_done, batch.created, districts()) == (0, 0, {})
    assert len(started) == 1 and mapping_processes() == []


def test_a_batch_stopped_by_a_failing_write_stops_its_mapping_process(unit, tmp_path, monkeypatch):
    batch = seven_row_batch(unit, tmp_path)
    monkeypatch.setattr(batch_module, "CHUNK_ROWS", 1)
    monkeypatch.setattr(batch_module, "TRANSACTION_SECONDS", 0)  # a commit per chunk

    die_after_two_chunks(batch, monkeypatch)

    assert mapping_processes() == []
    assert batch.rows_done == 2


def test_an_imported_call_without_an_intercept_starts_where_its_source_puts_it(unit, tmp_path):
    """As a call typed in the field: a call from a court or jail starts at intercept 3."""
    path = tmp_path / "calls.csv"
    path.write_text("Id,When,Area,Source\n1,2026-03-01 10:00,A,court_or_jail\n2,2026-03-01 11:00,A,911\n")

    run_file(unit, path, fields={**PROFILE["fields"], "call_source": {"column": "Source"}})

    assert dict(db.session.execute(sa.select(Call.incident_number, Call.sim_intercept)).all()) == {"1": 3, "2": 1}


def test_calls_out_of_time_order_are_written_in_time_order_each_with_its_own_key(unit, tmp_path):
    """A chunk's new calls are inserted (and given ids) in received order, and every source key
    still names the call made from its own row."""
    path = tmp_path / "calls.csv"
    days = [4, 1, 6, 2, 5, 3]
    path.write_text("Id,When,Area\n" + "".join(f"C{day},2026-03-0{day} 10:00,Area {day}\n" for day in days))
    batch = run_file(unit, path)

    assert batch.created == 6
    by_id = db.session.execute(sa.select(Call.incident_number, Call.district).order_by(Call.id)).all()
    assert [tuple(row) for row in by_id] == [(f"C{day}", f"Area {day}") for day in sorted(days)]
    keyed = db.session.execute(sa.select(Call.source_key, Call.incident_number)).all()
    assert sorted(tuple(row) for row in keyed) == [(f"C{day}", f"C{day}") for day in sorted(days)]


@postgresql_only("PostgreSQL's plan cache")
def test_only_the_key_lookup_forces_custom_plans(unit, tmp_path, monkeypatch):
    """The key lookup is planned for its keys each time (a generic plan scanned every key); the
    chunk's other statements, and the foreign-key checks of its COPYs, keep their cached plans
    (forced custom plans made the server plan each check again for every row written)."""
    path = tmp_path / "calls.csv"
    path.write_text("Id,When,Area\n" + "".join(f"C{n},2026-03-0{n} 10:00,North\n" for n in range(1, 8)))
    monkeypatch.setattr(batch_module, "CHUNK_ROWS", 2)
    modes = []

    def observe(_connection, cursor, statement, *_):
        if statement.startswith(("SELECT keyed.id", "UPDATE import_batch")):
            modes.append((statement.split()[1], cursor.connection.execute("SHOW plan_cache_mode").fetchone()[0]))

    batch = run_file_watching(unit, path, observe)

    assert batch.created == 7
    lookups = [mode for kind, mode in modes if kind == "keyed.id,"]
    progress = [mode for kind, mode in modes if kind == "import_batch"]
    assert lookups == ["force_custom_plan"] * 4
    assert progress and set(progress) == {"auto"}


@postgresql_only("PostgreSQL's planner")
def test_the_key_lookup_probes_the_key_index_instead_of_scanning_the_keys(unit, tmp_path, monkeypatch):
    """A chunk's keys are looked up in the unique key index, one probe each. Left to itself the
    planner read every call of the agency for a chunk's keys (a scan of an agency-led index with
    the keys as a filter): a cost growing with every call the agency has (16 s of a million-row
    import, bench/README.md "Import")."""
    path = tmp_path / "calls.csv"
    # Chunks as large as the table: the size at which the planner preferred reading every call.
    path.write_text("Id,When,Area\n" + "".join(f"C{n},2026-03-01 10:00,North\n" for n in range(1500)))
    monkeypatch.setattr(batch_module, "CHUNK_ROWS", 500)
    plans = []

    def explain(_connection, cursor, statement, parameters, *_):
        if statement.startswith("SELECT keyed.id"):
            cursor.connection.execute("ANALYZE call")  # as autovacuum does during a long import
            plan = cursor.connection.execute("EXPLAIN " + statement, parameters).fetchall()
            lines = [line.strip().removeprefix("->  ") for line, in plan]
            plans.append(([line.split("  (")[0] for line in lines if "Scan" in line and " on call" in line],
                          [line.split(" = ANY")[0] for line in lines if line.startswith("Index Cond")]))

    batch = run_file_watching(unit, path, explain)

    assert batch.created == 1500
    # The calls are read only through the key index, by the key: a probe per key.
    assert plans == [(["Index Scan using uq_call_source_key on call"], ["Index Cond: ((source_key)::text"])] * 3


@postgresql_only("PostgreSQL: SQLite has one writer")
def test_the_day_sums_are_written_beside_the_facts_on_a_connection_of_their_own(unit, tmp_path):
    """At a batch's end the day sums and the per-call facts are written at the same time by two
    server processes, and the dashboard's counts come out as with one after the other."""
    from mhu.models import CallFact, MetricTotalDay

    path = tmp_path / "calls.csv"
    path.write_text("Id,When,Area\n" + "".join(f"C{n},2026-03-0{n % 3 + 1} 10:00,North\n" for n in range(7)))
    writers = {}

    def observe(_connection, cursor, statement, *_):
        for table in ("call_fact", "metric_day", "metric_total_day"):
            if statement.startswith(f"INSERT INTO {table} "):
                writers.setdefault(table, set()).add(cursor.connection.info.backend_pid)

    batch = run_file_watching(unit, path, observe)

    assert batch.status == "done" and batch.created == 7
    assert len(writers["call_fact"]) == 1 and writers["metric_day"] == writers["metric_total_day"]
    assert writers["call_fact"].isdisjoint(writers["metric_day"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CallFact)) == 7
    assert dict(db.session.execute(sa.select(MetricTotalDay.local_date, MetricTotalDay.calls)).all()) == {
        date(2026, 3, 1): 3, date(2026, 3, 2): 2, date(2026, 3, 3): 2}


@postgresql_only("PostgreSQL: the plan of the facts refresh")
def test_the_facts_refresh_is_planned_for_as_many_calls_as_the_batch_wrote(unit, tmp_path):
    """The refresh at a batch's end reads the batch's calls from a table the planner has counted.
    The statistics of the calls predate the batch, so read from there its calls were taken
    for a handful and joined one index probe at a time (a million-row import: 11 s instead of 4)."""
    path = tmp_path / "calls.csv"
    path.write_text("Id,When,Area\n" + "".join(f"C{n},2026-03-01 10:00,North\n" for n in range(2000)))
    estimates = []

    def scans(node):
        if "Relation Name" in node:
            yield node["Relation Name"], node["Plan Rows"]
        for child in node.get("Plans", ()):
            yield from scans(child)

    def explain(_connection, cursor, statement, parameters, *_):
        if statement.startswith("INSERT INTO call_fact "):
            (plan,), = cursor.connection.execute("EXPLAIN (FORMAT JSON) " + statement, parameters).fetchall()
            estimates.extend(scans(plan[0]["Plan"]))

    batch = run_file_watching(unit, path, explain)

    assert batch.created == 2000
    # Read from the calls by their batch, the 2,000 were estimated at 1 row.
    assert {name: rows for name, rows in estimates if name not in ("call", "call_fact")} == {"mhu_batch_calls": 2000}
