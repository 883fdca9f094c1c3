"""The outcome metrics of DESIGN.md section 5, computed in SQL, and what keeps them fast.

Modules: `registry` (each metric's definition, title and unit, read by pages, API, reports and
docs), `sql` (filters and portable SQL pieces), `rates` (call-based rates, durations, the
summary), `people` (repeat contacts and follow-ups), `breakdowns` (distributions), `periods` (presets,
partial periods, the trend windows), `trends` (one trend rule for every card), `facts`
(the precomputed facts kept at write time), `partner` and `suppression` (de-identified output).
Callers import this package: `from mhu.services import metrics; metrics.summary(filters=...)`.
"""

from mhu.services.metrics.breakdowns import (
    BREAKDOWNS, DIMENSIONS, EXTRA_BREAKDOWNS, breakdown, data_quality, disposition_series, duration_histogram, hour_weekday,
    outcome_class_flow, outcome_class_series, outcome_flow, transfers,
)
from mhu.services.metrics.people import (
    COMPLETED_OUTCOMES, contacts_per_person, followup_completion, followup_on_time, followup_status,
    followup_timeliness, high_utilizer_list, high_utilizers, recrisis_after_followup, repeat_call_share,
    repeat_contact_rate, repeat_metrics,
)
from mhu.services.metrics.rates import (
    ARREST_OR_CITATION, CALL_RATES, DENOMINATORS, DURATIONS, ED_USE, RESOLVED_IN_COMMUNITY, arrest_rate,
    call_rates, call_type_reclassified, call_volume, cit_presence, connection_to_services, diversion_from_arrest,
    duration_percentiles, ed_use, emergency_detention_rate, filter_options, injury_rate, injury_rate_by_party,
    jail_diversion_rate, overview, referral_linkage, resolved_in_community, response_time, summary, time_on_scene,
    time_series, use_of_force_rate,
)
from mhu.services.metrics.periods import PRESETS, is_partial, preset_period, trend_windows
from mhu.services.metrics.registry import METRICS, Metric, describe, metric
from mhu.services.metrics.sql import MetricFilters, default_period, rate, scoped_filters
from mhu.services.metrics.trends import trend, trends

__all__ = [
    "outcome_class_flow", "outcome_class_series", "PRESETS", "is_partial", "preset_period", "trend", "trend_windows", "trends",
    "ARREST_OR_CITATION", "BREAKDOWNS", "CALL_RATES", "COMPLETED_OUTCOMES", "DENOMINATORS", "DURATIONS", "ED_USE",
    "EXTRA_BREAKDOWNS", "METRICS", "Metric", "RESOLVED_IN_COMMUNITY", "MetricFilters", "arrest_rate", "breakdown", "call_rates",
    "call_type_reclassified", "call_volume", "cit_presence", "connection_to_services", "contacts_per_person",
    "data_quality", "default_period", "describe", "disposition_series", "diversion_from_arrest", "duration_histogram",
    "duration_percentiles", "ed_use", "emergency_detention_rate", "filter_options", "followup_completion",
    "followup_on_time", "followup_status", "followup_timeliness", "high_utilizer_list", "high_utilizers",
    "hour_weekday", "injury_rate", "injury_rate_by_party", "jail_diversion_rate", "metric", "outcome_flow", "overview", "rate",
    "recrisis_after_followup", "referral_linkage", "repeat_call_share", "repeat_contact_rate", "repeat_metrics",
    "resolved_in_community", "response_time", "scoped_filters", "summary", "time_on_scene", "time_series",
    "transfers", "use_of_force_rate",
]
