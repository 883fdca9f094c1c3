"""Follow-up reminders: the badge and list in the field pages, and email through a real SMTP server,
sent once, stopped by an attempt, retried after a failure."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import FollowupReminder
from mhu.models.types import utcnow
from mhu.services import care, reminders
from tests.factories import add_call, add_followup, add_person, login


@pytest.fixture
def work(make):
    """A clinician with follow-ups: due in 5 h, overdue by 2 h, due in 3 days, another's due in 1 h."""
    agency, team, people = make.unit()
    clinician, officer = people["clinician"], people["officer"]
    other = make.user("clinician", agency, teams=[team])
    person = add_person(officer, "Dana Whitfield")
    now = utcnow()
    call = add_call(officer, now - timedelta(hours=50), person_id=person.id, incident_number="C26-777",
                    narrative="Very private narrative.")
    followups = {
        "soon": add_followup(officer, call, due_at=now + timedelta(hours=5), assigned_to_id=clinician.id),
        "overdue": add_followup(officer, call, due_at=now - timedelta(hours=2), assigned_to_id=clinician.id),
        "later": add_followup(officer, call, due_at=now + timedelta(days=3), assigned_to_id=clinician.id),
        "others": add_followup(officer, call, due_at=now + timedelta(hours=1), assigned_to_id=other.id),
    }
    return people, other, followups


def _attempt(actor, followup, **extra):
    care.record_attempt(actor=actor, followup=followup, data={"attempted_at": utcnow(), "method": "phone", **extra})


def test_badge_and_list_show_my_followups_due_soon_or_overdue_until_attempted(client, work):
    people, _, followups = work
    login(client, people["clinician"])

    home = client.get("/field/").get_data(as_text=True)
    badge = home[home.index('id="reminder-badge"'):]
    assert '<span class="reminder-count has-reminders">2</span>' in badge[:300]
    page = client.get("/field/reminders").get_data(as_text=True)
    assert f'id="reminder-{followups["soon"].id}"' in page and f'id="reminder-{followups["overdue"].id}"' in page
    assert f'reminder-{followups["later"].id}' not in page and f'reminder-{followups["others"].id}' not in page
    assert page.index(str(followups["overdue"].id)) < page.index(str(followups["soon"].id))  # overdue first

    _attempt(people["clinician"], followups["overdue"])
    care.update_followup(actor=people["clinician"], followup=followups["soon"], data={"outcome": "reached_engaged"},
                         expected_version=None)
    assert '<span class="reminder-count">0</span>' in client.get("/field/followups").get_data(as_text=True)
    assert 'id="no-reminders"' in client.get("/field/reminders").get_data(as_text=True)


@pytest.mark.parametrize("role", ["partner", "admin"])
def test_other_roles_are_refused_the_reminder_list(client, make, role):
    _, _, people = make.unit()
    login(client, people[role])
    assert client.get("/field/reminders").status_code == 403


def test_the_reminder_list_needs_a_login(client):
    response = client.get("/field/reminders")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_send_emails_each_assignee_once_with_a_link_and_no_details(client, runner, work, smtp_server):
    people, other, _ = work
    # Positive control: the signed-in list does show the call's incident number.
    login(client, people["clinician"])
    assert "C26-777" in client.get("/field/reminders").get_data(as_text=True)

    result = runner.invoke(args=["reminders", "send"])

    assert result.exit_code == 0, result.output
    assert "2 message(s) sent covering 3 reminder(s)" in result.output
    by_recipient = {message["To"]: message for message in smtp_server.messages}
    assert set(by_recipient) == {people["clinician"].email, other.email}
    mine = by_recipient[people["clinician"].email]
    body = mine.get_content()
    assert mine["From"] == "mhu@agency.test" and mine["Subject"] == "MHU: follow-ups need your attention"
    assert mine["Date"] and mine["Message-ID"].endswith("@agency.test>")
    assert "1 overdue, 1 due within 12 hours" in body
    assert "https://mhu.agency.test/field/reminders" in body
    for secret in ("Dana", "Whitfield", "C26-777", "private", "mh_crisis", "crisis"):
        assert secret not in body and secret not in mine["Subject"]

    again = runner.invoke(args=["reminders", "send"])
    assert again.exit_code == 0 and "0 message(s) sent" in again.output
    assert len(smtp_server.messages) == 2


