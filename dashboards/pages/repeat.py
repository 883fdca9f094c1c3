"""Repeat contacts: contacts per person, repeat rates, and the identified high-utilizer list."""

import dash
import dash_bootstrap_components as dbc
from dash import html
from flask import current_app, has_request_context

from dashboards import figures
from dashboards.access import require_page
from dashboards.components import chart_card, kpi_card, notes, page, rate_card, table
from dashboards.filters import filter_bar, parse
from mhu.auth import policy
from mhu.services import metrics

dash.register_page(__name__, path="/repeat", name="Repeat contacts", title="MHU outcomes: repeat contacts")


def layout(**query):
    """Repeat-contact metrics; the named list only for roles that may identify people."""
    if not has_request_context():
        return html.Div()
    user = require_page("repeat")
    filters, values, messages = parse(user, query)
    distribution = metrics.contacts_per_person(filters=filters)
    window = current_app.config["REPEAT_WINDOW_DAYS"]
    threshold = current_app.config["HIGH_UTILIZER_THRESHOLD"]
    utilizers = metrics.high_utilizers(filters=filters)
    cards = dbc.Row([
        rate_card("repeat_contact_rate", "Repeat contact rate", metrics.repeat_contact_rate(filters=filters), None,
                  f"Persons with a contact within {window} days after a previous one / persons contacted.",
                  better="down"),
        rate_card("repeat_call_share", "Repeat call share", metrics.repeat_call_share(filters=filters), None,
                  f"Located calls whose person had a contact in the {window} days before / located calls with a person.",
                  better="down"),
        kpi_card(metric="high_utilizers", title="High utilizers", value_text=f"{utilizers:,}",
                 definition=f"Persons with {threshold} or more contacts in the 12 months up to the period end.",
                 hover=f"{utilizers:,} persons", data={"numerator": utilizers, "denominator": ""}),
    ])
    sections = [
        cards,
        chart_card(chart_id="repeat-distribution", title="Contacts per person",
                   definition="Persons by how many located calls they had in the period (last bar: that many or more).",
                   figure=figures.contacts_histogram(distribution), rows=distribution,
                   columns=[("contacts", "Contacts"), ("persons", "Persons")]),
    ]
    if policy.can_identify_persons(user):
        listed = metrics.high_utilizer_list(actor=user, filters=filters)
        rows = [{**row, "last_contact_at": row["last_contact_at"].date().isoformat()} for row in listed]
        sections.append(dbc.Card(dbc.CardBody([
            html.H2("High-utilizer list", className="h5"),
            html.P("Identified: for case coordination only. Viewing this list is recorded in the audit trail.",
                   className="small text-muted"),
            table(rows, [("name", "Name"), ("contacts", "Contacts (12 months)"), ("last_contact_at", "Last contact")],
                  caption="High utilizers") if rows else html.P("Nobody reaches the threshold.", className="mb-0"),
        ]), className="mb-3", id="high-utilizer-list"))
    return page("Repeat contacts", "People the unit meets again and again.",
                filter_bar(user, values), *notes(messages), *sections)
