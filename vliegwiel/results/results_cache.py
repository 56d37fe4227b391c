"""Results counted once per version of the data they come from.

An organiser's results page at 20,000 responses took seconds because every view counted
every response again. Here a page's ``SurveyResults`` are kept, keyed by everything they
depend on: the storage's ``version`` of the survey's responses, its text moderation, its
rounds and its population figures (``RecordStore.version``: the bucket files' stats on
TinyDB, the change number on PostgreSQL), the survey definition and configuration objects
(both replaced when their files change), the round, breakdown, step and language asked for.
A view that finds its key counts nothing; any write, by this process or another (a paper
form keyed in with the command line), changes a version and the next view counts afresh.
Nothing is kept on disk, so a restarted server simply counts once more.

The version is read *before* the responses, so a write that lands while counting can only
make the entry look older than it is (counted again next time), never newer.

Cached results are shared between requests: callers must treat them as read-only (pages and
hooks only read them). Memory is bounded: at most ``MAX_ENTRIES`` results in all, least
recently used dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from vliegwiel.core.village import Village
from vliegwiel.results.population import COLLECTION as POPULATION
from vliegwiel.results.suppression import stepped
from vliegwiel.results.tallies import (
    RawTally,
    SurveyResults,
    breakdown_ids,
    compute_results,
    count_responses,
    finish_results,
    moderation_collection,
    needs_responses,
    text_owners,
)
from vliegwiel.results.trends import QuestionTrend, compute_trends
from vliegwiel.results.waves import WAVES, find_wave, split_by_wave, wave_responses, waves_of
from vliegwiel.surveys.responses import responses_collection
from vliegwiel.surveys.schema import Survey
from vliegwiel.web.i18n import current_language

#: Results kept at once, over every village of the process (a province serves many); each
#: holds one survey's tallies, so memory does not grow with the number of responses.
MAX_ENTRIES = 32

T = TypeVar("T")

#: One entry per village, survey, view and language: (data version, village, survey,
#: configuration, value). A new version replaces the entry, so no outdated results linger.
_entries: OrderedDict[Hashable, tuple[Hashable, Village, Survey, Any, Any]] = OrderedDict()
_lock = threading.Lock()
#: Counts made since start-up (for tests and the bench: a view served from the cache
#: leaves it unchanged).
computed = 0


def data_version(village: Village, survey: Survey) -> tuple[Hashable, ...]:
    """The versions of every collection a survey's results are computed from."""
    storage = village.storage
    return (
        storage.version(responses_collection(survey.id)),
        storage.version(moderation_collection(survey.id)),
        storage.version(WAVES),
        storage.version(POPULATION),
    )


def _cached(village: Village, survey: Survey, what: tuple, compute: Callable[[], T]) -> T:
    global computed
    key = (id(village), survey.id, what, current_language())
    version = data_version(village, survey)  # before the data is read: see the module doc
    with _lock:
        entry = _entries.get(key)
        # Identity checks: an id() can be reused by a new village, and a changed survey
        # file or configuration makes new objects.
        if (
            entry is not None
            and entry[0] == version
            and all(
                a is b for a, b in zip(entry[1:4], (village, survey, village.config), strict=True)
            )
        ):
            _entries.move_to_end(key)
            return entry[4]
    value = compute()  # outside the lock: other pages need not wait for this count
    with _lock:
        computed += 1
        _entries[key] = (version, village, survey, village.config, value)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def cached_results(
    village: Village,
    survey: Survey,
    *,
    wave: str | None = None,
    step: int | None = None,
    breakdown: str | None = None,
    with_texts: bool = False,
) -> SurveyResults:
    """``compute_results`` over round ``wave``'s responses (default: the latest round), cut
    to the first multiple of ``step`` (``suppression.stepped``) when given."""

    def compute() -> SurveyResults:
        if not step and not needs_responses(village, survey):
            return _added_up(village, survey, wave, breakdown, with_texts)
        wave_id, responses = wave_responses(village, survey, wave)
        if step:
            responses = stepped(responses, step)
        return compute_results(
            village, survey, responses, wave=wave_id, breakdown=breakdown, with_texts=with_texts
        )

    return _cached(village, survey, ("results", wave, step, breakdown, with_texts), compute)


