"""Server-side sessions: one record per signed-in device; logout ends only this device; a user sees
and ends their own sessions."""

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import UserSession
from tests.factories import signed_in_browser



def test_logout_ends_only_this_devices_session(app, make):
    user = make.user("officer")
    tablet, laptop = signed_in_browser(app, user, agent="Tablet"), signed_in_browser(app, user, agent="Laptop")
    assert tablet.post("/logout", data={"csrf_token": "t"}).status_code == 302
    assert tablet.get("/field/").status_code == 302
    assert laptop.get("/field/").status_code == 200


def test_a_user_sees_their_devices_with_this_one_marked(app, make):
    user = make.user("clinician")
    signed_in_browser(app, user, agent="Tablet")
    laptop = signed_in_browser(app, user, agent="Laptop")
    devices = laptop.get("/api/v1/me/sessions", headers={"X-CSRFToken": "t"}).json
    assert sorted(d["user_agent"] for d in devices) == ["Laptop", "Tablet"]
    assert [d["user_agent"] for d in devices if d["current"]] == ["Laptop"]
    page = laptop.get("/account/sessions").get_data(as_text=True)
    assert "Laptop <strong>(this device)</strong>" in page and "Tablet" in page


def test_a_user_ends_one_other_device(app, make):
    user = make.user("officer")
    tablet, laptop = signed_in_browser(app, user, agent="Tablet"), signed_in_browser(app, user, agent="Laptop")
    tablet_id = db.session.scalar(sa.select(UserSession.id).where(UserSession.user_agent == "Tablet"))
    assert laptop.delete(f"/api/v1/me/sessions/{tablet_id}", headers={"X-CSRFToken": "t"}).status_code == 204
    assert tablet.get("/field/").status_code == 302 and laptop.get("/field/").status_code == 200
    assert laptop.delete(f"/api/v1/me/sessions/{tablet_id}", headers={"X-CSRFToken": "t"}).status_code == 404


def test_a_user_cannot_end_someone_elses_session(app, make, api):
    user, other = make.user("officer"), make.user("officer")
    signed_in_browser(app, other, agent="Tablet")
    theirs = db.session.scalar(sa.select(UserSession.id).where(UserSession.user_id == other.id))
    assert api(user).delete(f"/api/v1/me/sessions/{theirs}").status_code == 404


def test_sign_out_every_other_device_keeps_this_one(app, make):
    user = make.user("supervisor")
    tablet, laptop = signed_in_browser(app, user, agent="Tablet"), signed_in_browser(app, user, agent="Laptop")
    assert laptop.post("/account/sessions/end", data={"csrf_token": "t", "scope": "others"}).status_code == 302
    assert tablet.get("/api/v1/me").status_code == 401 and laptop.get("/api/v1/me").status_code == 200


def test_sign_out_everywhere_ends_this_device_too(app, make, api):
    user = make.user("partner")
    tablet, laptop = signed_in_browser(app, user, agent="Tablet"), signed_in_browser(app, user, agent="Laptop")
    assert api(user).delete("/api/v1/me/sessions").json == {"ended": 2}
    assert tablet.get("/api/v1/me").status_code == 401 and laptop.get("/api/v1/me").status_code == 401


def test_only_a_hash_of_the_session_key_is_stored(app, make):
    user = make.user("officer")
    browser = signed_in_browser(app, user, agent="Tablet")
    with browser.session_transaction() as session:
        key = session["sid"]
    assert db.session.scalar(sa.select(sa.func.count()).where(UserSession.key_hash == key)) == 0
