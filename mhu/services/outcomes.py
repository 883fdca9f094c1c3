"""Outcome classes: the few groups every chart and report shows dispositions in, each with one
fixed colour.

Sixteen dispositions do not fit a colour-blind-safe palette, and a commander asks "how many were
resolved in the community, how many went to the ED or to jail", not which of five community
dispositions it was. Every disposition belongs to exactly one class (tested); the disposition
itself stays available as the detail. Colours are Okabe & Ito's, safe under the common forms of
colour blindness, and the same on every page and in every report.
"""

from __future__ import annotations

from dataclasses import dataclass

NO_DISPOSITION = "missing"


@dataclass(frozen=True)
class OutcomeClass:
    key: str
    label: str
    colour: str
    dispositions: tuple[str, ...]


# In reading order, from the community end to the justice end; "not reached" and "other" last.
OUTCOME_CLASSES: tuple[OutcomeClass, ...] = (
    OutcomeClass("resolved_in_community", "Resolved in community", "#009E73",
                 ("resolved_on_scene", "resources_declined", "notified_provider_or_family", "courtesy_transport")),
    OutcomeClass("referral_or_handoff", "Referral or hand-off", "#56B4E9",
                 ("resolved_with_referral", "handoff_mobile_crisis", "referred_to_other_agency")),
    OutcomeClass("crisis_facility", "Crisis facility", "#0072B2", ("voluntary_transport_crisis_facility",)),
    OutcomeClass("ed_or_detention", "Emergency department or detention", "#E69F00",
                 ("voluntary_transport_ed", "ems_medical_transport", "emergency_detention")),
    OutcomeClass("arrest_or_citation", "Arrest or citation", "#D55E00", ("arrest", "citation_or_summons")),
    OutcomeClass("not_reached", "Not reached", "#7F7F7F", ("unable_to_locate", "cancelled_before_arrival")),
    OutcomeClass("other", "Other or not recorded", "#CC79A7", ("no_action_possible", NO_DISPOSITION)),
)
BY_KEY = {outcome.key: outcome for outcome in OUTCOME_CLASSES}
CLASS_OF = {disposition: outcome.key for outcome in OUTCOME_CLASSES for disposition in outcome.dispositions}

# Follow-up results, grouped the same way for the flow chart.
FOLLOWUP_GROUPS = (
    ("completed", "Follow-up completed", ("reached_engaged", "linked_appointment_kept")),
    ("not_completed", "Follow-up closed, not completed", ()),  # every other closed outcome
    ("open", "Follow-up open", ("open",)),
    ("no_followup", "No follow-up", ("no_followup",)),
)


def outcome_class(disposition: str | None) -> str:
    """The class key of a disposition (None: not recorded -> 'other')."""
    return CLASS_OF.get(disposition or NO_DISPOSITION, "other")


def followup_group(outcome: str) -> str:
    """The group of a call's follow-up state as outcome_flow reports it."""
    for key, _, members in FOLLOWUP_GROUPS:
        if outcome in members:
            return key
    return "not_completed"
