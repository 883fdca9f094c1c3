"""The command report's equity section (demographic tables) and its approved stories."""

from datetime import date

from mhu.services import persons as person_service
from mhu.services import stories
from mhu.services.reports import command_report, parse_period
from tests.factories import add_call, utc, void

APPROVED = "A veteran in his sixties in crisis was linked to the VA clinic the same day."
DRAFT = "A teenager in crisis at school was calmed and went home with a parent."


def test_command_report_prints_demographic_tables(unit):
    agency, _, officer = unit
    person = person_service.create_person(actor=officer, data={
        "first_name": "Lee", "last_name": "Test", "date_of_birth": date(1960, 1, 1), "sex": "male",
        "race_ethnicity": ["white", "asian"]})
    add_call(officer, utc(2026, 3, 10, 15), person_id=person.id)
    add_call(officer, utc(2026, 3, 11, 15))

    report = command_report(agency_id=agency.id, period=parse_period("2026-03"))

    tables = report["demographics"]
    assert tables["calls"] == 2 and tables["persons"] == 1
    race = {row["key"]: row["calls"] for row in tables["race_ethnicity"]}
    assert race["white"] == 1 and race["asian"] == 1 and race["two_or_more"] == 1 and race["not_recorded"] == 1
    assert {row["key"]: row["calls"] for row in tables["age_band"]}["65_plus"] == 1
    assert "Lee" not in repr(report)


def test_command_report_prints_only_approved_stories_of_the_period(make, unit):
    agency, team, officer = unit
    supervisor = make.user("supervisor", agency)
    march, april, voided, draft = (add_call(officer, utc(2026, m, d, 15)) for m, d in ((3, 5), (4, 2), (3, 6), (3, 7)))
    for call, text in ((march, APPROVED), (april, APPROVED + " Again."), (voided, APPROVED + " Voided."), (draft, DRAFT)):
        stories.save_draft(actor=officer, call=call, summary=text)
    for call in (march, april, voided):
        stories.approve(actor=supervisor, call=call)
    void(officer, voided)

    report = command_report(agency_id=agency.id, period=parse_period("2026-03"))

    assert [story["summary"] for story in report["stories"]] == [APPROVED]
    assert report["stories"][0]["month"] == "March 2026"


def test_command_report_html_shows_the_equity_tables_and_the_approved_story(make, unit, api):
    agency, _, officer = unit
    supervisor = make.user("supervisor", agency)
    call = add_call(officer, utc(2026, 3, 5, 15))
    stories.save_draft(actor=officer, call=call, summary=APPROVED)
    stories.approve(actor=supervisor, call=call)

    html = api(supervisor).get("/api/v1/reports/command?period=2026-03&format=html").get_data(as_text=True)

    assert "Who the unit served" in html and 'id="equity-race_ethnicity"' in html
    assert "Middle Eastern or North African" in html and APPROVED in html
