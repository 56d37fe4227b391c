"""The outcome of a round's vote, counted once per version of the ballots and never while a
resident waits.

A count is stored in ``rounds/<id>/count`` together with the *ballots version*: a hash of
everything the outcome depends on (method and its settings, the shortlist with costs, every
ballot). Pages read that record. When it is missing or stale, a resident's page only asks a
background worker to count (one worker per data directory, one count per round at a time) and
says the outcome is being counted; organiser pages and commands count at once. Every count
runs in a child process with a time limit (`COUNT_SECONDS`), so even a count that would take
hours cannot hold the server: it is stopped and the failure is stored for that version.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import queue
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from vliegwiel.rounds.ballots import count_votes, projects_of, stored_ballots
from vliegwiel.rounds.model import collection, get_round
from vliegwiel.rounds.voting import Outcome, Reason

log = logging.getLogger(__name__)

#: The longest one count may take before it is stopped (seconds).
COUNT_SECONDS = 60.0


def count_collection(round_id: str) -> str:
    return collection(round_id, "count")


def ballots_version(storage, record: dict[str, Any]) -> str:
    """A hash of everything the outcome depends on; it changes with any ballot."""
    projects = [(p.id, p.cost) for p in projects_of(storage, record["id"])]
    ballots = sorted(
        json.dumps(b["ballot"], sort_keys=True) for b in stored_ballots(storage, record["id"])
    )
    payload = json.dumps([record["settings"], projects, ballots], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class CountState:
    """What a page can show: the outcome, or that it is being counted, or that it failed."""

    outcome: Outcome | None = None
    counting: bool = False
    failed: bool = False


# --- storing an outcome as JSON -----------------------------------------------------------------


def _number(value: object) -> object:
    if isinstance(value, Fraction):
        return {"fraction": [value.numerator, value.denominator]}
    return value


def _unnumber(value: object) -> object:
    if isinstance(value, dict) and "fraction" in value:
        numerator, denominator = value["fraction"]
        return Fraction(numerator, denominator)
    return value


def outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "method": outcome.method,
        "selected": outcome.selected,
        "scores": {k: _number(v) for k, v in outcome.scores.items()},
        "reasons": {
            k: {f: _number(v) for f, v in asdict(r).items()} for k, r in outcome.reasons.items()
        },
        "ranking": outcome.ranking,
        "parameters": {k: _number(v) for k, v in outcome.parameters.items()},
    }


def outcome_from_json(data: dict[str, Any]) -> Outcome:
    return Outcome(
        data["method"],
        list(data["selected"]),
        {k: _unnumber(v) for k, v in data["scores"].items()},  # type: ignore[misc]
        {
            k: Reason(**{f: _unnumber(v) for f, v in r.items()})  # type: ignore[arg-type]
            for k, r in data["reasons"].items()
        },
        list(data["ranking"]),
        {k: _unnumber(v) for k, v in data["parameters"].items()},
    )


# --- counting in a child process ----------------------------------------------------------------


def _count_in_child(data_dir: str, record: dict[str, Any], sender) -> None:
    from vliegwiel.core.storage import Storage

    try:
        outcome = count_votes(Storage(Path(data_dir)), record)
        sender.send(("ok", None if outcome is None else outcome_to_json(outcome)))
    except Exception as error:  # reported to the parent, which stores the failure
        sender.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        sender.close()


def _can_take_long(record: dict[str, Any]) -> bool:
    """Only Equal Shares with a completion runs the method many times; the rest count in
    one pass over the ballots and need no child process."""
    settings = record["settings"]
    return settings["method"] == "equal_shares" and settings.get("completion") != "none"


def count_with_limit(storage, record: dict[str, Any], seconds: float | None = None) -> CountState:
    """Count `record` in a child process, store and return the result; stop it after
    `seconds` (default COUNT_SECONDS) and store that this version could not be counted."""
    seconds = COUNT_SECONDS if seconds is None else seconds
    version = ballots_version(storage, record)
    if not _can_take_long(record):
        outcome = count_votes(storage, record)
        entry = {
            "version": version,
            "outcome": None if outcome is None else outcome_to_json(outcome),
        }
        _store(storage, record["id"], entry)
        return _state(entry)
    context = multiprocessing.get_context("spawn")  # no fork from a threaded server
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_count_in_child, args=(str(storage.data_dir), record, sender), daemon=True
    )
    child.start()
    sender.close()
    result: tuple[str, Any] | None = None
    if receiver.poll(seconds):
        try:
            result = receiver.recv()
        except EOFError:
            result = None
    receiver.close()
    if child.is_alive():
        child.kill()
    child.join()
    entry: dict[str, Any] = {
        "version": version,
        "counted_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if result is not None and result[0] == "ok":
        entry["outcome"] = result[1]
    else:
        entry["failed"] = "timeout" if result is None else result[1]
        log.error("round %s could not be counted: %s", record["id"], entry["failed"])
    _store(storage, record["id"], entry)
    return _state(entry)


def _store(storage, round_id: str, entry: dict[str, Any]) -> None:
    name = count_collection(round_id)
    with storage.locked(name):
        for old in storage.all(name):
            storage.delete(name, old["id"])
        storage.insert(name, entry)


def _state(entry: dict[str, Any]) -> CountState:
    if entry.get("failed"):
        return CountState(failed=True)
    data = entry.get("outcome")
    return CountState(outcome=None if data is None else outcome_from_json(data))


def _stored(storage, record: dict[str, Any]) -> dict[str, Any] | None:
    entries = storage.all(count_collection(record["id"]))
    if entries and entries[-1].get("version") == ballots_version(storage, record):
        return entries[-1]
    return None


# --- the two ways pages ask -------------------------------------------------------------------


def outcome_now(storage, record: dict[str, Any]) -> CountState:
    """For organisers and commands: the stored count, or count now (time-limited)."""
    entry = _stored(storage, record)
    if entry is not None:
        return _state(entry)
    return count_with_limit(storage, record)


def outcome_for_residents(storage, record: dict[str, Any]) -> CountState:
    """For residents' pages: the stored count only; a stale one is queued, never counted here."""
    entry = _stored(storage, record)
    if entry is not None:
        return _state(entry)
    _worker(storage).ask(record["id"])
    return CountState(counting=True)


