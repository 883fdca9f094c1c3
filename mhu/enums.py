"""The domain's enumerations (DESIGN.md section 3): the one place their values are written.

Models build CHECK constraints from these tuples, schemas validate against them and the
OpenAPI spec lists them, so a new value is added here and nowhere else.
"""

# `integration`: a service account (CAD feed) that may only post incidents and reads nothing.
ROLES = ("officer", "clinician", "supervisor", "partner", "admin", "integration")
CIT_LEVELS = ("none", "cit_8h", "cit_40h", "advanced")
AGENCY_KINDS = ("law_enforcement", "partner")
TEAM_KINDS = ("co_responder", "clinician_only", "officer_only")

SIM_INTERCEPTS = (0, 1, 2, 3, 4, 5)
SIM_INTERCEPT_NAMES = {
    0: "Community services",
    1: "Law enforcement",
    2: "Initial detention / first court hearing",
    3: "Jails / courts",
    4: "Reentry",
    5: "Community corrections",
}

CALL_SOURCES = (
    "911", "non_emergency", "text_911", "on_view", "officer_request", "988_transfer",
    "crisis_line", "provider_referral", "family_referral", "court_or_jail", "school",
    "scheduled_follow_up",
)
# Sources where a sworn officer responds; drives the default intercept (1 vs 0).
OFFICER_RESPONSE_SOURCES = frozenset(CALL_SOURCES) - {"crisis_line", "988_transfer", "scheduled_follow_up"}

NATURES = (
    "welfare_check", "mh_crisis", "suicide_threat", "suicide_attempt", "intoxicated_person",
    "disturbance", "trespass", "domestic", "criminal", "follow_up", "assist_person", "other",
)
PRESENTING_PROBLEMS = (
    "acute_stress", "psychotic_symptoms", "mood_disorder", "suicidal_ideation", "self_harm",
    "homicidal_ideation", "substance_use", "co_occurring", "cognitive_or_dementia",
    "developmental_disability", "medical_cause_suspected", "unknown",
)
RISK_FLAGS = (
    "weapon_gun", "weapon_knife", "weapon_other", "violence_toward_others",
    "suicide_risk_current", "overdose_or_naloxone", "medical_emergency", "intoxicated",
    "juvenile", "older_adult", "veteran", "unsheltered", "prior_assaultive_history",
)
ARRESTABLE_OFFENSES = ("none", "misdemeanor", "felony", "person_crime")
TRANSFERS = ("none", "911", "988", "crisis_line", "mobile_crisis", "ems")

# Ordered from least to most: metrics compare by position.
FORCE_LEVELS = (
    "none", "verbal_only", "handcuffs_restraint", "physical_control", "less_lethal",
    "deadly_force",
)
INJURY_PARTIES = ("subject", "officer", "clinician", "bystander")
# Ordered from least to most severe.
INJURY_SEVERITIES = ("complaint_of_pain", "minor", "moderate", "serious", "death")

DISPOSITIONS = (
    "resolved_on_scene", "resolved_with_referral", "resources_declined",
    "notified_provider_or_family", "handoff_mobile_crisis",
    "voluntary_transport_crisis_facility", "voluntary_transport_ed", "courtesy_transport",
    "ems_medical_transport", "emergency_detention", "arrest", "citation_or_summons",
    "unable_to_locate", "cancelled_before_arrival", "no_action_possible", "referred_to_other_agency",
)
# The team never reached the person: these calls count in volume but not in C' (DESIGN.md section 5).
NOT_REACHED_DISPOSITIONS = ("unable_to_locate", "cancelled_before_arrival")
# Who responded to a call. patrol_only: a CAD call the unit did not attend (imported for evaluation);
# it stays out of every unit metric and is counted only by the evaluation pages.
RESPONDER_TYPES = ("co_responder", "clinician_only", "officer_only_cit", "patrol_only")
UNIT_RESPONDER_TYPES = ("co_responder", "clinician_only", "officer_only_cit")
# Why the unit did not take a call that was in scope of its eligibility rules.
NOT_TAKEN_REASONS = ("no_unit_available", "outside_hours", "safety_exclusion", "not_requested", "cancelled", "other")

