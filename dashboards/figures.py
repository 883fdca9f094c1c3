"""Figures as pure functions: rows from the metrics services in, a plotly Figure out.

Every figure has a title, labelled axes with units and the Okabe-Ito palette (safe for the common
forms of colour blindness). No function here touches the database or the request.
"""

from __future__ import annotations

import plotly.graph_objects as go

from mhu.enums import SIM_INTERCEPT_NAMES, label
from mhu.services.outcomes import BY_KEY as OUTCOME_CLASS, FOLLOWUP_GROUPS, OUTCOME_CLASSES

# Okabe & Ito (2008): distinguishable under deuteranopia, protanopia and tritanopia.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
SEQUENTIAL = [[0.0, "#f7fbff"], [0.5, "#56B4E9"], [1.0, "#0072B2"]]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
# A small white template built once. Naming "plotly_white" instead makes plotly validate and
# deep-copy its whole template for every figure: 0.3 s each, seconds for a page of sparklines.
GRID = "#EBF0F8"
TEMPLATE = go.layout.Template(layout={
    "plot_bgcolor": "white", "paper_bgcolor": "white", "font": {"color": "#2a3f5f"},
    "xaxis": {"gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID, "automargin": True},
    "yaxis": {"gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID, "automargin": True},
})


def _figure(data=None) -> go.Figure:
    """A figure on the shared template (set at construction, so plotly's default is never copied)."""
    return go.Figure(data, layout={"template": TEMPLATE})


def _layout(fig: go.Figure, title: str, x_title: str | None, y_title: str | None, height: int = 360) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01}, height=height, margin={"l": 60, "r": 20, "t": 50, "b": 60},
        colorway=PALETTE, font={"size": 13},
        legend={"orientation": "h", "y": -0.25},
    )
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    return fig


def bar(rows: list[dict], *, title: str, x_title: str, y_title: str = "Calls (count)",
        key: str = "key", value: str = "count", horizontal: bool = False, links: list | None = None) -> go.Figure:
    """One bar per row; `links`: each bar's drill-down address (clicking the bar opens it: assets/drill.js)."""
    labels = [label(row[key]) for row in rows]
    values = [row[value] for row in rows]
    trace = go.Bar(y=labels, x=values, orientation="h", marker_color=PALETTE[0]) if horizontal else \
        go.Bar(x=labels, y=values, marker_color=PALETTE[0])
    if links and any(links):
        trace.customdata = links
    fig = _figure(trace)
    if horizontal:
        fig.update_yaxes(autorange="reversed", type="category")
        return _layout(fig, title, y_title, x_title, height=max(300, 40 + 28 * len(rows)))
    fig.update_xaxes(type="category")  # keys such as months or hold codes are labels, not numbers or dates
    return _layout(fig, title, x_title, y_title)


PARTIAL_NOTE = "Hatched: partial month (not over yet, or cut by the period)"


def _partial_marker(colour: str, partial: list[bool] | None) -> dict:
    """Bars of partial periods hatched and lighter, so a half month does not read as a drop."""
    if not partial or not any(partial):
        return {"color": colour}
    return {"color": colour, "opacity": [0.5 if p else 1.0 for p in partial],
            "pattern": {"shape": ["/" if p else "" for p in partial], "fgcolor": "#000000", "size": 6}}


def _partial_note(fig: go.Figure, partial: list[bool] | None) -> None:
    if partial and any(partial):
        fig.add_annotation(text=PARTIAL_NOTE, xref="paper", yref="paper", x=1, y=1.08, showarrow=False,
                           xanchor="right", font={"size": 11, "color": "#495057"})


def volume_over_time(series: list[dict], *, title: str = "Calls per month", partial: list[bool] | None = None) -> go.Figure:
    """Call volume per bucket; partial buckets hatched."""
    fig = _figure(go.Bar(x=[row["period"] for row in series], y=[row["call_volume"] for row in series],
                           marker=_partial_marker(PALETTE[0], partial), name="Calls"))
    fig.update_xaxes(type="category")
    _partial_note(fig, partial)
    return _layout(fig, title, "Period start (local date)", "Calls (count)")


def sparkline(series: list[dict], metric: str, *, partial: list[bool] | None = None) -> go.Figure:
    """A small line of one metric per month, without axes (the card carries the numbers); a
    partial month is an open, grey marker."""
    xs = [row["period"] for row in series]
    if metric == "call_volume":
        ys = [row["call_volume"] for row in series]
    else:
        ys = [None if row[metric]["value"] is None else round(100 * row[metric]["value"], 1) for row in series]
    partial = partial or [False] * len(xs)
    marker = {"size": [7 if p else 4 for p in partial], "symbol": ["circle-open" if p else "circle" for p in partial],
              "color": ["#6c757d" if p else PALETTE[0] for p in partial]}
    fig = _figure(go.Scatter(x=xs, y=ys, mode="lines+markers", line={"color": PALETTE[0], "width": 2},
                               marker=marker, customdata=["partial" if p else "" for p in partial],
                               hovertemplate="%{x}: %{y} %{customdata}<extra></extra>"))
    fig.update_layout(height=60, margin={"l": 0, "r": 0, "t": 0, "b": 0},
                      showlegend=False, xaxis={"visible": False, "title": {"text": "Month"}},
                      yaxis={"visible": False, "title": {"text": "%" if metric != "call_volume" else "Calls"}})
    return fig


