"""The partners' demographic and intercept tables against the attacker of test_publication: fetch
every published table of a year (calls by district, by race/ethnicity, by sex, by age band, by SIM
intercept, each month, quarter and the year), then solve for the hidden cells over every sum they imply together, the shared
per-period totals included. Nothing hidden may be recovered."""

import random
from datetime import date, timedelta

from mhu import enums
from mhu.extensions import db
from mhu.services import persons as person_service
from mhu.services.metrics import demographics, publication
from tests.factories import add_call, utc
from tests.services.metrics.test_publication import _cells
from tests.support.attacker import attack

DISTRICTS = ["North", "South"]
MONTH_ENDS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
PERIODS = ([f"from=2026-{m:02d}-01&to=2026-{m:02d}-{MONTH_ENDS[m - 1]}" for m in range(1, 13)]
           + [f"from=2026-{3 * q - 2:02d}-01&to=2026-{3 * q:02d}-{[31, 30, 30, 31][q - 1]}" for q in range(1, 5)]
           + ["from=2026-01-01&to=2026-12-31"])


def populate(people, chance):
    officer = people["officer"]
    persons = []
    for i in range(16):
        races = chance.choice([[], ["white"], ["black_or_african_american"], ["hispanic_or_latino"],
                               ["white", "hispanic_or_latino"], ["asian"]])
        persons.append(person_service.create_person(actor=officer, data={
            "first_name": f"P{i}", "last_name": "Test", "sex": chance.choice(enums.SEXES), "race_ethnicity": races,
            "date_of_birth": chance.choice([None, date(1990, 6, 1), date(1970, 1, 1), date(2010, 2, 2)])}))
    for month in range(1, 13):
        for i in range(chance.choice([2, 6, 12, 16])):
            person = chance.choice([*persons, None])
            add_call(officer, utc(2026, month, 3, 12) + timedelta(minutes=7 * i), district=chance.choice(DISTRICTS),
                     person_id=person.id if person else None, sim_intercept=chance.choice([0, 1, 1, 2, 3]))


def published_cells(client) -> dict:
    """Every cell a partner can fetch, keyed (period, "table:column"); totals shared as "total"."""
    published = {}

    def keep(table, name):
        for (period, column), value in _cells(table, 2026).items():
            key = (period, column if column == "total" else f"{name}:{column}")
            # Every answer shows a cell one way; the totals are shared by all four tables, so a
            # total one table hides is hidden by all.
            assert published.setdefault(key, value) == value, key

    for period in PERIODS:
        keep(client.get(f"/api/v1/partner/metrics/calls_by_district?{period}").json, "district")
        answer = client.get(f"/api/v1/partner/metrics/demographics?{period}")
        assert answer.status_code == 200, answer.json
        for name, table in answer.json["tables"].items():
            keep(table, name)
    return published


def relations() -> list:
    tables = {"district": [*DISTRICTS, "other"], **{k: list(v) for k, v in demographics.PARTNER_DIMENSIONS.items()}}
    return [[(p, c if c == "total" else f"{name}:{c}") for p, c in relation]
            for name, categories in tables.items() for relation in publication.equations(categories)]


def test_the_attacker_recovers_nothing_from_the_district_demographic_and_intercept_tables_together(make, api):
    agency, _, people = make.unit()
    agency.districts = [{"name": name, "beats": []} for name in DISTRICTS]
    db.session.commit()
    populate(people, random.Random(14))

    published = published_cells(api(people["partner"]))
    recovered = attack(published, [], relations())
    hidden = sum(value is None for value in published.values())

    print(f"\n{hidden} hidden cells of {len(published)}; attacker recovered {len(recovered)}")
    assert hidden > 0 and recovered == {}
    assert not [cell for cell, value in published.items() if value is not None and 0 < value < 11]
    intercepts = [value for (_, column), value in published.items() if column.startswith("sim_intercept:")]
    assert None in intercepts and any(intercepts)  # the intercept table took part, with hidden cells


def test_the_intercept_table_of_a_small_year(make, api):
    # Known answer. March: 3 calls at intercept 0, 30 at intercept 1, 4 at intercept 2; June: 12 at
    # intercept 5. The two small cells of March hide, and so do their quarter and year cells (each
    # is the same 3 or 4); nothing else needs hiding: every row and column through them holds two
    # hidden cells summing to 7, so neither can be pinned down. No districts, no persons: the
    # district and demographic tables are all in one column and have nothing to hide.
    _, _, people = make.unit()
    for stage, count, month in ((0, 3, 3), (1, 30, 3), (2, 4, 3), (5, 12, 6)):
        for i in range(count):
            add_call(people["officer"], utc(2026, month, 10, 15) + timedelta(minutes=5 * i), sim_intercept=stage)

    answer = api(people["partner"]).get("/api/v1/partner/metrics/demographics?from=2026-01-01&to=2026-12-31").json

    table = answer["tables"]["sim_intercept"]
    assert table["columns"] == ["period", *(f"intercept_{n}" for n in range(6)), "total"]
    assert table["titles"]["intercept_1"] == "1 · Law enforcement"
    rows = {row["period"]: [row[column] for column in table["columns"][1:]] for row in table["rows"]}
    assert rows["2026-03"] == rows["2026-Q1"] == [None, 30, None, 0, 0, 0, 37]
    assert rows["2026"] == [None, 30, None, 0, 0, 12, 49]
    assert rows["2026-06"] == rows["2026-Q2"] == [0, 0, 0, 0, 0, 12, 12]
    assert rows["2026-01"] == rows["2026-Q3"] == [0] * 7
    assert answer["tables"]["sex"]["rows"][-1] == {"period": "2026", "female": 0, "male": 0, "another": 0,
                                                    "not_recorded": 49, "total": 49}


def test_a_year_with_one_call_publishes_no_small_count(make, api):
    _, _, people = make.unit()
    add_call(people["officer"], utc(2026, 5, 3, 12))

    answer = api(people["partner"]).get("/api/v1/partner/metrics/demographics?from=2026-05-01&to=2026-05-31")

    assert answer.status_code == 200
    values = [row[c] for table in answer.json["tables"].values() for row in table["rows"] for c in table["columns"][1:]]
    assert 1 not in values and None in values


def test_partner_demographics_refuse_a_part_of_a_month_and_other_roles(make, api):
    _, _, people = make.unit()

    partial = api(people["partner"]).get("/api/v1/partner/metrics/demographics?from=2026-05-02&to=2026-05-31")

    assert partial.status_code == 422 and "from" in partial.json["errors"]["json"]
    assert api(people["admin"]).get("/api/v1/partner/metrics/demographics?from=2026-05-01&to=2026-05-31").status_code == 403
