"""Administration of an agency: its users, one-time account links, teams and integration tokens.

Every change is audited with a `permission.` action (who may do what) in the same transaction.
Nothing here reads calls, persons or notes: administrators never see clinical content.
Records of another agency are reported as missing (None), like everywhere else.
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from mhu.auth import policy
from mhu.auth.passwords import hash_password, password_problems
from mhu.extensions import db
from mhu.models import AccountLink, Agency, ApiToken, Team, User, UserSession
from mhu.models.types import utcnow
from mhu.services import ServiceError, audit, in_agency, sessions, users

# A stored hash no password matches: the account can only be entered through a reset link.
UNUSABLE_PASSWORD = "!reset-required"
# Accounts that may hold administrator-issued tokens: integration (service) accounts, which read
# nothing and never sign in with a password; people sign in themselves.
TOKEN_ROLES = frozenset({"integration"})


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionError("administrators only")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ---- users ---------------------------------------------------------------------------------

def list_users(*, actor: User) -> list[User]:
    """The agency's accounts, by email."""
    _require(policy.can_manage_users(actor))
    return list(db.session.scalars(sa.select(User).where(User.agency_id == actor.agency_id).order_by(User.email)))


def get_user(*, actor: User, user_id: int) -> User | None:
    """An account of the actor's agency, or None."""
    _require(policy.can_manage_users(actor))
    return in_agency(User, user_id, actor=actor)


def find_agency_user(*, actor: User, email: str) -> User | None:
    """The agency's account with this email, or None."""
    _require(policy.can_manage_users(actor) or policy.can_read_audit(actor))
    found = users.find_user(email=email)
    return found if found is not None and found.agency_id == actor.agency_id else None


def open_session_counts(*, actor: User) -> dict[int, int]:
    """Signed-in devices per user of the agency."""
    rows = db.session.execute(
        sa.select(UserSession.user_id, sa.func.count()).join(User, User.id == UserSession.user_id)
        .where(User.agency_id == actor.agency_id, UserSession.ended_at.is_(None)).group_by(UserSession.user_id)
    )
    return {user_id: count for user_id, count in rows}


def _not_self(actor: User, user: User, field: str) -> None:
    # An administrator who demotes or deactivates themself may leave the agency with no administrator.
    if actor.id == user.id:
        raise ServiceError("Ask another administrator to change your own account.", {field: ["Not on your own account."]})


def _revoke_tokens(user: User) -> None:
    db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))


def _sign_out_everywhere(user: User, reason: str) -> None:
    users.end_sessions(user=user)
    db.session.execute(sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                       .values(ended_at=utcnow(), ended_reason=reason))
    _revoke_tokens(user)


def update_user(*, actor: User, user: User, changes: dict) -> User:
    """Change role, active flag, display name, CIT level or teams; role and active changes sign the
    user out everywhere so the new rights apply at once."""
    _require(policy.can_manage_users(actor))
    if "role" in changes and changes["role"] != user.role:
        _not_self(actor, user, "role")
        user.role = changes["role"]
        _sign_out_everywhere(user, "role_change")
        audit.record(action="permission.user.role", actor=actor, object_type="user", object_id=user.id)
    if "active" in changes and changes["active"] != user.active:
        _not_self(actor, user, "active")
        user.active = changes["active"]
        if not user.active:
            _sign_out_everywhere(user, "deactivated")
        audit.record(action="permission.user." + ("activate" if user.active else "deactivate"), actor=actor,
                     object_type="user", object_id=user.id)
    for name in ("display_name", "cit_level"):
        if name in changes and changes[name] != getattr(user, name):
            setattr(user, name, changes[name])
            audit.record(action=f"permission.user.{name}", actor=actor, object_type="user", object_id=user.id)
    if "team_ids" in changes:
        teams = _agency_teams(actor, changes["team_ids"], field="team_ids")
        if {t.id for t in teams} != user.team_ids:
            user.teams = teams
            audit.record(action="permission.user.teams", actor=actor, object_type="user", object_id=user.id)
    db.session.commit()
    return user


