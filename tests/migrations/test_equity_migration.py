"""Revision 0013 (demographics and stories) on a populated database: existing persons read "not
recorded", and the downgrade drops the new tables and column with data in them."""

import sqlalchemy as sa

from mhu.extensions import db
from tests.migrations.test_migrations import app_on
from tests.support.migrating import downgrade, upgrade

PERSON_ID = "0000000000000000000000000000abcd"


def test_existing_persons_upgrade_to_not_recorded_and_downgrade_keeps_them(scratch_database):
    with app_on(scratch_database()):
        upgrade(revision="0016")  # 0013's parent
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO agency (id, name, kind, timezone, created_at) VALUES (1, 'Old PD', 'law_enforcement', "
                "'America/Chicago', '2026-01-01 00:00:00+00:00')")
            connection.exec_driver_sql(
                "INSERT INTO person (id, agency_id, age_band, gender, housing_status, version, created_at, updated_at) "
                f"VALUES ('{PERSON_ID}', 1, 'unknown', 'unknown', 'unknown', 1, '2026-01-01 00:00:00+00:00', "
                "'2026-01-01 00:00:00+00:00')")

        upgrade(revision="0013")
        with db.engine.begin() as connection:
            sex = connection.exec_driver_sql("SELECT sex FROM person").scalar_one()
            connection.exec_driver_sql(f"INSERT INTO person_race (person_id, category) VALUES ('{PERSON_ID}', 'asian')")
        downgrade("0016")

        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM person").scalar_one() == 1
        inspector = sa.inspect(db.engine)
        assert sex == "not_recorded"
        assert "sex" not in {column["name"] for column in inspector.get_columns("person")}
        assert not {"person_race", "call_story"} & set(inspector.get_table_names())
