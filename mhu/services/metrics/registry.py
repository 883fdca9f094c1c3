"""Every metric's definition, in one place: what the dashboard, the API docs, the partner tables,
the reports and docs/metrics.md say about a metric all come from here.

The SQL that computes each metric lives beside this module (rates, people); this registry holds
what people read: title, one-sentence definition, unit, which direction is better, and the labels
of the numerator and denominator. Definitions are built from the configured windows (repeat
window, follow-up hours, high-utilizer threshold), so no page writes "90 days" or "48 h" itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from config import Config

RATE, COUNT, DURATION = "rate", "count", "duration"
UP, DOWN, NEITHER = "up", "down", ""
RECRISIS_DAYS = 30  # re-crisis after follow-up looks this many days ahead (DESIGN.md section 5)
C_PRIME = "located calls (C′)"
CIT_HOURS = 40  # hours of CIT training that count an officer as trained (metrics.training)


@dataclass(frozen=True)
class Metric:
    """One metric as people read it; `definition` is a template over the settings."""

    key: str
    title: str
    unit: str
    better: str
    definition: str
    numerator: str = ""
    denominator: str = ""

    def describe(self, settings: dict | None = None) -> str:
        """The one-sentence definition with the configured windows filled in."""
        return self.definition.format(**{**DEFAULT_SETTINGS, **(settings or {})})


DEFAULT_SETTINGS = {
    "repeat_window_days": Config.REPEAT_WINDOW_DAYS,
    "followup_hours": Config.FOLLOWUP_DUE_HOURS,
    "high_utilizer_threshold": Config.HIGH_UTILIZER_THRESHOLD,
    "recrisis_days": RECRISIS_DAYS,
    "cit_hours": CIT_HOURS,
}

EVALUATION_METRICS = [
    Metric("eligible_calls", "Calls in scope", COUNT, NEITHER,
           "Non-voided calls of the agency (any responder) whose nature or CAD call type (final, else initial) is "
           "listed in the eligibility rules and that carry none of the excluding risk flags.", numerator="calls"),
    Metric("eligible_in_hours", "In scope, in service hours", COUNT, NEITHER,
           "Calls in scope received (agency-local weekday and hour) inside one of the unit's service-hour windows; "
           "all of them when no windows are set.", numerator="calls"),
    Metric("unit_requested", "Unit requested", COUNT, NEITHER,
           "Calls in scope and in service hours that the unit took, or whose recorded reason says it was asked but "
           "could not come (no unit available, cancelled).", numerator="calls"),
    Metric("unit_responded", "Unit responded", COUNT, UP,
           "Calls in scope and in service hours that the unit attended (responder co-responder, clinician-only or "
           "CIT officer, not patrol-only).", numerator="calls"),
    Metric("eligible_coverage", "Share of eligible calls taken", RATE, UP,
           "Calls in scope and in service hours that the unit attended / calls in scope and in service hours.",
           "calls the unit attended", "calls in scope and in service hours"),
    Metric("eligible_not_taken", "In-scope calls not taken, by reason", COUNT, DOWN,
           "Calls in scope the unit did not attend, per reason: the recorded reason, else outside hours when "
           "received outside the service windows, else not requested.", numerator="calls"),
    Metric("coverage_gaps", "Coverage gaps", COUNT, DOWN,
           "Calls in scope the unit did not attend, by agency-local weekday x hour and by district.",
           numerator="calls"),
    Metric("unit_vs_patrol_difference", "Unit vs patrol-only difference", "difference", NEITHER,
           "For arrest, use of force, injury, ED use and repeat contact: the unit's proportion over its located "
           "calls in scope minus the patrol-only proportion over the same period, with a 95% Newcombe hybrid score "
           "interval. Observational, not a causal estimate."),
    Metric("before_after_difference", "Before vs after the program start", "difference", NEITHER,
           "The same proportions over all calls in scope in equally long periods after and before a team's program "
           "start date (after − before), with a 95% Newcombe hybrid score interval. Observational, not causal."),
    Metric("avoided_bookings", "Jail bookings avoided", COUNT, UP,
           "Unit arrestable located calls ended without arrest or citation × the patrol-only arrest share of "
           "arrestable in-scope calls (low: its Wilson 95% lower bound; high: every such call).", numerator="bookings"),
    Metric("avoided_ed_visits", "ED visits avoided", COUNT, UP,
           "Unit calls resolved in the community × the patrol-only ED-use rate of located in-scope calls (low and "
           "high: its Wilson 95% bounds).", numerator="visits"),
    Metric("avoided_ems_transports", "EMS transports avoided", COUNT, UP,
           "Unit calls resolved in the community × the patrol-only rate of EMS transport (disposition or hand-off to "
           "EMS) among located in-scope calls (low and high: its Wilson 95% bounds).", numerator="transports"),
    Metric("avoided_cost", "Cost avoided", "amount", UP,
           "Each avoided event count × its unit cost (booking + stay × bed-day + officer hours × hourly cost; ED "
           "visit + officer hours × hourly cost; EMS transport), summed over the lines whose costs are set."),
    Metric("handoff_time", "Hand-off time at a facility", DURATION, DOWN,
           "Median (and 90th percentile) of release − arrival at the ED or crisis facility, per facility, over the "
           "unit's calls with both times."),
]

_METRICS = [
    Metric("call_volume", "Call volume", COUNT, NEITHER,
           "Calls in the period, voided calls excluded (calls where the person was not reached included).",
           numerator="calls"),
    Metric("arrest_rate", "Arrest rate", RATE, DOWN,
           "Located calls ending in arrest / located calls.",
           "located calls ending in arrest", C_PRIME),
    Metric("jail_diversion_rate", "Jail diversion", RATE, UP,
           "Located calls not ending in arrest or citation / located calls (1 − (arrests + citations) / C′).",
           "located calls without arrest or citation", C_PRIME),
    Metric("diversion_from_arrest", "Diversion from arrest", RATE, UP,
           "Located calls with an arrestable offense not ending in arrest or citation / located calls with an "
           "arrestable offense.",
           "arrestable calls without arrest or citation", "located calls with an arrestable offense"),
    Metric("resolved_in_community", "Resolved in community", RATE, UP,
           "Located calls resolved on scene, with a referral, declined, notified provider or family, handed off to "
           "mobile crisis, or voluntarily transported to a crisis facility or by courtesy / located calls.",
           "located calls resolved in the community", C_PRIME),
    Metric("ed_use", "Emergency department use", RATE, DOWN,
           "Located calls ending in a voluntary ED transport, an emergency detention or an EMS transport / located "
           "calls (ED diversion = 1 − this).",
           "located calls ending at an ED or in detention", C_PRIME),
    Metric("emergency_detention_rate", "Emergency detention", RATE, DOWN,
           "Located calls ending in an emergency detention (any legal hold) / located calls.",
           "located calls ending in emergency detention", C_PRIME),
    Metric("connection_to_services", "Connection to services", RATE, UP,
           "Located calls with at least one referral / located calls.",
           "located calls with a referral", C_PRIME),
    Metric("referral_linkage", "Referral linkage", RATE, UP,
           "Referrals on located calls that were linked / referrals made on located calls.",
           "referrals linked", "referrals made"),
    Metric("use_of_force_rate", "Use of force", RATE, DOWN,
           "Located calls with force of physical control or above / located calls.",
           "located calls with physical force or above", C_PRIME),
    Metric("injury_rate", "Injuries", RATE, DOWN,
           "Located calls with an injury of minor severity or worse to anyone / located calls.",
           "located calls with an injury (minor or worse)", C_PRIME),
    Metric("cit_presence", "CIT officer on scene", RATE, UP,
           "Located calls with a CIT-trained officer on scene / located calls.",
           "located calls with a CIT officer on scene", C_PRIME),
    Metric("cit_trained_officers", "Officers with 40-hour CIT training", RATE, UP,
           "Sworn officers (role officer or supervisor, active) with at least {cit_hours} hours of recorded CIT "
           "training completed by the date / sworn officers (today's roster).",
           "sworn officers with 40-hour CIT training", "sworn officers"),
    Metric("call_type_reclassified", "Call type reclassified", RATE, NEITHER,
           "Located calls whose final call type differs from the initial one / located calls with both types "
           "(a measure of dispatch coding).",
           "located calls reclassified", "located calls with both call types"),
    Metric("repeat_contact_rate", "Repeat contacts", RATE, DOWN,
           "Persons with a contact within {repeat_window_days} days after a previous contact of theirs / persons "
           "contacted in the period.",
           "persons with a repeat contact", "persons contacted"),
    Metric("repeat_call_share", "Repeat call share", RATE, DOWN,
           "Located calls whose person had a contact in the {repeat_window_days} days before / located calls with a "
           "person.",
           "located calls that repeat a recent contact", "located calls with a person"),
    Metric("high_utilizers", "High utilizers", COUNT, DOWN,
           "Persons with {high_utilizer_threshold} or more contacts in the 12 months up to the period's last day.",
           numerator="persons"),
    Metric("followup_timeliness", "Follow-up timeliness", RATE, UP,
           "Follow-ups due in the period first attempted within {followup_hours} h of the call clearing / follow-ups "
           "due in the period.",
           "follow-ups attempted in time", "follow-ups due"),
    Metric("followup_completion", "Follow-up completion", RATE, UP,
           "Follow-ups closed in the period as reached and engaged or appointment kept / follow-ups closed.",
           "follow-ups completed", "follow-ups closed"),
    Metric("recrisis_after_followup", "Re-crisis after follow-up", RATE, DOWN,
           "Persons with a new contact within {recrisis_days} days after a completed follow-up / persons with a "
           "follow-up completed in the period.",
           "persons with a new crisis", "persons followed up"),
    Metric("response_time", "Response time", DURATION, DOWN,
           "Median (and 90th percentile) of arrival − dispatch over calls with both times."),
    Metric("response_time_from_received", "Response time from call received", DURATION, DOWN,
           "Median (and 90th percentile) of arrival − call received over calls with both times."),
    Metric("time_on_scene", "Time on scene", DURATION, NEITHER,
           "Median (and 90th percentile) of cleared − arrival over calls with both times."),
    Metric("open_followups_due", "Follow-ups open, not yet due", COUNT, NEITHER,
           "Open follow-ups whose due time is still ahead, counted now.", numerator="follow-ups"),
    Metric("open_followups_overdue", "Follow-ups open and overdue", COUNT, DOWN,
           "Open follow-ups past their due time ({followup_hours} h after the call cleared), counted now.",
           numerator="follow-ups"),
    Metric("missing_disposition", "Calls without a disposition", COUNT, DOWN,
           "Calls in the period with no disposition recorded.", numerator="calls"),
    Metric("missing_intercept", "Calls without an intercept", COUNT, DOWN,
           "Calls in the period with no SIM intercept recorded.", numerator="calls"),
    Metric("missing_times", "Calls missing a time", COUNT, DOWN,
           "Calls in the period missing any of the dispatch, arrival or clear time.", numerator="calls"),
    Metric("missing_person", "Calls without a person", COUNT, DOWN,
           "Calls in the period not linked to a person.", numerator="calls"),
    Metric("late_notes", "Calls with a late clinical note", COUNT, DOWN,
           "Calls with a clinical note written more than 72 h after the call cleared.", numerator="calls"),
    # Program evaluation (services/evaluation, docs/evaluation.md): every call of the agency,
    # patrol-only calls included, against the agency's eligibility rules.
    *EVALUATION_METRICS,
]
METRICS: dict[str, Metric] = {metric.key: metric for metric in _METRICS}


def metric(key: str) -> Metric:
    """The registry entry of a metric key (KeyError for an unknown key)."""
    return METRICS[key]


def settings_from(config) -> dict:
    """The windows the definitions mention, read from an app config (or any mapping like it)."""
    return {
        "repeat_window_days": config["REPEAT_WINDOW_DAYS"],
        "followup_hours": config["FOLLOWUP_DUE_HOURS"],
        "high_utilizer_threshold": config["HIGH_UTILIZER_THRESHOLD"],
        "recrisis_days": RECRISIS_DAYS,
        "cit_hours": CIT_HOURS,
    }


def current_settings() -> dict:
    """settings_from the running app's configuration."""
    from flask import current_app

    return settings_from(current_app.config)


