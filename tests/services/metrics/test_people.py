"""Known-answer tests for repeat contacts, high utilizers and follow-up metrics."""

from datetime import date, timedelta

from mhu.extensions import db
from mhu.services import care, metrics
from tests.factories import add_call, add_person, filters_for, utc, value, void


def test_repeat_metrics_look_back_across_the_period_start(unit):
    agency, _, officer = unit
    p1, p2, p3, p5 = (add_person(officer, f"Person P{n}") for n in (1, 2, 3, 5))
    add_call(officer, utc(2026, 1, 15, 15), person_id=p1.id)  # before March, within 90 days of the next
    add_call(officer, utc(2026, 3, 5, 15), person_id=p1.id)  # repeat
    add_call(officer, utc(2025, 11, 1, 15), person_id=p2.id)  # more than 90 days before the next
    add_call(officer, utc(2026, 3, 10, 15), person_id=p2.id)  # not a repeat
    add_call(officer, utc(2026, 3, 2, 15), person_id=p3.id)
    add_call(officer, utc(2026, 3, 20, 15), person_id=p3.id)  # repeat
    add_call(officer, utc(2026, 2, 20, 15), person_id=p5.id, disposition="unable_to_locate")  # not a contact
    add_call(officer, utc(2026, 3, 3, 15), person_id=p5.id)  # not a repeat
    add_call(officer, utc(2026, 3, 4, 15))  # no person: outside both metrics

    assert metrics.repeat_call_share(filters=filters_for(agency)) == value(2, 5)
    assert metrics.repeat_contact_rate(filters=filters_for(agency)) == value(2, 4)


def test_voided_previous_call_does_not_make_a_repeat(unit):
    agency, _, officer = unit
    person = add_person(officer)
    void(officer, add_call(officer, utc(2026, 3, 1, 15), person_id=person.id))
    add_call(officer, utc(2026, 3, 9, 15), person_id=person.id)

    assert metrics.repeat_call_share(filters=filters_for(agency)) == value(0, 1)


def test_previous_call_exactly_at_the_window_edge_counts(unit):
    agency, _, officer = unit
    person = add_person(officer)
    add_call(officer, utc(2026, 3, 20, 15) - timedelta(days=90), person_id=person.id)
    add_call(officer, utc(2026, 3, 20, 15), person_id=person.id)

    assert metrics.repeat_call_share(filters=filters_for(agency)) == value(1, 1)


def test_previous_call_of_another_team_counts_as_history(make, unit):
    agency, team, officer = unit
    other = make.team(agency)
    supervisor = make.user("supervisor", agency)
    person = add_person(officer)
    add_call(supervisor, utc(2026, 2, 20, 15), person_id=person.id, team_id=other.id)
    add_call(officer, utc(2026, 3, 9, 15), person_id=person.id)

    only_my_team = filters_for(agency, team_ids=frozenset({team.id}))

    assert metrics.repeat_call_share(filters=only_my_team) == value(1, 1)


def test_high_utilizers_count_contacts_in_the_twelve_months_before_period_end(unit):
    agency, _, officer = unit
    frequent, edge = add_person(officer, "Freq Uent"), add_person(officer, "Ed Ge")
    for when in (utc(2025, 6, 1, 15), utc(2025, 9, 1, 15), utc(2026, 1, 1, 15), utc(2026, 3, 30, 15)):
        add_call(officer, when, person_id=frequent.id)
    for when in (utc(2025, 3, 15, 15), utc(2025, 9, 1, 15), utc(2026, 1, 1, 15), utc(2026, 3, 30, 15)):
        add_call(officer, when, person_id=edge.id)  # the first is more than 12 months before 31 March
    add_call(officer, utc(2026, 2, 1, 15), person_id=edge.id, disposition="unable_to_locate")  # not a contact

    assert metrics.high_utilizers(filters=filters_for(agency)) == 1
    listed = metrics.high_utilizer_list(actor=officer, filters=filters_for(agency))
    assert [(row["person_id"], row["name"], row["contacts"]) for row in listed] == [(frequent.id, "Freq Uent", 4)]


