"""The CIT training page (/admin/training) for supervisors and administrators: the agency's roster
of sworn members and their courses, a form to add a record, a button to remove one, a roster CSV
upload, and the two CIT shares per whole month. Thin views over services/training.py (the same
rules, audit and CSV parsing as the API and `flask import-training`) and the metric service
(services/metrics/training.py, as `GET /api/v1/metrics/cit-share`)."""

import calendar
from datetime import date

import plotly.graph_objects as go
from flask import abort, flash, redirect, render_template, request, url_for

from mhu.admin.views import bp, me, problems_of
from mhu.auth import policy, requires
from mhu.models import CitTraining
from mhu.reports.svg import figure_svg
from mhu.services import ServiceError, in_agency, training
from mhu.services.metrics import training as training_metrics
from mhu.services.reports.formatting import percent
from schemas.metrics import MAX_CIT_MONTHS

FIELDS = ("course", "hours", "completed_on", "certifying_body")
MAX_ID = 2**31 - 1
REJECTED_SHOWN = 200  # rows of a rejected-row list printed on the page; the rest are counted


def _officer_id(value) -> int:
    try:
        officer_id = int(value or "")
        if not 0 < officer_id <= MAX_ID:
            raise ValueError
    except ValueError:
        raise ServiceError("Choose an officer.", {"user_id": ["Choose one of the listed officers."]}) from None
    return officer_id


def _month(value: str, field: str) -> date | None:
    """A YYYY-MM query value as the month's first day (empty: None)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        year, month = value.split("-")
        parsed = date(int(year), int(month), 1)
        if len(year) != 4 or not 1900 <= parsed.year <= 2100:
            raise ValueError
    except ValueError:
        raise ServiceError("A month is expected.", {field: ["Enter a month as YYYY-MM."]}) from None
    return parsed


def _months() -> list[date]:
    """The whole months of the shares table: ?from=&to= (YYYY-MM) or the last 12 whole months."""
    first, last = _month(request.args.get("from"), "from"), _month(request.args.get("to"), "to")
    agency_id = me().agency_id
    months = training_metrics.whole_months(agency_id=agency_id, date_from=first, date_to=last)
    if not months:
        raise ServiceError("The range is empty.", {"to": ["The last month must not be before the first."]})
    if len(months) > MAX_CIT_MONTHS:
        raise ServiceError("The range is too long.", {"from": [f"Choose at most {MAX_CIT_MONTHS} months."]})
    return months


def _shares(months: list[date]) -> dict:
    """Per month both shares (supervisors), or the officer share only (administrators: the call
    share reads calls, which are command staff's, policy.can_read_command_reports)."""
    with_calls = policy.can_read_command_reports(me())
    agency_id = me().agency_id
    if with_calls:
        points = training_metrics.cit_share_series(agency_id=agency_id, months=months)
    else:
        ends = [month.replace(day=calendar.monthrange(month.year, month.month)[1]) for month in months]
        points = [{"month": f"{month:%Y-%m}", "sworn_with_40h": item["cit_trained_officers"]["numerator"],
                   "sworn_officers": item["cit_trained_officers"]["denominator"],
                   "officer_share": item["cit_trained_officers"]["value"]}
                  for month, item in zip(months, training_metrics.cit_trained_series(agency_id=agency_id,
                                                                                        month_ends=ends))]
    for point in points:
        point["officer_percent"] = percent(point["officer_share"])
        if with_calls:
            point["call_percent"] = percent(point["share"])
    return {"points": points, "with_calls": with_calls, "chart": _chart(points, with_calls),
            "first": f"{months[0]:%Y-%m}", "last": f"{months[-1]:%Y-%m}"}


def _chart(points: list[dict], with_calls: bool):
    labels = [date.fromisoformat(f"{point['month']}-01").strftime("%b %Y") for point in points]

    def scaled(values):
        return [None if value is None else round(100 * value, 1) for value in values]

    figure = go.Figure()
    figure.add_scatter(x=labels, y=scaled(p["officer_share"] for p in points), mode="lines+markers",
                       name="Sworn officers with 40 CIT hours")
    if with_calls:
        figure.add_scatter(x=labels, y=scaled(p["share"] for p in points), mode="lines+markers",
                           name="Calls with a CIT-trained officer on scene")
    figure.update_layout(title="CIT shares per month", xaxis_title="Month", yaxis_title="Per cent")
    return figure_svg(figure, percent=True)


def _page(*, status=200, add_error=None, form=None, imported=None, upload_error=None):
    """The whole page; a refused form (add_error, upload_error) or month range shows its messages."""
    try:
        shares, range_error = _shares(_months()), None
    except ServiceError as error:
        shares, range_error, status = None, error, 422
    return render_template(
        "admin/training.html", roster=training.roster(actor=me()), form=form or {}, add=_messages(add_error),
        upload=_messages(upload_error, "roster"), imported=imported, shares=shares,
        months=_messages(range_error), args=request.args, hours_required=training_metrics.CIT_HOURS_REQUIRED,
        columns=training.CSV_COLUMNS, rejected_shown=REJECTED_SHOWN), status


def _messages(error: ServiceError | None, field: str | None = None) -> dict:
    """A refused form's summary (admin/_problems.html) and its per-field messages; a message about
    the whole input (no field) goes to `field`."""
    if error is None:
        return {"problems": [], "errors": {}}
    errors = error.errors or ({field: [error.message]} if field else {})
    return {"problems": problems_of(error), "errors": errors}


@bp.route("/admin/training", methods=["GET", "POST"])
@requires(policy.can_maintain_training)
def training_roster():
    """The roster, the add form, the upload form and the shares table; POST adds a record."""
    if request.method == "GET":
        return _page()
    form = {name: request.form.get(name, "") for name in ("user_id", *FIELDS)}
    try:
        record = training.create_training(actor=me(), user_id=_officer_id(form["user_id"]),
                                          data={name: form[name] for name in FIELDS})
    except ServiceError as error:
        return _page(status=error.status, add_error=error, form=form)
    flash(f"Recorded {record.course} for {record.user.display_name or record.user.email}.")
    return redirect(url_for("admin.training_roster"))


@bp.route("/admin/training/<int:record_id>/delete", methods=["POST"])
@requires(policy.can_maintain_training)
def delete_training(record_id):
    """Remove a record entered by mistake (audited as training.delete)."""
    record = in_agency(CitTraining, record_id, actor=me())
    if record is None:
        abort(404)
    label = f"{record.course} for {record.user.display_name or record.user.email}"
    if not training.delete_training(actor=me(), training_id=record_id):
        abort(404)
    flash(f"Removed {label}.")
    return redirect(url_for("admin.training_roster"))


@bp.route("/admin/training/import", methods=["POST"])
@requires(policy.can_maintain_training)
def import_training():
    """Import a roster CSV (the columns of `flask import-training`); the counts and every rejected row."""
    upload = request.files.get("roster")
    try:
        if upload is None or not upload.filename:
            raise ServiceError("Choose a file.", {"roster": ["Choose a roster CSV file to upload."]})
        result = training.import_csv(text=training.decode_csv(upload.read()), agency_id=me().agency_id, actor=me())
    except ServiceError as error:
        return _page(status=422, upload_error=error)
    return _page(imported=result)
