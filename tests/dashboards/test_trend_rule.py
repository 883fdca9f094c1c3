"""One trend rule for every card: rounding before judging, arrow and sign, the same on every page."""


from dashboards.components import trend_line
from tests.dashboards.test_guard import router_request
from tests.factories import add_call, add_followup, login, utc


def entry(current, previous, unit="rate", better="up", days=31, partial=False):
    return {"current": current, "previous": previous, "unit": unit, "better": better, "days": days,
            "partial": partial}


def test_a_change_that_rounds_to_zero_is_no_change_and_not_coloured():
    text, css = trend_line(entry(0.50001, 0.5))

    assert text == "= no change (0.0 pp) vs previous 31 days"
    assert css == "trend-neutral"


def test_direction_is_told_by_arrow_sign_and_word_not_colour_alone():
    assert trend_line(entry(0.25, 0.5, better="up")) == ("▼ −25.0 pp vs previous 31 days, worse", "trend-worse")
    assert trend_line(entry(0.25, 0.5, better="down")) == ("▼ −25.0 pp vs previous 31 days, better", "trend-better")
    assert trend_line(entry(12, 10, unit="count", better="", partial=True)) == (
        "▲ +2 vs previous 31 days (complete days only)", "trend-neutral")


def test_undefined_side_means_no_comparison():
    assert trend_line(entry(None, 0.5)) == ("No previous period to compare", "trend-neutral")


def card_trend(response, key):
    """The trend line text of a card in a rendered page's JSON."""
    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if props.get("id") == f"card-{key}":
                return texts(node)
            for value in props.values():
                found = walk(value)
                if found:
                    return found
        elif isinstance(node, list):
            for item in node:
                found = walk(item)
                if found:
                    return found
        return None

    def texts(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if "kpi-trend" in str(props.get("className", "")):
                return props.get("children")
            return next((t for t in (texts(v) for v in props.values()) if t), None)
        if isinstance(node, list):
            return next((t for t in (texts(v) for v in node) if t), None)
        return None

    return walk(response.json["response"]["_pages_content"]["children"])


def test_followup_timeliness_shows_the_same_trend_on_overview_and_followups(client, make):
    _, team, people = make.unit()
    officer = people["officer"]
    for day in (3, 12, 20):
        call = add_call(officer, utc(2026, 2, day, 15), followup_required=False)
        add_followup(officer, call, method="phone")
    for day in (4, 14):
        call = add_call(officer, utc(2026, 3, day, 15))
        add_followup(officer, call, method="phone")
    login(client, people["supervisor"])
    client.get("/dashboard/")

    overview = router_request(client, "/dashboard/")
    followups = router_request(client, "/dashboard/followups")

    assert overview.status_code == followups.status_code == 200
    on_overview = card_trend(overview, "followup_timeliness")
    assert on_overview and on_overview.startswith(("▲", "▼", "="))
    assert on_overview == card_trend(followups, "followup_timeliness")
