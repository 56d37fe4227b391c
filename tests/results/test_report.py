"""The PDF report: real WeasyPrint PDFs read back as text, pages and pixels."""

from __future__ import annotations

import logging
import re

import pytest
from click.testing import CliRunner
from pdf_reading import count_pixels_near, pdf_page_count, pdf_page_images, pdf_text
from results_data import HOSTILE, UNAPPROVED, fill_wijkpeiling, write_wijkpeiling

from vliegwiel.cli.main import main
from vliegwiel.results.charts import SERIES_COLOURS
from vliegwiel.results.tallies import APPROVED, set_text_status, text_items


@pytest.fixture
def wijk_app(instance_dir, make_app):
    write_wijkpeiling(instance_dir)
    config = instance_dir / "vliegwiel.toml"
    config.write_text(
        config.read_text().replace("# households = 350", "households = 84"), encoding="utf-8"
    )
    app = make_app()
    village = app.extensions["vliegwiel"]
    fill_wijkpeiling(village)
    survey = village.surveys.get("wijkpeiling")
    with app.test_request_context():
        for item in text_items(village, survey, village.storage.all("responses/wijkpeiling")):
            if item.text == HOSTILE:
                set_text_status(village.storage, survey.id, item.key, APPROVED)
    return app


@pytest.fixture
def report(wijk_app, caplog) -> bytes:
    caplog.set_level(logging.WARNING, logger="vliegwiel.core.pdf")
    client = wijk_app.test_client()
    client.login("beheerder")
    response = client.get("/beheer/uitslag/wijkpeiling/rapport.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return response.data


def test_report_has_cover_contents_methods_and_page_numbers(report) -> None:
    text = pdf_text(report)
    pages = pdf_page_count(report)

    assert pages >= 5  # cover, contents, summary, questions, methods
    assert text.startswith("Testdorp\nWijkpeiling")
    assert "Inhoud" in text and "Werkwijze" in text
    # Contents lines end in the page number of their chapter.
    assert re.search(r"Werkwijze \.+ " + str(pages), text)
    assert f"2 / {pages}" in text and f"{pages} / {pages}" in text
    # Response rate from vliegwiel.toml: 21 responses of 84 households.
    assert "25% van 84 huishoudens" in text
    assert "online: 21" in text


def test_report_protects_small_groups_including_the_complement(report) -> None:
    text = pdf_text(report)
    assert re.search(r"Noord\s+10\b", text)
    assert re.search(r"Zuid\s+verborgen", text)
    assert re.search(r"Oostkant\s+verborgen", text)
    # The breakdown row of Noord hides its 7 next to the hidden 3.
    assert re.search(r"Noord\s+·\s+·\s+10", text)


def test_hostile_text_is_printed_as_text_and_nothing_is_fetched(report, caplog) -> None:
    text = pdf_text(report)
    assert "<script>alert(1)</script> {{7*7}}" in text
    assert 'src="file:///etc/passwd">' in text
    assert UNAPPROVED not in text
    assert not [r for r in caplog.records if "refused" in r.getMessage()]


def test_report_charts_are_drawn(report) -> None:
    images = pdf_page_images(report, scale=1)
    bar_pixels = sum(count_pixels_near(image, SERIES_COLOURS[0]) for image in images[3:])
    assert bar_pixels > 2000


def test_cli_report_writes_a_pdf(wijk_app, instance_dir, tmp_path) -> None:
    output = tmp_path / "rapport.pdf"
    result = CliRunner().invoke(
        main, ["report", "wijkpeiling", "-o", str(output), "--instance", str(instance_dir)]
    )
    assert result.exit_code == 0, result.output
    pdf = output.read_bytes()
    assert "Wijkpeiling" in pdf_text(pdf)
    assert "Rapport maken" in result.output


def test_cli_report_unknown_survey_is_one_clear_line(instance_dir, tmp_path) -> None:
    result = CliRunner().invoke(
        main,
        ["report", "nee", "-o", str(tmp_path / "x.pdf"), "--instance", str(instance_dir)],
    )
    assert result.exit_code == 1
    assert "onbekende enquête 'nee'" in result.output


def test_summary_page_has_key_figures_findings_and_quotes(report) -> None:
    text = pdf_text(report)
    summary = text[text.index("Samenvatting\n", text.index("Werkwijze")) :]
    summary = summary[: summary.index("Uitslag per vraag")]
    # Key figures: responses, response rate (21 of 84 households), channels.
    assert "Antwoorden\n21" in summary and "Respons\n25%" in summary
    assert "online\n21" in summary
    # The clearest finding of the theme, from published numbers only.
    assert "Moet de speeltuin blijven? Meest gekozen: Ja (67%)." in summary
    # The approved text is quoted (escaped, never markup); the unapproved one is not.
    assert "alert(1)" in summary and UNAPPROVED not in summary
