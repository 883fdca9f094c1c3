"""The command report: what a chief or a council asks each month, from the metrics services.

Every number comes from mhu.services.metrics (the same functions as the summary API and the
dashboard), every definition from its registry. The report holds aggregates only: no names, no
person-level rows, no high-utilizer list (the count of high utilizers is an aggregate and stays).
"""

from __future__ import annotations

from datetime import UTC, datetime

from mhu import enums
from mhu.extensions import db
from mhu.models import Agency
from mhu.services import agency_settings, metrics, outcomes, stories
from mhu.services.localtime import agency_today
from mhu.services.metrics import demographics, registry, surveys, training
from mhu.services.metrics.sql import MetricFilters, day_sums, rate
from mhu.services.reports import formatting as fmt
from mhu.services.reports.periods import Period

# The KPI table, in the order a commander reads it: volume, justice outcomes, health outcomes,
# safety, repeat contacts, follow-up, operations, data.
KPI_KEYS = (
    "call_volume", "jail_diversion_rate", "diversion_from_arrest", "arrest_rate", "resolved_in_community",
    "connection_to_services", "referral_linkage", "ed_use", "emergency_detention_rate", "use_of_force_rate",
    "injury_rate", "cit_presence", "cit_trained_officers", "repeat_contact_rate", "repeat_call_share", "high_utilizers",
    "followup_timeliness", "followup_completion", "recrisis_after_followup", "response_time",
    "response_time_from_received", "time_on_scene", "call_type_reclassified",
)
# Monthly trend lines (call-based rates from the day sums, follow-up timeliness from its day sums).
TREND_RATES = ("jail_diversion_rate", "resolved_in_community", "connection_to_services", "ed_use")
DATA_QUALITY_KEYS = ("missing_person", "missing_times", "missing_disposition", "missing_intercept", "late_notes")


def period_filters(agency_id: int, period: Period) -> MetricFilters:
    """The whole agency over the period's local dates."""
    return MetricFilters(agency_id=agency_id, date_from=period.first, date_to=period.last)


def period_metrics(filters: MetricFilters) -> dict:
    """The summary API's numbers for a period, plus what the KPI table adds: referral linkage,
    response time from call received, and CIT training coverage on the period's last day."""
    result = metrics.summary(filters=filters)
    result["referral_linkage"] = metrics.referral_linkage(filters=filters)
    result["response_time_from_received"] = metrics.response_time(filters=filters, from_received=True)
    result["cit_trained_officers"] = training.cit_trained_officers(agency_id=filters.agency_id, as_of=filters.date_to)
    return result


def command_report(*, agency_id: int, period: Period, settings: dict | None = None,
                   now: datetime | None = None) -> dict:
    """Everything the command report prints, as plain data (numbers and the texts around them)."""
    agency = db.session.get(Agency, agency_id)
    if settings is None:  # the running app's windows, with the agency's own follow-up hours
        settings = {**registry.current_settings(), "followup_hours": agency_settings.followup_hours(agency_id)}
    filters = period_filters(agency_id, period)
    current = period_metrics(filters)
    previous = period_metrics(period_filters(agency_id, period.previous()))
    year_ago = period_metrics(period_filters(agency_id, period.year_before()))
    quality = metrics.data_quality(filters=filters)
    dispositions = metrics.breakdown(filters=filters, dimension="disposition")
    classes = outcome_classes(filters, dispositions)
    report = {
        "agency": agency.name,
        "period": {"key": period.key, "label": period.label, "kind": period.kind,
                   "first": period.first.isoformat(), "last": period.last.isoformat()},
        "partial": period.last >= agency_today(agency_id),
        "compared_with": {"previous": period.previous().label, "year_ago": period.year_before().label},
        "generated_at": f"{(now or datetime.now(UTC)).astimezone(UTC):%Y-%m-%d %H:%M} UTC",
        "summary": current,
        "kpis": [kpi_row(key, current, previous, year_ago, settings) for key in KPI_KEYS],
        "outcome_classes": classes,
        "dispositions": [{"key": row["key"], "label": enums.label(None if row["key"] == "missing" else row["key"]),
                          "count": row["count"]} for row in dispositions],
        "intercepts": intercepts(filters),
        "durations": {key: current[key] for key in ("response_time", "response_time_from_received", "time_on_scene")},
        "followups": {**metrics.followup_status(filters=filters), "timeliness": current["followup_timeliness"],
                      "completion": current["followup_completion"], "recrisis": current["recrisis_after_followup"]},
        "repeat": {"contact_rate": current["repeat_contact_rate"], "call_share": current["repeat_call_share"],
                   "high_utilizers": current["high_utilizers"],
                   "contacts_per_person": metrics.contacts_per_person(filters=filters)},
        "data_quality": quality,
        "trend": trend(agency_id, period),
        # Equity: calls and persons by race/ethnicity, sex and age band; approved stories only.
        "demographics": demographics.demographics(filters=filters),
        "stories": stories.approved_stories(agency_id=agency_id, date_from=period.first, date_to=period.last),
        # What people served say: the anonymous surveys' answers of the period's months.
        "surveys": surveys.survey_aggregate(agency_id=agency_id, date_from=period.first, date_to=period.last),
    }
    report["appendix"] = grant_appendix(agency_id, period, known={**current, "outcome_classes": classes})
    report["headlines"] = headlines(report)
    report["data_quality_note"] = data_quality_note(quality)
    report["definitions"] = definitions(settings)
    return report


