"""UTCDateTime (mhu/models/types.py): aware datetimes stored as UTC, read back aware, on both databases;
on SQLite the stored text is exactly what SQLAlchemy's own DateTime stores (comparisons and
ORDER BY in SQL work on that text)."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from mhu.extensions import db
from mhu.models.types import UTCDateTime

INSTANTS = [
    datetime(2026, 3, 8, 1, 59, 59, 999999, tzinfo=ZoneInfo("America/Chicago")),
    datetime(2026, 3, 8, 3, 0, tzinfo=ZoneInfo("America/Chicago")),  # just after the spring-forward gap
    datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/Chicago")),  # the repeated hour's second pass
    datetime(2024, 2, 29, 23, 59, 59, tzinfo=timezone(timedelta(hours=-9, minutes=-30))),
    datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc),
    datetime(2025, 1, 1, tzinfo=timezone.utc),
]


@pytest.mark.parametrize("instant", INSTANTS, ids=str)
def test_sqlite_stores_the_utc_text_sqlalchemy_datetime_stores(instant):
    dialect = sqlite.dialect()
    ours = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    theirs = sa.DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert ours(instant) == theirs(instant.astimezone(timezone.utc).replace(tzinfo=None))
    assert ours(None) is None


def test_a_naive_datetime_is_refused():
    dialect = sqlite.dialect()
    with pytest.raises(ValueError, match="naive datetime"):
        UTCDateTime().dialect_impl(dialect).bind_processor(dialect)(datetime(2026, 1, 1))


def test_instants_round_trip_in_utc_and_keep_their_order(app):
    table = sa.Table("utc_datetime_probe", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("at", UTCDateTime))
    with db.engine.begin() as connection:
        table.create(connection)
        try:
            connection.execute(table.insert(), [{"id": n, "at": at} for n, at in enumerate(INSTANTS)])
            stored = connection.execute(sa.select(table.c.at).order_by(table.c.at)).scalars().all()
            later = connection.execute(sa.select(sa.func.count()).where(table.c.at > INSTANTS[0])).scalar()
        finally:
            table.drop(connection)
    # In UTC: Python never finds a time of a repeated hour's second pass (fold=1) equal to one in another zone.
    assert stored == sorted(at.astimezone(timezone.utc) for at in INSTANTS)
    assert all(at.tzinfo == timezone.utc for at in stored)
    assert later == sum(at > INSTANTS[0] for at in INSTANTS)
