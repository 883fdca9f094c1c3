"""Plotly figures drawn as static SVG on the server, for reports.

Kaleido (plotly's image export) would start a browser per render, and its browser launcher does
not start Debian's Chromium here; the report figures are plain bars and lines, so this module
draws those two trace types from the same plotly Figure objects the dashboard shows
(dashboards.figures): title, axis titles, categories, values, trace names and colours. Lines get
distinct dash patterns and marker shapes, and stacked bars white separators, so a chart stays
readable when printed in grey.
"""

from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2")
MARKERS = ("circle", "square", "diamond", "triangle", "circle")
FONT = "font-family=\"DejaVu Sans, Arial, sans-serif\""


def _text(value) -> str:
    return escape("" if value is None else str(value))


def _nice_max(value: float) -> float:
    """A round upper bound for an axis, divisible into four round ticks (1, 1.2, 1.6, 2, 3, 4, 6, 8 x 10^k)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.6, 2, 3, 4, 6, 8, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _values(sequence) -> list:
    return [] if sequence is None else list(sequence)


def figure_svg(figure, *, width: int = 680, height: int = 250, percent: bool = False) -> Markup:
    """The figure's Bar and Scatter traces as an inline SVG element (categorical x axis)."""
    layout = figure.layout
    title = layout.title.text or ""
    x_title = layout.xaxis.title.text or ""
    y_title = layout.yaxis.title.text or ""
    traces = [trace for trace in figure.data if trace.type in ("bar", "scatter")]
    categories: list[str] = []
    for trace in traces:
        for x in _values(trace.x):
            if str(x) not in categories:
                categories.append(str(x))
    stacked = layout.barmode == "stack"
    bars = [trace for trace in traces if trace.type == "bar"]
    lines = [trace for trace in traces if trace.type == "scatter"]
    top = 0.0
    if bars:
        if stacked:
            totals = {c: 0.0 for c in categories}
            for trace in bars:
                for x, y in zip(_values(trace.x), _values(trace.y)):
                    totals[str(x)] += float(y or 0)
            top = max(totals.values(), default=0.0)
        else:
            top = max((float(y or 0) for trace in bars for y in _values(trace.y)), default=0.0)
    top = max([top, *(float(y) for trace in lines for y in _values(trace.y) if y is not None)])
    y_max = 100.0 if percent and top <= 100 else _nice_max(top)

    columns = 3 if max((len(trace.name or "") for trace in traces), default=0) <= 24 else 2
    legend_rows = math.ceil(len(traces) / columns) if len(traces) > 1 else 0
    left, right, top_margin, bottom = 58, 12, 30, 62 + 16 * legend_rows
    plot_w, plot_h = width - left - right, height - top_margin - bottom
    slot = plot_w / max(len(categories), 1)

    def x_of(category: str) -> float:
        return left + slot * (categories.index(category) + 0.5)

    def y_of(value: float) -> float:
        return top_margin + plot_h * (1 - value / y_max)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="{_text(title)}" {FONT} font-size="11">',
             f"<title>{_text(title)}</title>",
             f'<text x="{left}" y="16" font-size="13" font-weight="bold">{_text(title)}</text>']
    for i in range(5):  # grid and y ticks
        value = y_max * i / 4
        y = y_of(value)
        label = f"{value:g}"
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#d0d0d0"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    parts.append(f'<text transform="translate(12 {top_margin + plot_h / 2:.0f}) rotate(-90)" '
                 f'text-anchor="middle">{_text(y_title)}</text>')
    every = max(1, math.ceil(len(categories) / 13))
    for index, category in enumerate(categories):
        if index % every == 0:  # "Sep 2025" on two lines, so thirteen months fit side by side
            x = x_of(category)
            words = category.split(" ", 1) if len(categories) > 6 else [category]
            spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if i == 0 else 11}">{_text(word)}</tspan>'
                            for i, word in enumerate(words))
            parts.append(f'<text y="{top_margin + plot_h + 13}" text-anchor="middle" font-size="10">{spans}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.0f}" y="{top_margin + plot_h + 38}" text-anchor="middle">'
                 f"{_text(x_title)}</text>")
    unit = " %" if percent else ""  # tooltips say what the number is
    parts += _bars(bars, stacked, slot, x_of, y_of, categories, unit)
    parts += _lines(lines, x_of, y_of, unit)
    parts.append(f'<line x1="{left}" y1="{y_of(0):.1f}" x2="{width - right}" y2="{y_of(0):.1f}" stroke="#333"/>')
    parts += _legend(traces, left, top_margin + plot_h + 56, plot_w, columns)
    parts.append("</svg>")
    return Markup("".join(parts))


def _colour(trace, index: int) -> str:
    from dashboards.figures import PALETTE

    colour = trace.marker.color if trace.type == "bar" else trace.line.color
    return colour if isinstance(colour, str) else PALETTE[index % len(PALETTE)]


