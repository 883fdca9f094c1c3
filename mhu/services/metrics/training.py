"""CIT training coverage: the share of sworn officers with 40 hours of CIT training, as of a date.

Sworn officers are the agency's active users with role officer or supervisor, as the roster
stands now (MHU does not record when an officer joined or left, so a series over past dates
shows how today's officers' training grew). An officer counts as trained on a date once their
recorded course hours completed on or before it add up to CIT_HOURS_REQUIRED. The share of calls with a
CIT-trained officer on scene is the call-based rate `cit_presence` (metrics.rates).
"""

from __future__ import annotations

import calendar
from datetime import date

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from mhu.extensions import db
from mhu.models import CitTraining, User
from mhu.services.localtime import agency_today
from mhu.services.metrics.rates import call_rates
from mhu.services.metrics.registry import CIT_HOURS
from mhu.services.metrics.sql import MetricFilters, rate

CIT_HOURS_REQUIRED = CIT_HOURS
SWORN_ROLES = ("officer", "supervisor")


def cit_trained_officers(*, agency_id: int, as_of: date) -> dict:
    """Sworn officers with >= 40 CIT hours completed by `as_of` / sworn officers (current roster)."""
    hours = (
        sa.select(CitTraining.user_id, sa.func.sum(CitTraining.hours).label("hours"))
        .where(CitTraining.agency_id == agency_id, CitTraining.completed_on <= as_of)
        .group_by(CitTraining.user_id).subquery()
    )
    trained = sa.func.coalesce(hours.c.hours, 0) >= CIT_HOURS_REQUIRED
    row = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(sa.case((trained, 1), else_=0)), 0), sa.func.count())
        .select_from(User).outerjoin(hours, hours.c.user_id == User.id)
        .where(User.agency_id == agency_id, User.role.in_(SWORN_ROLES), User.active.is_(True))
    ).one()
    return rate(row[0], row[1])


def cit_trained_series(*, agency_id: int, month_ends: list[date]) -> list[dict]:
    """cit_trained_officers at each of the given dates (one query per date: a roster is small)."""
    return [{"as_of": day.isoformat(), "cit_trained_officers": cit_trained_officers(agency_id=agency_id, as_of=day)}
            for day in month_ends]


def whole_months(*, agency_id: int, date_from: date | None = None, date_to: date | None = None) -> list[date]:
    """The first days of the whole months between two dates; without them, the last 12 whole months
    before the agency's current (partial) month."""
    if date_to is None:
        date_to = agency_today(agency_id).replace(day=1) - relativedelta(days=1)
    last = date_to.replace(day=1)
    first = (date_from or last - relativedelta(months=11)).replace(day=1)
    months = []
    while first <= last:
        months.append(first)
        first += relativedelta(months=1)
    return months


def cit_share_series(*, agency_id: int, months: list[date]) -> list[dict]:
    """Per month: located calls with a CIT-trained officer on scene / located calls (`cit_presence`)
    and sworn officers with 40 CIT hours by the month's last day / sworn officers
    (`cit_trained_officers`, today's roster)."""
    if not months:
        return []
    last = months[-1].replace(day=calendar.monthrange(months[-1].year, months[-1].month)[1])
    filters = MetricFilters(agency_id=agency_id, date_from=months[0], date_to=last)
    calls = {row["period"]: row["cit_presence"] for row in call_rates(filters=filters, names=("cit_presence",),
                                                                      interval="month")}
    points = []
    for month in months:
        presence = calls.get(month.isoformat()) or rate(0, 0)
        month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        officers = cit_trained_officers(agency_id=agency_id, as_of=month_end)
        points.append({"month": f"{month:%Y-%m}", "calls": presence["denominator"],
                       "calls_with_cit_officer": presence["numerator"], "share": presence["value"],
                       "sworn_officers": officers["denominator"], "sworn_with_40h": officers["numerator"],
                       "officer_share": officers["value"]})
    return points
