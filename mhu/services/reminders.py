"""Reminders about follow-ups: in the app (a badge and a list) and by email.

A follow-up needs a reminder while it is open and not yet attempted (services/care.py's
conditions) and assigned to someone: "due_soon" from REMINDER_LEAD_HOURS before its due time,
"overdue" after it. The in-app list is computed from those rules on every request, so it stops the
moment an attempt or an outcome is recorded. Email goes through a ledger (FollowupReminder, one
row per follow-up and kind): `send_due` adds the rows, claims the unsent ones with a single
UPDATE (so two runs at once never claim the same row), sends one message per person and marks the
rows sent; a failed send releases its rows for the next run. Emails carry only a count and a link.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from mhu.auth import policy
from mhu.extensions import db
from mhu.models import Call, FollowUp, FollowupReminder, User
from mhu.models.types import UTCDateTime, utcnow
from mhu.services import audit, care

KINDS = ("due_soon", "overdue")
# A run that claimed rows and died leaves them claimed; after this long another run takes them.
CLAIM_LEASE = timedelta(minutes=30)


def lead() -> timedelta:
    return timedelta(hours=current_app.config["REMINDER_LEAD_HOURS"])


def needs_reminder_conditions(now: datetime) -> list:
    """Open, unattempted, assigned follow-ups of calls not voided, due within the lead or overdue."""
    return [care.open_condition(), care.unattempted_condition(), FollowUp.assigned_to_id.is_not(None),
            FollowUp.due_at < now + lead(), Call.voided_at.is_(None)]


def kind_expression(now: datetime):
    return sa.case((care.overdue_condition(now), "overdue"), else_="due_soon")


def _needing(now: datetime) -> sa.Select:
    return sa.select(FollowUp).join(Call, Call.id == FollowUp.call_id).where(*needs_reminder_conditions(now))


def reminder_count(*, actor: User) -> int:
    """How many of the actor's follow-ups need a reminder now (the header badge)."""
    if not policy.can_receive_reminders(actor):
        return 0
    now = utcnow()
    query = _needing(now).where(FollowUp.assigned_to_id == actor.id, FollowUp.agency_id == actor.agency_id)
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def my_reminders(*, actor: User, limit: int = 200) -> list[dict]:
    """The actor's follow-ups needing a reminder, overdue first: [{followup, kind, clock}] (audited)."""
    if not policy.can_receive_reminders(actor):
        raise PermissionError("this role gets no reminders")
    now = utcnow()
    rows = db.session.scalars(
        _needing(now).where(FollowUp.assigned_to_id == actor.id, FollowUp.agency_id == actor.agency_id)
        .order_by(FollowUp.due_at, FollowUp.id).limit(limit)
    ).all()
    audit.record(action="followup.list", actor=actor, object_type="followup", object_id=None, commit=True)
    return [{"followup": f, "kind": "overdue" if f.due_at < now else "due_soon", "clock": care.due_text(f.due_at, now)}
            for f in rows]


def queue(now: datetime) -> None:
    """Add a ledger row for every follow-up and kind that needs one and has none (INSERT ... SELECT
    ... ON CONFLICT DO NOTHING: runs at once add each row once). An overdue follow-up first seen
    overdue gets only its overdue reminder."""
    table = FollowupReminder.__table__
    source = (
        sa.select(FollowUp.id, kind_expression(now), FollowUp.assigned_to_id, sa.literal(now, UTCDateTime()),
                  sa.literal(0))
        .join(Call, Call.id == FollowUp.call_id).where(*needs_reminder_conditions(now))
    )
    insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(table)
    db.session.execute(
        insert.from_select(["followup_id", "kind", "user_id", "created_at", "failures"], source)
        .on_conflict_do_nothing(index_elements=[table.c.followup_id, table.c.kind])
    )
    db.session.commit()


