"""Demographic tables: calls and unduplicated persons by race/ethnicity, sex and age band at the call.

Hand-counted fixture (March 2026, agency-local dates):
  Ana   born 2000-03-20, female, white + hispanic   calls on 03-10 (age 25) and 03-25 (age 26)
  Ben   born 1960-01-01, male, black                 one call (age 66)
  Cy    no date of birth, recorded age band 35_44, nothing else recorded: one call
  no person linked                                   one call
  Ana's call in February and a voided call of Ben's stay out.
"""

from datetime import date

from mhu.services import persons as person_service
from mhu.services.metrics import demographics
from tests.factories import add_call, filters_for, utc, void


def person(actor, first, **data):
    return person_service.create_person(actor=actor, data={"first_name": first, "last_name": "Test", **data})


def fixture(officer):
    ana = person(officer, "Ana", date_of_birth=date(2000, 3, 20), sex="female",
                 race_ethnicity=["white", "hispanic_or_latino"])
    ben = person(officer, "Ben", date_of_birth=date(1960, 1, 1), sex="male", race_ethnicity=["black_or_african_american"])
    cy = person(officer, "Cy", age_band="35_44")
    add_call(officer, utc(2026, 3, 10, 15), person_id=ana.id)
    add_call(officer, utc(2026, 3, 25, 15), person_id=ana.id)
    add_call(officer, utc(2026, 2, 10, 15), person_id=ana.id)
    add_call(officer, utc(2026, 3, 11, 15), person_id=ben.id)
    void(officer, add_call(officer, utc(2026, 3, 12, 15), person_id=ben.id))
    add_call(officer, utc(2026, 3, 13, 15), person_id=cy.id)
    add_call(officer, utc(2026, 3, 14, 15))


def rows(table):
    return {row["key"]: (row["calls"], row["persons"]) for row in table}


def test_each_race_category_counts_and_multi_race_persons_also_count_as_two_or_more(unit):
    agency, _, officer = unit
    fixture(officer)

    result = demographics.demographics(filters=filters_for(agency))

    race = rows(result["race_ethnicity"])
    assert race["white"] == (2, 1) and race["hispanic_or_latino"] == (2, 1)
    assert race["black_or_african_american"] == (1, 1)
    assert race["asian"] == (0, 0)
    assert race["two_or_more"] == (2, 1)
    assert race["not_recorded"] == (2, 1)  # Cy's call, and the call without a person (no person to count)
    assert (result["calls"], result["persons"]) == (5, 3)


def test_sex_rows_add_up_to_all_calls_and_persons(unit):
    agency, _, officer = unit
    fixture(officer)

    sex = rows(demographics.demographics(filters=filters_for(agency))["sex"])

    assert sex == {"female": (2, 1), "male": (1, 1), "another": (0, 0), "not_recorded": (2, 1)}


def test_age_band_is_the_age_on_the_day_of_each_call(unit):
    agency, _, officer = unit
    fixture(officer)

    age = rows(demographics.demographics(filters=filters_for(agency))["age_band"])

    # Ana turned 26 between her calls: each call counts in its own band; as a person she counts
    # once, in the band of her first call of the period. Cy has no birth date: his recorded band.
    assert age["25_34"] == (2, 1)
    assert age["65_plus"] == (1, 1)
    assert age["35_44"] == (1, 1)
    assert age["unknown"] == (1, 0)
    assert sum(calls for calls, _ in age.values()) == 5
    assert sum(persons for _, persons in age.values()) == 3


def test_age_band_edges_under_18_and_birthday_on_the_call_day(unit):
    agency, _, officer = unit
    teen = person(officer, "Teen", date_of_birth=date(2008, 3, 11))   # 18 on 2026-03-11
    kid = person(officer, "Kid", date_of_birth=date(2008, 3, 12))     # still 17 on 2026-03-11
    add_call(officer, utc(2026, 3, 11, 15), person_id=teen.id)
    add_call(officer, utc(2026, 3, 11, 15), person_id=kid.id)

    age = rows(demographics.demographics(filters=filters_for(agency))["age_band"])

    assert age["18_24"] == (1, 1) and age["under_18"] == (1, 1)
