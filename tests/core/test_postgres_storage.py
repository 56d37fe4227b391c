"""What only the PostgreSQL backend has: village isolation, its table versions, a database
that is down. Real PostgreSQL (tests/pg_database.py); the shared contract is in
tests/test_storage_contract.py."""

from __future__ import annotations

import socket

import psycopg
import pytest
from conftest import unique_village
from pg_database import with_password

from vliegwiel.core.postgres_storage import (
    TABLE_VERSION,
    PostgresStorage,
    ensure_tables,
    redact_url,
)
from vliegwiel.core.storage import StorageError
from vliegwiel.core.storage_contract import DatabaseUnavailable


def test_villages_in_one_database_never_see_each_other(postgres_url: str) -> None:
    north, south = PostgresStorage(postgres_url, unique_village()), None
    south = PostgresStorage(postgres_url, unique_village())
    north.insert("users", {"id": "anna", "name": "Anna"})
    south.insert("users", {"id": "anna", "name": "Anna from the south"})
    assert north.get("users", "anna")["name"] == "Anna"
    assert south.all("users") == [{"id": "anna", "name": "Anna from the south"}]
    south.delete("users", "anna")
    assert north.count("users") == 1 and south.count("users") == 0


def test_row_level_security_stops_raw_sql_of_another_village(postgres_url: str) -> None:
    """Even SQL that forgets the village column only reaches the bound village's rows."""
    north = PostgresStorage(postgres_url, unique_village())
    south_key = unique_village()
    north.insert("responses/s", {"id": "secret", "answer": "private"})
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("SELECT set_config('vliegwiel.village', %s, false)", (south_key,))
        assert conn.execute("SELECT count(*) FROM vliegwiel_records").fetchone() == (0,)
        assert conn.execute("UPDATE vliegwiel_records SET data = '{}'").rowcount == 0
        assert conn.execute("DELETE FROM vliegwiel_records").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO vliegwiel_records (village, collection, id, data) "
                "VALUES (%s, 'users', 'intruder', '{}')",
                (north.village,),
            )
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        # No village bound at all: nothing.
        assert conn.execute("SELECT count(*) FROM vliegwiel_records").fetchone() == (0,)
    assert north.all("responses/s") == [{"id": "secret", "answer": "private"}]


def test_tables_carry_their_version_and_refuse_a_newer_one(postgres_url: str) -> None:
    PostgresStorage(postgres_url, unique_village())
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        schema = conn.execute("SELECT version FROM vliegwiel_schema").fetchall()
        assert schema == [(TABLE_VERSION,)]
        ensure_tables(conn)  # again: nothing to do, nothing doubled
        assert conn.execute("SELECT count(*) FROM vliegwiel_schema").fetchone() == (1,)
        conn.execute("UPDATE vliegwiel_schema SET version = %s", (TABLE_VERSION + 1,))
        try:
            with pytest.raises(StorageError, match="newer than this vliegwiel"):
                ensure_tables(conn)
        finally:
            conn.execute("UPDATE vliegwiel_schema SET version = %s", (TABLE_VERSION,))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_database_is_one_clear_error_without_the_password() -> None:
    url = with_password("vliegwiel", "geheim-wachtwoord", f"127.0.0.1:{_closed_port()}/vliegwiel")
    with pytest.raises(DatabaseUnavailable) as caught:
        PostgresStorage(url, "dorp")
    message = str(caught.value)
    assert message.startswith("cannot reach the database postgresql://vliegwiel:" + "***@127.0")
    assert "geheim" not in message and "\n" not in message
    assert redact_url(url).count("***") == 1


def test_bad_village_keys_are_refused(postgres_url: str) -> None:
    for key in ("", "Dorp", "a b", "x'; DROP TABLE vliegwiel_records; --", "a" * 64):
        with pytest.raises(ValueError, match="village key"):
            PostgresStorage(postgres_url, key)


def test_tables_of_version_1_are_migrated_with_their_records(postgres_url: str) -> None:
    """A database made by the first release (version 1) gets the change numbers of version
    2 at the next start, and its records stay readable and writable."""
    from pg_database import ThrowawayDatabase, require_admin_conninfo

    from vliegwiel.core.postgres_storage import TABLE_MIGRATIONS, close_pools

    old = ThrowawayDatabase(require_admin_conninfo())
    try:
        with psycopg.connect(old.url, autocommit=True) as conn:
            with conn.transaction():
                conn.execute("CREATE TABLE vliegwiel_schema (version integer NOT NULL)")
                TABLE_MIGRATIONS[0](conn)
                conn.execute("INSERT INTO vliegwiel_schema VALUES (1)")
            conn.execute("SELECT set_config('vliegwiel.village', 'dorp', false)")
            conn.execute(
                "INSERT INTO vliegwiel_records (village, collection, id, data) "
                """VALUES ('dorp', 'users', 'anna', '{"id":"anna","name":"Anna"}')"""
            )
        store = PostgresStorage(old.url, "dorp")
        with psycopg.connect(old.url) as conn:
            schema = conn.execute("SELECT version FROM vliegwiel_schema").fetchall()
            assert schema == [(TABLE_VERSION,)]
        assert store.all("users") == [{"id": "anna", "name": "Anna"}]
        # Records from before chunks (version 3) are chunk -1, unchanged (0) until written.
        assert store.chunks("users") == [(-1, 0)]
        assert store.chunk("users", -1) == (0, [{"id": "anna", "name": "Anna"}])
        store.update("users", "anna", {"name": "Anna B."})
        assert PostgresStorage(old.url, "dorp").all("users") == [{"id": "anna", "name": "Anna B."}]
        assert store.all("users") == [{"id": "anna", "name": "Anna B."}]
        ((legacy, written),) = store.chunks("users")
        assert legacy == -1 and written > 0
        store.insert("users", {"id": "bert"})
        assert [key for key, _version in store.chunks("users")] == [-1, 0]
        assert store.chunk("users", -1)[0] == written
        chunks = [store.chunk("users", key)[1] for key, _version in store.chunks("users")]
        assert [r["id"] for records in chunks for r in records] == ["anna", "bert"]
    finally:
        close_pools()
        old.drop()


def test_a_connection_that_died_while_idle_is_replaced_and_a_busy_one_is_not_pinged(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection is checked at checkout only after a while unused: a busy server pays no
    extra round trip per query, and one whose database connection was cut while it sat idle
    (a database restart at night) still answers the first request of the morning."""
    from psycopg_pool import ConnectionPool

    from vliegwiel.core import postgres_storage

    # A pool of its own (another URL), so cutting its connections touches no other test.
    url = postgres_url + ("&" if "?" in postgres_url else "?") + "application_name=idle-test"
    store = PostgresStorage(url, unique_village())
    store.insert("users", {"id": "anna"})
    for _ in range(3):  # every connection the pool has opened so far has now been used
        store.get("users", "anna")
    checks = []
    real_check = ConnectionPool.check_connection
    monkeypatch.setattr(
        ConnectionPool,
        "check_connection",
        classmethod(lambda cls, conn: checks.append(conn) or real_check(conn)),
    )
    for _ in range(5):
        assert store.get("users", "anna") == {"id": "anna"}
    assert checks == []  # used a moment ago each time: no ping

    with psycopg.connect(postgres_url, autocommit=True) as admin:
        cut = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'idle-test'"
        ).fetchall()
    assert cut and all(row == (True,) for row in cut)
    monkeypatch.setattr(postgres_storage, "_CHECK_AFTER_IDLE_SECONDS", 0.0)
    assert store.get("users", "anna") == {"id": "anna"}  # the dead one was replaced
    assert checks