def grant_appendix(agency_id: int, period: Period, known: dict | None = None) -> dict | None:
    """For a quarter: the JMHCP-style measures of the same federal quarter (Oct-Dec = Q1).

    `known`: this quarter's numbers already computed (period_metrics, outcome_classes), reused."""
    from mhu.services.reports import jmhcp  # jmhcp builds on this module

    if period.kind != "quarter":
        return None
    fiscal_year, quarter = jmhcp.federal_quarter_of(period)
    return {"fiscal_year": fiscal_year, "quarter": quarter,
            "rows": jmhcp.measures(agency_id=agency_id, fiscal_year=fiscal_year, quarter=quarter, known=known)}


def kpi_row(key: str, current: dict, previous: dict, year_ago: dict, settings: dict | None) -> dict:
    """One KPI: its registry entry, the value with numerator and denominator, and both changes."""
    entry = registry.metric(key)
    return {
        "key": key, "title": entry.title, "unit": entry.unit, "better": entry.better,
        "definition": entry.describe(settings), "numerator_label": entry.numerator,
        "denominator_label": entry.denominator, "value": current[key],
        "value_text": fmt.value_text(entry.unit, current[key]),
        "counts_text": fmt.counts_text(entry.unit, current[key]),
        "vs_previous": fmt.change_text(entry.unit, current[key], previous[key]),
        "vs_year_ago": fmt.change_text(entry.unit, current[key], year_ago[key]),
    }


def outcome_classes(filters: MetricFilters, dispositions: list[dict] | None = None) -> list[dict]:
    """Calls per outcome class (mhu.services.outcomes), every class listed, with its share of C.

    `dispositions`: the period's disposition breakdown, when the caller has it already."""
    counts = {outcome.key: 0 for outcome in outcomes.OUTCOME_CLASSES}
    if dispositions is None:
        dispositions = metrics.breakdown(filters=filters, dimension="disposition")
    for row in dispositions:
        counts[outcomes.outcome_class(row["key"])] += row["count"]
    total = sum(counts.values())
    return [{"key": outcome.key, "label": outcome.label, "colour": outcome.colour, "count": counts[outcome.key],
             "share": rate(counts[outcome.key], total)} for outcome in outcomes.OUTCOME_CLASSES]


def intercepts(filters: MetricFilters) -> list[dict]:
    """Calls per SIM intercept, every stage listed."""
    counts = {row["key"]: row["count"] for row in metrics.breakdown(filters=filters, dimension="intercept")}
    total = sum(counts.values())
    return [{"intercept": stage, "label": enums.intercept_label(stage), "count": counts.get(stage, 0),
             "share": rate(counts.get(stage, 0), total)} for stage in enums.SIM_INTERCEPTS]