def claim(now: datetime) -> list[tuple[int, int, str]]:
    """Take the unsent rows whose follow-up still needs them: [(row id, user id, kind)].

    One UPDATE ... RETURNING: on PostgreSQL a second run waits for the first's row locks and then
    re-checks `claimed_at`, so it gets none of them; on SQLite the write lock serialises runs.
    """
    table = FollowupReminder.__table__
    still_needed = (
        sa.select(FollowUp.id).join(Call, Call.id == FollowUp.call_id)
        .where(*needs_reminder_conditions(now), FollowUp.assigned_to_id == table.c.user_id,
               # A "due soon" left unsent until the follow-up went overdue is not sent late: the
               # overdue reminder says it.
               kind_expression(now) == table.c.kind)
    )
    rows = db.session.execute(
        sa.update(table)
        .where(table.c.sent_at.is_(None),
               sa.or_(table.c.claimed_at.is_(None), table.c.claimed_at < sa.literal(now - CLAIM_LEASE, UTCDateTime())),
               table.c.followup_id.in_(still_needed),
               # A deactivated assignee's reminders wait (unsent) until the follow-up is reassigned.
               table.c.user_id.in_(sa.select(User.id).where(User.active.is_(True))))
        .values(claimed_at=now)
        .returning(table.c.id, table.c.user_id, table.c.kind)
    ).all()
    db.session.commit()
    return [tuple(row) for row in rows]


def message_for(user: User, kinds: list[str]) -> EmailMessage:
    """The email: how many follow-ups need attention and a link; no names, numbers or clinical details."""
    config = current_app.config
    overdue, soon = kinds.count("overdue"), kinds.count("due_soon")
    parts = ([f"{overdue} overdue"] if overdue else []) + ([f"{soon} due within {config['REMINDER_LEAD_HOURS']} hours"] if soon else [])
    message = EmailMessage()
    message["From"] = config["SMTP_FROM"]
    message["To"] = user.email
    message["Subject"] = "MHU: follow-ups need your attention"
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config["SMTP_FROM"].rpartition("@")[2] or None)
    message.set_content(
        f"You have follow-ups that need attention: {', '.join(parts)}.\n\n"
        f"Open your reminders (sign-in required): {config['BASE_URL'].rstrip('/')}/field/reminders\n\n"
        "This message leaves out every detail on purpose.\n"
    )
    return message


class Mailer:
    """SMTP through MHU_SMTP_* (STARTTLS when set; login when a user is set); one connection per run."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        if self.connection is None:
            config = self.config
            if not config.get("SMTP_HOST"):
                raise RuntimeError("MHU_SMTP_HOST is not set")
            connection = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT_SECONDS"])
            if config.get("SMTP_STARTTLS"):
                connection.starttls(context=ssl.create_default_context())
            if config.get("SMTP_USER"):
                connection.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
            self.connection = connection
        self.connection.send_message(message)

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.connection = None


@dataclass
class RunResult:
    sent_messages: int = 0
    sent_reminders: int = 0
    failed_messages: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed_messages == 0


def send_due(*, now: datetime | None = None, mailer=None) -> RunResult:
    """One run of the reminder job: queue, claim, send one message per person, record the result."""
    now = now or utcnow()
    mailer = mailer or Mailer(current_app.config)
    queue(now)
    claimed = claim(now)
    by_user: dict[int, list[tuple[int, str]]] = {}
    for row_id, user_id, kind in claimed:
        by_user.setdefault(user_id, []).append((row_id, kind))
    table = FollowupReminder.__table__
    result = RunResult()
    try:
        for user_id, items in sorted(by_user.items()):
            ids = [row_id for row_id, _ in items]
            user = db.session.get(User, user_id)
            try:
                if user is None or not policy.can_receive_reminders(user):
                    raise RuntimeError("the assignee's role gets no reminders")
                mailer.send(message_for(user, [kind for _, kind in items]))
            except (smtplib.SMTPException, OSError, RuntimeError) as error:
                text = f"{type(error).__name__}: {error}"[:200]
                db.session.execute(sa.update(table).where(table.c.id.in_(ids)).values(
                    claimed_at=None, failures=table.c.failures + 1, last_error=text))
                db.session.commit()
                result.failed_messages += 1
                result.errors.append(f"user {user_id}: {text}")
                if isinstance(error, (smtplib.SMTPException, OSError)):
                    mailer.close()  # a broken connection is opened again for the next person
                continue
            db.session.execute(sa.update(table).where(table.c.id.in_(ids)).values(sent_at=utcnow(), last_error=None))
            db.session.commit()
            result.sent_messages += 1
            result.sent_reminders += len(ids)
    finally:
        mailer.close()
    return result
