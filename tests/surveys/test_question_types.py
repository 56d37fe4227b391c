"""Every built-in question type's validation, through the real web form and real storage."""

from __future__ import annotations

import html
import re

import pytest
from conftest import write_survey

SURVEY = """\
id: typen
title: Alle vraagsoorten
pages:
  - id: een
    title: Eén
    questions:
      - id: keuze
        type: single_choice
        text: Waar woont u?
        options: [dorp, buitengebied]
        other: true
      - id: meer
        type: multiple_choice
        text: Wat doet u graag?
        max_choices: 2
        options: [lezen, sporten, tuinieren]
        other: true
      - id: schaal
        type: scale
        text: Hoe tevreden bent u?
      - id: getal
        type: number
        text: Hoeveel mensen wonen er in uw huis?
        min: 1
        max: 20
      - id: decimaal
        type: number
        text: Hoeveel kilometer is het naar de winkel?
        min: 0
        max: 5000
        integer: false
      - id: kort
        type: short_text
        text: Uw straat
        max_length: 10
      - id: lang
        type: long_text
        text: Uw idee
        max_length: 50
      - id: janee
        type: yes_no
        text: Heeft u een auto?
      - id: volgorde
        type: ranking
        text: Wat is het belangrijkst?
        options: [school, winkel, bus]
  - id: twee
    title: Twee
    questions:
      - id: tabel
        type: matrix
        text: Wat vindt u van
        required: true
        statements:
          - {id: bus, text: De bus}
          - {id: winkel, text: De winkel}
        options: [goed, slecht]
"""

PAGE1 = "/enquete/typen/pagina/1"
PAGE2 = "/enquete/typen/pagina/2"


@pytest.fixture
def survey_client(instance_dir, client):
    write_survey(instance_dir, SURVEY, "typen.yaml")
    return client


def stored(village) -> int:
    return village.storage.count("responses/typen")


def draft_answers(village) -> dict:
    drafts = village.storage.all("drafts")
    return drafts[0]["answers"] if drafts else {}


def error_next_to(page: str, question_id: str) -> str | None:
    """The error text rendered next to a question (inside its own block), if any."""
    match = re.search(
        rf'id="vraag-{question_id}".*?<p class="error-text" id="fout-{question_id}">'
        rf'<span class="visually-hidden">Fout:</span>(.*?)</p>',
        page,
        re.S,
    )
    return html.unescape(match.group(1)).strip() if match else None


BAD_VALUES = [
    ({"keuze": "stad"}, "keuze", "Kies een van de antwoorden uit de lijst."),
    ({"keuze": "__other__", "keuze__other": "  "}, "keuze", "Vul in wat u bedoelt met 'anders'."),
    (
        {"keuze": "__other__", "keuze__other": "x" * 201},
        "keuze",
        "Gebruik bij 'anders' hoogstens 200 tekens.",
    ),
    ({"meer": ["lezen", "sporten", "tuinieren"]}, "meer", "Kies hoogstens 2 antwoorden."),
    ({"meer": ["lezen", "zwemmen"]}, "meer", "Kies een of meer antwoorden uit de lijst."),
    ({"meer": ["lezen", "__other__"]}, "meer", "Vul in wat u bedoelt met 'anders'."),
    ({"schaal": "6"}, "schaal", "Kies een van de punten op de schaal."),
    ({"schaal": "0"}, "schaal", "Kies een van de punten op de schaal."),
    ({"schaal": "drie"}, "schaal", "Kies een van de punten op de schaal."),
    ({"getal": "veel"}, "getal", "Vul een getal in."),
    ({"getal": "2,5"}, "getal", "Vul een heel getal in."),
    ({"getal": "0"}, "getal", "Vul een getal in van minstens 1."),
    ({"getal": "21"}, "getal", "Vul een getal in van hoogstens 20."),
    ({"getal": "nan"}, "getal", "Vul een getal in."),
    ({"decimaal": "1.250,5"}, "decimaal", None),  # accepted: 1250.5 (see the good path)
    ({"decimaal": "5000,1"}, "decimaal", "Vul een getal in van hoogstens 5000."),
    ({"kort": "Dorpsstraat 1"}, "kort", "Gebruik hoogstens 10 tekens (nu 13)."),
    ({"lang": "x" * 51}, "lang", "Gebruik hoogstens 50 tekens (nu 51)."),
    ({"janee": "misschien"}, "janee", "Kies een van de antwoorden uit de lijst."),
    (
        {"volgorde__school": "1", "volgorde__winkel": "1"},
        "volgorde",
        "Geef elk nummer maar één keer.",
    ),
    ({"volgorde__school": "eerste"}, "volgorde", "Geef elk onderdeel een plaats uit de lijst."),
]


