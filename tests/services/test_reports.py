"""The command report's periods and numbers, the JMHCP measures, and CIT training coverage."""

from datetime import date

import pytest

from mhu.extensions import db
from mhu.services import metrics, training
from mhu.services.metrics import training as training_metrics
from mhu.services.reports import PeriodError, command_report, federal_quarter, jmhcp, parse_period
from mhu.services.reports.formatting import change_text
from tests.factories import add_call, add_person, filters_for, outcome_calls, utc


@pytest.mark.parametrize("text, first, last, label", [
    ("2026-11", date(2026, 11, 1), date(2026, 11, 30), "November 2026"),
    ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "Q3 2026 (Jul–Sep)"),
    ("2026-q1", date(2026, 1, 1), date(2026, 3, 31), "Q1 2026 (Jan–Mar)"),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026"),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "February 2024"),
])
def test_periods_are_whole_months_quarters_and_years(text, first, last, label):
    period = parse_period(text)
    assert (period.first, period.last, period.label) == (first, last, label)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26-11", "2026-11-01", "", "November", "1899"])
def test_a_bad_period_says_what_is_accepted(text):
    with pytest.raises(PeriodError, match=r"a month \(2026-11\), a quarter \(2026-Q3\) or a year \(2026\)"):
        parse_period(text)


def test_periods_compare_with_the_one_before_and_the_year_before():
    quarter = parse_period("2026-Q1")
    assert quarter.previous().key == "2025-Q4"
    assert quarter.year_before().key == "2025-Q1"
    assert parse_period("2026-01").previous().key == "2025-12"
    assert parse_period("2026-11").trend_months() == (date(2025, 11, 1), date(2026, 11, 30))


def test_federal_quarter_one_is_october_to_december():
    assert (federal_quarter(2027, 1).first, federal_quarter(2027, 1).last) == (date(2026, 10, 1), date(2026, 12, 31))
    assert federal_quarter(2027, 4).key == "2027-Q3"


def test_changes_are_written_in_points_counts_and_minutes():
    assert change_text("rate", {"value": 0.5}, {"value": 0.25}) == "+25.0 pp"
    assert change_text("count", 9, 12) == "−3 (−25.0 %)"
    assert change_text("duration", {"median_seconds": 600}, {"median_seconds": 660}) == "−1.0 min"
    assert change_text("rate", {"value": None}, {"value": 0.2}) == "n/a"


def test_command_report_carries_the_summary_numbers_and_their_definitions(unit):
    agency, _, officer = unit
    outcome_calls(officer)
    add_call(officer, utc(2026, 2, 10, 15), disposition="arrest")

    report = command_report(agency_id=agency.id, period=parse_period("2026-03"))

    summary = metrics.summary(filters=filters_for(agency))
    kpis = {row["key"]: row for row in report["kpis"]}
    assert kpis["call_volume"]["value"] == summary["call_volume"] == 7
    assert kpis["call_volume"]["vs_previous"] == "+6 (+600.0 %)"
    assert kpis["call_volume"]["vs_year_ago"] == "+7"
    assert kpis["arrest_rate"]["counts_text"] == "1 / 6"
    assert kpis["arrest_rate"]["vs_previous"] == "−83.3 pp"  # 1/6 against 1/1
    assert kpis["jail_diversion_rate"]["value"] == summary["jail_diversion_rate"]
    assert kpis["jail_diversion_rate"]["definition"] == metrics.describe("jail_diversion_rate")
    assert report["headlines"][0].startswith("7 crisis calls in March 2026")
    assert report["partial"] is False


def test_command_report_groups_outcomes_and_counts_gaps(unit):
    agency, _, officer = unit
    outcome_calls(officer)

    report = command_report(agency_id=agency.id, period=parse_period("2026-Q1"))

    classes = {row["key"]: row["count"] for row in report["outcome_classes"]}
    assert classes["arrest_or_citation"] == 2
    assert classes["ed_or_detention"] == 2
    assert classes["not_reached"] == 1
    assert sum(classes.values()) == report["summary"]["call_volume"]
    assert report["data_quality"]["missing_disposition"] == 1
    assert "1 lack a disposition" in report["data_quality_note"]
    march = next(month for month in report["trend"]["months"] if month["period"] == "2026-03-01")
    assert len(report["trend"]["months"]) == 13 and march["call_volume"] == 7
    assert report["trend"]["months"][0]["call_volume"] == 0  # April 2025: listed, empty
    appendix = report["appendix"]
    assert (appendix["fiscal_year"], appendix["quarter"]) == (2026, 2)  # Jan-Mar 2026
    assert appendix["rows"][0] == {"measure": "encounters", "category": "all", "value": 7, "denominator": None,
                                   "mhu_metric": "call_volume"}