@dataclass
class _Chunk:
    """What one storage chunk (a bucket file on TinyDB) adds to the results of each round."""

    version: Hashable
    #: What the counts depend on besides the records: the survey object (a new one when
    #: its file changes), the question types and the rounds' start times.
    context: tuple
    raw: dict[str, RawTally]
    #: Response ids per round with their place in the chunk: which approved texts belong
    #: to a round, in the order of the responses.
    ids: dict[str, dict[str, int]]


#: (village id, survey id) -> chunk key -> its counts; at most MAX_SURVEYS surveys kept.
_chunks: OrderedDict[tuple[int, str], dict[Hashable, _Chunk]] = OrderedDict()
MAX_SURVEYS = 8
#: Chunks counted since start-up (tests: after one new response only the chunk it went to).
chunks_counted = 0


def _chunk(village: Village, collection: str, key: Hashable, context: tuple, waves, by) -> _Chunk:
    global chunks_counted
    version, records = village.storage.chunk(collection, key)
    raw: dict[str, RawTally] = {}
    ids: dict[str, dict[str, int]] = {}
    for wave_id, found in split_by_wave(waves, records).items():
        raw[wave_id] = count_responses(found, by)
        ids[wave_id] = {r["id"]: place for place, r in enumerate(found)}
    with _lock:
        chunks_counted += 1
    return _Chunk(version, context, raw, ids)


def _added_up(
    village: Village, survey: Survey, wave: str | None, breakdown: str | None, with_texts: bool
) -> SurveyResults:
    """The results of one round as the sum of what every storage chunk adds: a chunk whose
    version did not change since it was counted is not read again, so after a new response
    only the chunk it went to is counted. Equal to ``compute_results`` of the round."""
    storage = village.storage
    collection = responses_collection(survey.id)
    waves = waves_of(storage, survey.id)
    chosen = find_wave(waves, wave) or waves[-1]
    by = breakdown_ids(survey)
    context = (
        survey,
        village.question_types,
        tuple((w.id, w.started_at) for w in waves),
    )
    with _lock:
        known = _chunks.setdefault((id(village), survey.id), {})
        _chunks.move_to_end((id(village), survey.id))
        while len(_chunks) > MAX_SURVEYS:
            _chunks.popitem(last=False)
    total = RawTally()
    kept: dict[Hashable, _Chunk] = {}
    for key, version in storage.chunks(collection):
        entry = known.get(key)
        if (
            entry is None
            or entry.version != version
            or not all(a is b for a, b in zip(entry.context[:2], context[:2], strict=True))
            or entry.context[2] != context[2]
        ):
            entry = _chunk(village, collection, key, context, waves, by)
        kept[key] = entry
        part = entry.raw.get(chosen.id)
        if part is not None:
            total.add(part)
    with _lock:
        known.clear()
        known.update(kept)
    texts = None
    if with_texts:
        owners = text_owners(village, survey)
        found = []  # in the order of the responses, as compute_results reads them
        for entry in kept.values():
            places = entry.ids.get(chosen.id, {})
            found += sorted((o for o in owners if o in places), key=places.__getitem__)
        texts = [r for owner in found if (r := storage.get(collection, owner)) is not None]
    return finish_results(
        village,
        survey,
        total,
        breakdown=breakdown,
        wave=None if len(waves) == 1 else chosen.id,
        text_responses=texts,
    )


def cached_trends(
    village: Village, survey: Survey, *, step: int | None = None
) -> list[QuestionTrend]:
    """``compute_trends``, kept like the results."""
    return _cached(
        village, survey, ("trends", step), lambda: compute_trends(village, survey, step=step)
    )


def size() -> int:
    """How many results are kept now (at most MAX_ENTRIES, one per view asked for)."""
    with _lock:
        return len(_entries)


def clear() -> None:
    """Forget every cached result (tests use this to compare with a fresh count)."""
    with _lock:
        _entries.clear()
        _chunks.clear()
