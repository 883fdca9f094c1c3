"""Calls and unduplicated persons by race/ethnicity, sex and age band, for equity reporting; for
partners, calls by these and by SIM intercept, suppressed jointly with the district table.

Counting rules (docs/equity.md says the same):
- Race/ethnicity: a person may have several OMB categories. In the supervisors' table each
  category counts every call (and person) that names it, alone or in combination, so the
  category rows add up to more than the total; the row `two_or_more` counts the calls of persons
  with two or more categories, and `not_recorded` those with none, including calls without a
  linked person. The partner table needs rows that add up, so it counts each call once: under its
  single category, or `two_or_more`, or `not_recorded` (the "alone" columns here).
- Sex: as recorded on the person; calls without a person are `not_recorded`.
- Age band: the age on the call's local date, from the date of birth; without one, the band
  recorded on the person; without either, `unknown`. A person counts once, in the band of their
  first call of the period.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import sqlalchemy as sa

from mhu import enums
from mhu.extensions import db
from mhu.models import Call, Person, PersonIdentity, PersonRace
from mhu.services import agency_settings
from mhu.services.metrics import partner, publication
from mhu.services.metrics.sql import MetricFilters, call_conditions, dialect

TWO_OR_MORE = "two_or_more"
NOT_RECORDED = "not_recorded"
RACE_KEYS = (*enums.RACE_ETHNICITY, TWO_OR_MORE, NOT_RECORDED)
SEX_KEYS = enums.SEXES
AGE_KEYS = enums.AGE_BANDS
# (band, lowest age in it), oldest first: band_of() takes the first the age reaches.
AGE_FLOORS = (("65_plus", 65), ("55_64", 55), ("45_54", 45), ("35_44", 35), ("25_34", 25), ("18_24", 18))


def _day_number(column):
    """A date as the integer YYYYMMDD."""
    if dialect() == "postgresql":
        return sa.cast(sa.func.to_char(column, "YYYYMMDD"), sa.Integer)
    return sa.cast(sa.func.strftime("%Y%m%d", column), sa.Integer)


def age_on(born, on):
    """Whole years from `born` to `on` in SQL: (YYYYMMDD - YYYYMMDD) / 10000 in integer division,
    exact because month and day sit below the year's digits (one call per date, not six)."""
    return (_day_number(on) - _day_number(born)) // 10000


def age_parts(born, on, recorded):
    """The SQL that decides an age band: the age on `on` (NULL without a date of birth) and, only
    when there is no date of birth, the recorded band. Queries group by these two columns (about
    a hundred groups) and band_of() names the band, so the age is computed once per row."""
    return age_on(born, on), sa.case((born.is_(None), sa.func.coalesce(recorded, "unknown")), else_=None)


def band_of(age: int | None, recorded: str | None) -> str:
    """The age band of an age in whole years, or the recorded band when the age is unknown."""
    if age is None:
        return recorded or "unknown"
    return next((band for band, floor in AGE_FLOORS if age >= floor), "under_18")


def race_summary():
    """Per person: how many categories, and the category when there is one."""
    return (sa.select(PersonRace.person_id, sa.func.count().label("n"), sa.func.min(PersonRace.category).label("only"))
            .group_by(PersonRace.person_id).subquery("race_summary"))


def race_alone_key(summary):
    """The one key a call counts under when every call counts once (partition of C)."""
    return sa.case((summary.c.n.is_(None), NOT_RECORDED), (summary.c.n > 1, TWO_OR_MORE), else_=summary.c.only)


def sex_key():
    return sa.func.coalesce(Person.sex, NOT_RECORDED)


def call_age_parts():
    return age_parts(PersonIdentity.date_of_birth, Call.local_date, Person.age_band)