def test_an_attempt_stops_the_reminder_and_overdue_follows_due_soon(runner, work, smtp_server):
    people, other, followups = work
    _attempt(people["clinician"], followups["overdue"])

    runner.invoke(args=["reminders", "send"])
    mine = [m for m in smtp_server.messages if m["To"] == people["clinician"].email]
    assert len(mine) == 1 and "1 due within 12 hours" in mine[0].get_content() and "overdue" not in mine[0].get_content()

    # Later the follow-up passes its due time unattempted: one overdue reminder, once.
    later = utcnow() + timedelta(hours=6)
    reminders.send_due(now=later)
    reminders.send_due(now=later)
    mine = [m for m in smtp_server.messages if m["To"] == people["clinician"].email]
    assert len(mine) == 2 and "1 overdue" in mine[1].get_content()
    kinds = set(db.session.execute(sa.select(FollowupReminder.followup_id, FollowupReminder.kind)))
    assert (followups["overdue"].id, "overdue") not in kinds  # attempted before any reminder


def test_an_unreachable_server_leaves_reminders_unsent_and_the_next_run_sends_them(runner, work, mail_config):
    people, _, _ = work

    failed = runner.invoke(args=["reminders", "send"])

    assert failed.exit_code == 1
    assert "2 message(s) NOT sent; they will be retried on the next run" in failed.output
    assert "ConnectionRefusedError" in failed.output
    rows = db.session.scalars(sa.select(FollowupReminder)).all()
    assert len(rows) == 3 and all(r.sent_at is None and r.claimed_at is None and r.failures == 1 for r in rows)

    from aiosmtpd.controller import Controller
    from tests.reminders.conftest import Inbox

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=mail_config)
    controller.start()
    try:
        retried = runner.invoke(args=["reminders", "send"])
    finally:
        controller.stop()
    assert retried.exit_code == 0 and len(inbox.messages) == 2
    db.session.expire_all()
    assert all(r.sent_at is not None for r in db.session.scalars(sa.select(FollowupReminder)))


def test_two_runs_at_once_send_each_reminder_once(app, work, smtp_server):
    """Concurrency: the claim is one UPDATE ... RETURNING, so of two runs started together only one
    sends each reminder (on PostgreSQL the second waits for the first's row locks)."""
    start = threading.Barrier(2)
    results, errors = [], []

    class SlowMailer(reminders.Mailer):
        def send(self, message):
            threading.Event().wait(0.2)  # hold the claim while the other run looks
            super().send(message)

    def run():
        try:
            with app.app_context():
                start.wait()
                results.append(reminders.send_due(mailer=SlowMailer(app.config)))
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert not errors
    assert sum(r.sent_reminders for r in results) == 3
    assert len(smtp_server.messages) == 2
    assert sorted(m["To"] for m in smtp_server.messages) == sorted({m["To"] for m in smtp_server.messages})


def test_claims_made_at_the_same_moment_never_share_a_reminder(app, work):
    now = utcnow()
    reminders.queue(now)
    start = threading.Barrier(4)
    claimed, errors = [], []

    def claim():
        try:
            with app.app_context():
                start.wait()
                claimed.append(reminders.claim(now))
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    ids = [row[0] for rows in claimed for row in rows]
    assert not errors and len(claimed) == 4
    assert len(ids) == 3 and len(set(ids)) == 3


def test_without_an_smtp_host_the_command_says_so_and_fails(app, runner, work, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", None)

    result = runner.invoke(args=["reminders", "send"])

    assert result.exit_code == 1 and "MHU_SMTP_HOST is not set" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowupReminder)
                             .where(FollowupReminder.sent_at.is_(None))) == 3


def test_a_due_soon_reminder_left_unsent_is_not_sent_once_overdue(app, runner, work, smtp_server, smtp_port,
                                                                   monkeypatch):
    people, _, followups = work
    monkeypatch.setitem(app.config, "SMTP_PORT", 1)  # nothing listens there: this run fails
    assert runner.invoke(args=["reminders", "send"]).exit_code == 1
    monkeypatch.setitem(app.config, "SMTP_PORT", smtp_port)

    reminders.send_due(now=utcnow() + timedelta(hours=6))  # the "soon" one is overdue by now

    mine = [m for m in smtp_server.messages if m["To"] == people["clinician"].email]
    assert len(mine) == 1 and "2 overdue" in mine[0].get_content() and "due within" not in mine[0].get_content()
    unsent = db.session.scalars(sa.select(FollowupReminder.kind).where(
        FollowupReminder.followup_id == followups["soon"].id, FollowupReminder.sent_at.is_(None))).all()
    assert unsent == ["due_soon"]
