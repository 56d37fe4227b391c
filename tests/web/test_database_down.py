"""A village on PostgreSQL whose database goes away while it serves: a Dutch 503 page, never a
traceback, and the village is back as soon as the database is.

The database "goes away" for real: its role loses the right to log in and every connection
of it is terminated, in a database of this test's own (tests/pg_database.py).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from conftest import VillageClient
from pg_database import ThrowawayDatabase, require_admin_conninfo
from werkzeug.test import Client

from vliegwiel.core.instance import init_instance
from vliegwiel.core.postgres_storage import close_pools
from vliegwiel.web import province as province_module
from vliegwiel.web.app import create_app
from vliegwiel.web.province import create_province


@pytest.fixture
def own_database():
    admin = require_admin_conninfo()
    database = ThrowawayDatabase(admin)
    try:
        yield database
    finally:
        close_pools()
        database.drop()


def _cut_off(database: ThrowawayDatabase, *, allowed: bool) -> None:
    with psycopg.connect(database.admin, autocommit=True) as conn:
        conn.execute(f"ALTER ROLE {database.role} {'LOGIN' if allowed else 'NOLOGIN'}")
        if not allowed:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                (database.role,),
            )


def test_the_database_going_away_gives_a_dutch_503_page(own_database, tmp_path):
    instance = init_instance(tmp_path / "dorp", "Testdorp", database_url=own_database.url)
    app = create_app(instance, {"TESTING": True})
    app.test_client_class = VillageClient
    client = app.test_client()
    assert client.get("/").status_code == 200

    _cut_off(own_database, allowed=False)
    try:
        page = client.get("/")
        html = page.get_data(as_text=True)
        assert page.status_code == 503
        assert "Tijdelijk niet beschikbaar" in html
        assert "niet bereikbaar. Er is niets verloren gegaan" in html
        assert "Traceback" not in html and "psycopg" not in html and "postgresql" not in html
        english = client.get("/?taal=en")
        assert english.status_code == 503
        assert "cannot be reached right now" in english.get_data(as_text=True)
        # One request waits out the pool's wait (5 s) once; after it, the next pages say so
        # at once instead of each holding a server thread for that wait.
        waited = time.monotonic()
        while client.get("/").status_code == 503 and time.monotonic() - waited < 2.0:
            pass
        for _ in range(3):
            started = time.monotonic()
            assert client.get("/").status_code == 503
            assert time.monotonic() - started < 1.0
    finally:
        _cut_off(own_database, allowed=True)

    deadline = time.monotonic() + 60
    while (status := client.get("/").status_code) != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status == 200


def test_the_province_index_never_waits_for_a_village_database(own_database, tmp_path, monkeypatch):
    """The index lists villages from what it looked up before and looks again in the
    background: a village whose database hangs (another client holds its table locked) costs
    the index's visitors no wait, and neither does one whose database went away, which then
    shows as out of reach while the other villages stay listed."""
    monkeypatch.setattr(province_module, "INDEX_CACHE_SECONDS", 0.5)
    folder = tmp_path / "provincie"
    folder.mkdir()
    init_instance(folder / "noord", "Noorddorp")
    init_instance(folder / "zuid", "Zuiddorp", database_url=own_database.url)
    web = Client(create_province(folder))
    assert "Zuiddorp" in web.get("/").get_data(as_text=True)

    visitor = ThreadPoolExecutor(max_workers=1)

    def quick_index() -> str:
        # In a thread: a visitor kept waiting fails the test instead of hanging it.
        index = visitor.submit(web.get, "/").result(timeout=1.0)
        assert index.status_code == 200
        return index.get_data(as_text=True)

    with psycopg.connect(own_database.admin, dbname=own_database.name) as locker:
        try:
            locker.execute("LOCK TABLE vliegwiel_records IN ACCESS EXCLUSIVE MODE")
            time.sleep(0.6)
            for _ in range(3):
                assert "Zuiddorp" in quick_index()
        finally:
            locker.rollback()

    _cut_off(own_database, allowed=False)
    try:
        time.sleep(0.6)
        deadline = time.monotonic() + 30
        while "niet bereikbaar" not in (html := quick_index()):
            assert time.monotonic() < deadline, html
            time.sleep(0.2)
        assert "Noorddorp" in html and "Zuiddorp" in html
        assert web.get("/noord/").status_code == 200
    finally:
        _cut_off(own_database, allowed=True)
