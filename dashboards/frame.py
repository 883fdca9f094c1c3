"""The prologue every dashboard page shares, so a new page cannot forget its guard.

`register_page(key)` (the name Dash looks for in a page module's text before importing it)
registers the page with Dash from its declaration in dashboards.site and
wraps its builder: outside a request the layout is a data-free skeleton (Dash calls layouts once
at start-up); inside one the user's role is checked for that page (401/403), the URL's filters are
parsed and scoped to the user, and the builder receives them as a View. `view.skeleton(...)` is the
page frame: heading, intro, filter bar and the notes about the URL. `page_callback(key, ...)` is
`dash.callback` with the same access check before the function runs.
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode
from dataclasses import dataclass, field
from datetime import date, timedelta

import dash
from dateutil.relativedelta import relativedelta
from dash import callback, html
from flask import has_request_context

from dashboards import site
from dashboards.access import require_page
from dashboards.components import page, url_notes
from dashboards.filters import filter_bar, parse, preset_links, query_string
from mhu.services import metrics
from mhu.services.localtime import agency_today


@dataclass
class View:
    """What a page builder gets: who asks, the parsed filters, and the raw query."""

    declaration: site.PageDeclaration
    user: object
    query: dict
    filters: metrics.MetricFilters
    values: dict
    messages: list[str] = field(default_factory=list)

    @functools.cached_property
    def today(self) -> date:
        """Today in the agency's time zone (partial periods and trends are judged against it)."""
        return agency_today(self.user.agency_id)

    def trends(self, *keys: str, known: dict | None = None) -> dict[str, dict]:
        """The trend of each metric under the one rule (metrics.trends) for this view's filters;
        `known`: metrics the page already read for them."""
        return metrics.trends(keys, filters=self.filters, today=self.today, known=known)

    def drill_href(self, subset: str, **overrides) -> str | None:
        """The drill-down list of `subset` under this view's filters (None on the partner view)."""
        if self.declaration.partner:
            return None
        values = {**self.values, **overrides}
        return site.declaration("calls").href + query_string(values) + "&" + urlencode({"subset": subset})

    def month_drill_href(self, subset: str, month_start: str) -> str | None:
        """The drill-down list of `subset` in one month of the chart, cut to this view's period."""
        first = date.fromisoformat(month_start)
        last = first + relativedelta(months=1) - timedelta(days=1)
        return self.drill_href(subset, **{"from": max(first, self.filters.date_from).isoformat(),
                                          "to": min(last, self.filters.date_to).isoformat()})

    def skeleton(self, intro: str, *children, values: dict | None = None) -> html.Div:
        """The page: its heading, an intro line, the filter bar, notes about the URL, then the content."""
        values = values or self.values
        presets = preset_links(values, href=self.declaration.href, today=self.today)
        bar = filter_bar(self.user, values, partner=self.declaration.partner, presets=presets)
        return page(self.declaration.name, intro, bar, url_notes(self.messages), *children)


def register_page(key: str):
    """Decorator for a page module's builder `build(view) -> component`; registers the page."""
    declaration = site.declaration(key)

    def decorate(build):
        @functools.wraps(build)
        def layout(**query):
            if not has_request_context():
                return html.Div()
            user = require_page(key)
            filters, values, messages = parse(user, query)
            return build(View(declaration, user, query, filters, values, messages))

        dash.register_page(build.__module__, path=declaration.path, name=declaration.name,
                           title=declaration.title, layout=layout)
        return layout

    return decorate


def page_callback(key: str, *dependencies, **options):
    """`dash.callback` for a page's own callback, re-checking the page's access rule first."""

    def decorate(function):
        @functools.wraps(function)
        def guarded(*args, **kwargs):
            require_page(key)
            return function(*args, **kwargs)

        return callback(*dependencies, **options)(guarded)

    return decorate
