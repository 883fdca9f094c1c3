"""Report PDFs: every page names the agency, the period and the generation time and carries its page
number; printing never reaches the network (a page asking for a remote image or stylesheet gets nothing)."""

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pypdf import PdfReader

import mhu.reports as command_drawing
from mhu.reports import partner as partner_drawing
from mhu.reports import print_pdf
from mhu.services.reports import command_report, parse_period
from mhu.services.reports.partner import partner_report
from tests.factories import outcome_calls

REPORTS = {"command": (command_report, command_drawing), "partner": (partner_report, partner_drawing)}


@pytest.mark.parametrize("kind", ["command", "partner"])
def test_every_page_carries_agency_period_generation_time_and_page_number(unit, kind):
    agency, _, officer = unit
    outcome_calls(officer)
    build, drawing = REPORTS[kind]
    report = build(agency_id=agency.id, period=parse_period("2026-03"))

    pages = PdfReader(io.BytesIO(drawing.render_pdf(report))).pages

    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        text = " ".join(page.extract_text().split())
        assert agency.name in text and "March 2026" in text, number
        assert f"Generated {report['generated_at']}" in text, number
        assert f"Page {number} of {len(pages)}" in text, number


@pytest.fixture
def listener():
    """A local HTTP server that records every request it gets."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_printing_a_report_requests_nothing_from_the_network(listener):
    base, hits = listener
    html = (f'<!doctype html><html><head><link rel="stylesheet" href="{base}/style.css">'
            f'<style>body {{ background: url("{base}/background.png"); }}</style></head>'
            f'<body><p>Report</p><img src="{base}/chart.png" alt=""><script src="{base}/script.js"></script>'
            "</body></html>")

    body = print_pdf(html, header="<span></span>", footer="<span></span>", paper="a4", screenshot=None)

    assert body.startswith(b"%PDF") and hits == []
