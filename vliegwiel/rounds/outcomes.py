"""Participation rounds on the home page: the votes open now ("Stemmen") and what came of each
round ("Uitslagen": the rounds whose vote is over, with the decision about every idea that
has one)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vliegwiel.rounds.ideas import DECISION_LABELS
from vliegwiel.rounds.model import (
    DRAFT,
    PUBLISHED,
    list_rounds,
    phase,
    phase_open,
    phase_over,
    status_of,
)
from vliegwiel.rounds.publication import shown_ideas


def round_results(storage: Any, now: datetime) -> list[dict[str, Any]]:
    """Newest first: ``{"round", "outcome" (vote over), "decisions": [(idea, label)]}``.

    Decisions are listed only once the round's results are published, as on its own page,
    and as they were published (``rounds.publication``).
    """
    found = []
    for record in reversed(list_rounds(storage)):
        status = status_of(record, now)
        if status == DRAFT:
            continue
        outcome = phase_over(record, "prioritise", now)
        decisions = []
        if status == PUBLISHED:
            decisions = [
                (idea, DECISION_LABELS[idea["decision"]])
                for idea in shown_ideas(storage, record["id"], True)
                if idea.get("decision") in DECISION_LABELS
            ]
        if outcome or decisions:
            found.append({"round": record, "outcome": outcome, "decisions": decisions})
    return found


def open_votes(storage: Any, now: datetime) -> list[dict[str, Any]]:
    """Rounds whose vote is open now, for the home page: ``{"round", "last_day"}``."""
    found = []
    for record in list_rounds(storage):
        if status_of(record, now) == DRAFT or not phase_open(record, "prioritise", now):
            continue
        vote = phase(record, "prioritise")
        found.append({"round": record, "last_day": vote.last_day if vote else None})
    return found
