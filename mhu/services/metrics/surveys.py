"""What people served say, as numbers: per question the count of answers, the mean score and the
distribution over the 1-5 scale.

Supervisors get the agency's (or one team's) answers for the months of a period. Partners get the
answers per whole calendar month, quarter or year, grouped into disagree (1-2), neutral (3) and
agree (4-5), from a publication grid per question (group x month, services/metrics/publication.py)
suppressed over the whole year at once: counts from 1 to threshold - 1 are hidden, and so is any
further cell that would let a hidden one be worked out. The share agreeing and the mean follow
the rules in partner_survey_aggregate.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from mhu.auth import policy
from mhu.extensions import db
from mhu.models import SurveyResponse, User
from mhu.services import agency_settings, audit
from mhu.services.metrics import publication, suppression
from mhu.services.metrics.partner import period_label, publication_period
from mhu.services.surveys import QUESTIONS, SCALE

DEFINITIONS = {
    "responses": "Survey answers received in the period's months (an answer counts once, whichever questions it answers).",
    "count": "Answers to the question in the period's months (skipped questions not counted).",
    "mean": "Mean score of those answers, 1 (strongly disagree) to 5 (strongly agree).",
    "distribution": "Number of answers at each score, 1 to 5.",
    "agree_share": "Answers of 4 (agree) or 5 (strongly agree) / answers to the question.",
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


# Partners get each question's answers in three groups: small counts are the rule at the 1-5
# level (a month's "strongly disagree"), and suppressing them would hide almost every cell.
GROUPS = (("disagree", (1, 2)), ("neutral", (3,)), ("agree", (4, 5)))
GROUP_TITLES = {"disagree": "Disagree (1-2)", "neutral": "Neither (3)", "agree": "Agree (4-5)"}
GROUP_KEYS = tuple(key for key, _ in GROUPS)


def _monthly_scores(agency_id: int, year: int, column) -> dict[tuple[str, int], int]:
    """Answers per grid month and score (1-5) of one question in the year."""
    month = sa.extract("month", SurveyResponse.month)
    rows = db.session.execute(
        sa.select(month, column, sa.func.count())
        .where(SurveyResponse.agency_id == agency_id, column.is_not(None),
               SurveyResponse.month >= date(year, 1, 1), SurveyResponse.month <= date(year, 12, 31))
        .group_by(month, column)
    ).all()
    return {(publication.MONTHS[int(m) - 1], int(score)): int(n) for m, score, n in rows}


def _grouped(scores: dict[tuple[str, int], int]) -> dict[tuple[str, str], int]:
    group_of = {score: key for key, members in GROUPS for score in members}
    counts: dict[tuple[str, str], int] = {}
    for (month, score), n in scores.items():
        cell = (month, group_of[score])
        counts[cell] = counts.get(cell, 0) + n
    return counts


def _months_of(period: str) -> list[str]:
    if period == publication.YEAR:
        return publication.MONTHS
    if period in publication.QUARTERS:
        return [m for m in publication.MONTHS if publication.quarter_of(m) == period]
    return [period]


def partner_survey_aggregate(*, actor: User, date_from: date, date_to: date) -> dict:
    """Suppressed survey aggregates for one whole calendar month, quarter or year (422 otherwise):
    per question and period, the answers, their split into disagree (1-2) / neutral (3) / agree
    (4-5), the share agreeing and the mean score; hidden cells and rates are None.

    Each question is one publication grid (month, quarter, year x group), suppressed over the whole
    year. The share agreeing is hidden when its count or the total is. The mean, which mixes the
    five scores, is published only when the period's groups are all shown and none of its five
    score counts is from 1 to threshold - 1 (so it cannot narrow down a small count).

    {"threshold", "hidden_label" ("<11"), "groups", "questions": [{"key", "question", "rows":
    [{"period", "count", "agree_share", "mean", "distribution": {"disagree", "neutral", "agree"}}]}]}.
    Callable from reports.
    """
    if not policy.can_view_partner_dashboard(actor):
        raise PermissionError("partner dashboards are not open to this role")
    year, periods = publication_period(date_from, date_to)
    threshold = agency_settings.suppression_threshold(actor.agency_id)
    questions = []
    for key, text in QUESTIONS:
        scores = _monthly_scores(actor.agency_id, year, getattr(SurveyResponse, key))
        grid = publication.grid(_grouped(scores), list(GROUP_KEYS), threshold=threshold)
        published = grid.published()
        rows = []
        for period in periods:
            cells = {group: published[(period, group)] for group in GROUP_KEYS}
            count = published[(period, publication.TOTAL)]
            months = _months_of(period)
            exact = {score: sum(scores.get((m, score), 0) for m in months) for score, _ in SCALE}
            answered = sum(exact.values())
            safe = (count is not None and all(v is not None for v in cells.values())
                    and not any(0 < n < threshold for n in exact.values()))
            mean = round(sum(score * n for score, n in exact.items()) / answered, 2) if safe and answered else None
            rows.append({"period": period_label(year, period), "count": count,
                         "agree_share": suppression.suppressed_rate(cells["agree"], count),
                         "mean": mean, "distribution": cells})
        questions.append({"key": key, "question": text, "rows": rows})
    audit.record(action="partner.surveys", actor=actor, object_type="metrics", commit=True)
    return {"threshold": threshold, "hidden_label": f"<{threshold}", "groups": dict(GROUP_TITLES),
            "questions": questions}


def partner_survey_table(result: dict) -> dict:
    """partner_survey_aggregate's answer as one flat table (a row per question and period), for
    CSV: {"columns", "rows"}; hidden cells stay None (suppression.table_csv writes "suppressed")."""
    columns = ["question", "period", "count", *GROUP_KEYS, "agree_share", "mean"]
    rows = [{"question": question["key"], "period": row["period"], "count": row["count"], **row["distribution"],
             "agree_share": row["agree_share"], "mean": row["mean"]}
            for question in result["questions"] for row in question["rows"]]
    return {"columns": columns, "rows": rows}


def cell_text(value, hidden_label: str) -> str:
    """How a partner cell reads: the count, or the hidden label ("<11")."""
    return hidden_label if value is None else str(value)
