"""Survey aggregates: known answers for supervisors, suppression for partners, both through the API."""

from datetime import date

import pytest

from mhu.extensions import db
from mhu.models import SurveyResponse
from mhu.services.metrics import surveys as survey_metrics

QUESTIONS = ("respected", "safer", "helped", "would_call_again")


def _answers(agency, team, month, *scores, **extra):
    """One response per score; every question gets that score unless `extra` says otherwise."""
    for score in scores:
        db.session.add(SurveyResponse(agency_id=agency.id, team_id=team.id if team else None, month=month,
                                      **{q: score for q in QUESTIONS}, **extra))
    db.session.commit()


@pytest.fixture
def answered(make):
    agency, team, people = make.unit()
    other_team = make.team(agency)
    _answers(agency, team, date(2026, 3, 1), 5, 5, 4, 2)
    _answers(agency, other_team, date(2026, 3, 1), 1)
    db.session.add(SurveyResponse(agency_id=agency.id, team_id=team.id, month=date(2026, 3, 1), safer=3,
                                  comment="ok", comment_state="approved"))
    _answers(agency, team, date(2026, 5, 1), 3)  # outside March
    other_agency, other_agency_team, _ = make.unit()
    _answers(other_agency, other_agency_team, date(2026, 3, 1), 1, 1, 1)
    return agency, team, other_team, people


def test_count_mean_and_distribution_per_question_are_worked_out_by_hand(answered):
    agency, team, other_team, _ = answered

    result = survey_metrics.survey_aggregate(agency_id=agency.id, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    by_key = {q["key"]: q for q in result["questions"]}

    assert result["responses"] == 6 and result["approved_comments"] == 1
    assert by_key["respected"] == {"key": "respected", "question": "The team treated me with respect.", "count": 5,
                                   "mean": 3.4, "distribution": {"1": 1, "2": 1, "3": 0, "4": 1, "5": 2}}
    assert by_key["safer"]["count"] == 6 and by_key["safer"]["mean"] == 3.33  # (5+5+4+2+1+3) / 6
    only_team = survey_metrics.survey_aggregate(agency_id=agency.id, date_from=date(2026, 3, 10),
                                                date_to=date(2026, 3, 31), team_ids={team.id})
    assert only_team["responses"] == 5 and only_team["questions"][0]["mean"] == 4.0  # (5+5+4+2) / 4
    empty = survey_metrics.survey_aggregate(agency_id=agency.id, date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))
    assert empty["responses"] == 0 and empty["questions"][0]["mean"] is None


