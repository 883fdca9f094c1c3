"""The call's references and its code lists' reference to the call hold on both databases: foreign
keys on SQLite, statement-level triggers on PostgreSQL (mhu/models/references.py). Each test
writes with SQL, as a stray script or a bug would, and expects the refusal a foreign key gives."""

import os
import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Call, CallPresentingProblem, CallRiskFlag
from mhu.services.imports.batch import insert_rows
from tests.factories import add_call, add_person, utc


only_postgresql = pytest.mark.skipif(not os.environ.get("MHU_TEST_DATABASE_URL", "").startswith("postgresql"),
                                     reason="the triggers are PostgreSQL's; SQLite keeps foreign keys")


def _call_row(agency: int, team: int | None, user: int, **overrides) -> dict:
    row = {"id": uuid.uuid4(), "agency_id": agency, "team_id": team, "created_by_id": user,
           "received_at": utc(2026, 3, 2, 10), "local_date": date(2026, 3, 2), "local_hour": 4, "local_weekday": 0,
           "call_source": "911", "nature": "mh_crisis", "sim_intercept": 1, "version": 1,
           "created_at": utc(2026, 3, 2, 10), "updated_at": utc(2026, 3, 2, 10),
           "person_id": None, "updated_by_id": None, "voided_by_id": None}
    return {**row, **overrides}


def _refused(statement, rows=None) -> str:
    """Run one statement in a transaction of its own; the foreign-key error it must raise."""
    with pytest.raises(sa.exc.IntegrityError) as refused:
        with db.engine.begin() as connection:
            connection.execute(statement, rows)
    return str(refused.value.orig)


def _names(message: str, constraint: str) -> bool:
    """Whether the error names the constraint (SQLite's foreign-key errors name none)."""
    if db.engine.dialect.name == "sqlite":
        return "FOREIGN KEY constraint failed" in message
    return constraint in message


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("column", ["agency_id", "team_id", "person_id", "created_by_id", "updated_by_id",
                                    "voided_by_id"])
def test_a_call_naming_a_missing_parent_is_refused_and_nothing_of_its_statement_is_written(unit, column):
    agency, team, officer = unit
    missing = uuid.uuid4() if column == "person_id" else 987654
    good = _call_row(agency.id, team.id, officer.id)
    bad = _call_row(agency.id, team.id, officer.id, **{column: missing})

    message = _refused(sa.insert(Call.__table__), [good, bad])

    assert _names(message, f"fk_call_{column}_")
    assert _count(Call) == 0


def test_a_bulk_copy_naming_a_missing_team_is_refused(unit):
    # The import's own writer (COPY on PostgreSQL): the check sees the statement's rows at once.
    agency, team, officer = unit
    rows = [_call_row(agency.id, team.id, officer.id), _call_row(agency.id, 987654, officer.id)]
    names = list(rows[0])
    with pytest.raises(sa.exc.IntegrityError) as refused:
        with db.engine.begin() as connection:
            insert_rows(connection, Call.__table__, names, [tuple(row.values()) for row in rows])
    assert _names(str(refused.value.orig), "fk_call_team_id_team")
    assert _count(Call) == 0


@pytest.mark.parametrize("model", [CallPresentingProblem, CallRiskFlag])
def test_a_code_list_row_of_a_missing_call_is_refused(unit, model):
    _, _, officer = unit
    call = add_call(officer, utc(2026, 3, 2, 10))
    code = "suicidal_ideation" if model is CallPresentingProblem else "weapon_gun"
    column = "problem" if model is CallPresentingProblem else "flag"
    known = {"call_id": call.id, column: code}
    db.session.execute(sa.delete(model.__table__).where(model.__table__.c.call_id == call.id))
    db.session.commit()

    message = _refused(sa.insert(model.__table__), [known, {"call_id": uuid.uuid4(), column: code}])

    assert _names(message, f"fk_{model.__tablename__}_call_id_call")
    assert _count(model) == 0


def test_an_update_to_a_missing_parent_is_refused_and_a_valid_one_goes_through(make, unit):
    agency, team, officer = unit
    call = add_call(officer, utc(2026, 3, 2, 10))
    other = make.team(agency)

    _refused(sa.update(Call.__table__).where(Call.id == call.id).values(team_id=987654))
    with db.engine.begin() as connection:
        connection.execute(sa.update(Call.__table__).where(Call.id == call.id).values(team_id=other.id))

    assert db.session.scalar(sa.select(Call.team_id).where(Call.id == call.id)) == other.id


