"""Persistent storage: the only code that touches TinyDB.

A collection (``"users"``, ``"responses/dorpsenquete"``) is a directory ``data/<collection>/``
of bucket files ``0000.json``, ``0001.json``, ... Each bucket is a TinyDB database with one
table, ``records``, holding at most ``bucket_size`` records, so a write rewrites one small file
however large the collection grows.

Measured on our target machines, stock TinyDB rewrites the whole file in place, corrupts it
when two writers meet, leaves broken JSON when killed mid-write and lost every record on a full
disk. Hence: every write goes to a temp file that is fsynced and renamed over the bucket, the
directory is fsynced, and writers are serialised by a thread lock plus a file lock. Never wrap
the storage in TinyDB's CachingMiddleware: it delays writes past the point we promise
durability.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import hmac
import json
import os
import pickle
import re
import shutil
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock

try:
    import fcntl
except ImportError:  # Windows: filelock's own locks
    fcntl = None  # type: ignore[assignment]
from tinydb import TinyDB
from tinydb.storages import Storage as TinyStorage
from tinydb.table import Document

from vliegwiel.core.errors import VliegwielError
from vliegwiel.core.group_commit import GroupCommit, Write
from vliegwiel.core.window_counts import MemoryWindowCounts

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "BUCKET_SIZE",
    "LIFECYCLE_UPGRADE",
    "UPGRADES",
    "AtomicJSONStorage",
    "Storage",
    "StorageError",
    "validate_collection",
    "write_file",
]

#: Version of the on-disk layout; ``data/meta.json`` records the version the data is in.
SCHEMA_VERSION = 2

#: Notes a migration leaves for a capability to finish at start-up, when it can read what only
#: it understands (survey files, say). One record per upgrade, ``{"id": ..., "done": bool}``.
UPGRADES = "upgrades"
#: Version 2 (survey lifecycle): a survey without a status record is a concept now, where it
#: used to be open. The surveys capability opens the surveys such an instance already had.
LIFECYCLE_UPGRADE = "survey_lifecycle"


def _note_survey_lifecycle(storage: Storage) -> None:
    if storage.get(UPGRADES, LIFECYCLE_UPGRADE) is None:
        storage.insert(UPGRADES, {"id": LIFECYCLE_UPGRADE, "done": False})


#: Migration steps, keyed by the version they migrate *from* (step ``n`` brings data to ``n+1``).
MIGRATIONS: dict[int, Callable[[Storage], None]] = {1: _note_survey_lifecycle}

#: Records per bucket file. A write rewrites one bucket, so this bounds the cost of every
#: insert whatever a collection holds: measured here, a 100-record bucket takes a median 4.6 ms
#: per insert against 14 ms for 500, while reading 2,000 records (cached) takes 37 ms against
#: 20 ms. Submissions are the hot path on a survey evening; results pages are not.
BUCKET_SIZE = 100
#: Seconds between full checks of a collection's empty buckets (see Storage._checked_all).
EMPTY_BUCKETS_CHECKED_EVERY = 1.0

TABLE = "records"
META_FILE = "meta.json"
MANIFEST_FILE = "backup-manifest.json"
#: Restore reads a backup into memory: no file in it may unpack to more than this, and all
#: together not more than MAX_BACKUP_BYTES (a bucket of 100 records is far smaller).
MAX_BACKUP_FILE_BYTES = 16 * 1024 * 1024
MAX_BACKUP_BYTES = 512 * 1024 * 1024


def backup_key(secret_key: str) -> bytes:
    """The key that signs an instance's backup manifests, derived from its secret key."""
    return hmac.new(secret_key.encode(), b"vliegwiel backup manifest v1", "sha256").digest()


def _manifest_signature(manifest: dict, key: bytes) -> str:
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    payload = json.dumps(unsigned, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, payload, "sha256").hexdigest()


_LOCK_FILE = ".lock"
_MIGRATE_LOCK_FILE = ".migrate.lock"
_COLLECTION_RE = re.compile(r"[a-z0-9_-]+(?:/[a-z0-9_-]+)*")
_BUCKET_RE = re.compile(r"(\d{4,})\.json")
_MISSING = object()
_PICKLE = pickle.HIGHEST_PROTOCOL
#: Folder and bucket paths a store remembers at most (a village has a few hundred).
_PATHS_KEPT = 10_000


class WriteCounts:
    """Per collection, how many writes one store object has made: what the contract's
    ``written`` returns, for both backends (thread-safe; reads never move it)."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._guard = threading.Lock()

    def add(self, collection: str) -> None:
        with self._guard:
            self._counts[collection] = self._counts.get(collection, 0) + 1

    def get(self, collection: str) -> int:
        return self._counts.get(collection, 0)


class StorageError(VliegwielError):
    """A data file is missing, corrupt or could not be written; the message names the file."""

    code = "storage"


def validate_collection(name: str) -> str:
    """Return ``name`` if it is a safe collection name, else raise ValueError.

    Collection names can come from survey ids, so they must never escape the data directory.
    """
    if not isinstance(name, str) or not _COLLECTION_RE.fullmatch(name):
        raise ValueError(
            f"invalid collection name {name!r}: use segments of [a-z0-9_-] separated by '/'"
        )
    return name


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _stat_key(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_ino, st.st_mtime_ns, st.st_size)


#: Data files hold password hashes and responses: only the server's user may read them.
FILE_MODE = 0o600
DIR_MODE = 0o700


def _day_ns() -> int:
    """The start of today (UTC) in nanoseconds: the only time a data file shows.

    A file's time next to another's would tell when a code was used and when an anonymous
    response arrived; to the day, it tells nothing about who answered what."""
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return int(day.timestamp()) * 1_000_000_000


def _coarse_times(path: Path, previous_ns: int = 0) -> int:
    """Give ``path`` today's date as its time, moved on by 1 ns past ``previous_ns``."""
    moment = max(_day_ns(), previous_ns + 1)
    os.utime(path, ns=(moment, moment))
    return moment


#: Folders whose rename a thread still has to make durable: set while the thread holds a
#: collection lock (see ``Storage.locked``), which syncs them after letting go of the lock.
_deferred = threading.local()


