"""The tablet workflow in Chromium at 800x1280: logging a call, subject search, follow-ups and notes,
and the offline queue (encrypted on the device, sent once, 422s shown for correction)."""

import re
import time

import pytest

from tests.browser.conftest import TABLET, browser_login, follow, screenshot
from tests.factories import PASSWORD, call_payload

pytestmark = pytest.mark.browser
CALL_PAGE = re.compile(r"/field/calls/[0-9a-f-]{36}(\?saved=1)?$")


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": TABLET, "has_touch": True}


class Counter:
    """Counts what a user does: taps (clicks, checks) and typed fields."""

    def __init__(self, page):
        self.page = page
        self.taps = 0
        self.typed = 0

    def tap(self, locator):
        locator.click()
        self.taps += 1

    def type(self, locator, text):
        locator.fill(text)
        self.typed += 1

    @property
    def total(self):
        return self.taps + self.typed


def toggle(page, group, text):
    return page.locator(f"#fs-{group} label.toggle", has_text=text).first


def server_calls(api_client):
    return api_client.get("/api/v1/calls?per_page=100").json["items"]


def wait_until(predicate, timeout=20.0):
    """Poll until predicate() is truthy; the last value is returned (asserted by the caller)."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(0.25)
        value = predicate()
    return value


def test_subject_search_finds_a_misspelled_name_with_prior_contacts(live_server, page, make, api, console_errors):
    _, _, people = make.unit()
    officer = api(people["officer"])
    person = officer.post("/api/v1/persons", json={
        "first_name": "Bartholomew", "last_name": "Szczepanski", "date_of_birth": "1975-09-03",
        "safety_flags": ["weapons_history"],
    }).json
    officer.post("/api/v1/calls", json=call_payload(person_id=person["id"], disposition="voluntary_transport_ed"))
    browser_login(page, live_server, people["officer"], PASSWORD)
    page.goto(f"{live_server}/field/calls/new")

    page.get_by_label("Subject name").fill("Bartolomew Szczepansky")
    page.get_by_label("Subject name").press("Enter")
    card = page.locator(".candidate").first
    card.wait_for()

    text = card.inner_text()
    assert "Bartholomew Szczepanski" in text
    assert "weapons history" in text
    assert "voluntary transport ed" in text.lower()
    assert "1 prior contact" in text
    screenshot(page, "field-subject-search")
    assert console_errors == []


def test_clinician_records_attempt_referral_and_note_and_officer_cannot_open_it(live_server, page, make, api, console_errors):
    _, _, people = make.unit()
    call = api(people["officer"]).post("/api/v1/calls", json=call_payload(followup_required=True)).json
    browser_login(page, live_server, people["clinician"], PASSWORD)

    follow(page, page.get_by_role("link", name="Follow-up queue"))
    follow(page, page.get_by_role("link", name="Overdue", exact=True))  # the call of March is long overdue
    item = page.locator(f"#followup-{api(people['clinician']).get('/api/v1/followups').json['items'][0]['id']}")
    assert "Overdue" in item.inner_text()
    item.get_by_text("Record an attempt").click()
    item.locator("label.toggle", has_text="Phone").click()
    item.get_by_label("Reached the person").check()
    item.get_by_role("button", name="Record attempt").click()
    page.locator("#followup-list", has_text="Phone · reached").wait_for()
    item = page.locator(".followup").first
    item.get_by_text("Add a referral").click()
    item.get_by_label("Referral type").select_option("crisis_stabilization")
    item.get_by_label("Partner (organisation)").fill("County Crisis Center")
    item.get_by_label("Warm hand-off").check()
    item.get_by_role("button", name="Add referral").click()
    page.locator("#followup-list", has_text="County Crisis Center").wait_for()
    screenshot(page, "field-followups")

    follow(page, page.get_by_role("link", name="Open call").first)
    page.get_by_label("New clinical note").fill("Reports auditory hallucinations; agreed to crisis stabilization.")
    page.get_by_role("button", name="Add note").click()
    page.locator(".note", has_text="auditory hallucinations").wait_for()
    screenshot(page, "field-call-clinician")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")

    browser_login(page, live_server, people["officer"], PASSWORD)
    response = page.goto(f"{live_server}/field/calls/{call['id']}")
    assert response.status == 200
    assert page.get_by_role("heading", name=f"Call {call['incident_number']}").is_visible()
    assert page.get_by_label("Incident (CAD) number").input_value() == call["incident_number"]
    assert "auditory hallucinations" not in page.content()
    assert page.locator("#clinical-notes").count() == 0
    notes = page.request.get(f"{live_server}/api/v1/calls/{call['id']}/notes")
    assert notes.status == 403
    assert console_errors == []


@pytest.fixture
def page_without_service_worker(browser):
    """A tablet page whose requests all reach page.route: a service worker would answer some itself."""
    context = browser.new_context(viewport=TABLET, has_touch=True, service_workers="block")
    yield context.new_page()
    context.close()


def test_a_save_tapped_before_the_form_script_arrives_is_sent_once_it_does(live_server, page_without_service_worker, make, api):
    page = page_without_service_worker
    _, _, people = make.unit()
    browser_login(page, live_server, people["officer"], PASSWORD)
    held = []
    page.route("**/call-form.js", lambda route: held.append(route))  # a weak signal: the form shows, its script is on its way
    sent = []
    page.on("request", lambda request: sent.append(request.url))

    page.goto(f"{live_server}/field/calls/new", wait_until="commit")
    # Only the form's own script is held: the "now" chip is api.js's, which a loaded CI machine
    # could still be fetching when the chip was tapped (the call then had no time to send).
    page.wait_for_function("() => window.MHU && typeof window.MHU.localInputValue === 'function'")
    page.locator('[data-now-for="received_at"]').click()
    toggle(page, "call_source", "On view").click()
    toggle(page, "nature", "Welfare check").click()
    page.get_by_label("Narrative").fill("Tapped Save before the script arrived.")
    page.get_by_role("button", name="Save call").click()
    assert server_calls(api(people["officer"])) == []
    held[0].continue_()

    assert wait_until(lambda: server_calls(api(people["officer"])))
    assert [c["narrative"] for c in server_calls(api(people["officer"]))] == ["Tapped Save before the script arrived."]
    assert not [url for url in sent if "Narrative" in url or "narrative=" in url or "/calls/new?" in url]


def test_a_note_added_without_the_page_script_is_saved_by_a_plain_post(live_server, page_without_service_worker, make, api):
    page = page_without_service_worker
    _, _, people = make.unit()
    call = api(people["officer"]).post("/api/v1/calls", json=call_payload()).json
    browser_login(page, live_server, people["clinician"], PASSWORD)
    page.route("**/api-forms.js", lambda route: route.abort())  # the script never arrives

    page.goto(f"{live_server}/field/calls/{call['id']}")
    page.get_by_label("New clinical note").fill("Reports auditory hallucinations.")
    with page.expect_navigation():
        page.get_by_role("button", name="Add note").click()

    assert page.url.endswith(f"/field/calls/{call['id']}#clinical-notes")
    assert page.get_by_role("alert").filter(has_text="Note added.").is_visible()
    assert page.locator(".note", has_text="auditory hallucinations").is_visible()
    assert [n["body"] for n in api(people["clinician"]).get(f"/api/v1/calls/{call['id']}/notes").json] == [
        "Reports auditory hallucinations."]


OUTBOX_COUNT = "() => MHU.outbox.count()"


def test_offline_save_twice_then_online_sends_exactly_one_call(live_server, page, context, make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    browser_login(page, live_server, people["officer"], PASSWORD)
    page.goto(f"{live_server}/field/calls/new")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker, which has the shell cached
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    context.set_offline(True)
    page.goto(f"{live_server}/field/calls/new")  # airplane mode: served by the service worker
    assert page.locator("#call-form").is_visible()
    page.locator('[data-now-for="received_at"]').click()
    toggle(page, "call_source", "On view").click()
    toggle(page, "nature", "Welfare check").click()
    page.get_by_label("Narrative").fill("Offline entry in a dead zone.")
    save = page.get_by_role("button", name="Save call")
    save.click()
    page.locator("#form-status", has_text="No network").wait_for()
    save.click()  # the double tap
    page.locator("#form-status", has_text="No network").wait_for()

    assert page.evaluate(OUTBOX_COUNT) == 1
    stored = page.evaluate("""() => new Promise((resolve) => {
        const open = indexedDB.open("mhu-field");
        open.onsuccess = () => {
          const tx = open.result.transaction(["outbox", "keys"]);
          const records = tx.objectStore("outbox").getAll();
          const key = tx.objectStore("keys").get("queue-key");
          tx.oncomplete = () => resolve({
            plain: JSON.stringify(records.result[0]),
            isBuffer: records.result[0].data instanceof ArrayBuffer,
            extractable: key.result.extractable, algorithm: key.result.algorithm.name,
          });
        };
      })""")
    assert stored["isBuffer"] and stored["extractable"] is False and stored["algorithm"] == "AES-GCM"
    assert "dead zone" not in stored["plain"] and "welfare" not in stored["plain"]
    assert server_calls(officer) == []
    page.goto(f"{live_server}/field/")  # home, offline: the form answers, with the pending list
    page.locator("[data-status=pending]").wait_for()
    assert "No network: that page needs a connection" in page.locator("#form-status").inner_text()
    screenshot(page, "field-offline-pending")

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")  # as the OS reports signal back
    assert wait_until(lambda: page.evaluate(OUTBOX_COUNT) == 0)
    page.reload()  # the retry on page load finds nothing more to send
    page.wait_for_load_state("networkidle")

    calls = server_calls(officer)
    assert len(calls) == 1
    assert calls[0]["narrative"] == "Offline entry in a dead zone."


def test_a_422_during_sync_is_shown_for_correction_and_can_be_resent(live_server, page, make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    browser_login(page, live_server, people["officer"], PASSWORD)
    # A call kept on the device whose times the server rejects (arrived before dispatched).
    page.evaluate("""() => {
        const minutes = (m) => new Date(Date.now() - m * 60000).toISOString();
        const body = {id: crypto.randomUUID(), received_at: minutes(30), dispatched_at: minutes(20),
                      arrived_at: minutes(25), call_source: "911", nature: "mh_crisis"};
        return MHU.outbox.save(body, crypto.randomUUID()).then(() => MHU.outbox.sync());
      }""")

    item = page.locator("[data-status=needs_correction]")
    item.wait_for()
    assert "Arrival time: Must not be earlier than dispatched" in item.inner_text()
    assert page.evaluate(OUTBOX_COUNT) == 1  # kept, not dropped
    assert "need correction" in page.locator("#sync-status").inner_text()
    screenshot(page, "field-needs-correction")

    item.get_by_role("link", name="Fix and resend").click()
    error = page.locator('[data-error-for="arrived_at"]')
    error.wait_for()
    assert "earlier than" in error.inner_text()
    page.locator('[data-now-for="arrived_at"]').click()
    page.get_by_role("button", name="Save call").click()
    page.wait_for_url(CALL_PAGE)

    assert page.evaluate(OUTBOX_COUNT) == 0
    assert len(server_calls(officer)) == 1


def test_logout_warns_about_unsent_calls_and_clears_the_device(live_server, page, make):
    _, _, people = make.unit()
    browser_login(page, live_server, people["officer"], PASSWORD)
    # An unsendable call (no nature) stays on the device as "needs correction".
    page.evaluate("""() => MHU.outbox.save({id: crypto.randomUUID(), received_at: new Date().toISOString(),
                                            call_source: "911"}, crypto.randomUUID()).then(() => MHU.outbox.sync())""")
    page.locator("[data-status=needs_correction]").wait_for()
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")

    assert dialogs and "1 call(s) on this device have not reached the server" in dialogs[0]
    databases = page.evaluate("() => indexedDB.databases().then((dbs) => dbs.map((d) => d.name))")
    assert "mhu-field" not in databases
    assert page.evaluate("() => caches.keys()") == []


TAPPABLE = """() => Array.from(document.querySelectorAll(
    'button, main a, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea, label.toggle, .check-row label, summary, .row-link'
  )).filter((el) => el.offsetParent !== null)
    .map((el) => ({what: el.outerHTML.slice(0, 80), height: el.getBoundingClientRect().height, width: el.getBoundingClientRect().width}))
    .filter((box) => box.height < 44 || box.width < 44)"""


def test_every_field_page_fits_the_tablet_with_44px_touch_targets(live_server, page, make, api, console_errors):
    _, _, people = make.unit()
    call = api(people["officer"]).post("/api/v1/calls", json=call_payload(disposition=None)).json
    browser_login(page, live_server, people["clinician"], PASSWORD)

    person = api(people["officer"]).post("/api/v1/persons", json={"first_name": "Ada", "last_name": "Moss"}).json
    for path in ("/field/", "/field/calls/new", f"/field/calls/{call['id']}", "/field/followups", f"/field/persons/{person['id']}"):
        page.goto(f"{live_server}{path}")
        page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        assert page.evaluate(TAPPABLE) == [], path
        assert page.evaluate("() => document.documentElement.scrollWidth") <= TABLET["width"], path
    page.goto(f"{live_server}/field/")
    screenshot(page, "field-home-clinician")
    assert console_errors == []


def test_a_call_kept_for_another_user_is_never_sent_under_this_account(live_server, page, make, api):
    _, _, people = make.unit()
    browser_login(page, live_server, people["officer"], PASSWORD)

    page.evaluate("""() => {
        const meta = document.querySelector('meta[name="mhu-user"]');
        const me = meta.content;
        meta.content = "another-user";
        return MHU.outbox.save({id: crypto.randomUUID(), received_at: new Date().toISOString(),
                                call_source: "911", nature: "other"}, crypto.randomUUID())
          .then(() => { meta.content = me; return MHU.outbox.sync(); });
      }""")

    page.get_by_text("Saved by another user").wait_for()
    assert page.evaluate(OUTBOX_COUNT) == 1
    assert server_calls(api(people["officer"])) == []


def test_errors_show_next_to_their_field_from_the_device_and_from_the_server(live_server, page, make):
    _, _, people = make.unit()
    browser_login(page, live_server, people["officer"], PASSWORD)
    page.goto(f"{live_server}/field/calls/new")

    page.get_by_role("button", name="Save call").click()
    assert "Received time is required" in page.locator('[data-error-for="received_at"]').inner_text()
    assert "Call source is required" in page.locator('[data-error-for="call_source"]').inner_text()
    assert "Nature is required" in page.locator('[data-error-for="nature"]').inner_text()

    page.locator('[data-now-for="received_at"]').click()
    toggle(page, "call_source", "911").click()
    toggle(page, "nature", "Disturbance").click()
    # A person id the server does not know: only the server can say so.
    page.evaluate("() => { document.getElementById('person_id').value = crypto.randomUUID(); }")
    page.get_by_role("button", name="Save call").click()
    server_error = page.locator('[data-error-for="person_id"]')
    server_error.get_by_text("No such person").wait_for()
    assert page.locator('[data-error-for="call_source"]').inner_text() == ""
    screenshot(page, "field-new-call-errors")


def test_officer_completes_an_open_call_and_a_stale_edit_is_refused(live_server, page, make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    call = officer.post("/api/v1/calls", json=call_payload(disposition=None, cleared_at=None)).json
    browser_login(page, live_server, people["officer"], PASSWORD)

    follow(page, page.get_by_role("link", name="Complete"))
    page.wait_for_url(CALL_PAGE)
    page.locator('[data-now-for="cleared_at"]').click()
    toggle(page, "disposition", "Resolved on scene").click()
    page.get_by_role("button", name="Save changes").click()
    page.locator("#saved-banner", has_text="Changes saved").wait_for()

    assert officer.get(f"/api/v1/calls/{call['id']}").json["disposition"] == "resolved_on_scene"
    page.goto(f"{live_server}/field/")
    assert page.locator("#open-calls").count() == 0

    page.goto(f"{live_server}/field/calls/{call['id']}")
    page.get_by_text("Edit call details").click()  # complete now: the details open on purpose
    fresh = officer.get(f"/api/v1/calls/{call['id']}")
    officer.patch(f"/api/v1/calls/{call['id']}", json={"narrative": "Edited elsewhere"}, headers={"If-Match": fresh.headers["ETag"]})
    toggle(page, "disposition", "Resources declined").click()
    page.get_by_role("button", name="Save changes").click()
    page.locator("#form-status", has_text="Someone else changed this call").wait_for()
    assert officer.get(f"/api/v1/calls/{call['id']}").json["disposition"] == "resolved_on_scene"