def test_a_parent_a_call_refers_to_cannot_be_deleted(make, unit):
    agency, team, officer = unit
    person = add_person(officer)
    author = make.user("officer", agency)  # referred to by the call alone
    db.session.commit()
    with db.engine.begin() as connection:
        connection.execute(sa.insert(Call.__table__), [_call_row(agency.id, team.id, author.id, person_id=person.id)])

    for table, key, constraint in (("team", team.id, "fk_call_team_id_team"),
                                   ("person", person.id, "fk_call_person_id_person"),
                                   ("user", author.id, "fk_call_created_by_id_user"),
                                   ("agency", agency.id, "violates foreign key constraint")):  # teams refer to it too
        message = _refused(sa.text(f'DELETE FROM "{table}" WHERE id = :key').bindparams(key=key))
        assert _names(message, constraint), message

    assert _count(Call) == 1


def test_deleting_a_call_deletes_its_code_lists(unit):
    _, _, officer = unit
    call = add_call(officer, utc(2026, 3, 2, 10), presenting_problems=["suicidal_ideation", "substance_use"],
                    risk_flags=["weapon_gun"])
    kept = add_call(officer, utc(2026, 3, 3, 10), presenting_problems=["substance_use"], risk_flags=["weapon_gun"])
    db.session.commit()

    with db.engine.begin() as connection:
        connection.execute(sa.delete(Call.__table__).where(Call.id == call.id))

    problems = db.session.execute(sa.select(CallPresentingProblem.call_id, CallPresentingProblem.problem)).all()
    flags = db.session.execute(sa.select(CallRiskFlag.call_id, CallRiskFlag.flag)).all()
    assert problems == [(kept.id, "substance_use")]
    assert flags == [(kept.id, "weapon_gun")]


@only_postgresql
def test_a_writer_locks_the_parents_it_names_until_it_commits(unit):
    # As a foreign key's check does: a concurrent delete of the team waits for the writer (and then
    # sees its call), so it cannot leave the call without its team.
    agency, team, officer = unit
    with db.engine.connect() as writer, db.engine.connect() as deleter:
        writer.execute(sa.insert(Call.__table__), [_call_row(agency.id, team.id, officer.id)])
        deleter.execute(sa.text("SET lock_timeout = '300ms'"))
        with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
            deleter.execute(sa.text("DELETE FROM team WHERE id = :team"), {"team": team.id})
        deleter.rollback()
        writer.commit()


@only_postgresql
def test_changing_the_id_of_a_referred_row_or_truncating_its_table_alone_is_refused(unit):
    agency, team, officer = unit
    add_call(officer, utc(2026, 3, 2, 10), presenting_problems=["substance_use"])
    db.session.commit()

    with pytest.raises(sa.exc.IntegrityError, match="cannot change"):
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE team SET id = id + 1000 WHERE id = :team"), {"team": team.id})
    with pytest.raises(sa.exc.NotSupportedError, match='refers to it'):
        with db.engine.begin() as connection:
            connection.execute(sa.text("TRUNCATE call CASCADE"))  # takes the tables with foreign keys
    with db.engine.begin() as connection:  # the lists with it: nothing is left referring to a call
        connection.execute(sa.text("TRUNCATE call, call_presenting_problem, call_risk_flag CASCADE"))
    assert _count(Call) == 0


@only_postgresql
def test_a_parent_is_deleted_in_read_committed_transactions_only(make):
    # Only a new snapshot sees the rows committed since the transaction began; PostgreSQL's own
    # check reads with one, a trigger cannot.
    agency = make.agency()
    team = make.team(agency)
    db.session.commit()
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with pytest.raises(sa.exc.NotSupportedError, match="READ COMMITTED"):
            with connection.begin():
                connection.execute(sa.text("DELETE FROM team WHERE id = :team"), {"team": team.id})
    with db.engine.begin() as connection:  # nothing refers to it: deleted
        connection.execute(sa.text("DELETE FROM team WHERE id = :team"), {"team": team.id})