def _counts(filters: MetricFilters, key, *joins, outer: bool = True) -> dict[str, tuple[int, int]]:
    """{key: (calls, unduplicated persons)} over C, grouped by `key` after the joins."""
    query = sa.select(key.label("key"), sa.func.count(Call.id), sa.func.count(sa.distinct(Call.person_id)))
    query = query.select_from(Call)
    for target, on in joins:
        query = query.join(target, on, isouter=outer)
    rows = db.session.execute(query.where(*call_conditions(filters)).group_by(key)).all()
    return {str(key): (int(calls), int(persons)) for key, calls, persons in rows}


def _rows(keys, counts: dict, alone: dict | None = None) -> list[dict]:
    rows = []
    for key in keys:
        calls, persons = counts.get(key, (0, 0))
        row = {"key": key, "label": enums.label(key), "calls": calls, "persons": persons}
        if alone is not None:
            row["calls_alone"], row["persons_alone"] = alone.get(key, (0, 0))
        rows.append(row)
    return rows


def race_table(filters: MetricFilters) -> list[dict]:
    """Calls and persons per category (alone or in combination), two or more, not recorded."""
    summary = race_summary()
    alone = _counts(filters, race_alone_key(summary), (summary, summary.c.person_id == Call.person_id))
    combined = _counts(filters, PersonRace.category, (PersonRace, PersonRace.person_id == Call.person_id), outer=False)
    combined[TWO_OR_MORE] = alone.get(TWO_OR_MORE, (0, 0))
    combined[NOT_RECORDED] = alone.get(NOT_RECORDED, (0, 0))
    return _rows(RACE_KEYS, combined, alone)


def sex_table(filters: MetricFilters) -> list[dict]:
    return _rows(SEX_KEYS, _counts(filters, sex_key(), (Person, Person.id == Call.person_id)))


def age_table(filters: MetricFilters) -> list[dict]:
    """Calls by the age band on the call's day; persons by the band of their first call."""
    age, recorded = call_age_parts()
    calls: dict[str, int] = {}
    for years, band, n in db.session.execute(
            sa.select(age, recorded, sa.func.count(Call.id)).select_from(Call)
            .outerjoin(Person, Person.id == Call.person_id)
            .outerjoin(PersonIdentity, PersonIdentity.person_id == Call.person_id)
            .where(*call_conditions(filters)).group_by(age, recorded)):
        calls[band_of(years, band)] = calls.get(band_of(years, band), 0) + int(n)
    first = (sa.select(Call.person_id, sa.func.min(Call.local_date).label("first_day"))
             .where(*call_conditions(filters), Call.person_id.is_not(None)).group_by(Call.person_id).subquery())
    age, recorded = age_parts(PersonIdentity.date_of_birth, first.c.first_day, Person.age_band)
    persons: dict[str, int] = {}
    for years, band, n in db.session.execute(
            sa.select(age, recorded, sa.func.count()).select_from(first).join(Person, Person.id == first.c.person_id)
            .outerjoin(PersonIdentity, PersonIdentity.person_id == first.c.person_id).group_by(age, recorded)):
        persons[band_of(years, band)] = persons.get(band_of(years, band), 0) + int(n)
    return _rows(AGE_KEYS, {key: (calls.get(key, 0), persons.get(key, 0)) for key in AGE_KEYS})


def demographics(*, filters: MetricFilters) -> dict:
    """The three tables with the period's calls (C) and unduplicated persons."""
    calls, persons = db.session.execute(
        sa.select(sa.func.count(Call.id), sa.func.count(sa.distinct(Call.person_id))).where(*call_conditions(filters))
    ).one()
    return {
        "calls": int(calls), "persons": int(persons),
        "race_ethnicity": race_table(filters), "sex": sex_table(filters), "age_band": age_table(filters),
    }


# -- partner output -------------------------------------------------------------------------------
# Partners get calls (not persons: unduplicated persons do not add up across months, so the grid's
# sums could not protect them) per month x category, every call counted once. The three
# demographic tables, the table by Sequential Intercept Model intercept (every call has exactly
# one) and the district table all share one total per period (C), so they are suppressed together:
# a total the district table hides stays hidden here, and a hidden cell of any table may not be
# pinned down by combining all of them.

