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
    assert ("Uw code" in text) == (survey.access == "code")
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


SCALES = """
id: schaal
title: Schaal
access: {access}
pages:
  - id: een
    questions:
      - id: cijfer
        type: scale
        text: Welk rapportcijfer geeft u het dorp?
        required: true
        min: 1
        max: 10
        labels: {{1: heel slecht, 10: heel goed}}
      - id: elf
        type: scale
        text: Hoe waarschijnlijk is het dat u blijft?
        min: 0
        max: 10
        labels: {{0: helemaal niet, 10: zeker}}
      - id: opmerking
        type: long_text
        text: Wat wilt u nog kwijt?
"""


def _paper(instance_dir, tmp_path, access: str) -> bytes:
    from conftest import write_survey

    write_survey(instance_dir, SCALES.format(access=access), "schaal.yaml")
    out = tmp_path / f"schaal-{access}.pdf"
    result = CliRunner().invoke(
        main, ["paper", "schaal", "--instance", str(instance_dir), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_an_open_survey_paper_form_asks_for_no_code(instance_dir, tmp_path):
    open_text = _flat(pdf_text(_paper(instance_dir, tmp_path, "open")))
    assert "code" not in open_text.lower()
    code_text = _flat(pdf_text(_paper(instance_dir, tmp_path, "code")))
    assert "Uw code (staat in de brief)" in code_text and "daarna is uw code gebruikt" in code_text


def test_required_questions_are_marked_with_a_star_and_a_legend(instance_dir, tmp_path):
    text = _flat(pdf_text(_paper(instance_dir, tmp_path, "open")))
    assert "Een vraag met een sterretje (*) moet u beantwoorden" in text
    assert "1. Welk rapportcijfer geeft u het dorp? *" in text
    assert "2. Hoe waarschijnlijk is het dat u blijft? *" not in text
    assert "2. Hoe waarschijnlijk is het dat u blijft?" in text


def test_a_ten_point_scale_stays_on_one_line(instance_dir, tmp_path):
    import io

    import pypdf

    pdf = _paper(instance_dir, tmp_path, "open")
    rows: dict[float, list[str]] = {}

    def visit(text, cm, tm, font, size):
        if text.strip().isdigit():
            rows.setdefault(round(tm[5] * cm[3] + cm[5]), []).extend(text.split())

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    lines = [sorted(map(int, numbers)) for numbers in rows.values()]
    assert list(range(1, 11)) in lines, lines
    assert list(range(0, 11)) in lines, lines
