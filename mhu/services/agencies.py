"""Agencies and their teams."""

import sqlalchemy as sa

from mhu.auth import policy
from mhu.extensions import db
from mhu.models import Agency, Team, User


def get_or_create_agency(*, name: str, timezone: str = "America/Chicago", kind: str = "law_enforcement") -> Agency:
    """The agency with this name, created if new."""
    agency = db.session.scalar(sa.select(Agency).where(Agency.name == name))
    if agency is None:
        agency = Agency(name=name, timezone=timezone, kind=kind)
        db.session.add(agency)
        db.session.flush()
    return agency


def get_or_create_team(*, agency: Agency, name: str, kind: str = "co_responder") -> Team:
    """The agency's team with this name, created (co-responder by default) if new."""
    team = db.session.scalar(sa.select(Team).where(Team.agency_id == agency.id, Team.name == name))
    if team is None:
        team = Team(agency=agency, name=name, kind=kind)
        db.session.add(team)
        db.session.flush()
    return team


def list_teams(*, actor: User) -> list[Team]:
    """The teams of the actor's agency."""
    return list(db.session.scalars(sa.select(Team).where(Team.agency_id == actor.agency_id).order_by(Team.name)))


def recordable_teams(*, actor: User) -> list[Team]:
    """Active teams the actor may record calls for (policy.can_record_for_team)."""
    return [team for team in list_teams(actor=actor) if team.active and policy.can_record_for_team(actor, team)]
