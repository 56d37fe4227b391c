"""Shared set-up for the access tests (no tests here): a code survey, and a resident."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import write_survey

SURVEY = """
id: {id}
title: Buurtenquête
access: {access}
anonymous: {anonymous}
pages:
  - id: een
    title: Eerste deel
    questions:
      - id: tevreden
        type: yes_no
        text: Bent u tevreden over de buurt?
        required: true
      - id: vervoer
        type: multiple_choice
        text: Hoe reist u meestal?
        options: [Fiets, Auto, Bus]
  - id: twee
    questions:
      - id: cijfer
        type: scale
        text: Welk cijfer geeft u de buurt?
        min: 1
        max: 5
      - id: opmerking
        type: long_text
        text: Wat wilt u nog kwijt?
"""


def add_survey(
    instance: Path, survey_id: str = "buurt", *, access: str = "code", anonymous: bool = True
) -> None:
    text = SURVEY.format(id=survey_id, access=access, anonymous=str(anonymous).lower())
    write_survey(instance, text, f"{survey_id}.yaml")


def enter_code(client, code: str, survey_id: str = "buurt"):
    return client.post_form(f"/code/{survey_id}", {"code": code})


def answer_online(client, survey_id: str = "buurt", tevreden: str = "ja"):
    """Answer both pages and submit; returns the final response."""
    first = client.post_form(
        f"/enquete/{survey_id}/pagina/1", {"tevreden": tevreden, "action": "next"}
    )
    if first.status_code != 302 or "/pagina/2" not in first.headers["Location"]:
        return first
    client.post_form(f"/enquete/{survey_id}/pagina/2", {"cijfer": "4", "action": "next"})
    return client.post_form(f"/enquete/{survey_id}/controle", {})


def text_of(response) -> str:
    """The visible text of an HTML page, whitespace collapsed."""
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
