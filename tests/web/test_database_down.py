"""A village on PostgreSQL whose database goes away while it serves: a Dutch 503 page, never a
traceback, and the village is back as soon as the database is.

The database "goes away" for real: its role loses the right to log in and every connection
of it is terminated, in a database of this test's own (tests/pg_database.py).
"""

from __future__ import annotations

import time

import psycopg
import pytest
from conftest import VillageClient
from pg_database import ThrowawayDatabase, require_admin_conninfo

from vliegwiel.core.instance import init_instance
from vliegwiel.core.postgres_storage import close_pools
from vliegwiel.web.app import create_app


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
    finally:
        _cut_off(own_database, allowed=True)

    deadline = time.monotonic() + 60
    while (status := client.get("/").status_code) != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status == 200
