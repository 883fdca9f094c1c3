"""Anonymous surveys of the people served: invitations, answers, the comment review queue.

What is kept, and what is not (docs/surveys-and-reminders.md): an invitation keeps the hash of its
token, the call it was issued for and its expiry, and is deleted when it is used. The answer keeps
the agency, the team and the agency-local month it came in, the four scores and the comment; no
call, person, address or time. Submitting writes no audit event (an event carries the time and the
address). Comments reach supervisors only after a clinician marks them free of identifying details.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from mhu.auth import policy
from mhu.extensions import db
from mhu.models import Call, SurveyInvitation, SurveyResponse, SurveyThrottle, Team, User
from mhu.models.types import UTCDateTime, utcnow
from mhu.services import ServiceError, audit
from mhu.services.localtime import agency_timezone, local_date

# (column, the statement the person rates from 1 "strongly disagree" to 5 "strongly agree")
QUESTIONS = (
    ("respected", "The team treated me with respect."),
    ("safer", "I felt safer after the team came."),
    ("helped", "I got the help I needed."),
    ("would_call_again", "I would call for this kind of help again."),
)
QUESTION_KEYS = tuple(key for key, _ in QUESTIONS)
SCALE = (
    (1, "Strongly disagree"), (2, "Disagree"), (3, "Neither agree nor disagree"), (4, "Agree"),
    (5, "Strongly agree"),
)


def token_hash(token: str) -> str:
    """The stored form of a token (256 random bits, so a plain hash cannot be reversed by guessing)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def issue_invitation(*, actor: User, call: Call) -> tuple[SurveyInvitation, str]:
    """A new single-use link for the person served on `call`: (invitation, token). The token is
    returned once, to be shown as a link and QR code; only its hash is stored."""
    if not policy.can_issue_survey(actor, call):
        raise PermissionError("this role may not issue surveys for this call")
    if call.voided_at is not None:
        raise ServiceError("This call was voided.", status=409)
    token = secrets.token_urlsafe(32)
    invitation = SurveyInvitation(
        token_hash=token_hash(token), agency_id=call.agency_id, team_id=call.team_id, call_id=call.id,
        issued_by_id=actor.id, expires_at=utcnow() + timedelta(days=current_app.config["SURVEY_TTL_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(action="survey.issue", actor=actor, object_type="call", object_id=call.id)
    db.session.commit()
    return invitation, token


def open_invitations(*, call: Call) -> int:
    """How many unused, unexpired links exist for a call (shown on the call page)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(SurveyInvitation).where(
        SurveyInvitation.call_id == call.id, SurveyInvitation.expires_at > utcnow()))


def invitation_state(token: str) -> str:
    """"open", "expired" (410) or "unknown" (404: never issued, already used, or withdrawn)."""
    if not token or len(token) > 100:
        return "unknown"
    expires_at = db.session.scalar(
        sa.select(SurveyInvitation.expires_at).where(SurveyInvitation.token_hash == token_hash(token)))
    if expires_at is None:
        return "unknown"
    return "open" if expires_at > utcnow() else "expired"


def parse_answers(form) -> dict:
    """The posted form as answers; ServiceError (422) with per-field messages when it is not."""
    answers, errors = {}, {}
    for key, _ in QUESTIONS:
        raw = (form.get(key) or "").strip()
        if not raw:
            answers[key] = None
        elif raw in ("1", "2", "3", "4", "5"):
            answers[key] = int(raw)
        else:
            errors[key] = ["Choose one of the five answers, or leave the question out."]
    comment = (form.get("comment") or "").replace("\r\n", "\n").strip()
    limit = current_app.config["SURVEY_COMMENT_MAX"]
    if len(comment) > limit:
        errors["comment"] = [f"Please keep the comment under {limit} characters (it has {len(comment)})."]
    elif "\x00" in comment:
        errors["comment"] = ["The comment contains a character that cannot be stored."]
    answers["comment"] = comment or None
    if not errors and all(value is None for value in answers.values()):
        errors["_form"] = ["Answer at least one question, or write a comment."]
    if errors:
        raise ServiceError("Some answers could not be saved.", errors)
    return answers


def submit(*, token: str, form) -> str:
    """Store one answer and delete its invitation, atomically: "saved", "expired" or "unknown".

    The DELETE ... RETURNING is the single-use check: of two submissions at once only one gets
    the row back. The answer takes the agency, team and local month, nothing else.
    """
    answers = parse_answers(form)
    now = utcnow()
    row = db.session.execute(
        sa.delete(SurveyInvitation)
        .where(SurveyInvitation.token_hash == token_hash(token), SurveyInvitation.expires_at > now)
        .returning(SurveyInvitation.agency_id, SurveyInvitation.team_id)
    ).first()
    if row is None:
        db.session.rollback()
        return invitation_state(token)
    agency_id, team_id = row
    month = local_date(now, agency_timezone(agency_id)).replace(day=1)
    db.session.add(SurveyResponse(
        agency_id=agency_id, team_id=team_id, month=month, **{k: answers[k] for k in QUESTION_KEYS},
        comment=answers["comment"], comment_state="pending" if answers["comment"] else None,
    ))
    db.session.commit()
    return "saved"


def purge_expired(*, now=None) -> int:
    """Delete expired invitations (nothing else refers to them) and the rate limiter's finished
    windows; the number of invitations deleted."""
    now = now or utcnow()
    result = db.session.execute(sa.delete(SurveyInvitation).where(SurveyInvitation.expires_at <= now))
    window = current_app.config["SURVEY_RATE_WINDOW"]
    db.session.execute(sa.delete(SurveyThrottle).where(SurveyThrottle.window_start < now - window))
    db.session.commit()
    return result.rowcount


def _address_hash(address: str | None) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (address or "unknown").encode(), hashlib.sha256).hexdigest()


def allow_request(*, address: str | None) -> bool:
    """Count one request to the public survey page from the address; whether it is within
    SURVEY_RATE_LIMIT for the window. One upsert ... RETURNING, like the login limiter
    (services/login_limits.py), so parallel requests are all counted."""
    now = utcnow()
    window, limit = current_app.config["SURVEY_RATE_WINDOW"], current_app.config["SURVEY_RATE_LIMIT"]
    table = SurveyThrottle.__table__
    insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(table)
    expired = table.c.window_start < sa.literal(now - window, UTCDateTime())
    statement = insert.values(address_hash=_address_hash(address), window_start=now, hits=1).on_conflict_do_update(
        index_elements=[table.c.address_hash],
        set_={
            "hits": sa.case((expired, 1), else_=table.c.hits + 1),
            "window_start": sa.case((expired, sa.literal(now, UTCDateTime())), else_=table.c.window_start),
        },
    ).returning(table.c.hits)
    hits = db.session.execute(statement).scalar_one()
    db.session.commit()
    return hits <= limit


def _reviewable(actor: User) -> sa.Select:
    query = sa.select(SurveyResponse).where(
        SurveyResponse.agency_id == actor.agency_id, SurveyResponse.comment_state == "pending")
    teams = policy.team_scope(actor)
    if teams is not None:
        query = query.where(SurveyResponse.team_id.in_(teams or {-1}))
    return query


def pending_comments(*, actor: User, limit: int = 100) -> list[SurveyResponse]:
    """Comments from the actor's teams waiting for review, oldest month first."""
    if not policy.can_review_survey_comments(actor):
        raise PermissionError("this role may not review survey comments")
    rows = list(db.session.scalars(_reviewable(actor).order_by(SurveyResponse.month, SurveyResponse.id).limit(limit)))
    audit.record(action="survey.comment.list", actor=actor, object_type="survey_response", commit=True)
    return rows


def pending_comment(*, actor: User, response_id) -> SurveyResponse | None:
    """One comment waiting for review in the actor's scope, else None (another agency's: missing)."""
    if not policy.can_review_survey_comments(actor):
        raise PermissionError("this role may not review survey comments")
    try:
        response_uuid = uuid.UUID(str(response_id))
    except ValueError:
        return None
    return db.session.scalar(_reviewable(actor).where(SurveyResponse.id == response_uuid))


def review_comment(*, actor: User, response_id, approve: bool) -> SurveyResponse | None:
    """Mark a pending comment free of identifying details (approve) or not (reject; it is then
    never shown). None when there is no such pending comment in the actor's scope."""
    response = pending_comment(actor=actor, response_id=response_id)
    if response is None:
        return None
    response.comment_state = "approved" if approve else "rejected"
    audit.record(action="survey.comment." + ("approve" if approve else "reject"), actor=actor,
                 object_type="survey_response", object_id=response.id)
    db.session.commit()
    return response


def approved_comments(*, actor: User, date_from: date, date_to: date, team_ids=None, limit: int = 200) -> list[dict]:
    """Reviewed comments of the period's months for supervisors: [{month, team, comment}]."""
    if not policy.can_read_survey_results(actor):
        raise PermissionError("this role may not read survey comments")
    query = (
        sa.select(SurveyResponse.month, Team.name, SurveyResponse.comment)
        .outerjoin(Team, Team.id == SurveyResponse.team_id)
        .where(SurveyResponse.agency_id == actor.agency_id, SurveyResponse.comment_state == "approved",
               SurveyResponse.month >= date_from.replace(day=1), SurveyResponse.month <= date_to)
        .order_by(SurveyResponse.month.desc(), SurveyResponse.id).limit(limit)
    )
    if team_ids is not None:
        query = query.where(SurveyResponse.team_id.in_(set(team_ids) or {-1}))
    rows = [{"month": month.strftime("%Y-%m"), "team": team, "comment": comment}
            for month, team, comment in db.session.execute(query)]
    audit.record(action="survey.comment.read", actor=actor, object_type="survey_response", commit=True)
    return rows