INTERCEPT_KEYS = tuple(f"intercept_{stage}" for stage in enums.SIM_INTERCEPTS)
DEMOGRAPHIC_DIMENSIONS = ("race_ethnicity", "sex", "age_band")
PARTNER_DIMENSIONS = {"race_ethnicity": RACE_KEYS, "sex": SEX_KEYS, "age_band": AGE_KEYS,
                      "sim_intercept": INTERCEPT_KEYS}
PARTNER_TITLES = {"race_ethnicity": "Calls by race/ethnicity of the person (each call once)",
                  "sex": "Calls by sex of the person", "age_band": "Calls by age band of the person at the call",
                  "sim_intercept": "Calls by Sequential Intercept Model intercept"}


def intercept_key(stage) -> str:
    """The partner column of a SIM intercept (0 -> "intercept_0")."""
    return f"intercept_{int(stage)}"


def partner_label(key: str) -> str:
    """A partner column's title: "1 · Law enforcement" for an intercept, else the enumeration label."""
    if key in INTERCEPT_KEYS:
        return enums.intercept_label(int(key.rsplit("_", 1)[1]))
    return enums.label(key)


def _partner_keys():
    """Per table: the SQL columns a call is grouped by, the joins they need, and the function
    that names the category from those columns."""
    summary = race_summary()
    person = (Person, Person.id == Call.person_id)
    identity = (PersonIdentity, PersonIdentity.person_id == Call.person_id)
    return {"race_ethnicity": ((race_alone_key(summary),), [(summary, summary.c.person_id == Call.person_id)], str),
            "sex": ((sex_key(),), [person], str),
            "age_band": (call_age_parts(), [person, identity], band_of),
            "sim_intercept": ((Call.sim_intercept,), [], intercept_key)}


def _monthly(agency_id: int, year: int, columns, joins, name_of) -> dict[tuple[str, str], int]:
    filters = MetricFilters(agency_id=agency_id, date_from=date(year, 1, 1), date_to=date(year, 12, 31))
    month = sa.extract("month", Call.local_date)
    query = sa.select(month, *columns, sa.func.count()).select_from(Call)
    for target, on in joins:
        query = query.outerjoin(target, on)
    rows = db.session.execute(query.where(*call_conditions(filters)).group_by(month, *columns)).all()
    counts: dict[tuple[str, str], int] = {}
    for m, *values, n in rows:
        cell = (publication.MONTHS[int(m) - 1], name_of(*values))
        counts[cell] = counts.get(cell, 0) + int(n)
    return counts


def partner_grids(agency_id: int, year: int) -> dict:
    """{dimension: publication.Grid} for the year, suppressed jointly with the district table."""
    threshold = agency_settings.suppression_threshold(agency_id)
    district = partner.district_grid(agency_id, year)
    monthly = {name: _monthly(agency_id, year, *spec) for name, spec in _partner_keys().items()}
    key = (tuple(sorted(district.values.items())), tuple(sorted(district.hidden)), tuple(district.categories),
           tuple((name, tuple(sorted(counts.items()))) for name, counts in monthly.items()), threshold)
    hidden = _joint_hidden(key)
    grids = {}
    for name, categories in PARTNER_DIMENSIONS.items():
        values = publication.build(monthly[name], list(categories))
        mine = {(period, column.split(":", 1)[-1]) for period, column in hidden
                if column == publication.TOTAL or column.startswith(f"{name}:")}
        grids[name] = publication.Grid(categories=list(categories), values=values, hidden=mine)
    return grids


