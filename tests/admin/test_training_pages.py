"""The CIT training page (/admin/training): supervisors and administrators see the roster, add and
remove records, upload a roster CSV and read the two CIT shares per month; nobody else opens it."""

import io
import json

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AuditEvent, CitTraining
from mhu.services import training
from tests.factories import add_call, signed_in_browser, utc

COURSE = {"course": "CIT 40-hour basic", "hours": "40", "completed_on": "2026-02-10", "certifying_body": "State POST"}



def records():
    return db.session.scalar(sa.select(sa.func.count()).select_from(CitTraining))


def actions():
    return sorted(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("training.%"))))


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_maintainers_see_the_roster_with_records_and_the_forty_hour_mark(app, make, role):
    _, _, people = make.unit()
    officer, supervisor = people["officer"], people["supervisor"]
    training.create_training(actor=supervisor, user_id=officer.id, data={**COURSE, "hours": 24})
    training.create_training(actor=supervisor, user_id=officer.id, data={
        "course": "CIT advanced", "hours": 16, "completed_on": "2026-03-01", "certifying_body": None})

    response = signed_in_browser(app, people[role]).get("/admin/training")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "CIT 40-hour basic" in page and "CIT advanced" in page and "State POST" in page and "2026-02-10" in page
    assert officer.email in page and supervisor.email in page
    assert people["clinician"].email not in page  # only sworn members (officers and supervisors)
    # 24 + 16 hours: the officer has 40 hours; the supervisor none.
    assert f'data-officer="{officer.id}" data-trained="yes"' in page
    assert f'data-officer="{supervisor.id}" data-trained="no"' in page


@pytest.mark.parametrize("role", ["officer", "clinician", "partner"])
def test_other_roles_get_403(app, make, role):
    _, _, people = make.unit()
    browser = signed_in_browser(app, people[role])

    assert browser.get("/admin/training").status_code == 403
    assert browser.post("/admin/training", data={"csrf_token": "t", **COURSE}).status_code == 403
    assert browser.post("/admin/training/import", data={"csrf_token": "t"}).status_code == 403
    assert records() == 0


def test_anonymous_visitors_are_sent_to_log_in(app):
    response = app.test_client().get("/admin/training")

    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_adding_a_record_saves_audits_and_redirects(app, make):
    _, _, people = make.unit()
    browser = signed_in_browser(app, people["supervisor"])

    response = browser.post("/admin/training", data={"csrf_token": "t", "user_id": str(people["officer"].id), **COURSE})

    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/training")
    saved = db.session.scalar(sa.select(CitTraining))
    assert (saved.user_id, saved.course, saved.hours, str(saved.completed_on), saved.certifying_body) == (
        people["officer"].id, "CIT 40-hour basic", 40.0, "2026-02-10", "State POST")
    assert actions() == ["training.create"]
    assert "Recorded CIT 40-hour basic" in browser.get("/admin/training").get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("hours", "0", "Hours must be a number above 0"),
    ("hours", "0.001", "Hours must be a number above 0"),  # rounds to 0.00: refused, not a database error
    ("hours", "forty", "Hours must be a number above 0"),
    ("completed_on", "2026-02-30", "A date as YYYY-MM-DD."),
    ("completed_on", "2999-01-01", "no future dates"),
    ("course", "", "Name the course"),
    ("certifying_body", "x" * 201, "At most 200 characters."),
    ("user_id", "", "Choose one of the listed officers."),
    ("user_id", "99999999999999", "Choose one of the listed officers."),
])
def test_bad_input_is_a_422_with_the_message_at_its_field_and_the_input_kept(app, make, field, value, message):
    _, _, people = make.unit()
    browser = signed_in_browser(app, people["admin"])
    form = {"csrf_token": "t", "user_id": str(people["officer"].id), **COURSE, field: value}

    response = browser.post("/admin/training", data=form)
    page = response.get_data(as_text=True)

    assert response.status_code == 422, page[:300]
    assert f'id="{field}-error"' in page and message in page
    assert 'aria-invalid="true"' in page
    if field != "course":
        assert 'value="CIT 40-hour basic"' in page  # what was typed is still there
    assert records() == 0