def unlock(*, actor: User, user: User) -> None:
    """Lift a lockout after failed logins."""
    _require(policy.can_manage_users(actor))
    user.locked_until = None
    user.failed_logins = 0
    audit.record(action="permission.user.unlock", actor=actor, object_type="user", object_id=user.id)
    db.session.commit()


def force_password_reset(*, actor: User, user: User) -> str:
    """Void the password, sign the user out everywhere and return a one-time reset link token."""
    _require(policy.can_manage_users(actor))
    user.password_hash = UNUSABLE_PASSWORD
    _sign_out_everywhere(user, "password_reset")
    token = _new_link(actor=actor, purpose="password_reset", email=user.email, role=user.role, user=user)
    audit.record(action="permission.user.password_reset", actor=actor, object_type="user", object_id=user.id)
    db.session.commit()
    return token


def end_user_sessions(*, actor: User, user: User, session_id: int | None = None) -> int:
    """End one of a user's sessions (session_id) or all of them; the number ended."""
    _require(policy.can_manage_users(actor))
    if session_id is not None:
        return int(sessions.end(user=user, session_id=session_id, actor=actor, reason="ended_by_admin"))
    return sessions.end_all(user=user, actor=actor, reason="ended_by_admin")


# ---- one-time links: invitations and resets ------------------------------------------------

def _new_link(*, actor: User, purpose: str, email: str, role: str, user: User | None = None,
              team_ids: list[int] | None = None) -> str:
    token = secrets.token_urlsafe(32)
    # A new link replaces any earlier unused one for the same address and purpose.
    db.session.execute(
        sa.update(AccountLink).where(AccountLink.email == email, AccountLink.purpose == purpose,
                                     AccountLink.used_at.is_(None), AccountLink.revoked_at.is_(None))
        .values(revoked_at=utcnow()))
    db.session.add(AccountLink(
        purpose=purpose, agency_id=actor.agency_id, email=email, role=role, user_id=user.id if user else None,
        team_ids=team_ids, token_hash=_digest(token), created_by_id=actor.id,
        expires_at=utcnow() + current_app.config["ACCOUNT_LINK_TTL"],
    ))
    return token


def invite(*, actor: User, email: str, role: str, team_ids: list[int] | None = None) -> tuple[str, AccountLink]:
    """Invite someone to the agency with a role; returns the link's token (shown once) and the link."""
    _require(policy.can_manage_users(actor))
    email = email.strip().lower()
    if users.find_user(email=email) is not None:
        raise ServiceError("An account with this email exists.", {"email": ["Already registered."]})
    teams = _agency_teams(actor, team_ids or [], field="team_ids")
    token = _new_link(actor=actor, purpose="invite", email=email, role=role, team_ids=[t.id for t in teams])
    db.session.flush()
    link = db.session.scalar(sa.select(AccountLink).where(AccountLink.token_hash == _digest(token)))
    audit.record(action="permission.user.invite", actor=actor, object_type="account_link", object_id=link.id)
    db.session.commit()
    return token, link


def pending_invitations(*, actor: User) -> list[AccountLink]:
    """Unused, unexpired invitations of the agency."""
    _require(policy.can_manage_users(actor))
    return list(db.session.scalars(
        sa.select(AccountLink).where(AccountLink.agency_id == actor.agency_id, AccountLink.purpose == "invite",
                                     AccountLink.used_at.is_(None), AccountLink.revoked_at.is_(None),
                                     AccountLink.expires_at > utcnow()).order_by(AccountLink.created_at.desc())))


def revoke_invitation(*, actor: User, link_id: int) -> bool:
    """Withdraw an unused invitation; False when there is none in the agency."""
    _require(policy.can_manage_users(actor))
    link = db.session.get(AccountLink, link_id)
    if link is None or link.agency_id != actor.agency_id or link.purpose != "invite":
        return False
    link.revoked_at = link.revoked_at or utcnow()
    audit.record(action="permission.user.invite_revoke", actor=actor, object_type="account_link", object_id=link.id)
    db.session.commit()
    return True


