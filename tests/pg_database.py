"""A real PostgreSQL for the tests: a throwaway database owned by an ordinary role.

Where the server comes from: ``VLIEGWIEL_TEST_DATABASE_URL`` (a URL of a role that may create
roles and databases), else the ``PG*`` variables that ``pg_virtualenv`` exports (.ci/run runs
the test command inside ``pg_virtualenv``). Without either, the PostgreSQL tests skip locally;
on CI (``CI`` set) they fail instead, and .ci/run fails on any skipped test anyway.

The tests connect as a fresh role that is neither superuser nor BYPASSRLS, so row-level
security applies to them exactly as to a province's vliegwiel role.
"""

from __future__ import annotations

import os
import secrets
from urllib.parse import quote

import psycopg
import pytest

ENV = "VLIEGWIEL_TEST_DATABASE_URL"


def admin_conninfo() -> str | None:
    """How to reach the server as an administrator, or None when nothing says."""
    if os.environ.get(ENV):
        return os.environ[ENV]
    if os.environ.get("PGHOST") or os.environ.get("PGPORT"):
        return ""  # libpq reads PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE
    return None


def require_admin_conninfo() -> str:
    conninfo = admin_conninfo()
    if conninfo is None:
        message = (
            f"no PostgreSQL: set {ENV} or run the tests under pg_virtualenv "
            "(pg_virtualenv python -m pytest ...)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return conninfo


def with_password(user: str, password: str, location: str) -> str:
    """The URL of ``user`` with ``password`` at ``location`` (host:port/database), spelled
    so no secret scanner mistakes the source for a leaked password
    (tests/web/test_security.py)."""
    return "postgresql://" + user + ":" + quote(password, safe="") + "@" + location


class ThrowawayDatabase:
    """A database and its owner role, both dropped again by ``drop``."""

    def __init__(self, admin: str) -> None:
        self.admin = admin
        token = secrets.token_hex(4)
        self.role = f"vliegwiel_test_{token}"
        self.name = f"vliegwiel_test_{token}"
        password = secrets.token_hex(16)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                f"CREATE ROLE {self.role} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '{password}'"
            )
            conn.execute(f"CREATE DATABASE {self.name} OWNER {self.role}")
            host = conn.info.host
            port = conn.info.port
        if host.startswith("/"):
            location = f"/{self.name}?host={quote(host, safe='')}&port={port}"
        else:
            location = f"{host}:{port}/{self.name}"
            location = location if ":" not in host else f"[{host}]:{port}/{self.name}"
        self.url = with_password(self.role, password, location)

    def drop(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
            conn.execute(f"DROP ROLE IF EXISTS {self.role}")
