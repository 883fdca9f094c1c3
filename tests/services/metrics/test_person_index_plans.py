"""The person indexes hold only rows with a person (migration 0022). The queries they serve say so
(`IS NOT NULL`, or compare the person column), so both databases can still read them."""

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.services import metrics, persons
from tests.factories import add_call, add_person, filters_for, utc


def plans_along(index: str, table: str, run) -> list[str]:
    """The query plans of the statements `run` executes, each as one text, planned with `index`
    the only index of `table` besides its primary key: tables this small are read whole or along
    whichever index, so only then does a plan show whether the statement can read `index`."""
    statements = []

    def capture(_connection, _cursor, statement, parameters, *_):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", capture)
    db.session.rollback()  # its reads' locks would hold up the DROP INDEX below
    with db.engine.connect() as connection, connection.begin() as transaction:
        if connection.dialect.name == "sqlite":
            # pysqlite opens a transaction only before a write, and DDL is not one: without this
            # the DROP INDEX below would be committed as it ran.
            connection.exec_driver_sql("SAVEPOINT only_one_index")
        for other in sa.inspect(connection).get_indexes(table):
            if other["name"] != index:
                connection.exec_driver_sql(f'DROP INDEX "{other["name"]}"')
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            explain = "EXPLAIN "
        else:
            explain = "EXPLAIN QUERY PLAN "
        plans = [" ".join(str(part) for row in connection.exec_driver_sql(explain + statement, parameters)
                          for part in row) for statement, parameters in statements]
        transaction.rollback()
    return plans


@pytest.fixture
def contacts(unit):
    agency, team, officer = unit
    people = [add_person(officer, f"Person P{n}") for n in range(4)]
    for day in range(1, 20):
        add_call(officer, utc(2026, 3, day, 15), person_id=people[day % 4].id)
        add_call(officer, utc(2026, 3, day, 16))  # no person
    db.session.commit()
    return agency, team, officer, people


@pytest.mark.parametrize("index, read", [
    ("ix_call_fact_contacts", lambda agency, team, officer, people: metrics.repeat_metrics(filters=filters_for(agency))),
    ("ix_call_fact_team_contacts", lambda agency, team, officer, people: metrics.repeat_metrics(
        filters=filters_for(agency, team_ids=frozenset({team.id})))),
    ("ix_call_fact_contact_counts", lambda agency, team, officer, people: metrics.contacts_per_person(
        filters=filters_for(agency))),
    ("ix_call_fact_utilizers", lambda agency, team, officer, people: metrics.high_utilizers(filters=filters_for(agency))),
    ("ix_call_fact_person", lambda agency, team, officer, people: metrics.high_utilizer_list(
        actor=officer, filters=filters_for(agency))),
    ("ix_call_person_received", lambda agency, team, officer, people: persons.contact_history(
        person_ids=[person.id for person in people])),
])
def test_the_queries_of_each_person_index_can_read_it(contacts, index, read):
    table = "call" if index.startswith("ix_call_person") else "call_fact"

    indexes = {found["name"] for found in sa.inspect(db.engine).get_indexes(table)}

    plans = plans_along(index, table, lambda: read(*contacts))

    assert any(index in plan for plan in plans), plans
    assert {found["name"] for found in sa.inspect(db.engine).get_indexes(table)} == indexes  # all back