def test_contacts_per_person_distribution_caps_the_last_bucket(unit):
    agency, _, officer = unit
    once, often = add_person(officer, "One Time"), add_person(officer, "Many Times")
    add_call(officer, utc(2026, 3, 2, 15), person_id=once.id)
    for day in range(1, 8):
        add_call(officer, utc(2026, 3, day, 18), person_id=often.id)

    assert metrics.contacts_per_person(filters=filters_for(agency)) == [
        {"contacts": 1, "persons": 1, "or_more": False}, {"contacts": 6, "persons": 1, "or_more": True},
    ]


def _closed_followup(officer, call, *, first_attempt_after, outcome, closed_at):
    followup = care.list_call_followups(actor=officer, call=call)[0]
    cleared = call.cleared_at
    care.record_attempt(actor=officer, followup=followup,
                        data={"attempted_at": cleared + first_attempt_after, "method": "phone", "outcome": outcome})
    followup.closed_at = closed_at  # the service stamps "now"; the test needs a date in the period
    db.session.commit()
    return followup


def test_followup_timeliness_completion_and_recrisis(unit):
    agency, _, officer = unit
    engaged, declined, linked = (add_person(officer, f"Follow Up{n}") for n in (1, 2, 3))
    t = utc(2026, 3, 10, 15)
    call_engaged = add_call(officer, t, person_id=engaged.id, followup_required=True)
    call_declined = add_call(officer, t, person_id=declined.id, followup_required=True)
    call_linked = add_call(officer, t, person_id=linked.id, followup_required=True)
    add_call(officer, t, followup_required=True)  # due in March, never attempted
    void(officer, add_call(officer, t, followup_required=True))  # voided: left out
    _closed_followup(officer, call_engaged, first_attempt_after=timedelta(hours=47), outcome="reached_engaged",
                     closed_at=utc(2026, 3, 13, 15))
    _closed_followup(officer, call_declined, first_attempt_after=timedelta(hours=50), outcome="reached_declined",
                     closed_at=utc(2026, 3, 14, 15))
    _closed_followup(officer, call_linked, first_attempt_after=timedelta(hours=48), outcome="linked_appointment_kept",
                     closed_at=utc(2026, 3, 14, 15))
    add_call(officer, utc(2026, 4, 2, 15), person_id=engaged.id)  # 20 days after the follow-up: re-crisis
    add_call(officer, utc(2026, 4, 20, 15), person_id=linked.id)  # 37 days after: not counted

    march = filters_for(agency)

    assert metrics.followup_timeliness(filters=march) == value(2, 4)
    assert metrics.followup_completion(filters=march) == value(2, 3)
    assert metrics.recrisis_after_followup(filters=march) == value(1, 2)


def test_followup_due_dates_use_local_days(unit):
    agency, _, officer = unit
    # Cleared 22:55 local on 29 March; due 48 h later, 22:55 on 31 March local = 03:55 UTC on 1 April.
    add_call(officer, utc(2026, 3, 30, 3), followup_required=True)

    assert metrics.followup_timeliness(filters=filters_for(agency)) == value(0, 1)
    assert metrics.followup_timeliness(filters=filters_for(agency, date(2026, 4, 1), date(2026, 4, 30))) == value(0, 0)


def test_followup_status_counts_open_due_and_overdue(unit):
    agency, _, officer = unit
    add_call(officer, utc(2026, 3, 10, 15), followup_required=True)
    add_call(officer, utc(2026, 3, 20, 15), followup_required=True)

    status = metrics.followup_status(filters=filters_for(agency), now=utc(2026, 3, 15, 0))

    assert status == {"open_due": 1, "open_overdue": 1, "due_in_period": 2, "closed": 0, "attempted": 0}
