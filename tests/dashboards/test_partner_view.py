"""The partner view: whole months by default (the partial month left out), month or quarter
granularity, suppressed cells as "<11" with the rule as a tooltip, rates in percent, gaps in charts,
CSV with a header block."""

import re
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from mhu.extensions import db
from mhu.services.localtime import agency_today
from tests.dashboards.test_guard import router_request
from tests.factories import add_call, login, utc


def view_json(client, search=""):
    client.get("/dashboard/partner")
    return router_request(client, "/dashboard/partner", search).json


def texts(node) -> list[str]:
    """Every string in a Dash component tree (as JSON)."""
    found = []
    if isinstance(node, str):
        found.append(node)
    elif isinstance(node, list):
        for item in node:
            found += texts(item)
    elif isinstance(node, dict):
        for value in node.values():
            found += texts(value)
    return found


def cells(node, out=None) -> list[dict]:
    """The props of every table cell (Td) of the tree."""
    out = [] if out is None else out
    if isinstance(node, dict):
        if node.get("type") == "Td":
            out.append(node["props"])
        for value in node.values():
            cells(value, out)
    elif isinstance(node, list):
        for item in node:
            cells(item, out)
    return out


def by_id(node, component_id):
    """The component with that id in a Dash tree (as JSON)."""
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == component_id:
            return node
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = by_id(child, component_id)
        if found is not None:
            return found
    return None


def figure(node, graph_id):
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == graph_id:
            return node["props"]["figure"]
        for value in node.values():
            found = figure(value, graph_id)
            if found:
                return found
    elif isinstance(node, list):
        for item in node:
            found = figure(item, graph_id)
            if found:
                return found
    return None


def spring_2026(agency, officer):
    """Two districts. March: 15 calls in each (18 resolved, 12 arrests); April and May: 3 + 4 and
    5 + 2 calls (a block of small cells, hidden together); June: 12 in each."""
    agency.districts = [{"name": "North", "beats": []}, {"name": "South", "beats": []}]
    db.session.commit()
    for month, north, south in ((3, 15, 15), (4, 3, 4), (5, 5, 2), (6, 12, 12)):
        for i in range(north + south):
            add_call(officer, utc(2026, month, 2, 15) + timedelta(minutes=i), district="North" if i < north else "South",
                     disposition="arrest" if month == 3 and i % 5 in (1, 3) else "resolved_on_scene")


def test_default_is_the_last_twelve_whole_months(client, make):
    agency, _, people = make.unit()
    login(client, people["partner"])

    body = view_json(client)

    this_month = agency_today(agency.id).replace(day=1)
    text = " ".join(texts(body))
    assert f"{this_month - relativedelta(months=12):%Y-%m-%d} to {this_month - timedelta(days=1):%Y-%m-%d}" in text
    assert f"{this_month:%Y-%m}" not in [t for t in texts(body)]  # the partial month is not a row


def test_suppressed_cells_read_below_threshold_with_the_rule_as_tooltip_and_rates_in_percent(client, make):
    agency, _, people = make.unit()
    spring_2026(agency, people["officer"])
    login(client, people["partner"])

    body = view_json(client, "?from=2026-01-01&to=2026-12-31")

    props = cells(body)
    hidden = [p for p in props if p.get("className") == "num suppressed"]
    assert hidden and all(p["children"] in ("<11", "suppressed") for p in hidden)
    assert all(p["title"].startswith("Suppressed. Counts above zero and below 11") for p in hidden)
    assert all(p["aria-describedby"] == "partner-suppression-footnote" for p in hidden)
    shown = [p["children"] for p in props if p.get("className") == "num"]
    assert "60.0 %" in shown and "0.0 %" in shown  # March's jail diversion, resolved in community, ED use
    assert "–" in shown  # a month without located calls has no rate, and it is not suppressed
    assert not [text for text in shown if re.fullmatch(r"0\.\d+", text)]  # no rate as a bare fraction
    text = " ".join(texts(body))
    assert "Counts above zero and below 11 are hidden" in text


def test_suppressed_month_is_a_marked_gap_not_a_zero_bar(client, make):
    agency, _, people = make.unit()
    spring_2026(agency, people["officer"])
    login(client, people["partner"])

    body = view_json(client, "?from=2026-04-01&to=2026-06-30")

    fig = figure(body, "partner-monthly")
    bars, gaps = fig["data"][0], fig["data"][1]
    assert bars["x"] == ["2026-04", "2026-05", "2026-06"]
    assert "2026-04" in gaps["x"] and "2026-06" not in gaps["x"]
    assert set(gaps["text"]) == {"<11"} and gaps["marker"]["symbol"] == "x" and "a gap, not zero" in gaps["name"]


def test_quarter_granularity_shows_quarters(client, make):
    _, _, people = make.unit()
    login(client, people["partner"])

    body = view_json(client, "?from=2026-01-01&to=2026-12-31&granularity=quarter")

    rows = [t for t in texts(by_id(body, "partner-calls_by_district")) if t.startswith("2026")]
    assert "2026-Q1" in rows and "2026-Q4" in rows and "2026" in rows and "2026-03" not in rows


def test_bad_granularity_is_noted_and_months_shown(client, make):
    _, _, people = make.unit()
    login(client, people["partner"])

    body = view_json(client, "?from=2026-01-01&to=2026-03-31&granularity=week")

    text = " ".join(texts(body))
    assert "granularity=week is invalid" in text and "2026-02" in texts(body)
