"""The printable survey, read back from the PDF."""

from __future__ import annotations

import re

from click.testing import CliRunner
from pdf_reading import pdf_page_count, pdf_text

from vliegwiel.cli.main import main
from vliegwiel.web.i18n import localise


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_paper_form_holds_every_question_and_every_choice(client, village):
    client.login("ambassadeur")
    response = client.get("/beheer/enquete/dorpsenquete/papier.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _flat(pdf_text(response.data))
    survey = village.surveys.get("dorpsenquete")
    questions = list(survey.questions())
    assert len(questions) > 5
    for number, question in enumerate(questions, start=1):
        assert f"{number}. {_flat(localise(question.text, 'nl'))}" in text
        for option in getattr(question.settings, "options", []):
            assert _flat(localise(option.label, "nl")) in text
    assert "Uw code" in text
    assert "Dit was de laatste vraag" in text


def test_the_paper_form_prints_in_at_least_12_points(client):
    import io

    import pypdf

    client.login("beheerder")
    pdf = client.get("/beheer/enquete/dorpsenquete/papier.pdf").data
    sizes: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            # The effective size is the font size times the text and current matrix scale.
            sizes.append(abs(size * tm[3] * cm[3]))

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    assert sizes and min(sizes) >= 12 - 0.01


def test_cli_writes_the_paper_form(instance_dir, tmp_path):
    out = tmp_path / "formulier.pdf"
    result = CliRunner().invoke(
        main, ["paper", "dorpsenquete", "--instance", str(instance_dir), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert pdf_page_count(out.read_bytes()) >= 2
    assert "Wat is uw leeftijd?" in pdf_text(out.read_bytes())
