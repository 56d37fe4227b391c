"""The PostgreSQL storage backend: many villages' records in one database (psycopg 3).

One table holds every record of every village::

    vliegwiel_records(village, collection, id, seq, data)

``seq`` (an identity column) keeps insertion order; the primary key (village, collection, id)
finds a record and refuses a duplicate id; an index on (village, collection, seq) serves
``all``/``count``. ``data`` is ``json``, not ``jsonb``: ``json`` keeps the record's text exactly
as written (key order included), so a village copied TinyDB -> PostgreSQL -> TinyDB comes back
byte for byte, and ``find`` filters with ``data->>'field'`` (checked again in Python, so it has
the TinyDB store's exact equality).

Isolation: every query names the village, and row-level security (forced, so also for the
table's owner) admits only rows whose ``village`` equals the session setting
``vliegwiel.village``, which this module sets per connection. A query that forgets or
misstates the village therefore reads and writes nothing of another village's rows. It is a
guard against mistakes, not a wall against code in the server process: such code can set
``vliegwiel.village`` itself (as this module does), and it can read every village's folder
anyway. Villages that must be out of each other's plugins' reach need a server process (and
a database) each; docs/hosting.md says so. The database role must not be a superuser
(superusers bypass row-level security); a warning is logged when it is.

``locked(collection)`` is a transaction holding a transaction-level advisory lock on
(village, collection): every write inside it commits at the end of the outermost block, and
writes outside it commit at once. Durability is PostgreSQL's commit.

``vliegwiel_collections`` holds a change number per (village, collection), bumped by a
trigger on every write, so ``all`` re-reads a collection only when it changed.

Schema versions: ``vliegwiel_schema`` holds the version of these tables (TABLE_MIGRATIONS bring
it up to TABLE_VERSION at start-up, under an advisory lock); ``vliegwiel_villages`` holds each
village's data version, which ``migrate`` brings to ``vliegwiel.core.storage.SCHEMA_VERSION`` with
the same migration steps as the TinyDB store, after a backup.
"""

from __future__ import annotations

import contextlib
import json
import logging
import pickle
import re
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from vliegwiel.core import storage as tinydb_storage
from vliegwiel.core.postgres_counts import PostgresWindowCounts, create_counts_table
from vliegwiel.core.storage import (
    BUCKET_SIZE,
    StorageError,
    WriteCounts,
    new_record,
    new_records,
    plain_json,
    validate_collection,
    write_backup_zip,
)
from vliegwiel.core.storage_contract import DatabaseUnavailable, record_bytes

__all__ = [
    "TABLE_VERSION",
    "DatabaseUnavailable",
    "PostgresStorage",
    "is_database_url",
    "redact_url",
    "validate_village",
]

log = logging.getLogger(__name__)

#: Version of the tables below; TABLE_MIGRATIONS[n] brings version n to n + 1 (0: empty).
TABLE_VERSION = 4
#: Records per chunk (``chunks``): a results page counts again only the chunks that changed.
CHUNK_SIZE = 1000

_VILLAGE_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
_MISSING = object()
#: Two int4 keys for the advisory lock that serialises table migrations ("vliegwiel", 1).
_SCHEMA_LOCK = (0x766C6965, 1)
_POOL_MAX = 16
#: A request waits this long for a free connection (or a reachable database) before a 503.
_CONNECT_TIMEOUT = 5.0
_PICKLE = pickle.HIGHEST_PROTOCOL


def is_database_url(value: str) -> bool:
    return value.startswith(("postgresql://", "postgres://"))


def redact_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    userinfo = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{userinfo}:***@{netloc[1]}"))


def validate_village(name: str) -> str:
    if not isinstance(name, str) or not _VILLAGE_RE.fullmatch(name):
        raise ValueError(
            f"invalid village key {name!r}: use 1 to 63 of [a-z0-9_-], starting with a "
            "letter or digit"
        )
    return name


# -- table migrations --------------------------------------------------------------------------


