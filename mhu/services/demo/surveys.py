"""Demo survey answers: about one call in twelve answered, scores leaning positive, a few comments
(two published by a clinician, the rest waiting for review), kept like real answers (agency, team,
month only)."""

from __future__ import annotations

import random
import uuid

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Call, SurveyResponse

RESPONSE_RATE = 1 / 12
SKIP_RATE = 0.05
# Weights of scores 1..5 per question.
WEIGHTS = {
    "respected": (2, 3, 8, 30, 57),
    "safer": (3, 5, 15, 35, 42),
    "helped": (5, 8, 17, 35, 35),
    "would_call_again": (3, 4, 10, 30, 53),
}
PUBLISHED = ("The clinician explained everything and did not rush us.",
             "Calmer than I expected. I would call again.")
PENDING = ("The team was patient.", "Took a while to arrive but they helped.", "Please follow up sooner next time.")


def insert_answers(*, rng: random.Random, agency_id: int) -> int:
    """Answers per team and local month in proportion to the calls the demo holds; how many."""
    month = sa.func.min(Call.local_date)
    rows = db.session.execute(
        sa.select(Call.team_id, sa.extract("year", Call.local_date), sa.extract("month", Call.local_date),
                  sa.func.count(), month)
        .where(Call.agency_id == agency_id, Call.team_id.is_not(None), Call.voided_at.is_(None))
        .group_by(Call.team_id, sa.extract("year", Call.local_date), sa.extract("month", Call.local_date))
        .order_by(Call.team_id, sa.extract("year", Call.local_date), sa.extract("month", Call.local_date))
    ).all()
    answers = []
    for team_id, _, _, calls, first_day in rows:
        for _ in range(sum(rng.random() < RESPONSE_RATE for _ in range(int(calls)))):
            answers.append({
                "id": uuid.UUID(int=rng.getrandbits(128), version=4), "agency_id": agency_id, "team_id": team_id,
                "month": first_day.replace(day=1), "comment": None, "comment_state": None,
                **{key: None if rng.random() < SKIP_RATE else rng.choices((1, 2, 3, 4, 5), weights)[0]
                   for key, weights in WEIGHTS.items()},
            })
    # The newest answers carry the comments: two published, the rest waiting for a clinician.
    for answer, (comment, state) in zip(reversed(answers), [*((c, "approved") for c in PUBLISHED),
                                                             *((c, "pending") for c in PENDING)]):
        answer["comment"], answer["comment_state"] = comment, state
    if answers:
        db.session.execute(sa.insert(SurveyResponse.__table__), answers)
    return len(answers)
