"""The dashboard's pages, declared once.

The navigation bar, the client-side map that keeps the filters on nav links, the access rules and
Dash's page registry are all derived from PAGES, so adding a page is one line here plus its module
(which registers itself through dashboards.frame.dashboard_page and so cannot skip the guard).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

from mhu.auth import policy

PREFIX = "/dashboard"


@dataclass(frozen=True)
class PageDeclaration:
    """One page: its key (module name), nav label, path under /dashboard and who may open it."""

    key: str
    name: str
    path: str
    rule: Callable
    partner: bool = False  # the de-identified view: a reduced filter bar, no drill-down
    in_nav: bool = True  # the drill-down list is reached from counts, not from the bar

    @property
    def href(self) -> str:
        return PREFIX + self.path if self.path != "/" else PREFIX + "/"

    @property
    def title(self) -> str:
        return f"MHU outcomes: {self.name.lower()}"


PAGES: tuple[PageDeclaration, ...] = (
    PageDeclaration("overview", "Overview", "/", policy.can_view_identified_dashboards),
    PageDeclaration("outcomes", "Outcomes", "/outcomes", policy.can_view_identified_dashboards),
    PageDeclaration("repeat", "Repeat contacts", "/repeat", policy.can_view_identified_dashboards),
    PageDeclaration("followups", "Follow-ups", "/followups", policy.can_view_identified_dashboards),
    PageDeclaration("operations", "Operations", "/operations", policy.can_view_identified_dashboards),
    PageDeclaration("quality", "Data quality", "/quality", policy.can_view_identified_dashboards),
    PageDeclaration("partner", "Partner view", "/partner", policy.can_view_partner_dashboard, partner=True),
    PageDeclaration("calls", "Calls behind a count", "/calls", policy.can_view_identified_dashboards, in_nav=False),
    # Supervisors get both reports, partners the partner report only (de-identified, like the partner view).
    PageDeclaration("reports", "Reports", "/reports", policy.can_open_reports_page, partner=True),
    PageDeclaration("surveys", "Surveys", "/surveys", policy.can_read_survey_results),
    PageDeclaration("evaluation", "Evaluation", "/evaluation", policy.can_view_evaluation),
)
BY_KEY = {page.key: page for page in PAGES}
PAGE_RULES = {page.key: page.rule for page in PAGES}
PARTNER_PATHS = tuple(page.href for page in PAGES if page.partner)


def declaration(key: str) -> PageDeclaration:
    return BY_KEY[key]


def nav_href_script() -> str:
    """The clientside callback that appends the current query string to every nav link."""
    bases = json.dumps({page.key: page.href for page in PAGES})
    return (f"function(search, ids) {{ var base = {bases};"
            " return ids.map(function(id) { return base[id.page] + (search || ''); }); }")