class _Worker:
    """One background thread per data directory that counts the rounds it is asked for."""

    def __init__(self, storage) -> None:
        self.storage = storage
        self.jobs: queue.Queue[str] = queue.Queue()
        self.waiting: set[str] = set()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="vliegwiel-count", daemon=True)
        self.thread.start()

    def ask(self, round_id: str) -> None:
        with self.lock:
            if round_id in self.waiting:
                return  # a flood of requests still makes one count
            self.waiting.add(round_id)
        self.jobs.put(round_id)

    def _run(self) -> None:
        while True:
            round_id = self.jobs.get()
            try:
                record = get_round(self.storage, round_id)
                if record is not None and _stored(self.storage, record) is None:
                    count_with_limit(self.storage, record)
            except Exception:
                log.exception("counting round %s failed", round_id)
            finally:
                with self.lock:
                    self.waiting.discard(round_id)
                self.jobs.task_done()

    def wait(self) -> None:
        self.jobs.join()


_WORKERS: dict[Path, _Worker] = {}
_WORKERS_LOCK = threading.Lock()


def _worker(storage) -> _Worker:
    key = Path(storage.data_dir).resolve()
    with _WORKERS_LOCK:
        worker = _WORKERS.get(key)
        if worker is None or worker.storage is not storage:
            worker = _WORKERS[key] = _Worker(storage)
        return worker


def wait_for_counts(storage) -> None:
    """Block until every count asked for on `storage` is done (for commands and tests)."""
    _worker(storage).wait()