REFERRAL_TYPES = (
    "mh_outpatient_new", "existing_provider", "sud_treatment", "crisis_stabilization",
    "case_management", "housing_shelter", "medical_primary_care", "peer_support",
    "family_support", "veteran_services", "idd_services", "prebooking_diversion",
    "court_diversion", "safety_plan_988", "benefits",
)
REFERRAL_STATUSES = ("made", "accepted", "declined", "linked", "unable")

FOLLOWUP_METHODS = ("phone", "in_person", "outreach_visit", "letter", "text")
FOLLOWUP_OUTCOMES = (
    "reached_engaged", "reached_declined", "linked_appointment_kept",
    "no_contact_after_attempts", "recrisis", "hospitalized", "incarcerated",
    "moved_or_lost", "deceased",
)

AGE_BANDS = ("under_18", "18_24", "25_34", "35_44", "45_54", "55_64", "65_plus", "unknown")
GENDERS = ("female", "male", "nonbinary", "other", "unknown")
HOUSING_STATUSES = ("housed", "unstably_housed", "unsheltered", "sheltered", "institution", "unknown")
# Equity reporting (optional person fields). Race and ethnicity: the 2024 OMB SPD 15 minimum
# categories, several allowed per person (none recorded = "not recorded"). Sex as recorded by the
# responder; "another" for a sex other than female or male; "not_recorded" when nobody asked.
RACE_ETHNICITY = (
    "american_indian_or_alaska_native", "asian", "black_or_african_american", "hispanic_or_latino",
    "middle_eastern_or_north_african", "native_hawaiian_or_other_pacific_islander", "white",
)
SEXES = ("female", "male", "another", "not_recorded")
STORY_STATUSES = ("draft", "approved", "withdrawn")
SAFETY_FLAGS = (
    "weapons_history", "assaultive_history", "flight_risk", "medical_condition",
    "officer_safety_caution", "do_not_approach_alone", "service_animal", "hearing_impaired",
    "limited_english",
)

# Words of a code that are written as acronyms or numbers in labels ("voluntary_transport_ed" ->
# "Voluntary transport ED"). Legal hold codes (EDO, APOWW, 5150, ITA) are stored as written.
ACRONYMS = {
    "ed": "ED", "ems": "EMS", "edo": "EDO", "apoww": "APOWW", "ita": "ITA", "cit": "CIT", "sim": "SIM",
    "mh": "MH", "sud": "SUD", "idd": "IDD", "dmhp": "DMHP", "988": "988", "911": "911", "5150": "5150",
}
# Codes whose label is not their words: units, ranges and phrases the words would garble.
LABELS = {
    "cit_8h": "CIT 8 hours", "cit_40h": "CIT 40 hours", "under_18": "Under 18", "65_plus": "65 and over",
    "18_24": "18–24", "25_34": "25–34", "35_44": "35–44", "45_54": "45–54", "55_64": "55–64",
    "988_transfer": "988 transfer", "text_911": "Text to 911", "non_emergency": "Non-emergency line",
    "notified_provider_or_family": "Notified provider or family", "safety_plan_988": "Safety plan (988)",
    "no_action_possible": "No action possible",
    "american_indian_or_alaska_native": "American Indian or Alaska Native",
    "black_or_african_american": "Black or African American", "hispanic_or_latino": "Hispanic or Latino",
    "middle_eastern_or_north_african": "Middle Eastern or North African",
    "native_hawaiian_or_other_pacific_islander": "Native Hawaiian or Other Pacific Islander",
    "two_or_more": "Two or more races or ethnicities", "another": "Another sex",
}


def label(code) -> str:
    """The display label of an enumeration code, everywhere (pages, dashboard, CSV, reports).

    >>> label("voluntary_transport_ed"), label("EDO"), label("cit_40h"), label(None)
    ('Voluntary transport ED', 'EDO', 'CIT 40 hours', 'Not recorded')
    """
    if code is None or code == "":
        return "Not recorded"
    text = str(code)
    if text in LABELS:
        return LABELS[text]
    words = [ACRONYMS.get(word.lower(), word) for word in text.split("_")]
    first = words[0]
    if first not in ACRONYMS.values():
        first = first[:1].upper() + first[1:]
    return " ".join([first, *words[1:]])


def intercept_label(intercept: int | None) -> str:
    """A SIM intercept as "1 · Law enforcement"."""
    if intercept is None:
        return "Not recorded"
    return f"{intercept} · {SIM_INTERCEPT_NAMES[intercept]}"
