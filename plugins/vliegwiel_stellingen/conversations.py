"""Stellingen conversations as stored: the set, its statements, the votes, the cached analysis.

All records live in the plugin's own collections (``vliegwiel.plugin_support.PluginStore``):

- ``sets``: ``{id, title, created_at, open, min_participants, version, survey}``; ``version``
  goes up with every vote written, so a cached analysis knows whether it is still current;
  ``survey`` (optional, None) is the survey whose PDF report and share bundles carry the
  results (see ``sections.py``); ``requires_codes`` (optional, False): residents vote with
  the household code from a letter, one participant per code, instead of once per browser;
- ``<id>/statements``: ``{id, number, text, status, source, created_at}``; a statement gets
  its ``number`` (1, 2, ...) when it is approved, so the numbers residents, paper forms and
  ``results --json`` use are always 1..n without gaps; suggestions wait without one;
- ``<id>/votes``: one record per participant (a browser, or a household code),
  ``{id: <participant key>, votes: {"<number>":
  1 | -1 | 0}, channel}``: the id makes "one participant, one record" a property of the
  storage, and a paper import of a meeting is a write per person, not per vote;
- ``<id>/analysis``: one record ``latest`` holding the result of :func:`analyse` for a version.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

from vliegwiel.plugin_support import PluginStore

from .analysis import AGREE, DISAGREE, MIN_PARTICIPANTS_DEFAULT, PASS, Vote

SETS = "sets"
APPROVED, SUGGESTED, REJECTED = "goedgekeurd", "voorgesteld", "afgewezen"
#: Votes as written on paper and in imports, and as stored.
VOTE_WORDS = {"eens": AGREE, "oneens": DISAGREE, "overslaan": PASS}
MAX_STATEMENT = 140  # Polis's limit: one thought, readable on a phone
MAX_TITLE = 120
MAX_STATEMENTS = 200


class ConversationError(ValueError):
    """Input a conversation refuses; the message is Dutch, for the person who sent it."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:40].strip("-")
    return slug or "stellingen"


def clean_statement(text: str) -> str:
    text = " ".join(str(text).split())
    if not text:
        raise ConversationError("Een stelling mag niet leeg zijn.")
    if len(text) > MAX_STATEMENT:
        raise ConversationError(
            f"Een stelling is hoogstens {MAX_STATEMENT} tekens; deze is {len(text)} tekens."
        )
    return text


def create(
    store: PluginStore,
    title: str,
    statements: list[str],
    *,
    min_participants: int = MIN_PARTICIPANTS_DEFAULT,
) -> str:
    """A new, open conversation with approved seed statements; returns its id."""
    title = " ".join(title.split())
    if not title or len(title) > MAX_TITLE:
        raise ConversationError(f"Geef een titel van 1 tot {MAX_TITLE} tekens.")
    cleaned = [clean_statement(s) for s in statements]
    if len(cleaned) < 2:
        raise ConversationError("Geef minstens twee stellingen.")
    if len(cleaned) > MAX_STATEMENTS:
        raise ConversationError(f"Hoogstens {MAX_STATEMENTS} stellingen.")
    if min_participants < MIN_PARTICIPANTS_DEFAULT:
        raise ConversationError(
            f"Groepen vragen minstens {MIN_PARTICIPANTS_DEFAULT} deelnemers; "
            "minder geeft schijngroepen."
        )
    with store.locked(SETS):
        taken = {s["id"] for s in store.all(SETS)}
        base = _slug(title)
        set_id, n = base, 2
        while set_id in taken:
            set_id, n = f"{base}-{n}", n + 1
        for number, text in enumerate(cleaned, start=1):
            store.insert(f"{set_id}/statements", _statement(text, number, APPROVED, "organisatie"))
        store.insert(
            SETS,
            {
                "id": set_id,
                "title": title,
                "created_at": now(),
                "open": True,
                "min_participants": min_participants,
                "version": 0,
            },
        )
    return set_id


def _statement(text: str, number: int | None, status: str, source: str) -> dict[str, Any]:
    return {"number": number, "text": text, "status": status, "source": source, "created_at": now()}


def get(store: PluginStore, set_id: str) -> dict[str, Any] | None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", set_id or ""):
        return None
    return store.get(SETS, set_id)


