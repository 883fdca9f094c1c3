"""Drill-down lists hold exactly the calls a count counts (known answers, both databases)."""

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AuditEvent
from mhu.services import metrics
from mhu.services.metrics import drilldown
from tests.factories import add_call, add_person, filters_for, outcome_calls, utc, void


def test_each_rate_numerator_and_base_lists_as_many_calls_as_it_counts(unit):
    agency, _, officer = unit
    outcome_calls(officer)
    filters = filters_for(agency)
    rates = metrics.summary(filters=filters)

    for key in ("arrest_rate", "jail_diversion_rate", "diversion_from_arrest", "ed_use", "use_of_force_rate",
                "connection_to_services", "emergency_detention_rate", "resolved_in_community"):
        assert drilldown.calls(actor=officer, filters=filters, subset=key)["total"] == rates[key]["numerator"], key
        assert drilldown.calls(actor=officer, filters=filters, subset=f"{key}:base")["total"] == \
            rates[key]["denominator"], key


def test_quality_checks_and_classes_list_the_matching_calls(unit):
    agency, _, officer = unit
    add_call(officer, utc(2026, 3, 10, 15), disposition=None, incident_number="Q-1")
    add_call(officer, utc(2026, 3, 11, 15), disposition="arrest", incident_number="Q-2")
    gone = add_call(officer, utc(2026, 3, 12, 15), disposition=None, incident_number="Q-3")
    void(officer, gone)
    filters = filters_for(agency)

    missing = drilldown.calls(actor=officer, filters=filters, subset="missing_disposition")
    arrests = drilldown.calls(actor=officer, filters=filters, subset="class:arrest_or_citation")
    other = drilldown.calls(actor=officer, filters=filters, subset="class:other")

    assert [row["incident_number"] for row in missing["rows"]] == ["Q-1"]  # the voided call is not in C
    assert missing["total"] == metrics.data_quality(filters=filters)["missing_disposition"] == 1
    assert [row["incident_number"] for row in arrests["rows"]] == ["Q-2"]
    assert [row["incident_number"] for row in other["rows"]] == ["Q-1"]


def test_unknown_subset_is_none_and_a_list_is_audited(unit):
    agency, _, officer = unit
    add_call(officer, utc(2026, 3, 10, 15))

    assert drilldown.calls(actor=officer, filters=filters_for(agency), subset="nonsense") is None
    assert drilldown.calls(actor=officer, filters=filters_for(agency), subset="calls")["total"] == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "call.list")) == 1


def test_person_based_counts_list_the_contacts_behind_them(unit):
    agency, _, officer = unit
    often, once = add_person(officer, "Ana Reyes"), add_person(officer, "Ben Okafor")
    for day, number in ((2, "P-1"), (9, "P-2"), (16, "P-3"), (23, "P-4")):
        add_call(officer, utc(2026, 3, day, 15), person_id=often.id, incident_number=number)
    add_call(officer, utc(2026, 3, 12, 15), person_id=once.id, incident_number="P-5")
    add_call(officer, utc(2026, 3, 13, 15), person_id=once.id, incident_number="P-6", disposition="unable_to_locate")
    add_call(officer, utc(2026, 3, 14, 15), incident_number="P-7")
    filters = filters_for(agency)
    repeat = metrics.repeat_metrics(filters=filters)

    def listed(subset):
        result = drilldown.calls(actor=officer, filters=filters, subset=subset)
        return result["total"], sorted(row["incident_number"] for row in result["rows"])

    assert listed("repeat_call_share") == (repeat["repeat_call_share"]["numerator"], ["P-2", "P-3", "P-4"])
    assert listed("repeat_call_share:base") == (repeat["repeat_call_share"]["denominator"],
                                                ["P-1", "P-2", "P-3", "P-4", "P-5"])
    assert listed("repeat_contact_rate") == listed("repeat_call_share")
    assert metrics.high_utilizers(filters=filters) == 1
    assert listed("high_utilizers") == (4, ["P-1", "P-2", "P-3", "P-4"])
    assert drilldown.calls(actor=officer, filters=filters, subset="high_utilizers:nonsense") is None
