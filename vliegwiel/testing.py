"""pytest fixtures for plugin authors: a real instance, a real app, a CSRF-aware client.

vliegwiel registers this module as a pytest plugin (entry point ``pytest11``), so a plugin's
tests get these fixtures as soon as vliegwiel is installed. If your setup does not load
entry points (``-p no:...``, ``PYTEST_DISABLE_PLUGIN_AUTOLOAD``), add
``pytest_plugins = ["vliegwiel.testing"]`` to your ``conftest.py``.

Fixtures (all function-scoped, each test gets its own instance folder):

- ``vliegwiel_instance``: a fresh instance (``vliegwiel init``) without example surveys, with
  one organiser account ``beheerder`` / :data:`ORGANISER_PASSWORD`.
- ``vliegwiel_make_app``: ``factory(plugins=(), templates=(), **config) -> Flask``; adds
  (and opens) the named survey templates to the instance and builds the app. Installed
  plugins load by themselves; ``plugins=`` adds objects that are not installed (a module
  that is installed too is skipped, so a test works before and after ``pip install -e .``).
- ``vliegwiel_app``, ``vliegwiel_client`` (a :class:`VillageClient`), ``vliegwiel_village``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

__all__ = [
    "ORGANISER",
    "ORGANISER_PASSWORD",
    "VillageClient",
    "add_survey_template",
    "open_surveys",
    "stored_responses",
]

ORGANISER = "beheerder"
ORGANISER_PASSWORD = "beheerder-wachtwoord"

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
_ERROR = re.compile(r'<p class="error-text"[^>]*>(.*?)</p>', re.S)
_TAG = re.compile(r"<[^>]+>")
#: A survey longer than this many pages is a loop, not a survey.
_MAX_PAGES = 200


def _csrf_token(html: str) -> str:
    match = _TOKEN.search(html)
    if match is None:
        raise AssertionError("the page has no CSRF token")
    return match.group(1) or match.group(2)


def _form_value(value: Any) -> str | list[str]:
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return str(value)


class VillageClient(FlaskClient):
    """A test client that handles CSRF tokens, organiser logins and whole surveys."""

    def post_form(
        self, url: str, data: Mapping[str, Any] | None = None, *, page: str | None = None, **kw
    ) -> TestResponse:
        """GET ``page`` (default ``url``), then POST ``data`` with that page's CSRF token."""
        html = self.get(page or url).get_data(as_text=True)
        payload = {key: _form_value(value) for key, value in (data or {}).items()}
        payload["csrf_token"] = _csrf_token(html)
        return self.post(url, data=payload, **kw)

    def login(self, username: str = ORGANISER, password: str = ORGANISER_PASSWORD) -> TestResponse:
        response = self.post_form("/beheer/login", {"username": username, "password": password})
        if response.status_code != 302:
            raise AssertionError(f"login as {username} failed ({response.status_code})")
        return response

    def answer_survey(self, survey_id: str, answers: Mapping[str, Any]) -> TestResponse:
        """Answer a survey as a resident: every page, then the review page; returns "thanks".

        ``answers`` maps form-field names to values, as a browser posts them: the question id
        for most types (lists for multiple choice). Each page takes the fields it knows.
        Raises AssertionError with the page's error messages when a page refuses.
        """
        url = f"/enquete/{survey_id}/pagina/1"
        for _ in range(_MAX_PAGES):
            on_review = url.endswith("/controle")
            response = self.post_form(url, {} if on_review else answers)
            if response.status_code != 302:
                html = response.get_data(as_text=True)
                errors = [_TAG.sub("", e).strip() for e in _ERROR.findall(html)]
                raise AssertionError(f"{url} answered {response.status_code}: {errors}")
            url = urlsplit(response.location).path
            if on_review:
                return self.get(url)
        raise AssertionError(f"survey {survey_id} did not end after {_MAX_PAGES} pages")


def add_survey_template(
    instance_dir: Path, name: str, extra_plugins: Iterable[Any] = (), *, open: bool = True
) -> Path:
    """Copy the survey template a plugin offers (its file name without .yaml) into surveys/.

    A template becomes a concept that residents cannot see; with ``open=True`` (the default,
    as a test usually wants to answer it) it is opened at once.
    """
    from vliegwiel.core.village import build_village
    from vliegwiel.surveys.status import OPEN, set_status
    from vliegwiel.surveys.templates import TemplateError, add_template

    village = build_village(instance_dir, tuple(extra_plugins))
    try:
        added = add_template(village, name)
    except TemplateError as error:
        raise LookupError(str(error)) from None
    if open:
        set_status(village.storage, added.survey.id, OPEN)
    return Path(instance_dir) / "surveys" / added.path.name


def open_surveys(instance_dir: Path, *survey_ids: str) -> list[str]:
    """Open the named surveys (default: every survey in surveys/) as an organiser would.

    New survey files are concepts; a test that answers a survey it wrote opens it first.
    Returns the ids opened.
    """
    from vliegwiel.core.village import build_village
    from vliegwiel.surveys.status import OPEN, set_status

    village = build_village(instance_dir)
    ids = list(survey_ids) or [s.id for s in village.surveys.all()]
    for survey_id in ids:
        set_status(village.storage, survey_id, OPEN)
    return ids


def stored_responses(app: Flask, survey_id: str) -> list[dict[str, Any]]:
    """The responses of a survey as stored (with their ``indicators``)."""
    from vliegwiel.surveys.responses import responses_of

    return responses_of(app.extensions["vliegwiel"], survey_id)


@pytest.fixture
def vliegwiel_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh instance folder with one organiser account and no surveys."""
    from vliegwiel.accounts.model import add_user
    from vliegwiel.core.instance import init_instance
    from vliegwiel.core.village import build_village

    # An allow-list in the developer's shell must not decide which plugins a test sees.
    monkeypatch.delenv("VLIEGWIEL_PLUGINS", raising=False)
    path = init_instance(tmp_path / "dorp", "Testdorp", with_examples=False)
    add_user(build_village(path).storage, ORGANISER, "beheerder", ORGANISER_PASSWORD)
    return path


@pytest.fixture
def vliegwiel_make_app(vliegwiel_instance: Path) -> Callable[..., Flask]:
    """``factory(plugins=(), templates=(), **config)``: an app on the test instance."""
    from vliegwiel.web.app import create_app

    def factory(plugins: Iterable[Any] = (), templates: Iterable[str] = (), **config: Any) -> Flask:
        # A plugin installed with pip already loads through its entry point; registering the
        # module a second time would fail, so the same test runs installed or not.
        installed = {ep.value for ep in entry_points(group="vliegwiel")}
        plugins = tuple(p for p in plugins if getattr(p, "__name__", None) not in installed)
        for name in templates:
            add_survey_template(vliegwiel_instance, name, plugins)
        app = create_app(vliegwiel_instance, {"TESTING": True, "PLUGINS": plugins, **config})
        app.test_client_class = VillageClient
        return app

    return factory


@pytest.fixture
def vliegwiel_app(vliegwiel_make_app: Callable[..., Flask]) -> Iterator[Flask]:
    yield vliegwiel_make_app()


@pytest.fixture
def vliegwiel_client(vliegwiel_app: Flask) -> VillageClient:
    return vliegwiel_app.test_client()


@pytest.fixture
def vliegwiel_village(vliegwiel_app: Flask) -> Any:
    return vliegwiel_app.extensions["vliegwiel"]