def all_sets(store: PluginStore) -> list[dict[str, Any]]:
    return sorted(store.all(SETS), key=lambda s: s["created_at"])


def statements(store: PluginStore, set_id: str) -> list[dict[str, Any]]:
    """The approved statements, by number."""
    found = [s for s in store.all(f"{set_id}/statements") if s["status"] == APPROVED]
    return sorted(found, key=lambda s: s["number"])


def suggestions(store: PluginStore, set_id: str) -> list[dict[str, Any]]:
    found = [s for s in store.all(f"{set_id}/statements") if s["status"] == SUGGESTED]
    return sorted(found, key=lambda s: s["created_at"])


def suggest(store: PluginStore, set_id: str, text: str) -> None:
    """A resident's statement, waiting for moderation."""
    store.insert(
        f"{set_id}/statements", _statement(clean_statement(text), None, SUGGESTED, "inwoner")
    )


def moderate(store: PluginStore, set_id: str, statement_id: str, approve: bool) -> None:
    """Approve (it gets the next number) or reject a suggested statement."""
    name = f"{set_id}/statements"
    with store.locked(name):
        record = store.get(name, statement_id)
        if record is None or record["status"] != SUGGESTED:
            raise ConversationError("Deze stelling wacht niet (meer) op een besluit.")
        if approve:
            number = 1 + max((s["number"] or 0 for s in store.all(name)), default=0)
            store.update(name, statement_id, {"status": APPROVED, "number": number})
        else:
            store.update(name, statement_id, {"status": REJECTED})


def set_open(store: PluginStore, set_id: str, is_open: bool) -> None:
    store.update(SETS, set_id, {"open": is_open})


def set_requires_codes(store: PluginStore, set_id: str, required: bool) -> None:
    """One participant per household code (True) or per browser (False)."""
    store.update(SETS, set_id, {"requires_codes": required})


def set_survey(store: PluginStore, set_id: str, survey_id: str | None) -> None:
    """Carry the results in the PDF report and share bundles of ``survey_id`` (None: none)."""
    store.update(SETS, set_id, {"survey": survey_id})


def sets_of_survey(store: PluginStore, survey_id: str) -> list[dict[str, Any]]:
    return [s for s in all_sets(store) if s.get("survey") == survey_id]


# --- votes ----------------------------------------------------------------------------------------


def votes(store: PluginStore, set_id: str) -> list[Vote]:
    return [
        Vote(record["id"], int(number), value)
        for record in store.all(f"{set_id}/votes")
        for number, value in record["votes"].items()
    ]


def voted_on(store: PluginStore, set_id: str, participant: str) -> set[int]:
    record = store.get(f"{set_id}/votes", participant)
    return {int(number) for number in record["votes"]} if record else set()


def record_votes(
    store: PluginStore,
    set_id: str,
    new: list[tuple[str, int, int]],
    *,
    channel: str,
    replace: bool,
) -> int:
    """Store (participant, statement number, vote) triples; returns how many were accepted.

    ``replace=False`` (residents on the web): a second vote on the same statement is ignored,
    the first counts. ``replace=True`` (an import run again after a correction): the file's
    vote wins. When anything changed, the set's version goes up, so the analysis is
    recomputed once.
    """
    name = f"{set_id}/votes"
    by_participant: dict[str, dict[str, int]] = {}
    for participant, number, value in new:
        by_participant.setdefault(participant, {})[str(number)] = value
    accepted, changed = 0, False
    with store.locked(name):
        for participant, cast in by_participant.items():
            record = store.get(name, participant)
            if record is None:
                store.insert(name, {"id": participant, "votes": cast, "channel": channel})
                accepted, changed = accepted + len(cast), True
                continue
            if replace:
                fresh = cast
            else:
                fresh = {n: v for n, v in cast.items() if n not in record["votes"]}
            accepted += len(fresh)
            if any(record["votes"].get(n) != v for n, v in fresh.items()):
                store.update(name, participant, {"votes": {**record["votes"], **fresh}})
                changed = True
        if changed:
            with store.locked(SETS):
                version = store.get(SETS, set_id)["version"]
                store.update(SETS, set_id, {"version": version + 1})
    return accepted
