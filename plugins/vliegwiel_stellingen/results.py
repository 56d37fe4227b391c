"""The published result of a conversation, protected, and its cache by votes version.

The JSON shape is public (``vliegwiel stellingen results ID --json``, the results page and the
PDF section are built from it)::

    {"participants": n, "statements": [{"text", "agree", "disagree", "pass"}],
     "consensus": [numbers], "divisive": [numbers],
     "groups": null | [{"size": n, "distinctive": [numbers]}], "groups_reason": text}

Statement numbers are 1-based positions in ``statements``. Counts of people go through the
core's small-group protection: a count or cell of 1 to k-1 is ``null``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import get_locale
from flask_babel import gettext as _

from vliegwiel.plugin_support import PluginStore
from vliegwiel.suppression import suppress_counts

from . import conversations as conv
from .analysis import (
    MIN_VOTES,
    REASON_NOISE,
    REASON_SHOWN,
    REASON_SMALL,
    Analysis,
    analyse,
)

CACHE = "analysis"
LATEST = "latest"


#: Stored moments are UTC; a village reads its own clock.
VILLAGE_TIME = ZoneInfo("Europe/Amsterdam")


def moment(iso: str) -> str:
    """When an analysis was computed, as pages and reports say it, in Dutch time."""
    return format_datetime(
        datetime.fromisoformat(iso),
        _("d MMMM yyyy 'om' HH:mm"),
        tzinfo=VILLAGE_TIME,
        locale=get_locale(),
    )


def protect(count: int, k: int) -> int | None:
    """One published count of people: hidden when it is 1 to k-1."""
    return suppress_counts({"n": count}, k).cells["n"]


def reason_text(analysis: Analysis, k: int, min_participants: int, statements: int) -> str:
    needed = min(MIN_VOTES, statements)
    if analysis.reason == REASON_SHOWN:
        return _(
            "De stemmen vormen %(n)s groepen met een eigen mening: duidelijker dan bij "
            "toeval, en elke groep telt minstens %(k)s deelnemers.",
            n=len(analysis.groups or []),
            k=k,
        )
    if analysis.reason == REASON_NOISE:
        return _(
            "Geen groepen: de stemmen vormen geen duidelijkere groepen dan dezelfde stemmen "
            "door elkaar gehusseld. Wat hier groepen lijken, kan toeval zijn."
        )
    if analysis.reason == REASON_SMALL:
        return _(
            "Geen groepen: een van de groepen telt minder dan %(k)s deelnemers. Die tonen we "
            "niet, zodat niemand herkenbaar wordt.",
            k=k,
        )
    counted = protect(analysis.counted, k)
    return _(
        "Nog geen groepen: daarvoor zijn minstens %(min)s deelnemers nodig die over "
        "minstens %(votes)s stellingen hebben gestemd. Nu zijn dat er %(counted)s.",
        min=min_participants,
        votes=needed,
        counted=_("minder dan %(k)s", k=k) if counted is None else counted,
    )


def published(analysis: Analysis, texts: list[str], k: int, min_participants: int) -> dict:
    """The public JSON shape of an analysis (see the module docstring)."""
    rows = []
    for number, text in enumerate(texts, start=1):
        t = analysis.tallies[number]
        cells = suppress_counts(
            {"agree": t.agree, "disagree": t.disagree, "pass": t.passed}, k
        ).cells
        rows.append({"text": text, **cells})
    return {
        "participants": protect(analysis.participants, k),
        "statements": rows,
        "consensus": analysis.consensus,
        "divisive": analysis.divisive,
        "groups": analysis.groups,
        "groups_reason": reason_text(analysis, k, min_participants, len(texts)),
    }


def compute(
    store: PluginStore,
    record: dict[str, Any],
    k: int,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Analyse the conversation now (expensive: the permutation test) and cache the result.

    Only the background job (``views.refresh``) and commands call this; pages read the cache.
    """
    set_id = record["id"]
    texts = [s["text"] for s in conv.statements(store, set_id)]
    analysis = analyse(
        conv.votes(store, set_id),
        list(range(1, len(texts) + 1)),
        k=k,
        min_participants=record["min_participants"],
        progress=progress,
    )
    result = published(analysis, texts, k, record["min_participants"])
    cached = {
        "version": record["version"],
        "statements": len(texts),
        "k": k,
        "min_participants": record["min_participants"],
        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "result": result,
    }
    store.put(f"{set_id}/{CACHE}", LATEST, cached)
    return result


def cached(store: PluginStore, record: dict[str, Any]) -> dict[str, Any] | None:
    """The last computed analysis (possibly of fewer votes than now), or None."""
    return store.get(f"{record['id']}/{CACHE}", LATEST)


def is_current(store: PluginStore, record: dict[str, Any], k: int) -> bool:
    found = cached(store, record)
    return found is not None and (
        found["version"],
        found["statements"],
        found["k"],
        found["min_participants"],
    ) == (
        record["version"],
        len(conv.statements(store, record["id"])),
        k,
        record["min_participants"],
    )


def needs_update(store: PluginStore, record: dict[str, Any], k: int, older_than: float = 0) -> bool:
    """Whether the cached analysis is stale and at least ``older_than`` seconds old (or
    missing): residents' pages ask for a new one at most that often."""
    if is_current(store, record, k):
        return False
    found = cached(store, record)
    if found is None:
        return True
    age = datetime.now(UTC) - datetime.fromisoformat(found["computed_at"])
    return age.total_seconds() >= older_than


def current(
    store: PluginStore,
    record: dict[str, Any],
    k: int,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """The result for the votes as they are now: from the cache, computed once per change.

    For commands and the background job only: never in a request (``views.refresh``)."""
    if is_current(store, record, k):
        return cached(store, record)["result"]
    return compute(store, record, k, progress)