def contacts_histogram(rows: list[dict]) -> go.Figure:
    """Persons by number of contacts in the period."""
    labels = [f"{row['contacts']}+" if row["or_more"] else str(row["contacts"]) for row in rows]
    fig = _figure(go.Bar(x=labels, y=[row["persons"] for row in rows], marker_color=PALETTE[0]))
    fig.update_xaxes(type="category")
    return _layout(fig, "Persons by number of contacts", "Contacts in the period (count)", "Persons (count)")


def duration_histogram(bins: list[dict], *, title: str) -> go.Figure:
    """Calls per duration bin of minutes."""
    labels = [f"{b['from_minutes']}–{b['to_minutes']}" if b["to_minutes"] is not None else f"{b['from_minutes']}+"
              for b in bins]
    fig = _figure(go.Bar(x=labels, y=[b["count"] for b in bins], marker_color=PALETTE[2]))
    fig.update_xaxes(type="category")
    return _layout(fig, title, "Duration (minutes)", "Calls (count)")


def hour_weekday_heatmap(cells: list[dict]) -> go.Figure:
    """Calls by local weekday (rows) and hour (columns)."""
    z = [[0] * 24 for _ in range(7)]
    for cell in cells:
        z[cell["weekday"]][cell["hour"]] = cell["count"]
    fig = _figure(go.Heatmap(z=z, x=list(range(24)), y=WEEKDAYS, colorscale=SEQUENTIAL,
                               colorbar={"title": {"text": "Calls"}},
                               hovertemplate="%{y} %{x}:00 — %{z} calls<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "Calls by hour and weekday (local time)", "Hour of day (local, 0–23)", "Weekday", height=380)


def outcome_classes_over_time(rows: list[dict], *, partial: list[bool] | None = None, link=None) -> go.Figure:
    """Stacked bars: calls per month by outcome class, each class in its fixed colour and order;
    partial months hatched. `link(period, class key)`: a segment's drill-down address, or None."""
    periods = sorted({row["period"] for row in rows})
    counts = {(row["period"], row["outcome_class"]): row["count"] for row in rows}
    present = [outcome for outcome in OUTCOME_CLASSES if any(counts.get((p, outcome.key)) for p in periods)]
    fig = _figure([
        go.Bar(name=outcome.label, x=periods, y=[counts.get((p, outcome.key), 0) for p in periods],
               marker=_partial_marker(outcome.colour, partial),
               customdata=[link(p, outcome.key) for p in periods] if link else None,
               hovertemplate=f"{outcome.label}: %{{y}} calls<extra>%{{x}}</extra>")
        for outcome in present
    ])
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    fig.update_xaxes(type="category")
    _partial_note(fig, partial)
    return _layout(fig, "Outcomes per month", "Month (local)", "Calls (count)", height=420)


def _alpha(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def outcome_class_sankey(links: list[dict]) -> go.Figure:
    """SIM intercept -> outcome class -> follow-up, with nodes in a fixed order in three columns."""
    intercepts = sorted({link["intercept"] for link in links})
    classes = [outcome for outcome in OUTCOME_CLASSES if any(link["outcome_class"] == outcome.key for link in links)]
    groups = [(key, name) for key, name, _ in FOLLOWUP_GROUPS if any(link["followup"] == key for link in links)]
    labels = ([f"{i} · {SIM_INTERCEPT_NAMES.get(i, '')}" for i in intercepts] + [c.label for c in classes]
              + [name for _, name in groups])
    colours = (["#4D4D4D"] * len(intercepts) + [c.colour for c in classes] + ["#6C757D"] * len(groups))
    index = {("i", i): n for n, i in enumerate(intercepts)}
    index.update({("c", c.key): len(intercepts) + n for n, c in enumerate(classes)})
    index.update({("f", key): len(intercepts) + len(classes) + n for n, (key, _) in enumerate(groups)})

    def column(sizes: list[int]) -> list[float]:
        """Node centres top to bottom, each node's share of the height proportional to its calls."""
        total, gap = sum(sizes) or 1, 0.04
        span = 1 - gap * (len(sizes) - 1) if len(sizes) > 1 else 1
        centres, top = [], 0.0
        for size in sizes:
            height = span * size / total
            centres.append(min(max(top + height / 2, 0.001), 0.999))
            top += height + gap
        return centres

    def size(kind: str, field: str, keys) -> list[int]:
        return [sum(link["count"] for link in links if link[field] == key) for key in keys]

    xs = [0.001] * len(intercepts) + [0.5] * len(classes) + [0.999] * len(groups)
    ys = (column(size("i", "intercept", intercepts)) + column(size("c", "outcome_class", [c.key for c in classes]))
          + column(size("f", "followup", [key for key, _ in groups])))
    flows: dict[tuple[int, int], list] = {}
    for link in links:
        colour = _alpha(OUTCOME_CLASS[link["outcome_class"]].colour, 0.45)
        for source, target in ((index[("i", link["intercept"])], index[("c", link["outcome_class"])]),
                               (index[("c", link["outcome_class"])], index[("f", link["followup"])])):
            flows.setdefault((source, target), [0, colour])[0] += link["count"]
    fig = _figure(go.Sankey(
        arrangement="fixed",
        node={"label": labels, "color": colours, "x": xs, "y": ys, "pad": 18, "thickness": 16,
              "hovertemplate": "%{label}: %{value} calls<extra></extra>"},
        link={"source": [s for s, _ in flows], "target": [t for _, t in flows],
              "value": [v for v, _ in flows.values()], "color": [c for _, c in flows.values()]},
    ))
    return _layout(fig, "SIM intercept → outcome class → follow-up (calls)", None, None, height=480)
