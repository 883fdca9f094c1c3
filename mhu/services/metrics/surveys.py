"""What people served say, as numbers: per question the count of answers, the mean score and the
distribution over the 1-5 scale.

Supervisors get the agency's (or one team's) answers for the months of a period. Partners get the
same per whole calendar month, quarter or year from a publication grid per question (score x
month, services/metrics/publication.py), suppressed over the whole year at once: counts from 1 to
threshold - 1 are hidden, and so is any further cell that would let a hidden one be worked out.
A mean is published only when none of its period's cells is hidden (with the count and the other
cells it would give the hidden ones away).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from mhu.auth import policy
from mhu.extensions import db
from mhu.models import SurveyResponse, User
from mhu.services import agency_settings, audit
from mhu.services.metrics import publication
from mhu.services.metrics.partner import period_label, publication_period
from mhu.services.surveys import QUESTIONS, SCALE

SCORES = tuple(str(score) for score, _ in SCALE)
DEFINITIONS = {
    "responses": "Survey answers received in the period's months (an answer counts once, whichever questions it answers).",
    "count": "Answers to the question in the period's months (skipped questions not counted).",
    "mean": "Mean score of those answers, 1 (strongly disagree) to 5 (strongly agree).",
    "distribution": "Number of answers at each score, 1 to 5.",
}


def _question_columns(column) -> list:
    return [sa.func.count(column), sa.func.avg(column),
            *(sa.func.count().filter(column == score) for score, _ in SCALE)]


def survey_aggregate(*, agency_id: int, date_from: date, date_to: date, team_ids=None) -> dict:
    """Responses and, per question, count, mean and distribution for the months from date_from's
    month to date_to's month (answers keep only their month); team_ids narrows to those teams."""
    conditions = [SurveyResponse.agency_id == agency_id, SurveyResponse.month >= date_from.replace(day=1),
                  SurveyResponse.month <= date_to]
    if team_ids is not None:
        conditions.append(SurveyResponse.team_id.in_(set(team_ids) or {-1}))
    columns = [sa.func.count()]
    for key, _ in QUESTIONS:
        columns += _question_columns(getattr(SurveyResponse, key))
    columns.append(sa.func.count().filter(SurveyResponse.comment_state == "approved"))
    row = db.session.execute(sa.select(*columns).where(*conditions)).one()
    questions, index = [], 1
    for key, text in QUESTIONS:
        count, mean, *cells = row[index:index + 2 + len(SCALE)]
        index += 2 + len(SCALE)
        questions.append({"key": key, "question": text, "count": int(count),
                          "mean": round(float(mean), 2) if mean is not None else None,
                          "distribution": {str(score): int(n) for (score, _), n in zip(SCALE, cells)}})
    return {"from": date_from.replace(day=1).isoformat(), "to": date_to.isoformat(), "responses": int(row[0]),
            "approved_comments": int(row[index]), "questions": questions}


def supervisor_survey_aggregate(*, actor: User, date_from: date, date_to: date, team_ids=None) -> dict:
    """survey_aggregate for the actor's agency, for roles that may read survey results (audited)."""
    if not policy.can_read_survey_results(actor):
        raise PermissionError("this role may not read survey results")
    result = survey_aggregate(agency_id=actor.agency_id, date_from=date_from, date_to=date_to, team_ids=team_ids)
    audit.record(action="survey.metrics", actor=actor, object_type="metrics", commit=True)
    return result


def _monthly(agency_id: int, year: int, column) -> dict[tuple[str, str], int]:
    month = sa.extract("month", SurveyResponse.month)
    rows = db.session.execute(
        sa.select(month, column, sa.func.count())
        .where(SurveyResponse.agency_id == agency_id, column.is_not(None),
               SurveyResponse.month >= date(year, 1, 1), SurveyResponse.month <= date(year, 12, 31))
        .group_by(month, column)
    ).all()
    return {(publication.MONTHS[int(m) - 1], str(score)): int(n) for m, score, n in rows}


def question_grid(agency_id: int, year: int, key: str) -> publication.Grid:
    """One question's year: answers per month x score, suppressed as one grid."""
    threshold = agency_settings.suppression_threshold(agency_id)
    return publication.grid(_monthly(agency_id, year, getattr(SurveyResponse, key)), list(SCORES), threshold=threshold)


def partner_survey_aggregate(*, actor: User, date_from: date, date_to: date) -> dict:
    """Suppressed survey aggregates for one whole calendar month, quarter or year (422 otherwise):
    per question and period, the count, the mean and the distribution, hidden cells as None.

    {"threshold", "hidden_label" ("<11"), "questions": [{"key", "question", "rows": [{"period",
    "count", "mean", "distribution": {"1".."5": n or None}}]}]}. Callable from reports.
    """
    if not policy.can_view_partner_dashboard(actor):
        raise PermissionError("partner dashboards are not open to this role")
    year, periods = publication_period(date_from, date_to)
    threshold = agency_settings.suppression_threshold(actor.agency_id)
    questions = []
    for key, text in QUESTIONS:
        grid = question_grid(actor.agency_id, year, key)
        published = grid.published()
        rows = []
        for period in periods:
            cells = {score: published[(period, score)] for score in SCORES}
            count = published[(period, publication.TOTAL)]
            exact = {score: grid.values[(period, score)] for score in SCORES}
            answered = sum(exact.values())
            whole = count is not None and all(value is not None for value in cells.values())
            mean = round(sum(int(s) * n for s, n in exact.items()) / answered, 2) if whole and answered else None
            rows.append({"period": period_label(year, period), "count": count, "mean": mean, "distribution": cells})
        questions.append({"key": key, "question": text, "rows": rows})
    audit.record(action="partner.surveys", actor=actor, object_type="metrics", commit=True)
    return {"threshold": threshold, "hidden_label": f"<{threshold}", "questions": questions}


def cell_text(value, hidden_label: str) -> str:
    """How a partner cell reads: the count, or the hidden label ("<11")."""
    return hidden_label if value is None else str(value)
