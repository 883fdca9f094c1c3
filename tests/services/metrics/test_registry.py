"""The metric registry: one definition per metric, read by the docs and the API description."""

from pathlib import Path

from mhu.services import metrics
from mhu.services.metrics.registry import DEFAULT_SETTINGS, with_metric_table

DOC = Path(__file__).resolve().parents[3] / "docs" / "metrics.md"


def test_every_summary_key_has_a_registry_entry(outcomes):
    summary = metrics.summary(filters=outcomes)
    assert summary["call_volume"] > 0
    assert set(summary) <= set(metrics.METRICS), set(summary) - set(metrics.METRICS)


def test_definitions_follow_the_configured_windows():
    custom = {**DEFAULT_SETTINGS, "repeat_window_days": 60, "followup_hours": 24, "high_utilizer_threshold": 6}
    assert "within 60 days" in metrics.describe("repeat_contact_rate", custom)
    assert "within 24 h" in metrics.describe("followup_timeliness", custom)
    assert "6 or more contacts" in metrics.describe("high_utilizers", custom)
    assert "within 90 days" in metrics.describe("repeat_contact_rate", DEFAULT_SETTINGS)


def test_describe_reads_the_running_apps_configuration(app):
    previous = app.config["REPEAT_WINDOW_DAYS"]
    app.config["REPEAT_WINDOW_DAYS"] = 45
    try:
        with app.app_context():
            assert "in the 45 days before" in metrics.describe("repeat_call_share")
    finally:
        app.config["REPEAT_WINDOW_DAYS"] = previous


def test_the_docs_metric_table_is_generated_from_the_registry():
    document = DOC.read_text(encoding="utf-8")
    assert document == with_metric_table(document), "docs/metrics.md is stale: run python scripts/metric_docs.py"
    assert "| Emergency department use (`ed_use`) | rate | lower |" in document


def test_openapi_describes_summary_metrics_from_the_registry(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    summary = spec["components"]["schemas"]["MetricsSummary"]["properties"]
    assert summary["ed_use"]["description"] == metrics.describe("ed_use", DEFAULT_SETTINGS)
    assert summary["followup_timeliness"]["title"] == "Follow-up timeliness"