def trend(agency_id: int, period: Period) -> dict:
    """The 13 months ending with the period: volume, the trend rates, follow-up timeliness, and
    calls per outcome class per month. Months without calls are listed with zeros."""
    first, last = period.trend_months()
    filters = MetricFilters(agency_id=agency_id, date_from=first, date_to=last)
    months = [first.replace(month=(first.month - 1 + i) % 12 + 1, year=first.year + (first.month - 1 + i) // 12)
              for i in range(13)]
    keys = [month.isoformat() for month in months]
    series = {row["period"]: row for row in metrics.time_series(filters=filters, interval="month", names=TREND_RATES)}
    followups = {str(row.period): row for row in day_sums(filters, ["followups_on_time", "followups_due"],
                                                          interval="month")}
    classes = {key: {outcome.key: 0 for outcome in outcomes.OUTCOME_CLASSES} for key in keys}
    for row in metrics.disposition_series(filters=filters, interval="month"):
        if row["period"] in classes:
            classes[row["period"]][outcomes.outcome_class(row["disposition"])] += row["count"]
    rows = []
    for key in keys:
        point = series.get(key) or {"call_volume": 0, **{name: rate(0, 0) for name in TREND_RATES}}
        due = followups.get(key)
        rows.append({"period": key, "label": fmt.month_label(key), **point,
                     "followup_timeliness": rate(due.followups_on_time, due.followups_due) if due else rate(0, 0),
                     "outcome_classes": classes[key]})
    titles = {key: registry.metric(key).title for key in (*TREND_RATES, "followup_timeliness")}
    return {"first": first.isoformat(), "last": last.isoformat(), "months": rows, "titles": titles}


def headlines(report: dict) -> list[str]:
    """The plain-language statements at the top of the report."""
    summary = report["summary"]
    volume = summary["call_volume"]
    kpis = {row["key"]: row for row in report["kpis"]}
    lines = [f"{volume:,} crisis {'call' if volume == 1 else 'calls'} in {report['period']['label']} "
             f"({kpis['call_volume']['vs_previous']} compared with {report['compared_with']['previous']})."]
    statements = (
        ("jail_diversion_rate", "ended without arrest or citation"),
        ("resolved_in_community", "were resolved in the community"),
        ("connection_to_services", "were connected to services (at least one referral)"),
        ("ed_use", "ended at an emergency department or in an emergency detention"),
    )
    for key, words in statements:
        value = summary[key]
        if value["value"] is not None:
            lines.append(f"{fmt.in_ten(value['value'])}: {fmt.percent(value['value'])} of located calls {words} "
                         f"({value['numerator']:,} of {value['denominator']:,}).")
    timeliness = summary["followup_timeliness"]
    if timeliness["denominator"]:
        lines.append(f"{fmt.percent(timeliness['value'])} of follow-ups due were first attempted in time "
                     f"({timeliness['numerator']:,} of {timeliness['denominator']:,}).")
    response = summary["response_time"]["median_seconds"]
    if response is not None:
        lines.append(f"Half of the calls were reached within {fmt.minutes(response)} of dispatch (median).")
    return lines


def data_quality_note(quality: dict) -> str:
    """The footnote on how complete the period's records are."""
    if not quality["calls"]:
        return "No calls were recorded in this period."
    parts = [f"{quality['missing_person']:,} lack a person", f"{quality['missing_times']:,} lack a time "
             "(dispatch, arrival or clear)", f"{quality['missing_disposition']:,} lack a disposition",
             f"{quality['missing_intercept']:,} lack a SIM intercept"]
    return (f"Data quality: of {quality['calls']:,} calls, " + ", ".join(parts) + ". Rates count only the calls "
            "that carry the fields they need; calls without a person are left out of the repeat-contact measures.")


def definitions(settings: dict | None) -> list[dict]:
    """Every metric the report prints, with its registry definition."""
    keys = [*KPI_KEYS, *DATA_QUALITY_KEYS]
    return [{"key": key, "title": registry.metric(key).title, "definition": registry.metric(key).describe(settings),
             "numerator": registry.metric(key).numerator, "denominator": registry.metric(key).denominator}
            for key in keys]
