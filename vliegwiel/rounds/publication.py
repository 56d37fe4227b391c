"""A round's published results: frozen when a beheerder publishes them.

Like a survey's publications (``vliegwiel.results.publications``), what residents see of a
published round is what was stored when it was published, never live data: the outcome of
the vote (ballots imported later, a recount, a changed setting do not move it), the ideas
with their decisions, and the number of voters. Pages for residents, the home page's
"Uitslagen" and the flywheel read this snapshot only. Publishing again (saving the
decisions with "Ja, bewoners mogen de besluiten zien") stores a new one; a decision changed
any other way waits for that.

One record per round, ``latest``, in the collection ``rounds/<id>/publication``. A round
published before snapshots existed has none: its pages read the live data as before, until
a beheerder saves its decisions again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vliegwiel.core.storage import put_record
from vliegwiel.rounds.ballots import stored_ballots
from vliegwiel.rounds.count import (
    CountState,
    ballots_version,
    outcome_from_json,
    outcome_now,
    outcome_to_json,
)
from vliegwiel.rounds.ideas import all_ideas
from vliegwiel.rounds.model import collection

LATEST = "latest"
#: What residents' pages show of an idea; never who sent it or the team's scores.
IDEA_FIELDS = (
    "id",
    "title",
    "theme",
    "cost",
    "hidden",
    "merged_into",
    "shortlisted",
    "decision",
    "decision_reason",
)


def publication_collection(round_id: str) -> str:
    return collection(round_id, "publication")


def publish_round(storage: Any, record: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Store what residents will see of ``record`` from now on; return the snapshot.

    For organiser requests and commands: the outcome is counted now if no count of the
    current ballots is stored (``count.outcome_now``, time-limited)."""
    state = outcome_now(storage, record)
    snapshot = {
        "published_at": now.isoformat(),
        "ballots_version": ballots_version(storage, record),
        "outcome": outcome_to_json(state.outcome) if state.outcome else None,
        "failed": state.failed,
        "voters": len(stored_ballots(storage, record["id"])),
        "ideas": [
            {field: idea.get(field) for field in IDEA_FIELDS}
            for idea in all_ideas(storage, record["id"])
        ],
    }
    put_record(storage, publication_collection(record["id"]), LATEST, snapshot)
    return snapshot


def published(storage: Any, round_id: str) -> dict[str, Any] | None:
    """The stored snapshot of a round's results, or None when none was stored."""
    return storage.get(publication_collection(round_id), LATEST)


def published_state(snapshot: dict[str, Any]) -> CountState:
    """The outcome as it was published."""
    data = snapshot.get("outcome")
    if data is None:
        return CountState(failed=bool(snapshot.get("failed")))
    return CountState(outcome=outcome_from_json(data))


def shown_ideas(storage: Any, round_id: str, is_published: bool) -> list[dict[str, Any]]:
    """The ideas residents' results pages use: the snapshot's once published (the live
    records only for a round published before snapshots existed), else the live ones."""
    snapshot = published(storage, round_id) if is_published else None
    return list(snapshot["ideas"]) if snapshot else all_ideas(storage, round_id)
