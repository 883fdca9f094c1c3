"""Outcome classes: every disposition in exactly one class, fixed colours, distinct colours."""

from mhu import enums
from mhu.services import outcomes


def test_every_disposition_belongs_to_exactly_one_class():
    members = [d for outcome in outcomes.OUTCOME_CLASSES for d in outcome.dispositions]

    assert len(members) == len(set(members))
    assert set(enums.DISPOSITIONS) <= set(members)


def test_classes_are_few_with_distinct_fixed_colours():
    colours = [outcome.colour for outcome in outcomes.OUTCOME_CLASSES]

    assert len(outcomes.OUTCOME_CLASSES) <= 8
    assert len(set(colours)) == len(colours)
    assert outcomes.BY_KEY["arrest_or_citation"].colour == "#D55E00"


def test_missing_disposition_is_other_and_unknown_codes_too():
    assert outcomes.outcome_class(None) == "other"
    assert outcomes.outcome_class("arrest") == "arrest_or_citation"
    assert outcomes.followup_group("reached_declined") == "not_completed"
    assert outcomes.followup_group("linked_appointment_kept") == "completed"