def test_a_clinician_or_another_agencys_officer_cannot_be_given_a_record(app, make):
    _, _, people = make.unit()
    _, _, others = make.unit()
    browser = signed_in_browser(app, people["supervisor"])

    for user in (people["clinician"], others["officer"]):
        response = browser.post("/admin/training", data={"csrf_token": "t", "user_id": str(user.id), **COURSE})
        assert response.status_code == 422 and 'id="user_id-error"' in response.get_data(as_text=True)
    assert records() == 0


def test_the_same_course_twice_is_a_409_naming_the_course(app, make):
    _, _, people = make.unit()
    browser = signed_in_browser(app, people["supervisor"])
    form = {"csrf_token": "t", "user_id": str(people["officer"].id), **COURSE}
    browser.post("/admin/training", data=form)

    response = browser.post("/admin/training", data=form)

    assert response.status_code == 409 and "Already recorded" in response.get_data(as_text=True)
    assert records() == 1


def test_a_form_without_the_csrf_token_is_refused(app, make):
    _, _, people = make.unit()
    browser = signed_in_browser(app, people["supervisor"])

    response = browser.post("/admin/training", data={"user_id": str(people["officer"].id), **COURSE})

    assert response.status_code in (400, 403) and records() == 0


def test_deleting_a_record_audits_it_and_another_agencys_is_missing(app, make):
    _, _, people = make.unit()
    _, _, others = make.unit()
    mine = training.create_training(actor=people["supervisor"], user_id=people["officer"].id, data=COURSE)
    theirs = training.create_training(actor=others["supervisor"], user_id=others["officer"].id, data=COURSE)
    browser = signed_in_browser(app, people["admin"])

    assert browser.post(f"/admin/training/{theirs.id}/delete", data={"csrf_token": "t"}).status_code == 404
    assert browser.get(f"/admin/training/{mine.id}/delete").status_code == 405
    response = browser.post(f"/admin/training/{mine.id}/delete", data={"csrf_token": "t"})

    assert response.status_code == 302
    assert db.session.scalar(sa.select(CitTraining.id)) == theirs.id
    assert actions() == ["training.create", "training.create", "training.delete"]
    assert "Removed CIT 40-hour basic" in browser.get("/admin/training").get_data(as_text=True)


def upload(browser, text, name="roster.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return browser.post("/admin/training/import", data={"csrf_token": "t", "roster": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")


def test_a_roster_upload_adds_rows_and_lists_each_rejected_row(app, make):
    _, _, people = make.unit()
    browser = signed_in_browser(app, people["supervisor"])
    roster = ("\ufeffemail,course,hours,completed_on,certifying_body\n"
              f"{people['officer'].email.upper()},CIT basic,40,2025-05-01,State POST\n"
              "ghost@example.test,CIT basic,40,2025-05-01,\n"
              f"{people['supervisor'].email},CIT basic,many,2025-05-01,\n")

    response = upload(browser, roster)
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "1 row added" in page and "0 rows already recorded" in page and "2 rows rejected" in page
    assert "Line 3" in page and "ghost@example.test" in page
    assert "Line 4" in page and "Hours must be a number" in page
    assert records() == 1 and actions() == ["training.import"]
    # The same file again adds nothing: the row is already recorded.
    again = upload(browser, roster).get_data(as_text=True)
    assert "0 rows added" in again and "1 row already recorded" in again and records() == 1


@pytest.mark.parametrize("body, message", [
    ("name,hours\nPat,40\n", "The CSV header lacks email, course, completed_on"),
    (b"email,course,hours,completed_on\n\xff\xfe,x,1,2025-01-01\n", "UTF-8"),
    ("email,course,hours,completed_on\na@example.test,x\x00y,1,2025-01-01\n", "NUL"),
    ("", "The CSV header lacks"),
])
def test_an_unusable_roster_file_is_a_422_and_saves_nothing(app, make, body, message):
    _, _, people = make.unit()

    response = upload(signed_in_browser(app, people["supervisor"]), body)

    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert records() == 0