def open_link(token: str) -> AccountLink | None:
    """The usable link behind a token: not used, not revoked, not expired."""
    link = db.session.scalar(sa.select(AccountLink).where(AccountLink.token_hash == _digest(token or "")))
    if link is None or link.used_at is not None or link.revoked_at is not None or link.expires_at <= utcnow():
        return None
    return link


def use_link(*, token: str, password: str, display_name: str | None = None) -> User:
    """Accept an invitation (creates the account) or complete a reset (sets the password). One use only,
    even when two requests race: the link is claimed by a conditional UPDATE before anything else."""
    link = open_link(token)
    if link is None:
        raise ServiceError("This link is not valid any more; ask your administrator for a new one.", status=404)
    problems = password_problems(password, email=link.email)
    if problems:
        raise ServiceError("The password does not meet the policy.", {"password": problems})
    claimed = db.session.execute(
        sa.update(AccountLink).where(AccountLink.id == link.id, AccountLink.used_at.is_(None)).values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise ServiceError("This link was used already.", status=404)
    try:
        user = _complete_link(link, password, display_name)
    except ServiceError:
        db.session.rollback()
        raise
    db.session.commit()
    return user


def _complete_link(link: AccountLink, password: str, display_name: str | None) -> User:
    if link.purpose == "invite":
        agency = db.session.get(Agency, link.agency_id)
        teams = list(db.session.scalars(sa.select(Team).where(Team.id.in_(link.team_ids or []),
                                                              Team.agency_id == agency.id)))
        user = users.create_user(email=link.email, password=password, role=link.role, agency=agency,
                                 display_name=display_name or None, teams=teams)
        audit.record(action="permission.user.invite_accept", actor=user, object_type="user", object_id=user.id)
    else:
        user = db.session.get(User, link.user_id)
        user.password_hash = hash_password(password)
        user.failed_logins, user.locked_until = 0, None
        users.end_sessions(user=user)
        audit.record(action="permission.user.password_set", actor=user, object_type="user", object_id=user.id)
    return user


# ---- teams ---------------------------------------------------------------------------------

def _agency_teams(actor: User, team_ids, *, field: str) -> list[Team]:
    wanted = set(team_ids or [])
    teams = list(db.session.scalars(sa.select(Team).where(Team.id.in_(wanted), Team.agency_id == actor.agency_id)))
    if len(teams) != len(wanted):
        raise ServiceError("Unknown team.", {field: ["Every team must be a team of your agency."]})
    return sorted(teams, key=lambda t: t.name)


def create_team(*, actor: User, name: str, kind: str) -> Team:
    """A new team of the actor's agency."""
    _require(policy.can_manage_teams(actor))
    name = name.strip()
    exists = db.session.scalar(sa.select(Team.id).where(Team.agency_id == actor.agency_id, Team.name == name))
    if not name or exists is not None:
        raise ServiceError("Choose another name.", {"name": ["A team with this name exists." if name else "Required."]})
    team = Team(agency_id=actor.agency_id, name=name, kind=kind)
    db.session.add(team)
    db.session.flush()
    audit.record(action="permission.team.create", actor=actor, object_type="team", object_id=team.id)
    db.session.commit()
    return team


def get_team(*, actor: User, team_id: int) -> Team | None:
    """A team of the actor's agency, or None."""
    _require(policy.can_manage_teams(actor))
    return in_agency(Team, team_id, actor=actor)


def update_team(*, actor: User, team: Team, changes: dict) -> Team:
    """Rename, change kind, (de)activate, or set the members of a team."""
    _require(policy.can_manage_teams(actor))
    if "name" in changes and changes["name"].strip() != team.name:
        name = changes["name"].strip()
        clash = db.session.scalar(sa.select(Team.id).where(Team.agency_id == team.agency_id, Team.name == name,
                                                           Team.id != team.id))
        if not name or clash is not None:
            raise ServiceError("Choose another name.", {"name": ["A team with this name exists." if name else "Required."]})
    for field in ("name", "kind", "active", "program_start_date"):
        if field in changes:
            value = changes[field].strip() if field == "name" else changes[field]
            if value != getattr(team, field):
                setattr(team, field, value)
                audit.record(action=f"permission.team.{field}", actor=actor, object_type="team", object_id=team.id)
    if "member_ids" in changes:
        wanted = set(changes["member_ids"])
        members = list(db.session.scalars(sa.select(User).where(User.id.in_(wanted), User.agency_id == team.agency_id)))
        if len(members) != len(wanted):
            raise ServiceError("Unknown user.", {"member_ids": ["Every member must be a user of your agency."]})
        if {m.id for m in members} != {m.id for m in team.members}:
            team.members = members
            audit.record(action="permission.team.members", actor=actor, object_type="team", object_id=team.id)
    db.session.commit()
    return team


# ---- integration tokens --------------------------------------------------------------------

def create_integration_account(*, actor: User, email: str, display_name: str | None = None) -> User:
    """A service account (role `integration`) for a feed such as CAD: no password, tokens only."""
    _require(policy.can_manage_integrations(actor))
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise ServiceError("An address is needed.", {"email": ["Enter an address such as cad-feed@agency.example."]})
    if users.find_user(email=email) is not None:
        raise ServiceError("An account with this email exists.", {"email": ["Already registered."]})
    account = User(email=email, display_name=display_name or None, password_hash=UNUSABLE_PASSWORD,
                   role="integration", agency_id=actor.agency_id, session_nonce=secrets.token_hex(16))
    db.session.add(account)
    db.session.flush()
    audit.record(action="permission.integration.create", actor=actor, object_type="user", object_id=account.id)
    db.session.commit()
    return account


def token_holders(*, actor: User) -> list[User]:
    """Active accounts of the agency that may hold an administrator-issued token."""
    _require(policy.can_manage_integrations(actor))
    return [u for u in list_users(actor=actor) if u.active and u.role in TOKEN_ROLES]


def list_tokens(*, actor: User) -> list[ApiToken]:
    """Administrator-issued tokens of the agency that are still valid."""
    _require(policy.can_manage_integrations(actor))
    return list(db.session.scalars(
        sa.select(ApiToken).join(User, User.id == ApiToken.user_id)
        .where(User.agency_id == actor.agency_id, ApiToken.label.is_not(None), ApiToken.revoked_at.is_(None),
               ApiToken.expires_at > utcnow()).order_by(ApiToken.created_at.desc())))


def issue_token(*, actor: User, user: User, label: str, days: int) -> tuple[str, ApiToken]:
    """A labelled token for an integration account; the token is returned once and stored hashed."""
    _require(policy.can_manage_integrations(actor))
    problems = {}
    if user.role not in TOKEN_ROLES or not user.active:
        problems["user_id"] = ["Tokens are issued to active integration accounts only."]
    if not 1 <= days <= current_app.config["INTEGRATION_TOKEN_MAX_DAYS"]:
        problems["days"] = [f"Between 1 and {current_app.config['INTEGRATION_TOKEN_MAX_DAYS']} days."]
    if not label.strip():
        problems["label"] = ["Required."]
    if problems:
        raise ServiceError("The token cannot be issued.", problems)
    token = secrets.token_urlsafe(32)
    record = ApiToken(user=user, token_hash=_digest(token), expires_at=utcnow() + timedelta(days=days),
                      label=label.strip(), created_by_id=actor.id)
    db.session.add(record)
    db.session.flush()
    audit.record(action="permission.token.issue", actor=actor, object_type="api_token", object_id=record.id)
    db.session.commit()
    return token, record


def revoke_token(*, actor: User, token_id: int) -> bool:
    """Revoke a token of the agency; False when there is none."""
    _require(policy.can_manage_integrations(actor))
    record = db.session.get(ApiToken, token_id)
    if record is None or record.user.agency_id != actor.agency_id:
        return False
    record.revoked_at = record.revoked_at or utcnow()
    audit.record(action="permission.token.revoke", actor=actor, object_type="api_token", object_id=record.id)
    db.session.commit()
    return True