def _bars(bars, stacked: bool, slot: float, x_of, y_of, categories, unit: str = "") -> list[str]:
    parts = []
    if not bars:
        return parts
    base = {c: 0.0 for c in categories}
    width = slot * (0.7 if stacked or len(bars) == 1 else 0.8 / len(bars))
    for index, trace in enumerate(bars):
        colour = _colour(trace, index)
        tips = _values(trace.hovertext) if isinstance(trace.hovertext, (list, tuple)) else []
        for point, (x, y) in enumerate(zip(_values(trace.x), _values(trace.y))):
            value = float(y or 0)
            category = str(x)
            if stacked:
                x0 = x_of(category) - width / 2
                y0, y1 = y_of(base[category] + value), y_of(base[category])
                base[category] += value
            else:
                offset = 0 if len(bars) == 1 else (index - (len(bars) - 1) / 2) * width
                x0 = x_of(category) - width / 2 + offset
                y0, y1 = y_of(value), y_of(0)
            if value:
                parts.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{width:.1f}" height="{y1 - y0:.1f}" '
                             f'fill="{colour}" stroke="#fff" stroke-width="0.8"><title>'
                             + (_text(tips[point]) if tips else f'{_text(trace.name or "")} {_text(category)}: '
                                                                f'{value:g}{unit}') + '</title></rect>')
    return parts


def _lines(lines, x_of, y_of, unit: str = "") -> list[str]:
    """Line traces; a trace in mode "markers" draws markers only (e.g. gap markers), with its
    hovertext, when given, as each marker's tooltip."""
    parts = []
    for index, trace in enumerate(lines):
        markers_only = trace.mode == "markers"
        tips = _values(trace.hovertext) if isinstance(trace.hovertext, (list, tuple)) else []
        colour = _colour(trace, index)
        dash = DASHES[index % len(DASHES)]
        segment: list[str] = []
        segments = [segment]
        points = []
        for x, y in zip(_values(trace.x), _values(trace.y)):
            if y is None:  # a month without a denominator: a gap, never a zero
                segment = []
                segments.append(segment)
                continue
            point = (x_of(str(x)), y_of(float(y)))
            segment.append(f"{point[0]:.1f},{point[1]:.1f}")
            points.append((point, x, y))
        for run in segments:
            if len(run) > 1 and not markers_only:
                parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"'
                             + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        xs = [str(x) for x in _values(trace.x)]
        for (px, py), x, y in points:
            tip = tips[xs.index(str(x))] if tips else f"{trace.name or ''} {x}: {y:g}{unit}"
            symbol = trace.marker.symbol if isinstance(trace.marker.symbol, str) else MARKERS[index % len(MARKERS)]
            parts.append(_marker(symbol, px, py, colour, tip))
    return parts


def _marker(shape: str, x: float, y: float, colour: str, title: str) -> str:
    tip = f"<title>{_text(title)}</title>"
    if shape in ("x", "x-thin"):  # a cross: a gap marker (e.g. a suppressed month), not a value
        return (f'<path d="M{x - 4:.1f},{y - 4:.1f}L{x + 4:.1f},{y + 4:.1f}M{x - 4:.1f},{y + 4:.1f}L{x + 4:.1f},'
                f'{y - 4:.1f}" stroke="{colour}" stroke-width="2" fill="none">{tip}</path>')
    if shape == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{colour}">{tip}</rect>'
    if shape == "diamond":
        return (f'<polygon points="{x:.1f},{y - 4:.1f} {x + 4:.1f},{y:.1f} {x:.1f},{y + 4:.1f} {x - 4:.1f},{y:.1f}" '
                f'fill="{colour}">{tip}</polygon>')
    if shape == "triangle":
        return (f'<polygon points="{x:.1f},{y - 4:.1f} {x + 4:.1f},{y + 3:.1f} {x - 4:.1f},{y + 3:.1f}" '
                f'fill="{colour}">{tip}</polygon>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">{tip}</circle>'


def _legend(traces, left: int, y: float, plot_w: float, columns: int) -> list[str]:
    if len(traces) < 2:
        return []
    parts = []
    column = plot_w / columns
    for index, trace in enumerate(traces):
        x = left + column * (index % columns)
        row_y = y + 16 * (index // columns)
        colour = _colour(trace, index if trace.type == "bar" else [t for t in traces if t.type == "scatter"].index(trace))
        if trace.type == "bar":
            parts.append(f'<rect x="{x:.1f}" y="{row_y - 9:.1f}" width="10" height="10" fill="{colour}"/>')
        else:
            line_index = [t for t in traces if t.type == "scatter"].index(trace)
            dash = DASHES[line_index % len(DASHES)]
            if trace.mode != "markers":
                parts.append(f'<line x1="{x:.1f}" y1="{row_y - 4:.1f}" x2="{x + 18:.1f}" y2="{row_y - 4:.1f}" '
                             f'stroke="{colour}" stroke-width="2"' + (f' stroke-dasharray="{dash}"' if dash else "")
                             + "/>")
            symbol = trace.marker.symbol if isinstance(trace.marker.symbol, str) else MARKERS[line_index % len(MARKERS)]
            parts.append(_marker(symbol, x + 9, row_y - 4, colour, trace.name or ""))
        parts.append(f'<text x="{x + 22:.1f}" y="{row_y:.1f}">{_text(trace.name or "")}</text>')
    return parts
