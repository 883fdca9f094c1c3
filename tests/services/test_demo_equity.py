"""Demo data fills the optional demographics for most persons and leaves some not recorded."""

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Person, PersonRace
from mhu.services.demo import generate_demo
from tests.factories import at


def test_demo_persons_mostly_have_demographics_and_some_are_not_recorded():
    generate_demo(calls=300, seed=7, now=at(), password="demo pass phrase for tests")

    persons = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    sexes = dict(db.session.execute(sa.select(Person.sex, sa.func.count()).group_by(Person.sex)).all())
    per_person = db.session.execute(
        sa.select(PersonRace.person_id, sa.func.count()).group_by(PersonRace.person_id)).all()

    assert sexes.get("not_recorded", 0) > 0 and sexes.get("female", 0) > 0 and sexes.get("male", 0) > 0
    assert sexes.get("not_recorded", 0) < persons / 4
    assert persons * 0.7 < len(per_person) < persons  # most have a category; some none
    assert any(count >= 2 for _, count in per_person)  # and some several
