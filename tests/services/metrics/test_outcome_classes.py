"""Outcome classes per month and the class flow: known answers on both databases."""

from datetime import date

from mhu.services import metrics
from tests.factories import add_call, add_followup, filters_for, utc


def test_outcome_class_series_counts_each_class_per_month_with_zeros(unit):
    agency, _, officer = unit
    add_call(officer, utc(2026, 2, 10, 15), disposition="arrest")
    add_call(officer, utc(2026, 2, 11, 15), disposition="citation_or_summons")
    add_call(officer, utc(2026, 3, 10, 15), disposition="resolved_on_scene")
    add_call(officer, utc(2026, 3, 11, 15), disposition="courtesy_transport")
    add_call(officer, utc(2026, 3, 12, 15), disposition="emergency_detention", legal_hold_type="5150")
    add_call(officer, utc(2026, 3, 13, 15), disposition=None)

    rows = metrics.outcome_class_series(filters=filters_for(agency, date(2026, 2, 1), date(2026, 3, 31)))
    counts = {(row["period"], row["outcome_class"]): row["count"] for row in rows}

    assert len(rows) == 2 * 7  # every class in every month
    assert counts[("2026-02-01", "arrest_or_citation")] == 2
    assert counts[("2026-03-01", "resolved_in_community")] == 2
    assert counts[("2026-03-01", "ed_or_detention")] == 1
    assert counts[("2026-03-01", "other")] == 1
    assert counts[("2026-03-01", "arrest_or_citation")] == 0


def test_outcome_class_flow_groups_links_and_keeps_the_dispositions(unit):
    agency, _, officer = unit
    first = add_call(officer, utc(2026, 3, 10, 15), disposition="resolved_on_scene", sim_intercept=1)
    add_call(officer, utc(2026, 3, 11, 15), disposition="notified_provider_or_family", sim_intercept=1)
    add_call(officer, utc(2026, 3, 12, 15), disposition="arrest", sim_intercept=1)
    add_followup(officer, first, method="phone")

    links = metrics.outcome_class_flow(filters=filters_for(agency))

    assert [(l["intercept"], l["outcome_class"], l["followup"], l["count"]) for l in links] == [
        (1, "resolved_in_community", "open", 1),
        (1, "resolved_in_community", "no_followup", 1),
        (1, "arrest_or_citation", "no_followup", 1),
    ]
    assert links[1]["dispositions"] == {"notified_provider_or_family": 1}
