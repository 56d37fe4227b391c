"""Helpers for tests of participation rounds through the web pages: a clock residents and
organisers share, a round made through the organiser form, ideas, supports and votes."""

from __future__ import annotations

import re
from datetime import datetime

from vliegwiel.rounds.model import ROUNDS, TIMEZONE

SURVEY = """\
id: behoeften
title: Wat heeft het dorp nodig?
pages:
  - id: p1
    title: Behoeften
    questions:
      - id: behoefte
        type: single_choice
        text: Wat mist u het meest?
        required: true
        options: [ontmoeting, groen, vervoer]
"""

PHASES = {
    "start-survey": "2026-03-01",
    "end-survey": "2026-03-07",
    "start-ideas": "2026-03-08",
    "end-ideas": "2026-03-14",
    "start-prioritise": "2026-03-15",
    "end-prioritise": "2026-03-21",
    "start-commit": "2026-03-22",
    "end-commit": "2026-03-28",
    "start-results": "2026-03-29",
}


class Clock:
    """The app's clock (VLIEGWIEL_NOW), moved by the test."""

    def __init__(self) -> None:
        self.now = datetime(2026, 2, 1, 12, tzinfo=TIMEZONE)

    def set(self, text: str) -> None:
        self.now = datetime.fromisoformat(text).replace(tzinfo=TIMEZONE)

    def __call__(self) -> datetime:
        return self.now


def snapshot(storage) -> dict:
    return {name: storage.all(name) for name in storage.collections(ROUNDS)}


def make_round(organiser, village, **fields) -> str:
    data = {"title": "Samen het dorp groener", "method": "approval", "seats": "2"}
    data.update(PHASES)
    data.update(fields)
    response = organiser.post_form("/beheer/rondes/nieuw", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    round_id = response.headers["Location"].rstrip("/").split("/")[-1]
    organiser.post_form(
        f"/beheer/rondes/{round_id}/inplannen", {}, page=f"/beheer/rondes/{round_id}"
    )
    assert village.storage.get(ROUNDS, round_id)["scheduled"] is True
    return round_id


def submit_idea(client, round_id: str, title: str, **extra) -> str:
    data = {"title": title, "description": f"Beschrijving van {title}", **extra}
    response = client.post_form(f"/ronde/{round_id}/idee-nieuw", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].split("/")[-1]


def support(client, round_id: str, idea_id: str):
    url = f"/ronde/{round_id}/idee/{idea_id}"
    return client.post_form(f"{url}/steun", {}, page=url)


def set_shortlist(organiser, round_id: str, costs: dict[str, int]) -> None:
    data = {}
    for position, (idea_id, cost) in enumerate(costs.items(), start=1):
        data[f"kies-{idea_id}"] = "ja"
        data[f"volgorde-{idea_id}"] = str(position)
        data[f"kosten-{idea_id}"] = str(cost)
    response = organiser.post_form(
        f"/beheer/rondes/{round_id}/stemlijst", data, page=f"/beheer/rondes/{round_id}/ideeen"
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def vote(client, round_id: str, data: dict):
    return client.post_form(f"/ronde/{round_id}/stemmen", data)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# --- the full cycle -----------------------------------------------------------------------------
