"""Shared fixtures: a real instance folder, the real Flask app, real TinyDB files.

CSRF protection stays on in tests: ``client.post_form(url, data)`` first GETs the page,
takes its token and posts with it, as a browser does.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from vliegwiel.accounts.model import add_user
from vliegwiel.core.config import load_config
from vliegwiel.core.instance import init_instance
from vliegwiel.core.storage import Storage
from vliegwiel.core.storage_backends import open_storage
from vliegwiel.core.village import Village, build_village
from vliegwiel.surveys.status import OPEN, set_status
from vliegwiel.testing import open_surveys
from vliegwiel.web.app import create_app

TESTS_DIR = Path(__file__).parent
# Test helper modules (pdf_reading, ...) import as top-level modules from tests/.
sys.path.insert(0, str(TESTS_DIR))

PASSWORDS = {
    "beheerder": "beheerder-wachtwoord",
    "ambassadeur": "ambassadeur-wachtwoord",
    "lezer": "lezer-wachtwoord-123",
}

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


#: The address letters print in tests: a fresh instance has none and refuses letters.
TEST_BASE_URL = "https://testdorp.example.nl"


def set_base_url(instance: Path, url: str) -> None:
    """Fill in ``[server] base_url`` (commented out by ``init``) in vliegwiel.toml."""
    config = instance / "vliegwiel.toml"
    text = config.read_text(encoding="utf-8")
    text, found = re.subn(r"^# base_url = .*$", f'base_url = "{url}"', text, flags=re.M)
    assert found == 1
    config.write_text(text, encoding="utf-8")


def csrf_token(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1) or match.group(2)


class VillageClient(FlaskClient):
    """A test client with helpers for forms protected by CSRF and for organiser logins."""

    def post_form(self, url: str, data: dict | None = None, *, page: str | None = None, **kw):
        """GET ``page`` (default ``url``), then POST ``data`` with the page's CSRF token."""
        html = self.get(page or url).get_data(as_text=True)
        payload = dict(data or {})
        payload["csrf_token"] = csrf_token(html)
        return self.post(url, data=payload, **kw)

    def login(self, role: str = "beheerder"):
        response = self.post_form("/beheer/login", {"username": role, "password": PASSWORDS[role]})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


@pytest.fixture
def instance_dir(tmp_path: Path) -> Path:
    """A fresh instance with the example surveys and one account per role."""
    path = init_instance(tmp_path / "dorp", "Testdorp")
    village = build_village(path)
    for role, password in PASSWORDS.items():
        add_user(village.storage, role, role, password)
    # init makes the examples concepts; most tests answer them, as residents of a live survey.
    open_surveys(path)
    set_base_url(path, TEST_BASE_URL)
    return path


@pytest.fixture
def app(instance_dir: Path) -> Iterator[Flask]:
    app = create_app(instance_dir, {"TESTING": True})
    app.test_client_class = VillageClient
    yield app


@pytest.fixture
def client(app: Flask) -> VillageClient:
    return app.test_client()


@pytest.fixture
def village(app: Flask) -> Village:
    return app.extensions["vliegwiel"]


@pytest.fixture
def make_app(instance_dir: Path) -> Callable[..., Flask]:
    """Build another app on the same instance, e.g. with extra plugins."""

    def factory(**config) -> Flask:
        built = create_app(instance_dir, {"TESTING": True, **config})
        built.test_client_class = VillageClient
        return built

    return factory


def write_survey(
    instance: Path, text: str, name: str = "test.yaml", *, status: str | None = OPEN
) -> Path:
    """Write a survey file and give it ``status`` (default open; None: leave it a concept)."""
    path = instance / "surveys" / name
    path.write_text(text, encoding="utf-8")
    if status is not None:
        try:
            data = yaml.safe_load(text)
        except (yaml.YAMLError, ValueError):
            data = None  # a file meant to be broken stays a concept; the loader sets it aside
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            storage = Storage(instance / "data")
            storage.migrate(instance / "backups")
            set_status(storage, data["id"], status)
    return path


# -- PostgreSQL (see tests/pg_database.py) ------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway database for this test session, owned by an ordinary (RLS-bound) role."""
    from pg_database import ThrowawayDatabase, require_admin_conninfo

    from vliegwiel.core.postgres_storage import close_pools

    database = ThrowawayDatabase(require_admin_conninfo())
    try:
        yield database.url
    finally:
        close_pools()
        database.drop()


def unique_village() -> str:
    """A village key nobody else in the shared test database uses."""
    import uuid

    return f"v{uuid.uuid4().hex[:12]}"


#: Both storage backends: a test taking ``backend`` runs once per backend.
BACKENDS = ("tinydb", "postgresql")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    """The PostgreSQL URL for the ``postgresql`` run of a test, None for TinyDB."""
    if backend == "tinydb":
        return None
    return request.getfixturevalue("postgres_url")


def instance_on(backend_dir: Path, database_url: str | None) -> Path:
    """An instance in ``backend_dir`` on TinyDB (``database_url`` None) or in PostgreSQL
    under a village key of its own, its surveys open and one account per role."""
    path = init_instance(backend_dir, "Testdorp", database_url=database_url)
    if database_url:
        config = path / "vliegwiel.toml"
        text = config.read_text(encoding="utf-8")
        text = text.replace("\n[plugins]", f'village = "{unique_village()}"\n\n[plugins]', 1)
        config.write_text(text, encoding="utf-8")
    open_surveys(path)
    storage = open_storage(load_config(path))
    for role, password in PASSWORDS.items():
        add_user(storage, role, role, password)
    return path


# -- participation rounds ---------------------------------------------------------------------


@pytest.fixture
def clock(app):
    """The app's clock, set by the test (``clock.set("2026-03-09T10:00")``): rounds have dates."""
    from round_helpers import Clock

    c = Clock()
    app.config["VLIEGWIEL_NOW"] = c
    return c


@pytest.fixture
def organiser(app):
    """A test client logged in as the beheerder."""
    client = app.test_client()
    client.login("beheerder")
    return client