def _create_tables(conn: psycopg.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE vliegwiel_records (
            village text NOT NULL,
            collection text NOT NULL,
            id text NOT NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY,
            data json NOT NULL,
            PRIMARY KEY (village, collection, id)
        )"""
    )
    conn.execute(
        "CREATE INDEX vliegwiel_records_order ON vliegwiel_records (village, collection, seq)"
    )
    conn.execute(
        "CREATE TABLE vliegwiel_villages ("
        " village text PRIMARY KEY, schema_version integer NOT NULL)"
    )
    for table in ("vliegwiel_records", "vliegwiel_villages"):
        conn.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        conn.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        conn.execute(
            f"CREATE POLICY one_village ON {table} "
            "USING (village = current_setting('vliegwiel.village', true)) "
            "WITH CHECK (village = current_setting('vliegwiel.village', true))"
        )


def _add_change_versions(conn: psycopg.Connection) -> None:
    """Version 2: a change number per (village, collection), bumped by every write.

    ``all()`` keeps a collection's records and reads them again only when this number moved
    (one small query instead of thousands of rows: a results page reads every response).
    The numbers come from a sequence, never reused, so a rolled-back write can never make an
    old number look current again.
    """
    conn.execute("CREATE SEQUENCE vliegwiel_change_seq")
    conn.execute(
        "CREATE TABLE vliegwiel_collections (village text NOT NULL, collection text NOT NULL,"
        " version bigint NOT NULL, PRIMARY KEY (village, collection))"
    )
    conn.execute("ALTER TABLE vliegwiel_collections ENABLE ROW LEVEL SECURITY")
    conn.execute("ALTER TABLE vliegwiel_collections FORCE ROW LEVEL SECURITY")
    conn.execute(
        "CREATE POLICY one_village ON vliegwiel_collections "
        "USING (village = current_setting('vliegwiel.village', true)) "
        "WITH CHECK (village = current_setting('vliegwiel.village', true))"
    )
    conn.execute(
        """
        CREATE FUNCTION vliegwiel_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            changed vliegwiel_records%ROWTYPE;
        BEGIN
            IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
            INSERT INTO vliegwiel_collections (village, collection, version)
            VALUES (changed.village, changed.collection, nextval('vliegwiel_change_seq'))
            ON CONFLICT (village, collection) DO UPDATE SET version = EXCLUDED.version;
            RETURN NULL;
        END $$"""
    )
    conn.execute(
        "CREATE TRIGGER vliegwiel_records_changed AFTER INSERT OR UPDATE OR DELETE "
        "ON vliegwiel_records FOR EACH ROW EXECUTE FUNCTION vliegwiel_bump_version()"
    )
    # Collections written before this step have no number yet: they are read afresh every
    # time until their next write gives them one.


def _add_chunks(conn: psycopg.Connection) -> None:
    """Version 3: records numbered into chunks of CHUNK_SIZE per collection, each chunk with
    a change number of its own (``chunks``/``chunk``).

    A BEFORE INSERT trigger counts the collection's inserts (``vliegwiel_collections``
    ``inserted``, under that row's lock) and puts the record in chunk (n - 1) / CHUNK_SIZE;
    the change trigger also bumps the chunk's number in ``vliegwiel_chunks`` on every
    insert, update and delete. Records from before this step have no chunk (NULL, chunk
    -1): a write to one of them gives chunk -1 its number; until then it has none, which
    means unchanged since this step.
    """
    conn.execute("ALTER TABLE vliegwiel_records ADD COLUMN chunk bigint")
    conn.execute(
        "CREATE INDEX vliegwiel_records_chunk"
        " ON vliegwiel_records (village, collection, chunk, seq)"
    )
    conn.execute("ALTER TABLE vliegwiel_collections ADD COLUMN inserted bigint NOT NULL DEFAULT 0")
    conn.execute(
        "CREATE TABLE vliegwiel_chunks (village text NOT NULL, collection text NOT NULL,"
        " chunk bigint NOT NULL, version bigint NOT NULL,"
        " PRIMARY KEY (village, collection, chunk))"
    )
    conn.execute("ALTER TABLE vliegwiel_chunks ENABLE ROW LEVEL SECURITY")
    conn.execute("ALTER TABLE vliegwiel_chunks FORCE ROW LEVEL SECURITY")
    conn.execute(
        "CREATE POLICY one_village ON vliegwiel_chunks "
        "USING (village = current_setting('vliegwiel.village', true)) "
        "WITH CHECK (village = current_setting('vliegwiel.village', true))"
    )
    conn.execute(
        f"""
        CREATE FUNCTION vliegwiel_number_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            n bigint;
        BEGIN
            INSERT INTO vliegwiel_collections (village, collection, version, inserted)
            VALUES (NEW.village, NEW.collection, 0, 1)
            ON CONFLICT (village, collection)
            DO UPDATE SET inserted = vliegwiel_collections.inserted + 1
            RETURNING inserted INTO n;
            NEW.chunk := (n - 1) / {CHUNK_SIZE};
            RETURN NEW;
        END $$"""
    )
    conn.execute(
        "CREATE TRIGGER vliegwiel_records_chunk BEFORE INSERT "
        "ON vliegwiel_records FOR EACH ROW EXECUTE FUNCTION vliegwiel_number_chunk()"
    )
    conn.execute(
        """
        CREATE OR REPLACE FUNCTION vliegwiel_bump_version() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            changed vliegwiel_records%ROWTYPE;
            number bigint := nextval('vliegwiel_change_seq');
        BEGIN
            IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
            INSERT INTO vliegwiel_collections (village, collection, version)
            VALUES (changed.village, changed.collection, number)
            ON CONFLICT (village, collection) DO UPDATE SET version = EXCLUDED.version;
            INSERT INTO vliegwiel_chunks (village, collection, chunk, version)
            VALUES (changed.village, changed.collection, coalesce(changed.chunk, -1), number)
            ON CONFLICT (village, collection, chunk) DO UPDATE SET version = EXCLUDED.version;
            RETURN NULL;
        END $$"""
    )


#: Steps keyed by the table version they migrate from; each runs in the migration transaction.
TABLE_MIGRATIONS: dict[int, Callable[[psycopg.Connection], None]] = {
    0: _create_tables,
    1: _add_change_versions,
    2: _add_chunks,
    3: create_counts_table,
}


def ensure_tables(conn: psycopg.Connection) -> None:
    """Create or migrate vliegwiel's tables, once, however many processes start together."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", _SCHEMA_LOCK)
        conn.execute("CREATE TABLE IF NOT EXISTS vliegwiel_schema (version integer NOT NULL)")
        row = conn.execute("SELECT max(version) FROM vliegwiel_schema").fetchone()
        current = row[0] if row and row[0] is not None else 0
        if current > TABLE_VERSION:
            raise StorageError(
                f"the database's vliegwiel tables are version {current}, newer than this "
                f"vliegwiel ({TABLE_VERSION}); upgrade vliegwiel"
            )
        for version in range(current, TABLE_VERSION):
            TABLE_MIGRATIONS[version](conn)
            conn.execute("DELETE FROM vliegwiel_schema")
            conn.execute("INSERT INTO vliegwiel_schema (version) VALUES (%s)", (version + 1,))


# -- shared connection pools -------------------------------------------------------------------

_pools: dict[str, ConnectionPool] = {}
_pools_guard = threading.Lock()


def _check_reachable(url: str) -> None:
    """Connect once, to turn an unreachable database into one clear line."""
    try:
        with psycopg.connect(url, connect_timeout=int(_CONNECT_TIMEOUT)) as conn:
            ensure_tables(conn)
            role = conn.execute(
                "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
            ).fetchone()
            if role and role[0]:
                log.warning(
                    "the database role of %s bypasses row-level security (superuser or "
                    "BYPASSRLS); give vliegwiel its own ordinary role",
                    redact_url(url),
                )
    except psycopg.OperationalError as exc:
        reason = " ".join(str(exc).split()) or exc.__class__.__name__
        raise DatabaseUnavailable(
            f"cannot reach the database {redact_url(url)}: {reason}"
        ) from None
    except psycopg.Error as exc:
        raise StorageError(f"database {redact_url(url)}: {exc}") from None


#: A connection used this recently is handed out without a round trip to test it first.
#: Checking every checkout doubled the queries of a resident's page view (half of them were
#: these empty pings, measured); a database restart in the last seconds can still fail the
#: request that meets a dead connection (a 503 page; the pool then drops that connection).
_CHECK_AFTER_IDLE_SECONDS = 5.0


def _mark_returned(conn: psycopg.Connection) -> None:
    """Stamp the connection as used now; called by ``_conn`` as it hands it back.

    Not the pool's ``reset`` callback: with one, psycopg_pool returns every connection
    through its worker thread (a queue and a thread switch for each query: 4 % of a served
    resident flow's CPU, measured).
    """
    conn._vliegwiel_returned = time.monotonic()  # type: ignore[attr-defined]


def _check_when_idle(conn: psycopg.Connection) -> None:
    returned = getattr(conn, "_vliegwiel_returned", None)
    if returned is None or time.monotonic() - returned > _CHECK_AFTER_IDLE_SECONDS:
        ConnectionPool.check_connection(conn)


#: After the pool could not hand out a connection within its wait (the database is down or
#: refuses the role), requests fail at once with a 503 page for this long instead of each
#: holding a server thread for the whole wait (on a province server all villages share those
#: threads); then one request tries again.
DOWN_RETRY_SECONDS = 5.0
_down_guard = threading.Lock()


def _mark_down(pool: ConnectionPool) -> None:
    pool._vliegwiel_down_until = time.monotonic() + DOWN_RETRY_SECONDS  # type: ignore[attr-defined]


def _still_down(pool: ConnectionPool) -> bool:
    """Whether to fail at once; after the pause, lets one caller through to try again."""
    with _down_guard:
        if time.monotonic() < pool._vliegwiel_down_until:  # type: ignore[attr-defined]
            return True
        _mark_down(pool)  # the others keep failing at once until this caller knows
        return False


def shared_pool(url: str) -> ConnectionPool:
    """One pool per database URL for the whole process, shared by every village in it."""
    with _pools_guard:
        pool = _pools.get(url)
        if pool is not None and not pool.closed:
            return pool
        _check_reachable(url)
        pool = ConnectionPool(
            url,
            min_size=1,
            max_size=_POOL_MAX,
            kwargs={"autocommit": True},
            # Checked at checkout when idle for a while: after a database restart the pool's
            # old connections are replaced instead of failing one request each.
            check=_check_when_idle,
            timeout=_CONNECT_TIMEOUT,
            open=False,
            name="vliegwiel",
        )
        pool._vliegwiel_down_until = 0.0  # type: ignore[attr-defined]
        pool.open(wait=False)
        _pools[url] = pool
        return pool


def close_pools() -> None:
    """Close every pool (tests, and a clean shutdown)."""
    with _pools_guard:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


# -- the store ---------------------------------------------------------------------------------


class PostgresStorage:
    """One village's collections in a PostgreSQL database; see the module docstring."""

    def __init__(self, url: str, village: str) -> None:
        if not is_database_url(url):
            raise StorageError(f"{redact_url(url)} is not a postgresql:// URL")
        self.url = url
        self.village = validate_village(village)
        self._pool = shared_pool(url)
        self._local = threading.local()
        #: collection -> (change number, pickled records); see ``all``.
        self._cache: dict[str, tuple[int, bytes]] = {}
        #: Signs backup manifests (``build_village`` sets the instance's key), as on TinyDB.
        self.signing_key: bytes | None = None
        #: Writes this object made per collection (see ``written``).
        self._written = WriteCounts()
        self._counters: dict[tuple[str, float], PostgresWindowCounts] = {}

    def describe(self) -> str:
        return f"PostgreSQL {redact_url(self.url)} (village {self.village})"

    # -- connections ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _conn(self) -> Iterator[psycopg.Connection]:
        """The thread's connection inside ``locked``, else one from the pool (autocommit)."""
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        pool = self._pool
        if pool._vliegwiel_down_until and _still_down(pool):  # type: ignore[attr-defined]
            raise DatabaseUnavailable(
                f"database {redact_url(self.url)} is out of reach (tried again every "
                f"{DOWN_RETRY_SECONDS:g} s)"
            )
        try:
            with pool.connection() as conn:
                pool._vliegwiel_down_until = 0.0  # type: ignore[attr-defined]
                # A pooled connection serves every village of this process: (re)bind it to
                # ours before use, which is what row-level security checks.
                if getattr(conn, "_vliegwiel_village", None) != self.village:
                    conn.execute(
                        "SELECT set_config('vliegwiel.village', %s, false)", (self.village,)
                    )
                    conn._vliegwiel_village = self.village  # type: ignore[attr-defined]
                try:
                    yield conn
                finally:
                    _mark_returned(conn)
        except PoolTimeout as exc:
            _mark_down(pool)
            raise DatabaseUnavailable(
                f"no connection to the database {redact_url(self.url)}: {exc}"
            ) from None
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(
                f"database {redact_url(self.url)} failed: {' '.join(str(exc).split())}"
            ) from None
        except psycopg.Error as exc:
            raise StorageError(f"database {redact_url(self.url)}: {exc}") from None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection]:
        with self._conn() as conn, conn.transaction():
            yield conn

    @contextlib.contextmanager
    def locked(self, collection: str) -> Iterator[None]:
        """A transaction holding the (village, collection) advisory lock; re-entrant."""
        validate_collection(collection)
        held: set[str] = self._local.__dict__.setdefault("held", set())
        if collection in held:
            yield
            return
        outermost = getattr(self._local, "conn", None) is None
        if outermost:
            self._local.dirty = set()
        try:
            with self._transaction() as conn:
                conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s), hashtext(%s))",
                    (self.village, collection),
                )
                outer = getattr(self._local, "conn", None)
                self._local.conn = conn
                held.add(collection)
                try:
                    yield
                finally:
                    held.discard(collection)
                    self._local.conn = outer
        finally:
            if outermost:
                # Counted once the transaction is over: committed, or rolled back.
                for written in self._local.__dict__.pop("dirty", set()):
                    self._written.add(written)

    def _wrote(self, collection: str) -> None:
        """A write statement ran: count it now, or when the surrounding transaction ends."""
        dirty = getattr(self._local, "dirty", None)
        if dirty is not None:
            dirty.add(collection)
        else:
            self._written.add(collection)

    def written(self, collection: str) -> int:
        """How many writes this object made to the collection (the contract's ``written``)."""
        return self._written.get(collection)

    def window_counts(self, name: str, window: float) -> PostgresWindowCounts:
        """The counter ``name`` in the database: every process of the village shares it."""
        if self.signing_key is None:
            # The keys would be hashed without a secret, and an address is easily guessed back.
            raise StorageError("counts need the village's secret key (build_village sets it)")
        counter = self._counters.get((name, window))
        if counter is None:
            counter = self._counters.setdefault(
                (name, window),
                PostgresWindowCounts(self._conn, self.village, name, window, self.signing_key),
            )
        return counter

    def database_identity(self) -> tuple[str, ...]:
        """Which database this is, however its URL spells the way there (``localhost`` or
        ``127.0.0.1``, a socket or TCP, extra parameters): its name, the server's port and
        the moment that server started."""
        rows = self._rows(
            "SELECT current_database(), current_setting('port'), pg_postmaster_start_time()::text",
            (),
        )
        return tuple(rows[0])

    # -- reading -------------------------------------------------------------------------------

    def _rows(self, query: str, params: tuple) -> list[tuple]:
        with self._conn() as conn:
            return conn.execute(query, params).fetchall()

    def get(self, collection: str, record_id: str) -> dict | None:
        rows = self._rows(
            "SELECT data FROM vliegwiel_records WHERE village = %s AND collection = %s AND id = %s",
            (self.village, validate_collection(collection), record_id),
        )
        return rows[0][0] if rows else None

    def all(self, collection: str) -> list[dict]:
        return self._snapshot(collection)[1]

    def _snapshot(self, collection: str) -> tuple[int, list[dict]]:
        """The collection's change number and its records, read together."""
        validate_collection(collection)
        with self._conn() as conn:
            version = conn.execute(
                "SELECT version FROM vliegwiel_collections WHERE village = %s AND collection = %s",
                (self.village, collection),
            ).fetchone()
            cached = self._cache.get(collection)
            if version is not None and cached is not None and cached[0] == version[0]:
                return version[0], pickle.loads(cached[1])
            # One statement, one snapshot: the number and the records belong together.
            rows = conn.execute(
                "SELECT (SELECT version FROM vliegwiel_collections c WHERE c.village = r.village"
                " AND c.collection = r.collection), data FROM vliegwiel_records r "
                "WHERE village = %s AND collection = %s ORDER BY seq",
                (self.village, collection),
            ).fetchall()
        records = [row[1] for row in rows]
        if rows and rows[0][0] is not None:
            # Pickled (from parsed JSON, so never untrusted): every caller gets fresh objects.
            self._cache[collection] = (rows[0][0], pickle.dumps(records, _PICKLE))
            return rows[0][0], records
        # No records (or none written since version 2 of the tables): the number read
        # before them is never newer than they are.
        return (version[0] if version else 0), records

    def chunks(self, collection: str) -> list[tuple[Hashable, Hashable]]:
        """Chunks of CHUNK_SIZE records in insertion order (numbered by a trigger), each
        with the change number of its last write; chunk -1 holds the records from before
        version 3 of the tables (0: not written since)."""
        return [
            (chunk, version)
            for chunk, version in self._rows(
                "SELECT -1, coalesce((SELECT version FROM vliegwiel_chunks WHERE village = %s"
                " AND collection = %s AND chunk = -1), 0) WHERE EXISTS (SELECT 1 FROM"
                " vliegwiel_records WHERE village = %s AND collection = %s AND chunk IS NULL)"
                " UNION ALL SELECT chunk, version FROM vliegwiel_chunks WHERE village = %s"
                " AND collection = %s AND chunk >= 0 ORDER BY 1",
                (self.village, validate_collection(collection)) * 3,
            )
        ]

    def chunk(self, collection: str, key: Hashable) -> tuple[Hashable | None, list[dict]]:
        if not isinstance(key, int) or isinstance(key, bool) or key < -1:
            raise ValueError(f"{key!r} is not a chunk of {collection}")
        validate_collection(collection)
        which = "chunk IS NULL" if key == -1 else "chunk = %s"
        params = (self.village, collection) if key == -1 else (self.village, collection, key)
        version_of = (
            "coalesce((SELECT version FROM vliegwiel_chunks c WHERE c.village = %s"
            " AND c.collection = %s AND c.chunk = %s), 0)"
        )
        # One statement, one snapshot: the number and the records belong together.
        rows = self._rows(
            f"SELECT {version_of}, data FROM vliegwiel_records "
            f"WHERE village = %s AND collection = %s AND {which} ORDER BY seq",
            (self.village, collection, key, *params),
        )
        if not rows:
            return None, []
        return rows[0][0], [row[1] for row in rows]

    def find(self, collection: str, **equals: Any) -> list[dict]:
        query = "SELECT data FROM vliegwiel_records WHERE village = %s AND collection = %s"
        params: list[Any] = [self.village, validate_collection(collection)]
        for field, value in equals.items():
            # Strings narrow the scan in SQL; the exact comparison is Python's below, so a
            # number, a boolean or None matches exactly as in the TinyDB store.
            if isinstance(value, str):
                query += " AND data->>%s = %s"
                params += [field, value]
        rows = self._rows(query + " ORDER BY seq", tuple(params))
        items = tuple(equals.items())
        return [
            row[0]
            for row in rows
            if all(row[0].get(field, _MISSING) == value for field, value in items)
        ]

    def version(self, collection: str) -> int:
        """The collection's change number (bumped by a trigger on every write; 0: never
        written)."""
        rows = self._rows(
            "SELECT version FROM vliegwiel_collections WHERE village = %s AND collection = %s",
            (self.village, validate_collection(collection)),
        )
        return rows[0][0] if rows else 0

    def count(self, collection: str) -> int:
        rows = self._rows(
            "SELECT count(*) FROM vliegwiel_records WHERE village = %s AND collection = %s",
            (self.village, validate_collection(collection)),
        )
        return rows[0][0]

    def collections(self, prefix: str = "") -> list[str]:
        rows = self._rows(
            "SELECT DISTINCT collection FROM vliegwiel_records WHERE village = %s "
            "AND starts_with(collection, %s) ORDER BY collection",
            (self.village, prefix),
        )
        return [row[0] for row in rows]

    # -- writing -------------------------------------------------------------------------------

    def insert(self, collection: str, record: dict) -> str:
        validate_collection(collection)
        new, record_id = new_record(record)
        try:
            rows = self._rows(
                "INSERT INTO vliegwiel_records (village, collection, id, data) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
                (self.village, collection, record_id, record_bytes(new).decode()),
            )
        finally:
            self._wrote(collection)
        if not rows:
            raise ValueError(f"{collection}: a record with id {record_id!r} already exists")
        return record_id

    def insert_many(self, collection: str, records: list[dict]) -> list[str]:
        """Store copies of ``records`` as ``insert`` does, in one transaction.

        Ids must be new and distinct: a clash is a ValueError and nothing is written.
        """
        validate_collection(collection)
        new, ids = new_records(collection, records)
        rows = [
            (self.village, collection, record["id"], record_bytes(record).decode())
            for record in new
        ]
        try:
            self._insert_rows(collection, ids, rows)
        finally:
            self._wrote(collection)
        return ids

    def _insert_rows(self, collection: str, ids: list[str], rows: list[tuple]) -> None:
        with self.locked(collection), self._conn() as conn, conn.cursor() as cursor:
            clash = cursor.execute(
                "SELECT id FROM vliegwiel_records WHERE village = %s AND collection = %s "
                "AND id = ANY(%s) LIMIT 1",
                (self.village, collection, ids),
            ).fetchone()
            if clash is not None:
                raise ValueError(f"{collection}: a record with id {clash[0]!r} already exists")
            cursor.executemany(
                "INSERT INTO vliegwiel_records (village, collection, id, data) "
                "VALUES (%s, %s, %s, %s)",
                rows,
            )

    def update(self, collection: str, record_id: str, changes: dict) -> None:
        if "id" in changes and changes["id"] != record_id:
            raise ValueError("a record's 'id' cannot be changed")
        validate_collection(collection)
        changes = plain_json(changes, "changes")
        try:
            self._update_row(collection, record_id, changes)
        finally:
            self._wrote(collection)

    def _update_row(self, collection: str, record_id: str, changes: dict) -> None:
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT data FROM vliegwiel_records WHERE village = %s AND collection = %s "
                "AND id = %s FOR UPDATE",
                (self.village, collection, record_id),
            ).fetchone()
            if row is None:
                raise KeyError(f"{collection}: no record with id {record_id!r}")
            record = row[0]
            record.update(changes)  # existing keys keep their place, as in TinyDB
            conn.execute(
                "UPDATE vliegwiel_records SET data = %s WHERE village = %s AND collection = %s "
                "AND id = %s",
                (record_bytes(record).decode(), self.village, collection, record_id),
            )

    def delete(self, collection: str, record_id: str) -> bool:
        try:
            rows = self._rows(
                "DELETE FROM vliegwiel_records WHERE village = %s AND collection = %s "
                "AND id = %s RETURNING id",
                (self.village, validate_collection(collection), record_id),
            )
        finally:
            self._wrote(collection)
        return bool(rows)

    # -- schema version and migrations ---------------------------------------------------------

    def schema_version(self) -> int | None:
        rows = self._rows(
            "SELECT schema_version FROM vliegwiel_villages WHERE village = %s", (self.village,)
        )
        return rows[0][0] if rows else None

    def _set_version(self, version: int) -> None:
        self._rows(
            "INSERT INTO vliegwiel_villages (village, schema_version) VALUES (%s, %s) "
            "ON CONFLICT (village) DO UPDATE SET schema_version = EXCLUDED.schema_version "
            "RETURNING village",
            (self.village, version),
        )

    def migrate(self, backups_dir: Path) -> bool:
        """Bring this village's records to SCHEMA_VERSION, as the TinyDB store does."""
        target = tinydb_storage.SCHEMA_VERSION
        with self.locked("meta"):  # one migrating process per village
            current = self.schema_version()
            if current is None:
                if self.collections():
                    raise StorageError(
                        f"{self.describe()} holds data but no schema version; refusing to guess it"
                    )
                self._set_version(target)
                return False
            if current > target:
                raise StorageError(
                    f"{self.describe()}: data is schema version {current}, newer than this "
                    f"vliegwiel ({target}); upgrade vliegwiel"
                )
            if current == target:
                return False
            missing = [v for v in range(current, target) if v not in tinydb_storage.MIGRATIONS]
            if missing:
                raise StorageError(f"no migration step from schema version {missing[0]}")
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            Path(backups_dir).mkdir(parents=True, exist_ok=True)
            self.backup(Path(backups_dir) / f"before-v{current}-to-v{target}-{stamp}.zip")
            for version in range(current, target):
                tinydb_storage.MIGRATIONS[version](self)  # type: ignore[arg-type]
                self._set_version(version + 1)
            return True

    # -- backup --------------------------------------------------------------------------------

    def snapshot(self) -> tuple[int | None, dict[str, list[dict]]]:
        """(schema version, every collection's records) from one consistent snapshot."""
        # One statement reads every record from one snapshot, so no lock is needed and a
        # write in flight is either wholly in it or not at all.
        version = self.schema_version()
        rows = self._rows(
            "SELECT collection, data FROM vliegwiel_records WHERE village = %s "
            "ORDER BY collection, seq",
            (self.village,),
        )
        collections: dict[str, list[dict]] = {}
        for collection, data in rows:
            collections.setdefault(collection, []).append(data)
        return version, collections

    def backup(self, dest: Path) -> Path:
        """A zip in the TinyDB bucket layout, from one snapshot (no lock needed)."""
        version, collections = self.snapshot()
        files: dict[str, bytes] = {}
        if version is not None:
            files[tinydb_storage.META_FILE] = json.dumps(
                {"schema_version": version}, indent=2
            ).encode()
        for name, records in collections.items():
            for number, start in enumerate(range(0, len(records), BUCKET_SIZE)):
                chunk = records[start : start + BUCKET_SIZE]
                table = {str(doc_id): r for doc_id, r in enumerate(chunk, 1)}
                files[f"{name}/{number:04d}.json"] = record_bytes({tinydb_storage.TABLE: table})
        return write_backup_zip(dest, files, version, self.signing_key)

    def restore(self, backup: Path) -> None:
        """Replace this village's records with a backup's, in one transaction."""
        files = tinydb_storage.Storage.read_backup(Path(backup), self.signing_key)
        version = None
        collections: dict[str, list[dict]] = {}
        for name in sorted(files):
            payload = json.loads(files[name])
            if name == tinydb_storage.META_FILE:
                version = payload["schema_version"]
                continue
            collection = name.rpartition("/")[0]
            collections.setdefault(collection, []).extend(payload[tinydb_storage.TABLE].values())
        with self.locked("meta"), self._conn() as conn:
            conn.execute("DELETE FROM vliegwiel_records WHERE village = %s", (self.village,))
            conn.execute("DELETE FROM vliegwiel_villages WHERE village = %s", (self.village,))
            for name, records in collections.items():
                self.insert_many(name, records)
            if version is not None:
                self._set_version(version)