def test_supervisor_api_answers_with_the_aggregate(api, answered):
    agency, team, _, people = answered

    response = api(people["supervisor"]).get(f"/api/v1/metrics/surveys?from=2026-03-01&to=2026-03-31&team_id={team.id}")

    assert response.status_code == 200
    assert response.json["from"] == "2026-03-01" and response.json["responses"] == 5
    assert response.json["questions"][0]["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 2}
    assert api(people["supervisor"]).get("/api/v1/metrics/surveys?from=2026-03-31&to=2026-03-01").status_code == 422
    assert api(people["supervisor"]).get("/api/v1/metrics/surveys?bogus=1").status_code == 422


@pytest.mark.parametrize("role", ["officer", "clinician", "partner", "admin"])
def test_other_roles_are_refused_the_supervisor_aggregate(api, answered, role):
    *_, people = answered
    assert api(people[role]).get("/api/v1/metrics/surveys").status_code == 403


def test_anonymous_callers_get_401(client):
    assert client.get("/api/v1/metrics/surveys").status_code == 401
    assert client.get("/api/v1/partner/metrics/surveys?from=2026-03-01&to=2026-03-31").status_code == 401


def test_partner_aggregate_hides_small_cells_and_any_cell_that_would_give_one_away(api, make):
    agency, team, people = make.unit()
    # March: 12 answers of 5 and 3 of 2 (disagree) for every question.
    _answers(agency, team, date(2026, 3, 1), *([5] * 12 + [2] * 3))

    response = api(people["partner"]).get("/api/v1/partner/metrics/surveys?from=2026-03-01&to=2026-03-31")

    assert response.status_code == 200
    body = response.json
    assert body["threshold"] == 11 and body["hidden_label"] == "<11"
    assert body["groups"] == {"disagree": "Disagree (1-2)", "neutral": "Neither (3)", "agree": "Agree (4-5)"}
    march = body["questions"][0]["rows"][0]
    assert march["period"] == "2026-03"
    assert march["distribution"]["disagree"] is None  # 3 answers
    # 12 agreeing would give the 3 away against the total of 15, so one of them is hidden too.
    assert march["distribution"]["agree"] is None or march["count"] is None
    assert march["agree_share"] is None and march["mean"] is None
    # The quarter and the year, read beside the month, cannot pin the hidden cell down either.
    quarter = api(people["partner"]).get("/api/v1/partner/metrics/surveys?from=2026-01-01&to=2026-03-31").json
    assert [r["period"] for r in quarter["questions"][0]["rows"]] == ["2026-01", "2026-02", "2026-03", "2026-Q1"]
    assert quarter["questions"][0]["rows"][3]["distribution"]["disagree"] is None


def test_partner_aggregate_without_small_cells_publishes_counts_share_and_mean(api, make):
    agency, team, people = make.unit()
    _answers(agency, team, date(2026, 3, 1), *([5] * 12 + [4] * 15 + [1] * 11))

    body = api(people["partner"]).get("/api/v1/partner/metrics/surveys?from=2026-03-01&to=2026-03-31").json

    assert body["questions"][1]["rows"] == [{
        "period": "2026-03", "count": 38, "agree_share": 27 / 38, "mean": 3.45,  # (12 x 5 + 15 x 4 + 11 x 1) / 38
        "distribution": {"disagree": 11, "neutral": 0, "agree": 27}}]


def test_partner_mean_is_hidden_when_a_score_inside_a_shown_group_is_small(api, make):
    agency, team, people = make.unit()
    _answers(agency, team, date(2026, 3, 1), *([5] * 12 + [4] * 3 + [1] * 11))

    row = api(people["partner"]).get("/api/v1/partner/metrics/surveys?from=2026-03-01&to=2026-03-31").json[
        "questions"][0]["rows"][0]

    assert row["distribution"] == {"disagree": 11, "neutral": 0, "agree": 15} and row["count"] == 26
    assert row["agree_share"] == 15 / 26
    assert row["mean"] is None  # three answers of 4 would show through it


def test_partner_aggregate_wants_a_whole_month_quarter_or_year(api, make):
    _, _, people = make.unit()
    response = api(people["partner"]).get("/api/v1/partner/metrics/surveys?from=2026-03-02&to=2026-03-31")
    assert response.status_code == 422 and "whole calendar month" in str(response.json["errors"])


@pytest.mark.parametrize("role", ["officer", "clinician", "supervisor", "partner"])
def test_partner_aggregate_is_open_to_the_partner_view_roles(api, make, role):
    _, _, people = make.unit()
    assert api(people[role]).get("/api/v1/partner/metrics/surveys?from=2026-01-01&to=2026-12-31").status_code == 200


def test_admins_are_refused_the_partner_aggregate(api, make):
    _, _, people = make.unit()
    assert api(people["admin"]).get("/api/v1/partner/metrics/surveys?from=2026-01-01&to=2026-12-31").status_code == 403


def test_partner_aggregate_is_a_function_reports_can_call(make):
    agency, team, people = make.unit()
    _answers(agency, team, date(2026, 3, 1), *([4] * 11))
    result = survey_metrics.partner_survey_aggregate(actor=people["partner"], date_from=date(2026, 3, 1),
                                                     date_to=date(2026, 3, 31))
    row = result["questions"][2]["rows"][0]
    assert row["count"] == 11 and row["mean"] == 4.0 and row["agree_share"] == 1.0
    assert survey_metrics.cell_text(None, result["hidden_label"]) == "<11"
    with pytest.raises(PermissionError):
        survey_metrics.partner_survey_aggregate(actor=people["admin"], date_from=date(2026, 3, 1),
                                                date_to=date(2026, 3, 31))


def test_partner_aggregate_downloads_as_csv_with_hidden_cells_marked(api, make):
    agency, team, people = make.unit()
    _answers(agency, team, date(2026, 3, 1), *([5] * 12 + [2] * 3))

    response = api(people["partner"]).get("/api/v1/partner/metrics/surveys.csv?from=2026-03-01&to=2026-03-31")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "question,period,count,disagree,neutral,agree,agree_share,mean"
    assert lines[1].startswith("respected,2026-03,") and ",suppressed," in lines[1]
    assert len(lines) == 5
    assert api(people["admin"]).get("/api/v1/partner/metrics/surveys.csv?from=2026-03-01&to=2026-03-31").status_code == 403


def test_the_command_report_prints_the_period_survey_answers(api, answered):
    from mhu.services.reports import command_report, parse_period

    agency, _, _, people = answered

    report = command_report(agency_id=agency.id, period=parse_period("2026-03"))
    html = api(people["supervisor"]).get("/api/v1/reports/command?period=2026-03&format=html").get_data(as_text=True)

    respected = next(q for q in report["surveys"]["questions"] if q["key"] == "respected")
    assert report["surveys"]["responses"] == 6  # five scored answers and one with a comment, all in March
    assert respected["count"] == 5 and respected["mean"] == 3.4  # (5 + 5 + 4 + 2 + 1) / 5
    assert "What people served say" in html and 'id="survey-table"' in html and "3.40" in html
