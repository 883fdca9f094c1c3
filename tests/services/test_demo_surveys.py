"""The demo data includes anonymous survey answers, a couple of published comments and some to review."""

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import SurveyResponse
from mhu.services.demo import generate_demo
from tests.factories import at


def test_demo_has_survey_answers_by_team_and_month_with_published_and_pending_comments():
    summary = generate_demo(calls=400, seed=3, now=at(), password="demo pass phrase for tests")

    answers = db.session.scalars(sa.select(SurveyResponse)).all()
    assert summary["survey_answers"] == len(answers) > 10
    assert all(a.month.day == 1 and a.team_id is not None for a in answers)
    states = [a.comment_state for a in answers if a.comment]
    assert states.count("approved") == 2 and states.count("pending") == 3
    assert {a.respected for a in answers} <= {None, 1, 2, 3, 4, 5}