def test_command_report_names_no_person(unit):
    agency, _, officer = unit
    person = add_person(officer, "Quinn Unusualname")
    for day in (3, 9, 15, 21):
        add_call(officer, utc(2026, 3, day, 15), person_id=person.id)

    report = command_report(agency_id=agency.id, period=parse_period("2026-03"))

    assert report["repeat"]["high_utilizers"] == 1
    assert "Unusualname" not in repr(report)


def test_cit_coverage_counts_sworn_officers_with_forty_hours_by_the_date(make, unit):
    agency, _, officer = unit
    supervisor = make.user("supervisor", agency)
    make.user("clinician", agency)  # not sworn: never counted
    training.create_training(actor=supervisor, user_id=officer.id,
                             data={"course": "CIT basic", "hours": 24, "completed_on": date(2026, 1, 10)})
    training.create_training(actor=supervisor, user_id=officer.id,
                             data={"course": "CIT advanced", "hours": 16, "completed_on": date(2026, 3, 5)})

    # The unit's officer and supervisor, plus the second supervisor: three sworn officers.
    before = training_metrics.cit_trained_officers(agency_id=agency.id, as_of=date(2026, 3, 4))
    after = training_metrics.cit_trained_officers(agency_id=agency.id, as_of=date(2026, 3, 5))
    assert (before["numerator"], before["denominator"]) == (0, 3)
    assert (after["numerator"], after["denominator"]) == (1, 3)


def test_roster_import_adds_skips_and_reports_rejected_rows(unit):
    agency, _, officer = unit
    text = ("email,course,hours,completed_on,certifying_body\n"
            f"{officer.email},CIT basic,40,2025-05-01,State POST\n"
            f"{officer.email},CIT basic,40,2025-05-01,State POST\n"
            "nobody@example.test,CIT basic,40,2025-05-01,\n"
            f"{officer.email},CIT refresher,-4,2025-06-01,\n")

    result = training.import_csv(text=text, agency_id=agency.id)

    assert (result["added"], result["skipped"]) == (1, 1)
    assert [row["line"] for row in result["rejected"]] == [4, 5]
    assert "hours" in result["rejected"][1]["reason"]


def test_jmhcp_measures_map_to_the_metrics(unit):
    agency, _, officer = unit
    person = add_person(officer)
    add_call(officer, utc(2026, 10, 5, 15), person_id=person.id, cit_officer_on_scene=True, disposition="arrest")
    add_call(officer, utc(2026, 11, 5, 15), person_id=person.id, disposition="resolved_on_scene")
    add_call(officer, utc(2027, 1, 5, 15), disposition="resolved_on_scene")  # next quarter

    rows = jmhcp.measures(agency_id=agency.id, fiscal_year=2027, quarter=1)

    by = {(row["measure"], row["category"]): row for row in rows}
    assert by[("encounters", "all")]["value"] == 2
    assert by[("encounters_by_outcome", "Arrest or citation")]["value"] == 1
    assert by[("persons_served_unduplicated", "all")]["value"] == 1
    assert (by[("repeat_encounters", "encounters")]["value"], by[("repeat_encounters", "encounters")]["denominator"]) == (1, 2)
    assert by[("encounters_with_cit_officer", "all")]["value"] == 1


def test_jmhcp_csv_escapes_cells_a_spreadsheet_would_run():
    period = federal_quarter(2027, 1)
    rows = [{"measure": "referrals_made", "category": "=HYPERLINK(\"x\")", "value": 3, "denominator": None,
             "mhu_metric": "@SUM(A1)"}]

    text = jmhcp.to_csv(rows, period=period)

    assert text.splitlines()[1] == "2027,1,2026-10-01,2026-12-31,referrals_made,\"'=HYPERLINK(\"\"x\"\")\",3,,'@SUM(A1)"


def test_definitions_use_the_agency_follow_up_hours(unit):
    agency, _, _ = unit
    agency.followup_hours = 36
    db.session.commit()

    report = command_report(agency_id=agency.id, period=parse_period("2026-03"))

    timeliness = next(row for row in report["kpis"] if row["key"] == "followup_timeliness")
    assert "within 36 h of the call clearing" in timeliness["definition"]
