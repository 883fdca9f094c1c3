"""Every chart's numbers as CSV, read from the figure itself so the file holds exactly what is plotted.

The CSV is written by the app's one CSV writer (formula-like text escaped) and travels in the page
as a data: URL behind a download link, so no extra route or callback (and no second computation)
is needed.
"""

from __future__ import annotations

from urllib.parse import quote

from mhu.services.csv_writer import write_csv


def _axis_title(axis, default: str) -> str:
    return (axis.title.text if axis and axis.title and axis.title.text else None) or default


def _values(array) -> list:
    return [] if array is None else list(array)


def figure_table(figure) -> tuple[list[str], list[list]]:
    """The plotted numbers of a figure as (header, rows): one row per bar, point, cell or flow."""
    layout = figure.layout
    traces = list(figure.data)
    if traces and traces[0].type == "sankey":
        trace = traces[0]
        labels = _values(trace.node.label)
        rows = [[labels[s], labels[t], v] for s, t, v in
                zip(_values(trace.link.source), _values(trace.link.target), _values(trace.link.value))]
        return ["From", "To", "Calls"], rows
    if traces and traces[0].type == "heatmap":
        trace = traces[0]
        xs, ys, z = _values(trace.x), _values(trace.y), _values(trace.z)
        title = trace.colorbar.title.text if trace.colorbar and trace.colorbar.title else "Value"
        rows = [[y, x, z[i][j]] for i, y in enumerate(ys) for j, x in enumerate(xs)]
        return [_axis_title(layout.yaxis, "Row"), _axis_title(layout.xaxis, "Column"), title or "Value"], rows
    x_title, y_title = _axis_title(layout.xaxis, "Category"), _axis_title(layout.yaxis, "Value")
    named = len(traces) > 1
    header = (["Series"] if named else []) + [x_title, y_title]
    rows = []
    for trace in traces:
        horizontal = getattr(trace, "orientation", None) == "h"
        categories, values = (_values(trace.y), _values(trace.x)) if horizontal else (_values(trace.x), _values(trace.y))
        if horizontal:
            header = (["Series"] if named else []) + [y_title, x_title]
        for category, number in zip(categories, values):
            rows.append(([trace.name] if named else []) + [category, number])
    return header, rows


def figure_csv(figure) -> str:
    return write_csv(*figure_table(figure))


def data_url(text: str) -> str:
    """A data: URL of CSV text, for a download link."""
    return "data:text/csv;charset=utf-8," + quote(text)
