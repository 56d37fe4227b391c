"""Choosing a storage backend: TinyDB files in ``data/`` unless a PostgreSQL URL is set."""

from __future__ import annotations

from pathlib import Path

from vliegwiel.core.config import CONFIG_NAME, VillageConfig
from vliegwiel.core.storage import Storage, StorageError
from vliegwiel.core.storage_contract import RecordStore

__all__ = ["open_storage", "open_target"]


def open_storage(config: VillageConfig) -> RecordStore:
    """The store of an instance, as its vliegwiel.toml (or $VLIEGWIEL_DATABASE_URL) says."""
    if config.database_url:
        from vliegwiel.core.postgres_storage import PostgresStorage

        return PostgresStorage(config.database_url, config.storage_village)
    return Storage(config.instance_dir / "data")


def open_target(target: str, village: str, *, create: bool = False) -> RecordStore:
    """A store named on the command line: a postgresql:// URL, or a TinyDB folder.

    A folder that is an instance (it holds vliegwiel.toml) means its ``data/`` folder. With
    ``create`` a missing folder is made (``storage copy --to DIR``).
    """
    from vliegwiel.core.postgres_storage import PostgresStorage, is_database_url

    if is_database_url(target):
        return PostgresStorage(target, village)
    path = Path(target).expanduser()
    if (path / CONFIG_NAME).is_file():
        path = path / "data"
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the folder {path}: {exc}") from None
    return Storage(path)
