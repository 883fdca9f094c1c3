"""flask commands: `report command` (PDF or HTML file) and `import-training` (roster CSV)."""

import io

import sqlalchemy as sa
from pypdf import PdfReader

from mhu.extensions import db
from mhu.models import CitTraining
from tests.factories import outcome_calls


def test_report_command_writes_a_pdf_for_the_agency(runner, unit, tmp_path):
    agency, _, officer = unit
    outcome_calls(officer)
    out = tmp_path / "march.pdf"

    result = runner.invoke(args=["report", "command", "--period", "2026-03", "--agency", agency.name,
                                 "--out", str(out), "--paper", "letter"])

    assert result.exit_code == 0, result.output
    text = PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text()
    assert "7 crisis calls in March 2026" in text and agency.name in text


def test_report_command_writes_html_and_refuses_a_bad_period(runner, unit, tmp_path):
    agency, _, _ = unit
    out = tmp_path / "q1.html"

    good = runner.invoke(args=["report", "command", "--period", "2026-Q1", "--agency", agency.name, "--out", str(out)])
    bad = runner.invoke(args=["report", "command", "--period", "2026-14", "--agency", agency.name, "--out", str(out)])
    unknown = runner.invoke(args=["report", "command", "--period", "2026", "--agency", "Nowhere PD", "--out", str(out)])

    assert good.exit_code == 0 and "<style>" in out.read_text()
    assert bad.exit_code == 2 and "a quarter (2026-Q3)" in bad.output
    assert unknown.exit_code == 2 and "no agency named 'Nowhere PD'" in unknown.output


def test_import_training_adds_rows_and_reports_rejected_ones(runner, unit, tmp_path):
    agency, _, officer = unit
    roster = tmp_path / "roster.csv"
    roster.write_text("email,course,hours,completed_on,certifying_body\n"
                      f"{officer.email.upper()},CIT basic,40,2025-05-01,State POST\n"
                      "ghost@example.test,CIT basic,40,2025-05-01,\n", encoding="utf-8")

    result = runner.invoke(args=["import-training", str(roster), "--agency", agency.name])

    assert result.exit_code == 1
    assert "added 1" in result.output and "rejected 1" in result.output and "line 3" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CitTraining)) == 1


def test_import_training_refuses_a_file_without_the_columns(runner, unit, tmp_path):
    agency, _, _ = unit
    roster = tmp_path / "roster.csv"
    roster.write_text("name,hours\nPat,40\n", encoding="utf-8")

    result = runner.invoke(args=["import-training", str(roster), "--agency", agency.name])

    assert result.exit_code == 2 and "lacks email, course, completed_on" in result.output


def test_report_partner_writes_a_pdf_with_small_counts_suppressed(runner, unit, tmp_path):
    agency, _, officer = unit
    outcome_calls(officer)  # seven calls in March 2026: fewer than the threshold
    out = tmp_path / "partner.pdf"

    result = runner.invoke(args=["report", "partner", "--period", "2026-03", "--agency", agency.name,
                                 "--out", str(out), "--paper", "letter"])

    assert result.exit_code == 0, result.output
    text = PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text()
    assert "Partner report" in text and agency.name in text and "Fewer than 11 crisis calls in March 2026" in text
    assert " 7 " not in f" {' '.join(text.split())} "


def test_report_partner_writes_html_and_refuses_a_bad_period(runner, unit, tmp_path):
    agency, _, _ = unit
    out = tmp_path / "q1.html"

    good = runner.invoke(args=["report", "partner", "--period", "2026-Q1", "--agency", agency.name, "--out", str(out)])
    bad = runner.invoke(args=["report", "partner", "--period", "2026-Q5", "--agency", agency.name, "--out", str(out)])

    assert good.exit_code == 0 and "<style>" in out.read_text() and "Partner report" in out.read_text()
    assert bad.exit_code == 2 and "a quarter (2026-Q3)" in bad.output


def test_import_training_refuses_a_file_that_is_not_utf8(runner, unit, tmp_path):
    agency, _, officer = unit
    roster = tmp_path / "roster.csv"
    roster.write_bytes(f"email,course,hours,completed_on\n{officer.email},Cours\xe9,40,2025-05-01\n".encode("latin-1"))

    result = runner.invoke(args=["import-training", str(roster), "--agency", agency.name])

    assert result.exit_code == 2 and "not UTF-8" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CitTraining)) == 0
