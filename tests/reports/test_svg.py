"""Report charts: plotly figures drawn as static SVG, readable in grey, gaps never drawn as zero."""

import plotly.graph_objects as go

from dashboards import figures
from mhu.reports.svg import figure_svg


def test_a_month_without_a_value_is_a_gap_not_a_zero():
    figure = go.Figure(go.Scatter(x=["Jan", "Feb", "Mar", "Apr"], y=[40.0, None, 55.0, 60.0], name="Share"))

    svg = str(figure_svg(figure, percent=True))

    assert svg.count("<polyline") == 1  # Jan alone is a point; Mar-Apr a line; nothing through Feb
    assert svg.count("<circle") == 3


def test_bars_carry_title_axis_titles_and_values():
    figure = figures.volume_over_time([{"period": "Jan 2026", "call_volume": 12},
                                       {"period": "Feb 2026", "call_volume": 0}], title="Calls per month")

    svg = str(figure_svg(figure))

    assert 'aria-label="Calls per month"' in svg and "Calls (count)" in svg
    assert svg.count("<rect") == 1 and "Jan 2026: 12" in svg  # a zero month draws no bar


def test_lines_differ_by_dash_pattern_for_grey_print():
    figure = go.Figure([go.Scatter(x=["a", "b"], y=[1, 2], name=f"line {n}") for n in range(3)])

    svg = str(figure_svg(figure))

    assert 'stroke-dasharray="6 3"' in svg and 'stroke-dasharray="2 3"' in svg


def test_text_is_escaped():
    figure = go.Figure(go.Bar(x=["<b>x</b>"], y=[1]))
    figure.update_layout(title={"text": "A & B"})

    svg = str(figure_svg(figure))

    assert "<b>" not in svg and "A &amp; B" in svg