def _sync_dir(directory: Path) -> None:
    """Make the renames in ``directory`` durable (and give it today's date again)."""
    try:
        _coarse_times(directory)  # the rename set the folder's time to now
        _fsync_dir(directory)
    except OSError as exc:
        raise StorageError(f"could not write {directory}: {exc}") from exc


def _write_atomic(path: Path, payload: bytes, previous_mtime: int | None = None) -> os.stat_result:
    """Replace ``path`` with ``payload`` durably; return the stat of the new file.

    ``previous_mtime`` is the file's mtime_ns when the caller has just checked it under the
    collection lock (spares a stat). On any failure the previous file is left untouched and
    StorageError is raised.
    """
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        if previous_mtime is None:
            try:
                previous_mtime = os.stat(path).st_mtime_ns
            except FileNotFoundError:
                previous_mtime = 0
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            # Plain os.write (no buffered file object, which stats the file on opening): on a
            # busy server each system call hands the interpreter lock to another thread.
            view, written = memoryview(payload), 0
            while written < len(view):
                written += os.write(fd, view[written:])
            # Readers trust a cached file while (inode, mtime_ns, size) is unchanged. Inodes are
            # reused, so mtime must move forward on every write: today's date plus 1 ns per
            # write (see _day_ns: no file shows the time of day).
            mtime = max(_day_ns(), previous_mtime + 1)
            os.utime(fd, ns=(mtime, mtime))
            os.fsync(fd)
            st = os.fstat(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        deferred = getattr(_deferred, "dirs", None)
        if deferred is None:
            _sync_dir(path.parent)
        else:
            deferred.add(path.parent)
    except Exception as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StorageError(f"could not write {path}: {exc}") from exc
    return st


def write_file(path: Path, payload: bytes) -> None:
    """Replace a file outside the database (a survey definition, say) as durably as a bucket:
    a reader sees the old or the new content, never half; StorageError on failure."""
    _write_atomic(Path(path), payload)


@dataclass(frozen=True)
class _Bucket:
    """One bucket file as last seen, kept as pickled snapshots.

    Pickles (made here, from parsed JSON, so never untrusted) hand every caller fresh objects
    without a Python-level deep copy, and bytes are invisible to the garbage collector, which
    otherwise rescans a large cache of dicts on every collection and slows all writes down.

    A write changes a record or two of up to a hundred: each record's pickle and JSON text are
    kept, so the next write encodes only what changed and joins the rest (the file's bytes are
    exactly what ``json.dumps`` of the whole table gives). The pickle of the whole table is
    made when a reader first asks for it, not on every write.
    """

    path: Path
    key: tuple[int, int, int]
    blobs: dict[str, bytes]  # doc_id -> pickled record, in insertion order
    ids: dict[str, str]  # record "id" -> doc_id
    #: doc_id -> the record's JSON text as the file holds it; None until the first write.
    texts: dict[str, bytes] | None = None
    #: pickled {doc_id: record}; made on the first whole-table read (see ``table``).
    table_blob: bytes | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_table(
        cls,
        path: Path,
        key: tuple[int, int, int],
        table: dict,
        previous: _Bucket | None = None,
        changed: frozenset[str] = frozenset(),
        *,
        for_writing: bool = True,
    ) -> _Bucket:
        """Snapshot ``table``; records of ``previous`` not in ``changed`` (doc ids) keep their
        pickle and JSON text, so a write into a full bucket encodes one record, not a hundred.
        ``for_writing=False`` (a bucket just read from its file): no JSON text yet, the whole
        table's pickle at once (readers ask for it)."""
        kept = previous.blobs if previous is not None else {}
        record_ids: dict[str, str] = {}  # doc_id -> record id, for UNCHANGED records
        if previous is not None:
            record_ids = {doc_id: record_id for record_id, doc_id in previous.ids.items()}
        ids: dict[str, str] = {}
        for doc_id, record in table.items():
            if record is UNCHANGED:
                if doc_id not in kept:
                    raise StorageError(f"{path}: record {doc_id} is not in the bucket")
                ids[record_ids[doc_id]] = doc_id
                continue
            if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                raise StorageError(f"{path}: record {doc_id} has no string 'id'")
            ids[record["id"]] = doc_id
        blobs = {
            doc_id: (
                kept[doc_id]
                if record is UNCHANGED or (doc_id in kept and doc_id not in changed)
                else pickle.dumps(record, _PICKLE)
            )
            for doc_id, record in table.items()
        }
        if not for_writing:
            return cls(path, key, blobs, ids, None, pickle.dumps(table, _PICKLE))
        old = (previous.texts if previous is not None else None) or {}
        texts = {
            doc_id: (
                old[doc_id]
                if doc_id in old and (record is UNCHANGED or doc_id not in changed)
                else record_bytes(pickle.loads(blobs[doc_id]) if record is UNCHANGED else record)
            )
            for doc_id, record in table.items()
        }
        return cls(path, key, blobs, ids, texts)

    def __len__(self) -> int:
        return len(self.blobs)

    def table(self) -> dict[str, dict[str, Any]]:
        """Fresh copies of the records by doc id. The first read also makes one pickle of the
        whole table for the reads after it (faster than one per record)."""
        blob = self.table_blob
        if blob is None:
            whole = {doc_id: pickle.loads(b) for doc_id, b in self.blobs.items()}
            # A cache: same content either way; pickled before the caller can change ``whole``.
            object.__setattr__(self, "table_blob", pickle.dumps(whole, _PICKLE))
            return whole
        return pickle.loads(blob)

    def record(self, doc_id: str) -> dict[str, Any]:
        return pickle.loads(self.blobs[doc_id])

    def next_doc_id(self) -> int:
        return max(map(int, self.blobs), default=0) + 1

    def payload(self) -> bytes:
        """The file's bytes: ``json.dumps({TABLE: table})`` compact, joined from the texts."""
        if self.texts is None:
            raise StorageError(f"{self.path}: no JSON text to write")  # never: see from_table
        inner = b",".join(_key_json(doc_id) + b":" + text for doc_id, text in self.texts.items())
        return b'{"' + TABLE.encode() + b'":{' + inner + b"}}"


class _Unchanged:
    """The placeholder a writer's read gives for a record it does not change."""

    def __repr__(self) -> str:
        return "UNCHANGED"


#: See ``AtomicJSONStorage.read``: never stored, never handed to a caller of Storage.
UNCHANGED = _Unchanged()


def record_bytes(record: dict) -> bytes:
    """A record exactly as both backends store it: compact JSON, keys in their order
    (re-exported by storage_contract; defined here, where the bucket files are written)."""
    return json.dumps(record, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def plain_json(value: dict, what: str) -> dict:
    """``value`` copied through JSON: exactly what a later read returns (tuples become
    lists, ...), sharing no objects with the caller; TypeError naming ``what`` otherwise."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} is not plain JSON: {exc}") from exc


def new_record(record: dict) -> tuple[dict, str]:
    """The copy of ``record`` an insert stores, and its id: a uuid4 hex unless it has one.

    Both backends' ``insert`` and ``insert_many`` start here, so they refuse the same things.
    """
    new = plain_json(record, "record")
    record_id = new.setdefault("id", uuid.uuid4().hex)
    if not isinstance(record_id, str) or not record_id:
        raise ValueError("a record's 'id' must be a non-empty string")
    return new, record_id


def new_records(collection: str, records: list[dict]) -> tuple[list[dict], list[str]]:
    """``new_record`` for a batch; ValueError when an id appears twice in it."""
    new, ids = [], []
    for record in records:
        copy, record_id = new_record(record)
        new.append(copy)
        ids.append(record_id)
    if len(set(ids)) != len(ids):
        raise ValueError(f"{collection}: the same id appears twice in one batch")
    return new, ids


@functools.lru_cache(maxsize=4096)
def _key_json(doc_id: str) -> bytes:
    # Remembered: every write of a bucket names each of its (up to bucket_size) doc ids,
    # and they are the same few numbers again and again.
    return json.dumps(doc_id, ensure_ascii=False).encode()


def _parse_bucket(path: Path, raw: bytes, key: tuple[int, int, int]) -> _Bucket:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StorageError(f"{path} is not valid JSON ({exc}); the file was left as it is") from exc
    table = data.get(TABLE) if isinstance(data, dict) else None
    if not isinstance(table, dict):
        raise StorageError(f"{path} is not a vliegwiel bucket (no '{TABLE}' table)")
    return _Bucket.from_table(path, key, table, for_writing=False)


class _BucketCache:
    """Parsed bucket files, each trusted only while its (inode, mtime_ns, size) is unchanged."""

    def __init__(self) -> None:
        # Plain dict operations are atomic in CPython; a stale entry is only ever extra work
        # because every lookup re-validates it against the file's stat.
        self._entries: dict[Path, _Bucket] = {}

    def load(self, path: Path) -> _Bucket | None:
        """Return the bucket at ``path``, or None if the file does not exist."""
        staged = _staged_bucket(path)
        if staged is not None:
            return staged
        try:
            key = _stat_key(os.stat(path))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"could not read {path}: {exc}") from exc
        cached = self._entries.get(path)
        if cached is not None and cached.key == key:
            return cached
        try:
            with open(path, "rb") as fh:
                # Stat the open file so the key always matches the bytes we parse.
                key = _stat_key(os.fstat(fh.fileno()))
                raw = fh.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"could not read {path}: {exc}") from exc
        bucket = _parse_bucket(path, raw, key)
        self._entries[path] = bucket
        return bucket

    def peek(self, path: Path) -> _Bucket | None:
        """The bucket as last read or written here (or staged by this thread's batch),
        without looking at the file: only for a bucket that cannot have changed."""
        staged = _staged_bucket(path)
        return staged if staged is not None else self._entries.get(path)

    def put(self, bucket: _Bucket, st: os.stat_result) -> None:
        """Keep ``bucket`` (made for writing) as the file just written with stat ``st``."""
        self._entries[bucket.path] = dataclasses.replace(bucket, key=_stat_key(st))

    def forget(self, path: Path) -> None:
        self._entries.pop(path, None)


#: The leader of a group commit (see ``Storage._run_batch``) stages its batch's bucket
#: writes here instead of writing each at once; only that thread sees them until they are
#: written.
_staging = threading.local()
def _staged_bucket(path: Path) -> _Bucket | None:
    """The bucket this thread's batch staged for ``path`` (its own writes, not yet on disk)."""
    staged = getattr(_staging, "batch", None)
    return staged.buckets.get(path) if staged is not None else None


#: The key of a staged bucket: never that of a file, so nothing trusts it as one.
_STAGED_KEY = (-1, -1, -1)


class _Staged:
    """The bucket writes of one batch, written once per bucket file by ``flush``."""

    def __init__(self) -> None:
        self.buckets: dict[Path, _Bucket] = {}
        #: The mtime of each file as it is on disk (the first staged write's ``previous``).
        self.mtimes: dict[Path, int] = {}
        #: The writes that changed each file: they fail together if it cannot be written.
        self.writers: dict[Path, list[Write]] = {}
        self.write: Write | None = None  # the write being applied now

    def stage(self, bucket: _Bucket, previous: _Bucket) -> None:
        path = bucket.path
        self.mtimes.setdefault(path, previous.key[1])
        self.buckets[path] = bucket
        if self.write is not None:
            self.writers.setdefault(path, []).append(self.write)

    def flush(self, cache: _BucketCache) -> None:
        """Write each staged bucket file once; a file that fails fails its writers only."""
        for path, bucket in self.buckets.items():
            try:
                st = _write_atomic(path, bucket.payload(), self.mtimes[path])
            except StorageError as exc:
                cache.forget(path)
                for write in self.writers.get(path, []):
                    write.fail(exc)
                continue
            cache.put(bucket, st)  # the staged snapshot is the file's content


def _bucket_for_writing(
    path: Path, table: dict, previous: _Bucket | None, changed: frozenset[str]
) -> _Bucket:
    """The snapshot of ``table`` about to be written to ``path`` (StorageError if it is not
    plain JSON; Storage normalises records through JSON first, so it always is)."""
    try:
        return _Bucket.from_table(path, _STAGED_KEY, table, previous, changed)
    except (TypeError, ValueError) as exc:
        raise StorageError(f"could not write {path}: {exc}") from exc


class AtomicJSONStorage(TinyStorage):
    """TinyDB storage that writes atomically and durably and never hides a corrupt file."""

    def __init__(
        self,
        path: Path,
        cache: _BucketCache,
        *,
        create: bool = False,
        current: _Bucket | None = None,
        changed: frozenset[str] = frozenset(),
    ) -> None:
        self.path = Path(path)
        self._cache = cache
        self._create = create
        #: The bucket as the writer just checked it under the collection lock: no other
        #: writer can have replaced it since, so reading it needs no second stat.
        self._current = current
        #: Doc ids the write changes; every other record's snapshot is reused.
        self._changed = changed

    def read(self) -> dict[str, dict[str, Any]] | None:
        current = self._current
        if current is not None:
            # A writer's read (Storage reads buckets itself): only the records this write
            # changes are decoded; every other one is UNCHANGED, which TinyDB's insert, remove
            # and update by doc id pass back to ``write`` untouched. A write into a bucket of
            # a hundred records then unpickles one, not a hundred.
            return {
                TABLE: {
                    doc_id: current.record(doc_id) if doc_id in self._changed else UNCHANGED
                    for doc_id in current.blobs
                }
            }
        bucket = self._cache.load(self.path)
        if bucket is None:
            if self._create:
                return None
            raise StorageError(f"bucket file {self.path} is missing")
        return {TABLE: bucket.table()}  # fresh objects: TinyDB updates documents in place

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        previous = self._current
        # Storage normalises records through JSON before they reach TinyDB, so this snapshot
        # equals what a re-read of the file would give.
        bucket = _bucket_for_writing(self.path, data.get(TABLE, {}), previous, self._changed)
        staged = getattr(_staging, "batch", None)
        if staged is not None and previous is not None:
            # Part of a group commit: written with the rest of the batch (a new bucket file
            # is written at once, so the next write of the batch finds it on disk).
            staged.stage(bucket, previous)
            return
        try:
            st = _write_atomic(
                self.path, bucket.payload(), previous.key[1] if previous is not None else None
            )
        except StorageError:
            self._cache.forget(self.path)
            raise
        self._cache.put(bucket, st)


def _read_limited(zf: zipfile.ZipFile, backup: Path, name: str) -> bytes:
    """One file of a backup, never more than MAX_BACKUP_FILE_BYTES whatever its header says."""
    info = zf.getinfo(name)
    if info.file_size > MAX_BACKUP_FILE_BYTES:
        raise StorageError(f"backup {backup}: {name} unpacks to more than a data file can be")
    with zf.open(info) as member:  # checks the CRC once read to the end
        payload = member.read(MAX_BACKUP_FILE_BYTES + 1)
    if len(payload) > MAX_BACKUP_FILE_BYTES:
        raise StorageError(f"backup {backup}: {name} unpacks to more than a data file can be")
    return payload


def write_backup_zip(
    dest: Path, files: dict[str, bytes], schema_version: int | None, signing_key: bytes | None
) -> Path:
    """Write ``files`` (meta.json and bucket files) with a manifest into a zip, durably.

    ``dest`` ending in ``.zip`` is the file to write; otherwise it is a directory that gets a
    timestamped zip. With ``signing_key`` the manifest is signed. Both storage backends write
    their backups through here, so any backup restores into a TinyDB folder.
    """
    dest = Path(dest)
    if dest.suffix != ".zip":
        dest.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        dest = dest / f"vliegwiel-backup-{stamp}.zip"
    manifest: dict[str, Any] = {
        "created_at": datetime.now(UTC).isoformat(),
        "schema_version": schema_version,
        "files": {n: hashlib.sha256(b).hexdigest() for n, b in files.items()},
    }
    if signing_key is not None:
        manifest["signature"] = _manifest_signature(manifest, signing_key)
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")
    try:
        # Mode 0600 from the first byte: a backup holds everything the data folder does.
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(MANIFEST_FILE, json.dumps(manifest, indent=2))
            for name, payload in files.items():
                zf.writestr(name, payload)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
        _fsync_dir(dest.parent)
    except Exception as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StorageError(f"could not write backup {dest}: {exc}") from exc
    return dest


class Storage:
    """Collections of JSON records in bucket files under ``data_dir``; see docs/architecture.md."""

    def __init__(self, data_dir: Path, *, bucket_size: int = BUCKET_SIZE) -> None:
        self.data_dir = Path(data_dir)
        if not self.data_dir.is_dir():
            raise StorageError(
                f"data directory {self.data_dir} does not exist (or is not a directory); "
                "create the instance first"
            )
        if bucket_size < 1:
            raise ValueError("bucket_size must be at least 1")
        self.bucket_size = bucket_size
        # Only the server's user may enter the data folder (older instances made it 0755).
        with contextlib.suppress(OSError):
            if self.data_dir.stat().st_mode & 0o077:
                os.chmod(self.data_dir, DIR_MODE)
        #: Signs backup manifests when set (``backup_key`` of the instance's secret key).
        self.signing_key: bytes | None = None
        self._cache = _BucketCache()
        self._guard = threading.Lock()
        self._thread_locks: dict[str, threading.RLock] = {}
        self._file_locks: dict[str, FileLock] = {}
        #: Collections whose file lock this process holds now: the open lock file's descriptor.
        self._held: dict[str, int] = {}
        self._lock_files_made: set[str] = set()
        self._made_dirs: set[str] = set()
        self._dirs: dict[str, Path] = {}
        self._bucket_paths: dict[tuple[str, int], Path] = {}
        #: How many bucket files each collection had when last listed (see _known_buckets).
        self._bucket_counts: dict[str, int] = {}
        #: Per collection, its folder's (st_dev, st_ino) and when every bucket was last
        #: checked (see _known_buckets: empty buckets before the last one are then skipped).
        self._all_checked: dict[str, tuple[tuple[int, int], float]] = {}
        #: Whether a collection had empty buckets before its last at its last full check.
        self._has_empty: dict[str, bool] = {}
        #: The collections whose lock the current thread holds.
        self._owned = threading.local()
        #: Writes this object made per collection (see ``written``).
        self._written = WriteCounts()
        #: Single-record writes that arrive together share one write per bucket file.
        self._commits = GroupCommit(self._run_batch)
        self._counters: dict[tuple[str, float], MemoryWindowCounts] = {}

    # -- locking -------------------------------------------------------------------------------

    def _dir(self, collection: str) -> Path:
        path = self._dirs.get(collection)
        if path is None:
            # Remembered: a resident's request names the same few folders and bucket files
            # a dozen times, and building a Path is dearer than the stat it is made for.
            path = self.data_dir / validate_collection(collection)
            if len(self._dirs) >= _PATHS_KEPT:  # names asked for by a flood of odd requests
                self._dirs.clear()
            self._dirs[collection] = path
        return path

    def _bucket_path(self, collection: str, number: int) -> Path:
        key = (collection, number)
        path = self._bucket_paths.get(key)
        if path is None:
            path = self._dir(collection) / self._bucket_name(number)
            if len(self._bucket_paths) >= _PATHS_KEPT:
                self._bucket_paths.clear()
            self._bucket_paths[key] = path
        return path

    def _ensure_dir(self, collection: str) -> Path:
        path = self._dir(collection)
        if collection in self._made_dirs:
            return path
        if not self.data_dir.is_dir():
            raise StorageError(f"data directory {self.data_dir} has disappeared")
        # Create one level at a time and fsync each parent, so a new collection survives a crash.
        current = self.data_dir
        for part in collection.split("/"):
            current = current / part
            if not current.is_dir():
                try:
                    current.mkdir(mode=DIR_MODE, exist_ok=True)
                    _coarse_times(current)
                    _coarse_times(current.parent)
                    _fsync_dir(current.parent)
                except OSError as exc:
                    raise StorageError(f"could not create {current}: {exc}") from exc
        self._made_dirs.add(collection)
        return path

    @contextlib.contextmanager
    def locked(self, collection: str) -> Iterator[None]:
        """Hold the collection's thread and file locks (re-entrant within a thread).

        The folder fsync that makes a write's rename durable runs after the locks are let go
        and before this returns, so a write is durable when its method returns, and the next
        writer of the collection does not wait for this one's second fsync: on a busy disk an
        fsync takes milliseconds, and every resident's draft is written in one collection.
        """
        outermost = getattr(_deferred, "dirs", None) is None
        if outermost:
            _deferred.dirs = set()
        try:
            with self._hold(collection):
                yield
        finally:
            if outermost:
                directories, _deferred.dirs = _deferred.dirs, None
                for directory in sorted(directories):
                    _sync_dir(directory)

    @contextlib.contextmanager
    def _hold(self, collection: str) -> Iterator[None]:
        path = self._ensure_dir(collection)
        with self._guard:
            rlock = self._thread_locks.setdefault(collection, threading.RLock())
        if fcntl is None:
            with rlock, self._filelock(collection, path):
                mine = self._mine()
                outer = collection in mine
                mine.add(collection)
                try:
                    yield
                finally:
                    if not outer:
                        mine.discard(collection)
            return
        with rlock:
            if collection in self._held:  # this thread holds it already (the RLock says so)
                yield
                return
            self._held[collection] = self._flock(collection, path / _LOCK_FILE)
            mine = self._mine()
            mine.add(collection)
            try:
                yield
            finally:
                mine.discard(collection)
                os.close(self._held.pop(collection))  # closing the file releases the lock

    def _mine(self) -> set[str]:
        """The collections whose lock this thread holds."""
        owned = getattr(self._owned, "collections", None)
        if owned is None:
            owned = self._owned.collections = set()
        return owned

    def _flock(self, collection: str, lock_file: Path) -> int:
        """Open ``lock_file`` and take its exclusive lock: two syscalls, where filelock's
        general machinery took a tenth of a resident's page view (measured). Other processes
        (the CLI, a second server by mistake) take the same flock on the same file."""
        try:
            fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError as exc:
            raise StorageError(f"could not open {lock_file}: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if collection not in self._lock_files_made:
                # Creating the file stamped it with the time of day; nothing writes it after.
                _coarse_times(lock_file)
                self._lock_files_made.add(collection)
        except BaseException:
            os.close(fd)
            raise
        return fd

    @contextlib.contextmanager
    def _filelock(self, collection: str, path: Path) -> Iterator[None]:
        with self._guard:
            # thread_local=False: the RLock already admits one thread, and that thread's
            # nested holds must share one counter so re-entry does not block on itself.
            flock = self._file_locks.get(collection)
            if flock is None:
                flock = FileLock(path / _LOCK_FILE, mode=FILE_MODE, thread_local=False)
                self._file_locks[collection] = flock
        with flock:
            try:
                yield
            finally:
                # Taking the lock truncates its file, which stamps it with the time of day.
                with contextlib.suppress(OSError):
                    _coarse_times(path / _LOCK_FILE)

    # -- reading -------------------------------------------------------------------------------

    def _buckets(self, collection: str) -> list[_Bucket]:
        path = self._dir(collection)
        known = self._bucket_counts.get(collection)
        if known:
            buckets = self._known_buckets(collection, known)
            if buckets is not None:
                return buckets
        try:
            names = os.listdir(path)
        except FileNotFoundError:
            if not self.data_dir.is_dir():
                raise StorageError(f"data directory {self.data_dir} does not exist") from None
            self._bucket_counts.pop(collection, None)
            return []
        except OSError as exc:
            raise StorageError(f"could not list {path}: {exc}") from exc
        numbers = sorted(int(m.group(1)) for n in names if (m := _BUCKET_RE.fullmatch(n)))
        buckets = []
        for expected, number in enumerate(numbers):
            if number != expected:
                raise StorageError(f"bucket file {path / self._bucket_name(expected)} is missing")
            file = self._bucket_path(collection, number)
            bucket = self._cache.load(file)
            if bucket is None:
                raise StorageError(f"bucket file {file} is missing")
            buckets.append(bucket)
        self._bucket_counts[collection] = len(buckets)
        return buckets

    def _known_buckets(self, collection: str, count: int) -> list[_Bucket] | None:
        """The buckets 0 .. count-1 when they are all still there and bucket ``count`` is not;
        None when the folder must be listed again.

        Bucket files are numbered without gaps and never removed (emptied ones stay), so
        this is what a listing would find, in one stat per bucket plus one: on the resident's
        path every request reads a collection or two, and a listing is five system calls,
        each of which hands the interpreter lock to another thread."""
        folder = self._folder_key(collection)
        checked = self._all_checked.get(collection)
        skip_empty = (
            checked is not None
            and folder == checked[0]
            and time.monotonic() - checked[1] < EMPTY_BUCKETS_CHECKED_EVERY
        )
        buckets = []
        for number in range(count):
            path = self._bucket_path(collection, number)
            if skip_empty and number < count - 1:
                known = self._cache.peek(path)
                if known is not None and not known.blobs:
                    buckets.append(known)
                    continue
            bucket = self._cache.load(path)
            if bucket is None:
                return None
            buckets.append(bucket)
        following = self._bucket_path(collection, count)
        try:
            os.stat(following)
        except FileNotFoundError:
            if not skip_empty:
                self._checked_all(collection, folder, buckets)
            return buckets
        except OSError as exc:
            raise StorageError(f"could not list {following.parent}: {exc}") from exc
        return None

    def _folder_key(self, collection: str) -> tuple[int, int] | None:
        """The collection folder's (st_dev, st_ino), looked at only for a collection that
        had empty buckets before its last when every bucket was last checked."""
        if not self._has_empty.get(collection, True):
            return None
        try:
            folder = os.stat(self._dir(collection))
        except OSError:
            return None
        return folder.st_dev, folder.st_ino

    def _checked_all(
        self, collection: str, folder: tuple[int, int] | None, buckets: list[_Bucket]
    ) -> None:
        """Every bucket was just checked (the folder looked at first): remember when, for
        _known_buckets to skip the empty ones before the last for a while.

        Records only ever go into the last bucket (an insert never fills a hole: the order
        is insertion order), and an empty bucket has nothing to update or delete, so once
        seen empty a bucket before the last stays empty. Only a restore, which puts a new
        folder in place of the old one, can fill it: the folder's inode says so. Drafts
        leave such buckets behind by the hundred (every resident's draft is removed when
        they submit), and a stat of each on every request cost the resident's path more
        the longer a village had been answering. Every bucket is still checked at least
        every EMPTY_BUCKETS_CHECKED_EVERY seconds."""
        has_empty = any(not bucket.blobs for bucket in buckets[:-1])
        self._has_empty[collection] = has_empty
        if has_empty and folder is not None:
            self._all_checked[collection] = (folder, time.monotonic())
        else:
            self._all_checked.pop(collection, None)

    @staticmethod
    def _bucket_name(number: int) -> str:
        return f"{number:04d}.json"

    @staticmethod
    def _locate(buckets: list[_Bucket], record_id: str) -> tuple[_Bucket, str] | None:
        for bucket in buckets:
            doc_id = bucket.ids.get(record_id)
            if doc_id is not None:
                return bucket, doc_id
        return None

    def get(self, collection: str, record_id: str) -> dict | None:
        found = self._locate(self._buckets(collection), record_id)
        if found is None:
            return None
        bucket, doc_id = found
        return bucket.record(doc_id)

    def all(self, collection: str) -> list[dict]:
        return [
            record for bucket in self._buckets(collection) for record in bucket.table().values()
        ]

    def find(self, collection: str, **equals: Any) -> list[dict]:
        items = tuple(equals.items())
        return [
            record
            for bucket in self._buckets(collection)
            for record in bucket.table().values()
            if all(record.get(field, _MISSING) == value for field, value in items)
        ]

    def version(self, collection: str) -> tuple[tuple[int, int, int], ...]:
        """The (inode, mtime_ns, size) of every bucket: a write replaces one bucket file and
        moves its mtime forward (``_write_atomic``), so any write changes this."""
        return tuple(bucket.key for bucket in self._buckets(collection))

    def chunks(self, collection: str) -> list[tuple[Hashable, Hashable]]:
        """One chunk per bucket file: its name, and its (inode, mtime_ns, size) as version
        (every write replaces the file and moves its mtime forward)."""
        return [(bucket.path.name, bucket.key) for bucket in self._buckets(collection)]

    def chunk(self, collection: str, key: Hashable) -> tuple[Hashable | None, list[dict]]:
        if not isinstance(key, str) or not _BUCKET_RE.fullmatch(key):
            raise ValueError(f"{key!r} is not a bucket of {collection}")
        bucket = self._cache.load(self._dir(collection) / key)
        if bucket is None:
            return None, []
        return bucket.key, list(bucket.table().values())

    def count(self, collection: str) -> int:
        return sum(len(bucket) for bucket in self._buckets(collection))

    def collections(self, prefix: str = "") -> list[str]:
        """Names of the collections that hold bucket files, sorted, starting with ``prefix``."""
        found = []
        for dirpath, dirnames, filenames in os.walk(self.data_dir):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            if not any(_BUCKET_RE.fullmatch(f) for f in filenames):
                continue
            name = Path(dirpath).relative_to(self.data_dir).as_posix()
            if _COLLECTION_RE.fullmatch(name) and name.startswith(prefix):
                found.append(name)
        return sorted(found)

    # -- writing -------------------------------------------------------------------------------

    def _table(
        self,
        path: Path,
        *,
        create: bool = False,
        current: _Bucket | None = None,
        changed: frozenset[str] = frozenset(),
    ) -> Any:
        # A fresh TinyDB per write: a long-lived Table caches its next document id and query
        # results, which another process's write would make wrong.
        db = TinyDB(
            path,
            storage=AtomicJSONStorage,
            cache=self._cache,
            create=create,
            current=current,
            changed=changed,
        )
        return db.table(TABLE, cache_size=0)

    def insert(self, collection: str, record: dict) -> str:
        """Store a copy of ``record``; give it a uuid4 hex ``id`` unless it has one."""
        new, record_id = new_record(record)
        return self._write(collection, lambda: self._insert_held(collection, new, record_id))

    def _insert_held(self, collection: str, new: dict, record_id: str) -> str:
        buckets = self._buckets(collection)
        if self._locate(buckets, record_id) is not None:
            raise ValueError(f"{collection}: a record with id {record_id!r} already exists")
        if buckets and len(buckets[-1]) < self.bucket_size:
            table = self._table(buckets[-1].path, current=buckets[-1])
            doc_id = buckets[-1].next_doc_id()
        else:
            new_bucket = self._bucket_path(collection, len(buckets))
            table = self._table(new_bucket, create=True)
            doc_id = 1
        # Passing the doc id spares TinyDB a second read of the bucket to find it.
        table.insert(Document(new, doc_id=doc_id))
        return record_id

    def _write(self, collection: str, apply: Callable[[], Any]) -> Any:
        """Apply one record's write: at once inside this thread's ``locked(collection)``,
        else through the collection's group commit (see vliegwiel/core/group_commit.py)."""
        try:
            if collection in self._mine():
                with self.locked(collection):
                    return apply()
            self._ensure_dir(collection)
            return self._commits.submit(collection, apply)
        finally:
            self._written.add(collection)

    def window_counts(self, name: str, window: float) -> MemoryWindowCounts:
        """The counter ``name`` in this process's memory: a TinyDB village has one server
        process (``vliegwiel serve --processes`` asks for PostgreSQL)."""
        with self._guard:
            return self._counters.setdefault((name, window), MemoryWindowCounts(window))

    def written(self, collection: str) -> int:
        """How many writes this object made to the collection (the contract's ``written``)."""
        return self._written.get(collection)

    def _run_batch(self, collection: str, writes: list[Write]) -> None:
        """Apply ``writes`` in order under the collection's locks, then write each bucket
        file they changed once; the folder is synced once when the locks are let go."""
        staged = _Staged()
        # The leader may be inside its own locked() of another collection (a code's lock
        # held while its response is stored), which would put off the folder sync until that
        # ends; the other writers are told they are done when this returns, so this batch
        # syncs its folders itself.
        outer, _deferred.dirs = getattr(_deferred, "dirs", None), None
        try:
            with self.locked(collection):
                _staging.batch = staged
                try:
                    for write in writes:
                        staged.write = write
                        write.run()
                finally:
                    _staging.batch = None
                staged.flush(self._cache)
        except Exception as exc:  # the locks, or the folder sync: nothing is confirmed
            for write in writes:
                write.fail(exc)
        finally:
            _deferred.dirs = outer

    def insert_many(self, collection: str, records: list[dict]) -> list[str]:
        """Store copies of ``records`` as insert() does, writing each bucket file once.

        For imports of thousands of records: one lock for the batch and one durable write per
        bucket instead of one per record. Ids must be new and distinct (ValueError before
        anything is written). A failing write leaves the buckets written before it.
        """
        new, ids = new_records(collection, records)
        try:
            self._insert_many_held(collection, new, ids)
        finally:
            self._written.add(collection)
        return ids

    def _insert_many_held(self, collection: str, new: list[dict], ids: list[str]) -> None:
        with self.locked(collection):
            buckets = self._buckets(collection)
            taken = {rid for bucket in buckets for rid in bucket.ids}
            clash = next((rid for rid in ids if rid in taken), None)
            if clash is not None:
                raise ValueError(f"{collection}: a record with id {clash!r} already exists")
            pending = new
            if pending and buckets and len(buckets[-1]) < self.bucket_size:
                room = self.bucket_size - len(buckets[-1])
                chunk, pending = pending[:room], pending[room:]
                first = buckets[-1].next_doc_id()
                self._table(buckets[-1].path, current=buckets[-1]).insert_multiple(
                    Document(r, doc_id=first + n) for n, r in enumerate(chunk)
                )
            number = len(buckets)
            while pending:
                chunk, pending = pending[: self.bucket_size], pending[self.bucket_size :]
                path = self._dir(collection) / self._bucket_name(number)
                self._table(path, create=True).insert_multiple(
                    Document(r, doc_id=1 + n) for n, r in enumerate(chunk)
                )
                number += 1

    def describe(self) -> str:
        return f"TinyDB folder {self.data_dir}"

    def update(self, collection: str, record_id: str, changes: dict) -> None:
        """Set the fields in ``changes`` on a record; KeyError if there is no such record."""
        if "id" in changes and changes["id"] != record_id:
            raise ValueError("a record's 'id' cannot be changed")
        changes = plain_json(changes, "changes")
        self._write(collection, lambda: self._update_held(collection, record_id, changes))

    def _update_held(self, collection: str, record_id: str, changes: dict) -> None:
        found = self._locate(self._buckets(collection), record_id)
        if found is None:
            raise KeyError(f"{collection}: no record with id {record_id!r}")
        bucket, doc_id = found
        table = self._table(bucket.path, current=bucket, changed=frozenset({doc_id}))
        table.update(changes, doc_ids=[int(doc_id)])

    def delete(self, collection: str, record_id: str) -> bool:
        """Remove a record; False if there was none. Emptied buckets stay, keeping the order."""
        return self._write(collection, lambda: self._delete_held(collection, record_id))

    def _delete_held(self, collection: str, record_id: str) -> bool:
        found = self._locate(self._buckets(collection), record_id)
        if found is None:
            return False
        bucket, doc_id = found
        self._table(bucket.path, current=bucket).remove(doc_ids=[int(doc_id)])
        return True

    # -- schema version and migrations ---------------------------------------------------------

    def schema_version(self) -> int | None:
        """The version in ``data/meta.json``, or None when the file does not exist."""
        path = self.data_dir / META_FILE
        try:
            meta = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise StorageError(f"could not read {path}: {exc}") from exc
        version = meta.get("schema_version") if isinstance(meta, dict) else None
        if not isinstance(version, int):
            raise StorageError(f"{path} has no integer schema_version")
        return version

    def _write_meta(self, version: int) -> None:
        payload = json.dumps({"schema_version": version}, indent=2).encode()
        _write_atomic(self.data_dir / META_FILE, payload)

    def migrate(self, backups_dir: Path) -> bool:
        """Bring the data to SCHEMA_VERSION; return True if migration steps ran.

        A fresh data directory is stamped with the current version. Older data is first backed
        up into ``backups_dir``; each step's new version is recorded as soon as the step is
        done, so an interrupted migration resumes where it stopped.
        """
        with FileLock(self.data_dir / _MIGRATE_LOCK_FILE, mode=FILE_MODE):
            current = self.schema_version()
            if current is None:
                if self.collections():
                    raise StorageError(
                        f"{self.data_dir / META_FILE} is missing but the directory holds data; "
                        "refusing to guess its schema version"
                    )
                self._write_meta(SCHEMA_VERSION)
                return False
            if current > SCHEMA_VERSION:
                raise StorageError(
                    f"{self.data_dir / META_FILE}: data is schema version {current}, newer than "
                    f"this vliegwiel ({SCHEMA_VERSION}); upgrade vliegwiel"
                )
            if current == SCHEMA_VERSION:
                return False
            missing = [v for v in range(current, SCHEMA_VERSION) if v not in MIGRATIONS]
            if missing:
                raise StorageError(f"no migration step from schema version {missing[0]}")
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            Path(backups_dir).mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
            self.backup(Path(backups_dir) / f"before-v{current}-to-v{SCHEMA_VERSION}-{stamp}.zip")
            for version in range(current, SCHEMA_VERSION):
                MIGRATIONS[version](self)
                self._write_meta(version + 1)
            return True

    # -- backup and restore --------------------------------------------------------------------

    def backup(self, dest: Path) -> Path:
        """Write a zip snapshot of every collection and meta.json; return its path.

        ``dest`` ending in ``.zip`` is the file to write; otherwise it is a directory that gets a
        timestamped zip. All collection locks are held while files are read, so no write
        lands halfway through the snapshot.
        """
        with contextlib.ExitStack() as stack:
            names = self.collections()
            for name in names:  # sorted, so two backups never lock in opposite orders
                stack.enter_context(self.locked(name))
            files: dict[str, bytes] = {}
            meta = self.data_dir / META_FILE
            if meta.exists():
                files[META_FILE] = meta.read_bytes()
            for name in names:
                for bucket in self._buckets(name):  # also refuses to back up a corrupt bucket
                    files[f"{name}/{bucket.path.name}"] = bucket.path.read_bytes()
        return write_backup_zip(dest, files, self.schema_version(), self.signing_key)

    @staticmethod
    def read_backup(backup: Path, key: bytes | None = None) -> dict[str, bytes]:
        """Every file of a backup, verified as ``restore`` verifies it (the PostgreSQL store
        restores a village from these)."""
        return Storage._read_backup(backup, key)

    @staticmethod
    def _read_backup(backup: Path, key: bytes | None = None) -> dict[str, bytes]:
        """Every file of a backup, verified against its manifest; StorageError if corrupt.

        With ``key`` the manifest must carry this instance's signature: a backup edited after
        it was made (an account added, the hashes recomputed) or made by another instance is
        refused. Sizes are checked before anything is unpacked.
        """
        try:
            with zipfile.ZipFile(backup) as zf:
                infos = zf.infolist()
                if sum(i.file_size for i in infos) > MAX_BACKUP_BYTES:
                    raise StorageError(f"backup {backup} unpacks to more than a backup can be")
                manifest = json.loads(_read_limited(zf, backup, MANIFEST_FILE))
                if key is not None and not hmac.compare_digest(
                    str(manifest.get("signature", "")), _manifest_signature(manifest, key)
                ):
                    raise StorageError(
                        f"backup {backup} was not made by this instance or was changed since "
                        "(its signature does not match); see docs/security.md for restoring "
                        "a backup from another instance"
                    )
                expected: dict[str, str] = manifest["files"]
                if set(zf.namelist()) != set(expected) | {MANIFEST_FILE}:
                    raise StorageError(f"backup {backup} does not match its manifest")
                files = {name: _read_limited(zf, backup, name) for name in expected}
        except StorageError:
            raise
        except (OSError, zipfile.BadZipFile, KeyError, TypeError, ValueError) as exc:
            raise StorageError(f"backup {backup} is corrupt or unreadable: {exc}") from exc
        for name, payload in files.items():
            if hashlib.sha256(payload).hexdigest() != expected[name]:
                raise StorageError(f"backup {backup} is corrupt: {name} does not match")
            collection, _, file = name.rpartition("/")
            if name == META_FILE:
                continue
            if not _COLLECTION_RE.fullmatch(collection) or not _BUCKET_RE.fullmatch(file):
                raise StorageError(f"backup {backup} holds an unexpected file {name!r}")
            _parse_bucket(Path(f"{backup}!{name}"), payload, (0, 0, 0))
        return files

    @staticmethod
    def restore(backup: Path, data_dir: Path, key: bytes | None = None) -> None:
        """Replace ``data_dir`` with the contents of ``backup``; refuse a corrupt backup.

        The backup is unpacked and fsynced next to ``data_dir`` and then swapped in with two
        renames, so a failure leaves the old data in place. Stop the app while restoring.
        """
        backup, data_dir = Path(backup), Path(data_dir)
        files = Storage._read_backup(backup, key)
        parent = data_dir.parent
        token = uuid.uuid4().hex
        staging = parent / f".{data_dir.name}.restore-{token}"
        old = parent / f".{data_dir.name}.old-{token}"
        try:
            staging.mkdir(mode=DIR_MODE)
            for name, payload in files.items():
                target = staging / name
                target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(payload)
                    fh.flush()
                    os.fsync(fh.fileno())
                _coarse_times(target)
            directories = {staging} | {p.parent for p in staging.rglob("*")}
            for directory in sorted(directories, reverse=True):
                _coarse_times(directory)
                _fsync_dir(directory)
            if data_dir.exists():
                os.replace(data_dir, old)
            try:
                os.replace(staging, data_dir)
            except OSError:
                if old.exists():
                    os.replace(old, data_dir)
                raise
            _fsync_dir(parent)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise StorageError(f"could not restore {backup} into {data_dir}: {exc}") from exc
        shutil.rmtree(old, ignore_errors=True)


def put_record(storage: Storage, collection: str, record_id: str, fields: dict) -> None:
    """Create the record ``record_id`` with ``fields``, or set ``fields`` on it if it exists.

    One read-check-write under the collection's lock, so two requests that set the same
    record at once leave one record, never two or a KeyError. Uses only the public Storage
    API, so it works with every storage backend.
    """
    with storage.locked(collection):
        if storage.get(collection, record_id) is None:
            storage.insert(collection, {**fields, "id": record_id})
        else:
            storage.update(collection, record_id, fields)