@lru_cache(maxsize=64)
def _joint_hidden(key) -> frozenset:
    """The hidden cells of all tables at once; columns named "dimension:category" (and "total")."""
    district_values, district_hidden, district_categories, monthly, threshold = key
    district_values, monthly = dict(district_values), dict(monthly)
    values, relations = {}, []
    fixed = set()  # the district table's cells and the shared totals: published as that table says
    for period, column in dict(district_values):
        cell = (period, column if column == publication.TOTAL else f"district:{column}")
        values[cell] = district_values[(period, column)]
        fixed.add(cell)
    hidden = {(p, c if c == publication.TOTAL else f"district:{c}") for p, c in district_hidden}
    relations += _named(publication.equations(list(district_categories)), "district")
    for name, categories in PARTNER_DIMENSIONS.items():
        built = publication.build(dict(monthly[name]), list(categories))
        for (period, column), value in built.items():
            if column != publication.TOTAL:
                values[(period, f"{name}:{column}")] = value
                if 0 < value < threshold:
                    hidden.add((period, f"{name}:{column}"))
        relations += _named(publication.equations(list(categories)), name)
    sums_of: dict = {}
    for relation in relations:
        for cell in relation:
            sums_of.setdefault(cell, []).append(relation)
    rank = {period: index for index, period in enumerate(publication.PERIODS)}
    while True:
        published = {cell: (None if cell in hidden else value) for cell, value in values.items()}
        exposed = publication.recoverable(published, relations)
        if not exposed:
            return frozenset(hidden)
        candidates = _complements(min(exposed), sums_of, hidden, fixed) or \
            [o for o in values if o not in hidden and o not in fixed]
        if not candidates:
            # Every cell of the joined tables is hidden: what is still pinned down follows
            # from the district table's own published numbers (zeros of an all-zero period).
            return frozenset(hidden)
        hidden.add(min(candidates, key=lambda o: (values[o] == 0, values[o], rank[o[0]], o[1])))


def _complements(cell, sums_of: dict, hidden: set, fixed: set) -> list:
    """Visible cells of the joined tables nearest to an exposed cell: sharing a sum with it, else with one
    of those (an exposed district cell is reached through its period's total)."""
    frontier, seen = {cell}, {cell}
    for _ in range(3):
        frontier = {o for c in frontier for relation in sums_of.get(c, ()) for o in relation} - seen
        seen |= frontier
        candidates = [o for o in frontier if o not in hidden and o not in fixed]
        if candidates:
            return candidates
    return []


def _named(relations: list, name: str) -> list:
    return [[(p, c if c == publication.TOTAL else f"{name}:{c}") for p, c in relation] for relation in relations]


def partner_tables(*, agency_id: int, date_from: date | None = None, date_to: date | None = None) -> dict:
    """The four suppressed tables (race/ethnicity, sex, age band, SIM intercept) for one whole
    month, quarter or year, or twelve whole months (default: the last twelve before the current
    month; 422 for other periods)."""
    date_from, date_to = partner.window(agency_id, date_from, date_to)
    cells = partner.publication_cells(date_from, date_to)
    by_year = {year: partner_grids(agency_id, year) for year in sorted({year for year, _ in cells})}
    tables = {}
    for name in PARTNER_DIMENSIONS:
        published = {year: grids[name].published() for year, grids in by_year.items()}
        categories = next(iter(by_year.values()))[name].categories
        tables[name] = {
            "title": PARTNER_TITLES[name], "columns": ["period", *categories, "total"],
            "titles": {key: partner_label(key) for key in categories},
            "rows": [{"period": partner.period_label(year, period),
                      **{column: published[year][(period, column)] for column in [*categories, publication.TOTAL]}}
                     for year, period in cells],
        }
    return {"threshold": agency_settings.suppression_threshold(agency_id), "tables": tables}


def partner_demographics(agency_id: int, period) -> dict:
    """For reports: partner_tables for a reports.periods.Period (a month, quarter or year)."""
    return partner_tables(agency_id=agency_id, date_from=period.first, date_to=period.last)
