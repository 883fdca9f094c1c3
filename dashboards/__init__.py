"""The Dash dashboard mounted at /dashboard/: pages in dashboards/pages, assets served locally.

Every route under /dashboard/ (pages, _dash-layout, _dash-dependencies, _dash-update-component,
component suites, assets) passes access.init_guard first; every page layout and callback re-checks
the user's role (dashboards.frame: the page prologue). The page list is dashboards.site.PAGES.
"""

import json
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html
from flask import Flask, has_request_context
from flask_login import current_user

from dashboards import access, site
from mhu.auth import csrf, policy

HERE = Path(__file__).resolve().parent


def shell():
    """The frame around every page: a navigation bar with the pages this user may open."""
    links = []
    if has_request_context() and current_user.is_authenticated:
        links = [dbc.NavItem(dbc.NavLink(page.name, href=page.href, id={"type": "nav", "page": page.key},
                                         active="exact"))
                 for page in site.PAGES if page.in_nav and access.may_open(current_user, page.key)]
        if policy.can_maintain_training(current_user):
            # A server-rendered page outside the dashboard (mhu/admin/training.py): a full page load.
            links.append(dbc.NavItem(dbc.NavLink("CIT training", href="/admin/training", external_link=True)))
    navbar = dbc.Navbar(dbc.Container([
        dbc.NavbarBrand("MHU outcomes", href=site.PAGES[0].href, id="brand"),
        dbc.Nav(links, navbar=True, className="me-auto flex-wrap"),
        logout_form(),
    ], fluid=True), color="dark", dark=True, className="mb-3")
    return html.Div([navbar, html.Main(dbc.Container(dash.page_container, fluid=True), id="main")])


def logout_form():
    """Logging out is a POST with the session's CSRF token, as on the other pages."""
    token = csrf.csrf_token() if has_request_context() else ""
    return html.Form([
        dcc.Input(type="hidden", name="csrf_token", value=token),
        html.Button("Log out", type="submit", className="btn btn-outline-light btn-sm"),
    ], action="/logout", method="POST", className="mb-0")


def init_dashboard(app: Flask) -> None:
    """Mount the dashboard on the Flask server, behind the login and role guard."""
    access.init_guard(app)
    dashboard = dash.Dash(
        "dashboards", server=app, url_base_pathname="/dashboard/", use_pages=True,
        pages_folder=str(HERE / "pages"), assets_folder=str(HERE / "assets"), serve_locally=True,
        title="MHU outcomes", update_title=None,
        # Page layouts query the database for the logged-in user, so Dash must not call them
        # outside a request to build a validation layout.
        suppress_callback_exceptions=True,
    )
    # Screen readers pick the pronunciation from the page language (axe: html-has-lang).
    dashboard.index_string = dashboard.index_string.replace("<html>", '<html lang="en">', 1)
    dashboard.layout = shell
    # Navigation keeps the filters: every nav link carries the current query string.
    dashboard.clientside_callback(
        site.nav_href_script(),
        Output({"type": "nav", "page": ALL}, "href"),
        Input("_pages_location", "search"),
        State({"type": "nav", "page": ALL}, "id"),
    )
    # So does the brand link (home: the first page; partners are sent on to their view, query kept).
    dashboard.clientside_callback(
        f"function(search) {{ return {json.dumps(site.PAGES[0].href)} + (search || ''); }}",
        Output("brand", "href"),
        Input("_pages_location", "search"),
    )
    app.extensions["mhu_dashboard"] = dashboard
