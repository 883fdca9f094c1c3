"""Survey aggregates as dashboard components: the supervisors' page and the partner view's table."""

from __future__ import annotations

from datetime import date

import dash_bootstrap_components as dbc
from dash import html

from dashboards import figures
from dashboards.components import chart_card, table
from mhu.services import ServiceError
from mhu.services.metrics import surveys as survey_metrics
from mhu.services.surveys import SCALE

SCORE_COLUMNS = [(str(score), f"{score} · {text}") for score, text in SCALE]


def question_rows(result: dict) -> list[dict]:
    """One row per question: the question, answers, mean and answers per score."""
    return [{"question": q["question"], "count": q["count"], "mean": q["mean"], **q["distribution"]}
            for q in result["questions"]]


def supervisor_cards(result: dict) -> list:
    rows = question_rows(result)
    shown = [{"key": row["question"], "count": row["mean"]} for row in rows if row["mean"] is not None]
    columns = [("question", "Question"), ("count", "Answers"), ("mean", "Mean score (1-5)"), *SCORE_COLUMNS]
    figure = figures.bar(shown, title="Mean score per question", x_title="Question", y_title="Mean score (1-5)",
                         horizontal=True)
    figure.update_xaxes(range=[0, 5], dtick=1)  # the whole scale, so a 3.5 does not look like a full bar
    return [
        dbc.Card(dbc.CardBody([
            html.H2("Survey answers", className="h5"),
            html.P(f"{result['responses']}", className="display-6 mb-0", id="survey-responses"),
            html.P(survey_metrics.DEFINITIONS["responses"], className="small text-muted definition"),
        ]), className="mb-3"),
        chart_card(chart_id="survey-means", title="Mean score per question",
                   definition=survey_metrics.DEFINITIONS["mean"],
                   figure=figure,
                   rows=rows, columns=columns, empty=not shown,
                   empty_text="No survey answers in this period. Widen the period or clear a filter."),
        dbc.Card(dbc.CardBody([
            html.H2("Answers per question and score", className="h5"),
            html.P(survey_metrics.DEFINITIONS["distribution"], className="small text-muted definition"),
            html.Div(table(rows, columns, caption="Answers per question and score"), className="table-responsive"),
        ]), className="mb-3", id="survey-distribution"),
    ]


def comments_card(comments: list[dict]) -> dbc.Card:
    body = [html.H2("Comments published by clinicians", className="h5"),
            html.P("Only comments a clinician marked free of identifying details; the month and team are all that "
                   "is known about them.", className="small text-muted definition")]
    if comments:
        body.append(html.Ul([html.Li([html.Strong(f"{c['month']} · {c['team'] or 'no team'}: "), c["comment"]])
                             for c in comments], id="survey-comments", className="list-unstyled"))
    else:
        body.append(html.P("No published comments in this period.", className="mb-0"))
    return dbc.Card(dbc.CardBody(body), className="mb-3")


def partner_card(user, first: date, last: date) -> dbc.Card:
    """The suppressed survey table of one whole month, quarter or year; hidden cells read "<11"."""
    try:
        result = survey_metrics.partner_survey_aggregate(actor=user, date_from=first, date_to=last)
    except ServiceError as error:
        return dbc.Card(dbc.CardBody([html.H2("What people served say", className="h5"), html.P(error.message)]))
    label = result["hidden_label"]
    rows = []
    for question in result["questions"]:
        for row in question["rows"]:
            share = row["agree_share"]
            rows.append({"question": question["question"], "period": row["period"],
                         "count": survey_metrics.cell_text(row["count"], label),
                         **{group: survey_metrics.cell_text(n, label) for group, n in row["distribution"].items()},
                         "agree_share": "—" if share is None else f"{share:.0%}",
                         "mean": "—" if row["mean"] is None else f"{row['mean']:.2f}"})
    columns = [("question", "Question"), ("period", "Period"), ("count", "Answers"),
               *((group, title) for group, title in result["groups"].items()),
               ("agree_share", "Share agreeing"), ("mean", "Mean (1-5)")]
    return dbc.Card(dbc.CardBody([
        html.H2("What people served say (anonymous surveys)", className="h5"),
        html.P(f"Answers per question, grouped by score. '{label}' marks a hidden cell: a count from 1 to "
               f"{result['threshold'] - 1}, or a further count hidden so that a small one cannot be worked out. "
               "'—': the share or mean is hidden because a count it needs is. "
               + survey_metrics.DEFINITIONS["agree_share"], className="small text-muted definition"),
        html.Div(table(rows, columns, caption="Survey answers per question and period (suppressed)"),
                 className="table-responsive"),
    ]), className="mb-3", id="partner-surveys")