@pytest.mark.parametrize(("data", "question_id", "message"), BAD_VALUES)
def test_bad_value_is_shown_next_to_the_field_and_not_stored(
    survey_client, village, data, question_id, message
):
    response = survey_client.post_form(PAGE1, data)
    if message is None:
        assert response.status_code == 302
        assert draft_answers(village)[question_id] == 1250.5
        return
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_next_to(page, question_id) == message
    # The error is announced: linked from the summary and from the field.
    assert f'href="#vraag-{question_id}"' in page
    assert re.search(rf'aria-describedby="[^"]*fout-{question_id}', page)
    # What the resident typed in a text box is shown again, not lost.
    for key in set(data) & {"getal", "decimaal", "kort", "lang", "keuze__other"}:
        if data[key].strip():
            assert f'{data[key]}"' in page or f"{data[key]}</textarea>" in page
    assert question_id not in draft_answers(village)
    assert stored(village) == 0


def test_matrix_required_needs_every_statement_and_known_options(survey_client, village):
    assert survey_client.post_form(PAGE1, {}).status_code == 302
    response = survey_client.post_form(PAGE2, {"tabel__bus": "goed"})
    assert response.status_code == 400
    assert error_next_to(response.get_data(as_text=True), "tabel") == (
        "Geef bij elke uitspraak een antwoord."
    )
    response = survey_client.post_form(PAGE2, {"tabel__bus": "goed", "tabel__winkel": "super"})
    assert response.status_code == 400
    assert error_next_to(response.get_data(as_text=True), "tabel") == (
        "Kies per uitspraak een van de antwoorden."
    )
    response = survey_client.post_form(PAGE2, {})
    assert error_next_to(response.get_data(as_text=True), "tabel") == (
        "Deze vraag is verplicht. Geef een antwoord."
    )
    assert "tabel" not in draft_answers(village)
    assert stored(village) == 0


def test_good_values_are_stored_in_the_documented_shapes(survey_client, village):
    page1 = {
        "keuze": "__other__",
        "keuze__other": " Op de dijk ",
        "meer": ["lezen", "tuinieren"],
        "schaal": "4",
        "getal": "3",
        "decimaal": "2,5",
        "kort": "Kerkstraat",
        "lang": "Een bankje bij de bushalte.",
        "janee": "nee",
        "volgorde__school": "2",
        "volgorde__bus": "1",
    }
    response = survey_client.post_form(PAGE1, page1)
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE2)
    response = survey_client.post_form(PAGE2, {"tabel__bus": "slecht", "tabel__winkel": "goed"})
    assert response.headers["Location"].endswith("/enquete/typen/controle")
    review = survey_client.get("/enquete/typen/controle").get_data(as_text=True)
    assert "Anders: Op de dijk" in review
    assert "1. bus, 2. school" in review
    response = survey_client.post_form("/enquete/typen/controle", {})
    assert response.headers["Location"].endswith("/enquete/typen/bedankt")
    (record,) = village.storage.all("responses/typen")
    assert record["answers"] == {
        "keuze": {"value": "__other__", "other": "Op de dijk"},
        "meer": ["lezen", "tuinieren"],
        "schaal": 4,
        "getal": 3,
        "decimaal": 2.5,
        "kort": "Kerkstraat",
        "lang": "Een bankje bij de bushalte.",
        "janee": "nee",
        "volgorde": ["bus", "school"],
        "tabel": {"bus": "slecht", "winkel": "goed"},
    }
    assert record["channel"] == "web" and record["survey_id"] == "typen"


def test_going_back_shows_stored_answers_again(survey_client):
    survey_client.post_form(
        PAGE1, {"schaal": "2", "decimaal": "7,25", "meer": ["sporten"], "volgorde__bus": "1"}
    )
    page = survey_client.get(PAGE1).get_data(as_text=True)
    assert re.search(r'id="schaal-2"[^>]*checked', page)
    assert 'value="7.25"' in page
    assert re.search(r'value="sporten"\s*checked', page)
    assert re.search(r'id="volgorde__bus".*?<option value="1" selected>', page, re.S)


def test_question_from_another_page_is_ignored(survey_client, village):
    # A tampered post may add fields for questions that are not on this page.
    response = survey_client.post_form(PAGE1, {"tabel__bus": "goed", "janee": "ja"})
    assert response.status_code == 302
    assert draft_answers(village) == {"janee": "ja"}


def test_post_without_csrf_token_is_refused_and_nothing_stored(survey_client, village):
    survey_client.get(PAGE1)
    response = survey_client.post(PAGE1, data={"janee": "ja"})
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)
    assert village.storage.count("drafts") == 0
    assert stored(village) == 0
    response = survey_client.post(PAGE1, data={"janee": "ja", "csrf_token": "vervalst"})
    assert response.status_code == 400
    assert village.storage.count("drafts") == 0


def test_review_post_without_csrf_token_stores_nothing(survey_client, village):
    survey_client.post_form(PAGE1, {"janee": "ja"})
    survey_client.post_form(PAGE2, {"tabel__bus": "goed", "tabel__winkel": "goed"})
    response = survey_client.post("/enquete/typen/controle", data={})
    assert response.status_code == 400
    assert stored(village) == 0
    assert draft_answers(village)["janee"] == "ja"  # the draft survives: nothing lost
