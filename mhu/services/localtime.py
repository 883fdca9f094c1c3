"""Agency-local time: every date a user sees or filters by is a day in the agency's time zone.

Records store aware UTC instants; calls also store their local date, hour and weekday so metrics
can group by them. This module is the one place that looks the zone up and converts.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Agency


def agency_timezone(agency_id: int, *, connection=None) -> str:
    """The agency's IANA zone name (UTC if unset); `connection`: read inside a flush's connection."""
    query = sa.select(Agency.timezone).where(Agency.id == agency_id)
    reader = connection if connection is not None else db.session
    return reader.scalar(query) or "UTC"


def local_parts(moment: datetime, tz_name: str) -> tuple[date, int, int]:
    """The local date, hour and weekday (0 = Monday) of a moment in the agency's zone."""
    local = moment.astimezone(ZoneInfo(tz_name))
    return local.date(), local.hour, local.weekday()


def local_date(moment: datetime, tz_name: str) -> date:
    """The local calendar date of a moment."""
    return moment.astimezone(ZoneInfo(tz_name)).date()


def local_day_bounds(first: date | None, last: date | None, tz_name: str) -> tuple[datetime | None, datetime | None]:
    """UTC bounds [start, end) of an inclusive range of local dates (an open end stays None)."""
    zone = ZoneInfo(tz_name)
    start = datetime.combine(first, time.min, zone) if first else None
    end = datetime.combine(last + timedelta(days=1), time.min, zone) if last else None
    return start, end


def agency_today(agency_id: int) -> date:
    """Today's date in the agency's zone."""
    return datetime.now(ZoneInfo(agency_timezone(agency_id))).date()
