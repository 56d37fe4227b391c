"""Conditional display (show_if): evaluation rules and the effect on the resident's pages."""

from __future__ import annotations

import pytest
from conftest import write_survey

from vliegwiel.surveys.conditions import parse_condition

SURVEY = """\
id: gezin
title: Gezin
pages:
  - id: thuis
    questions:
      - {id: kinderen, type: yes_no, text: "Heeft u kinderen thuis?", required: true}
  - id: kinderen_pagina
    questions:
      - id: aantal
        type: number
        text: Hoeveel kinderen?
        required: true
        show_if: {question: kinderen, equals: ja}
      - id: school
        type: short_text
        text: Naar welke school?
        show_if: {question: kinderen, equals: ja}
  - id: slot
    questions:
      - {id: opmerking, type: short_text, text: "Nog iets?"}
"""


@pytest.fixture
def gezin(instance_dir, client):
    write_survey(instance_dir, SURVEY, "gezin.yaml")
    return client


def page(n: int) -> str:
    return f"/enquete/gezin/pagina/{n}"


def draft(village) -> dict:
    (only,) = village.storage.all("drafts")
    return only["answers"]


def test_page_hidden_by_an_earlier_answer_is_skipped(gezin, village):
    response = gezin.post_form(page(1), {"kinderen": "nee"})
    assert response.headers["Location"].endswith(page(3))
    # The progress indicator counts only the pages this resident sees.
    assert "Stap 2 van 2" in gezin.get(page(3)).get_data(as_text=True)
    # Opening the hidden page by its address leads back to a visible page.
    response = gezin.get(page(2))
    assert response.status_code == 302 and response.headers["Location"].endswith(page(1))
    # Going back from page 3 skips the hidden page too.
    response = gezin.post_form(page(3), {"action": "back"})
    assert response.headers["Location"].endswith(page(1))


def test_shown_page_when_the_condition_holds(gezin):
    response = gezin.post_form(page(1), {"kinderen": "ja"})
    assert response.headers["Location"].endswith(page(2))
    body = gezin.get(page(2)).get_data(as_text=True)
    assert "Hoeveel kinderen?" in body and "Stap 2 van 3" in body


def test_changing_an_earlier_answer_prunes_hidden_answers(gezin, village):
    gezin.post_form(page(1), {"kinderen": "ja"})
    gezin.post_form(page(2), {"aantal": "2", "school": "De Wegwijzer"})
    gezin.post_form(page(3), {"opmerking": "Fijn dorp"})
    assert draft(village) == {
        "kinderen": "ja",
        "aantal": 2,
        "school": "De Wegwijzer",
        "opmerking": "Fijn dorp",
    }
    gezin.post_form(page(1), {"kinderen": "nee"})
    assert draft(village) == {"kinderen": "nee", "opmerking": "Fijn dorp"}
    review = gezin.get("/enquete/gezin/controle").get_data(as_text=True)
    assert "De Wegwijzer" not in review and "Hoeveel kinderen?" not in review
    gezin.post_form("/enquete/gezin/controle", {})
    (record,) = village.storage.all("responses/gezin")
    assert record["answers"] == {"kinderen": "nee", "opmerking": "Fijn dorp"}


def test_required_question_on_a_hidden_page_is_not_required(gezin, village):
    gezin.post_form(page(1), {"kinderen": "nee"})
    gezin.post_form(page(3), {})
    response = gezin.post_form("/enquete/gezin/controle", {})
    assert response.status_code == 302
    assert village.storage.count("responses/gezin") == 1


def test_required_question_on_a_shown_page_is_required(gezin, village):
    gezin.post_form(page(1), {"kinderen": "ja"})
    response = gezin.post_form(page(2), {"school": "De Wegwijzer"})
    assert response.status_code == 400
    assert "Deze vraag is verplicht. Geef een antwoord." in response.get_data(as_text=True)
    # Skipping ahead to the review page does not get round it either.
    response = gezin.post_form("/enquete/gezin/controle", {})
    assert response.status_code == 400
    assert village.storage.count("responses/gezin") == 0


NO_CAR = {"question": "auto", "equals": "nee"}
ANSWERS = {"leeftijd": 70, "hulp": ["boodschappen", "vervoer"], "auto": "nee", "leeg": ""}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"question": "auto", "equals": "nee"}, True),
        ({"question": "auto", "equals": False}, True),  # YAML `no` reads as "nee"
        ({"question": "auto", "not_equals": "ja"}, True),
        ({"question": "ontbreekt", "not_equals": "ja"}, True),
        ({"question": "ontbreekt", "equals": "ja"}, False),
        ({"question": "leeftijd", "equals": "70"}, True),
        ({"question": "leeftijd", "in": [65, 70]}, True),
        ({"question": "leeftijd", "gte": 65}, True),
        ({"question": "leeftijd", "lte": 65}, False),
        ({"question": "auto", "gte": 1}, False),
        ({"question": "hulp", "contains": "vervoer"}, True),
        ({"question": "hulp", "contains": "bezoek"}, False),
        ({"question": "leeg", "answered": True}, False),
        ({"question": "leeg", "answered": False}, True),
        ({"all": [NO_CAR, {"question": "leeftijd", "gte": 80}]}, False),
        ({"any": [NO_CAR, {"question": "leeftijd", "gte": 80}]}, True),
        ({"not": {"question": "hulp", "contains": "vervoer"}}, False),
    ],
)
def test_condition_forms(raw, expected):
    assert parse_condition(raw).holds(ANSWERS) is expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("kinderen == ja", "show_if must be a mapping"),
        ({"question": "q", "equals": "a", "in": ["b"]}, "exactly one of"),
        ({"question": "q", "in": "a"}, "'in' needs a list"),
        ({"question": "q", "gte": "veel"}, "'gte' needs a number"),
        ({"question": "q", "equals": ["a"]}, "'equals' needs a single value"),
        ({"all": []}, "non-empty list"),
        ({"equals": "a"}, "needs 'question'"),
    ],
)
def test_bad_conditions_say_what_is_wrong(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_condition(raw)


def test_condition_nested_too_deeply_is_refused():
    raw: dict = {"question": "q", "answered": True}
    for _ in range(20):
        raw = {"not": raw}
    with pytest.raises(ValueError, match="nested too deeply"):
        parse_condition(raw)