def describe(key: str, settings: dict | None = None) -> str:
    """A metric's definition; without settings, the running app's (defaults outside an app)."""
    from flask import has_app_context

    if settings is None and has_app_context():
        settings = current_settings()
    return METRICS[key].describe(settings)


DOC_START, DOC_END = "<!-- metric-table:start -->", "<!-- metric-table:end -->"


def markdown_table(settings: dict | None = None) -> str:
    """The metric table of docs/metrics.md (checked by a test, so the doc never drifts)."""
    from mhu import enums
    from mhu.services.metrics.rates import ARREST_OR_CITATION, ED_USE, RESOLVED_IN_COMMUNITY

    lines = ["| metric (API key) | unit | better | definition | numerator | denominator |",
             "|---|---|---|---|---|---|"]
    for entry in _METRICS:
        better = {UP: "higher", DOWN: "lower", NEITHER: "–"}[entry.better]
        lines.append(f"| {entry.title} (`{entry.key}`) | {entry.unit} | {better} | {entry.describe(settings)} "
                     f"| {entry.numerator or '–'} | {entry.denominator or '–'} |")
    lines.append("")
    for name, codes in (("resolved in the community", RESOLVED_IN_COMMUNITY), ("ED use", ED_USE),
                        ("arrest or citation", ARREST_OR_CITATION)):
        listed = ", ".join(f"{enums.label(code)} (`{code}`)" for code in codes)
        lines.append(f"- Dispositions counted as {name}: {listed}.")
    return "\n".join(lines) + "\n"


def with_metric_table(document: str, settings: dict | None = None) -> str:
    """`document` with the text between the metric-table markers replaced by markdown_table()."""
    head, rest = document.split(DOC_START, 1)
    _, tail = rest.split(DOC_END, 1)
    return f"{head}{DOC_START}\n{markdown_table(settings)}{DOC_END}{tail}"
