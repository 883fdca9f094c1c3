"""Surveys: what people served say, per question, with the comments clinicians published."""

from dashboards.frame import register_page
from dashboards.survey_tables import comments_card, supervisor_cards
from mhu.services import surveys
from mhu.services.metrics import surveys as survey_metrics


@register_page("surveys")
def layout(view):
    """Survey aggregates of the period's months and the published comments."""
    filters = view.filters
    result = survey_metrics.supervisor_survey_aggregate(
        actor=view.user, date_from=filters.date_from, date_to=filters.date_to, team_ids=filters.team_ids)
    comments = surveys.approved_comments(actor=view.user, date_from=filters.date_from, date_to=filters.date_to,
                                         team_ids=filters.team_ids)
    return view.skeleton(
        "Anonymous answers of the people served, by the month they came in (answers keep no call, person or date). "
        "The district, source and intercept filters do not apply to them.",
        *supervisor_cards(result), comments_card(comments),
    )