def test_an_upload_without_a_file_is_a_422(app, make):
    _, _, people = make.unit()

    response = signed_in_browser(app, people["supervisor"]).post("/admin/training/import", data={"csrf_token": "t"})

    assert response.status_code == 422 and 'id="roster-error"' in response.get_data(as_text=True)


def test_the_shares_table_shows_both_shares_per_month_for_supervisors(app, make):
    _, _, people = make.unit()
    training.create_training(actor=people["supervisor"], user_id=people["officer"].id, data=COURSE)
    add_call(people["officer"], utc(2026, 1, 5, 15), cit_officer_on_scene=True)
    add_call(people["officer"], utc(2026, 1, 6, 15))
    add_call(people["officer"], utc(2026, 3, 7, 15), cit_officer_on_scene=True)

    response = signed_in_browser(app, people["supervisor"]).get("/admin/training?from=2026-01&to=2026-03")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    rows = page.split('<tbody id="shares-rows">', 1)[1].split("</tbody>", 1)[0]
    cells = [cell.split(">", 1)[1].split("<", 1)[0] for cell in rows.split("<t")[1:] if cell[:1] in "dh"]
    assert cells == ["2026-01", "0.0 %", "0 of 2", "50.0 %", "1 of 2",
                     "2026-02", "50.0 %", "1 of 2", "–", "0 of 0",
                     "2026-03", "50.0 %", "1 of 2", "100.0 %", "1 of 1"]
    assert "<svg" in page and 'role="img"' in page  # the chart, drawn on the server


def test_administrators_see_the_officer_share_but_not_the_call_share(app, make):
    _, _, people = make.unit()
    training.create_training(actor=people["supervisor"], user_id=people["officer"].id, data=COURSE)
    add_call(people["officer"], utc(2026, 1, 5, 15), cit_officer_on_scene=True)

    page = signed_in_browser(app, people["admin"]).get("/admin/training?from=2026-01&to=2026-02").get_data(as_text=True)

    rows = page.split('<tbody id="shares-rows">', 1)[1].split("</tbody>", 1)[0]
    assert "2026-02" in rows and "50.0 %" in rows and "1 of 2" in rows
    assert "with a CIT-trained officer on scene" not in page  # calls are not an administrator's to read


@pytest.mark.parametrize("query, field", [("from=2026-13", "from"), ("from=2026-05&to=2026-01", "to"),
                                          ("from=2000-01&to=2026-01", "from"), ("to=soon", "to")])
def test_a_bad_month_range_is_a_422_naming_the_field(app, make, query, field):
    _, _, people = make.unit()

    response = signed_in_browser(app, people["supervisor"]).get(f"/admin/training?{query}")

    assert response.status_code == 422 and f'id="{field}-error"' in response.get_data(as_text=True)


def test_the_navigation_links_the_page_for_maintainers_only(app, make):
    _, _, people = make.unit()

    assert 'href="/admin/training"' in signed_in_browser(app, people["admin"]).get("/admin/").get_data(as_text=True)
    assert 'href="/admin/training"' in signed_in_browser(app, people["supervisor"]).get("/admin/teams").get_data(as_text=True)
    assert 'href="/admin/training"' not in signed_in_browser(app, people["officer"]).get("/account/sessions").get_data(as_text=True)


def test_the_dashboard_links_the_page_for_supervisors(app, make):
    _, _, people = make.unit()

    supervisor = json.dumps(signed_in_browser(app, people["supervisor"]).get("/dashboard/_dash-layout").json)
    officer = json.dumps(signed_in_browser(app, people["officer"]).get("/dashboard/_dash-layout").json)

    assert '"href": "/admin/training"' in supervisor and "/admin/training" not in officer
