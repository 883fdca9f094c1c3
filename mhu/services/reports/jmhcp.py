"""Quarterly performance measures in the style of the U.S. Bureau of Justice Assistance's Justice
and Mental Health Collaboration Program (JMHCP), by federal quarter (October-December = Q1).

Each row is one measure (and category) with its value, its denominator where it is a share, and
the MHU metric it comes from; docs/grant-reporting.md maps the measures and says what MHU cannot
supply. Counts are the agency's whole-agency aggregates, for the grantee's own report: they are
not small-cell suppressed, so the CSV is for supervisors, not for publication.
"""

from __future__ import annotations

from mhu import enums
from mhu.services import metrics
from mhu.services.csv_writer import write_rows
from mhu.services.metrics import program, training
from mhu.services.reports.command import outcome_classes, period_filters
from mhu.services.reports.periods import Period, federal_quarter

COLUMNS = ("fiscal_year", "federal_quarter", "period_start", "period_end", "measure", "category", "value",
           "denominator", "mhu_metric")
def measures(*, agency_id: int, fiscal_year: int, quarter: int, known: dict | None = None) -> list[dict]:
    """Every measure of the quarter as rows {measure, category, value, denominator, mhu_metric}.

    `known`: numbers of this quarter the caller computed already (the command report's
    period_metrics and outcome_classes), so they are not read twice.
    """
    period = federal_quarter(fiscal_year, quarter)
    filters = period_filters(agency_id, period)
    known = known or {}
    rows: list[dict] = []

    def add(measure, value, *, category="", denominator=None, metric=""):
        rows.append({"measure": measure, "category": category, "value": value, "denominator": denominator,
                     "mhu_metric": metric})

    volume = known["call_volume"] if "call_volume" in known else metrics.call_volume(filters=filters)
    add("encounters", volume, category="all", metric="call_volume")
    for row in known.get("outcome_classes") or outcome_classes(filters):
        add("encounters_by_outcome", row["count"], category=row["label"], metric="breakdowns/disposition")
    for row in program.referrals_by_type(filters=filters):
        add("referrals_made", row["made"], category=enums.label(row["referral_type"]), metric="referrals_by_type")
        add("referrals_linked", row["linked"], category=enums.label(row["referral_type"]),
            denominator=row["made"], metric="referrals_by_type")
    linkage = known.get("referral_linkage") or metrics.referral_linkage(filters=filters)
    add("referrals_linked", linkage["numerator"], category="all", denominator=linkage["denominator"],
        metric="referral_linkage")
    add("persons_served_unduplicated", program.persons_served(filters=filters), category="all",
        metric="persons_served")
    repeat = known if "repeat_call_share" in known else metrics.repeat_metrics(filters=filters)
    add("repeat_encounters", repeat["repeat_call_share"]["numerator"], category="encounters",
        denominator=repeat["repeat_call_share"]["denominator"], metric="repeat_call_share")
    add("repeat_encounters", repeat["repeat_contact_rate"]["numerator"], category="persons",
        denominator=repeat["repeat_contact_rate"]["denominator"], metric="repeat_contact_rate")
    force = known.get("use_of_force_rate") or metrics.use_of_force_rate(filters=filters)
    add("use_of_force", force["numerator"], category="physical control or above", denominator=force["denominator"],
        metric="use_of_force_rate")
    for row in metrics.breakdown(filters=filters, dimension="force"):
        add("use_of_force", row["count"], category=f"level: {enums.label(row['key'])}", metric="breakdowns/force")
    for party, value in metrics.injury_rate_by_party(filters=filters).items():
        add("injuries", value["numerator"], category=enums.label(party), denominator=value["denominator"],
            metric="injury_rate")
    cit = known.get("cit_presence") or metrics.cit_presence(filters=filters)
    add("encounters_with_cit_officer", cit["numerator"], category="all", denominator=cit["denominator"],
        metric="cit_presence")
    trained = known.get("cit_trained_officers") or training.cit_trained_officers(agency_id=agency_id, as_of=period.last)
    add("staff_trained_cit_40h", trained["numerator"], category="sworn officers at quarter end",
        denominator=trained["denominator"], metric="cit_trained_officers")
    return rows


def federal_quarter_of(period: Period) -> tuple[int, int]:
    """The federal (fiscal year, quarter) of a calendar quarter: 2026-Q4 is FY2027 Q1."""
    fiscal_year = period.first.year + 1 if period.first.month >= 10 else period.first.year
    return fiscal_year, ((period.first.month - 10) % 12) // 3 + 1


def to_csv(rows: list[dict], *, period: Period) -> str:
    """The measures as CSV (RFC 4180 line ends), every cell formula-escaped by the shared writer."""
    fiscal_year, quarter = federal_quarter_of(period)
    cells = ((fiscal_year, quarter, period.first.isoformat(), period.last.isoformat(), row["measure"],
              row["category"], row["value"], row["denominator"], row["mhu_metric"]) for row in rows)
    return "".join(write_rows(COLUMNS, cells))

