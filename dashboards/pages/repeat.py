"""Repeat contacts: contacts per person, repeat rates, and the identified high-utilizer list."""

import dash_bootstrap_components as dbc
from dash import html

from dashboards import figures
from dashboards.components import chart_card, count_card, rate_card, table
from dashboards.frame import register_page
from mhu.auth import policy
from mhu.services import metrics
from mhu.services.localtime import agency_timezone, local_date


@register_page("repeat")
def layout(view):
    """Repeat-contact metrics; the named list only for roles that may identify people."""
    filters = view.filters
    distribution = metrics.contacts_per_person(filters=filters)
    utilizers = metrics.high_utilizers(filters=filters)
    repeat = metrics.repeat_metrics(filters=filters)  # both rates from one read
    trends = view.trends("repeat_contact_rate", "repeat_call_share", known=repeat)
    cards = dbc.Row([
        rate_card("repeat_contact_rate", repeat["repeat_contact_rate"], trends["repeat_contact_rate"],
                  drill=view.drill_href("repeat_contact_rate")),
        rate_card("repeat_call_share", repeat["repeat_call_share"], trends["repeat_call_share"],
                  drill=view.drill_href("repeat_call_share")),
        count_card("high_utilizers", utilizers, hover=f"{utilizers:,} persons", drill=view.drill_href("high_utilizers")),
    ])
    sections = [
        cards,
        chart_card(chart_id="repeat-distribution", title="Contacts per person",
                   definition="Persons by how many located calls they had in the period (last bar: that many or more).",
                   figure=figures.contacts_histogram(distribution), rows=distribution,
                   columns=[("contacts", "Contacts"), ("persons", "Persons")]),
    ]
    user = view.user
    if policy.can_identify_persons(user):
        listed = metrics.high_utilizer_list(actor=user, filters=filters)
        # The agency's calendar day, as everywhere on the dashboard (a late-evening call is not tomorrow's).
        zone = agency_timezone(user.agency_id)
        rows = [{**row, "last_contact_at": local_date(row["last_contact_at"], zone).isoformat()} for row in listed]
        sections.append(dbc.Card(dbc.CardBody([
            html.H2("High-utilizer list", className="h5"),
            html.P("Identified: for case coordination only. Viewing this list is recorded in the audit trail.",
                   className="small text-muted"),
            table(rows, [("name", "Name"), ("contacts", "Contacts (12 months)"), ("last_contact_at", "Last contact")],
                  caption="High utilizers") if rows else html.P("Nobody reaches the threshold.", className="mb-0"),
        ]), className="mb-3", id="high-utilizer-list"))
    return view.skeleton("People the unit meets again and again.", *sections)
