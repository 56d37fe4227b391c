"""The storage contract: what every backend of ``village.storage`` offers.

vliegwiel keeps its data as collections (``"users"``, ``"responses/dorpsenquete"``) of JSON
records, each with a string ``id``, in insertion order. Two backends implement this contract:
the TinyDB store (``vliegwiel.core.storage.Storage``, a folder of bucket files, the default) and the
PostgreSQL store (``vliegwiel.core.postgres_storage.PostgresStorage``, many villages in one
database). Core code and plugins only ever use the methods below, so both behave alike; the
contract tests in tests/core/test_storage_contract.py run the same tests against both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from vliegwiel.core.storage import StorageError, record_bytes
from vliegwiel.core.window_counts import WindowCounts

__all__ = ["DatabaseUnavailable", "RecordStore", "collection_digest", "record_bytes"]


class DatabaseUnavailable(StorageError):
    """The database cannot be reached (down, wrong address, refused login)."""

    code = "database_unavailable"


@runtime_checkable
class RecordStore(Protocol):
    """Collections of JSON records; every write is durable when the call returns."""

    def get(self, collection: str, record_id: str) -> dict | None:
        """The record with this id (a fresh copy), or None."""

    def all(self, collection: str) -> list[dict]:
        """Every record, in insertion order (an unknown collection is empty)."""

    def find(self, collection: str, **equals: Any) -> list[dict]:
        """The records whose fields equal every given value, in insertion order."""

    def count(self, collection: str) -> int:
        """The number of records in a collection."""

    def version(self, collection: str) -> Hashable:
        """A value that changes with every write to the collection, by any process.

        Equal values mean the records are the same, so a cache of anything computed from
        them (the results pages' tallies) may be kept while it stays equal. Cheap: no record
        is read.
        """

    def written(self, collection: str) -> int:
        """How many writes this store object has made to the collection since it was made:
        a cache of what this process wrote can trust itself while this stays the same (it
        knows nothing of other processes; ``version`` does, at the cost of a read)."""

    def chunks(self, collection: str) -> list[tuple[Hashable, Hashable]]:
        """(key, version) of every chunk of the collection, in order: the records of the
        chunks one after the other are ``all``'s. A chunk's version changes with every write
        to one of its records, by any process; a chunk no write touched keeps its version,
        so what was counted from it can be kept (results are added up per chunk)."""
        ...

    def chunk(self, collection: str, key: Hashable) -> tuple[Hashable | None, list[dict]]:
        """One chunk's version and records, read together (the version is that of exactly
        these records); (None, []) when the chunk is gone."""
        ...

    def collections(self, prefix: str = "") -> list[str]:
        """Names of the collections holding records, sorted, starting with ``prefix``."""

    def insert(self, collection: str, record: dict) -> str:
        """Store a copy of ``record`` (a uuid4 hex ``id`` unless it has one); return the id.

        ValueError when the id exists already, TypeError when the record is not plain JSON.
        """

    def insert_many(self, collection: str, records: list[dict]) -> list[str]:
        """Store copies of many records at once (imports, moving a village); return their ids.

        Ids must be new and distinct: a clash is a ValueError before anything is written.
        """

    def update(self, collection: str, record_id: str, changes: dict) -> None:
        """Set the fields in ``changes`` on a record; KeyError when there is no such record."""

    def delete(self, collection: str, record_id: str) -> bool:
        """Remove a record; False when there was none."""

    def window_counts(self, name: str, window: float) -> WindowCounts:
        """The counter ``name``: events per key in the last ``window`` seconds (the submission
        limit, the throttles against guessing; ``vliegwiel.core.window_counts``). Every caller
        in every process serving the village gets the same counts: in memory on TinyDB (one
        process), in the database on PostgreSQL. Keys are kept hashed or in memory only."""
        ...

    def locked(self, collection: str) -> AbstractContextManager[None]:
        """Hold the collection's lock: a read-check-write inside is atomic (re-entrant)."""

    def schema_version(self) -> int | None:
        """The version the village's records are in, or None before the first ``migrate``."""

    def migrate(self, backups_dir: Path) -> bool:
        """Bring the data to the current schema version (backing it up first if it runs)."""

    def backup(self, dest: Path) -> Path:
        """Write a zip snapshot (the TinyDB bucket layout, whatever the backend); return it."""

    def describe(self) -> str:
        """Where the data lives, for messages (never a password)."""


def collection_digest(records: Iterable[dict]) -> tuple[int, str]:
    """(count, sha256) over the records' stored bytes in order: equal means byte-identical."""
    digest = hashlib.sha256()
    count = 0
    for record in records:
        payload = record_bytes(record)
        # Length-prefixed, so two records can never hash like one.
        digest.update(len(payload).to_bytes(8, "big"))
        digest.update(payload)
        count += 1
    return count, digest.hexdigest()
