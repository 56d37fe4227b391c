"""Moving a village between stores (``vliegwiel storage copy`` / ``storage verify``).

A copy writes every collection, in insertion order and with the records' own ids, into an
empty target, plus the schema version. ``verify`` compares both sides collection by
collection: the number of records and a SHA-256 over the records' stored bytes in order
(``collection_digest``), so equal digests mean byte-identical records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vliegwiel.core.storage import StorageError
from vliegwiel.core.storage_contract import RecordStore, collection_digest

__all__ = ["CollectionCheck", "copy_store", "verify_stores"]


@dataclass(frozen=True)
class CollectionCheck:
    collection: str
    source_count: int
    target_count: int
    source_sha256: str
    target_sha256: str

    @property
    def same(self) -> bool:
        return (self.source_count, self.source_sha256) == (self.target_count, self.target_sha256)


def _stamp_version(source: RecordStore, target: RecordStore, backups_dir: Path) -> None:
    from vliegwiel.core.storage import SCHEMA_VERSION

    version = source.schema_version()
    if version is not None and version != SCHEMA_VERSION:
        raise StorageError(
            f"{source.describe()} is schema version {version}, this vliegwiel writes "
            f"{SCHEMA_VERSION}; open the instance once so it is migrated, then copy"
        )
    # On an empty target this only stamps the current version (nothing to back up).
    target.migrate(backups_dir)


def copy_store(
    source: RecordStore,
    target: RecordStore,
    backups_dir: Path,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Copy every collection of ``source`` into the empty ``target``; return counts.

    Refuses a target that holds any record: a copy never merges into or overwrites data.
    """
    taken = target.collections()
    if taken:
        raise StorageError(
            f"{target.describe()} already holds data ({len(taken)} collections, e.g. "
            f"{taken[0]}); copy into an empty store"
        )
    _stamp_version(source, target, backups_dir)
    copied = {}
    for name in source.collections():
        records = source.all(name)
        copied[name] = len(target.insert_many(name, records))
        if progress is not None:
            progress(name, copied[name])
    return copied


def verify_stores(source: RecordStore, target: RecordStore) -> list[CollectionCheck]:
    """One check per collection on either side (a missing collection counts as empty)."""
    checks = []
    for name in sorted(set(source.collections()) | set(target.collections())):
        source_count, source_hash = collection_digest(source.all(name))
        target_count, target_hash = collection_digest(target.all(name))
        checks.append(CollectionCheck(name, source_count, target_count, source_hash, target_hash))
    return checks
