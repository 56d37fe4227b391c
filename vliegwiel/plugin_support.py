"""What a plugin with a participation method of its own needs from the core.

Public plugin API (docs/plugins.md, "A participation method of your own"): a plugin's own
records in the instance's storage, a stable anonymous key for "one vote per browser", the
organiser check for its management pages, the small-group threshold, household codes (one
participant per household, as in rounds), background work kept out of requests, a link in the
organiser menu and a section of its own in share bundles. Commands load the instance with
``vliegwiel.cli.common.load_village`` and wrap ``village.storage`` in a :class:`PluginStore`.
Everything else of the core may change; these names stay.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app

from vliegwiel.core.background import BackgroundWorker
from vliegwiel.core.hook_records import OrganiserLink, ShareSection
from vliegwiel.core.storage import Storage, put_record, validate_collection
from vliegwiel.reach.household_codes import CodeEntry
from vliegwiel.rounds.flywheel import Participation
from vliegwiel.rounds.model import participant_hash

__all__ = [
    "OrganiserLink",
    "Participation",
    "PdfError",
    "PluginStore",
    "ShareSection",
    "CodeEntry",
    "background_pending",
    "current_village",
    "household_code_entry",
    "household_codes_page",
    "household_participant",
    "min_group_size",
    "organiser_required",
    "plugin_store",
    "render_pdf",
    "resident_key",
    "run_in_background",
    "wait_for_background",
]

#: Every plugin's records live under ``plugins/<plugin>/`` in the data folder.
ROOT = "plugins"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class PluginStore:
    """A plugin's own collections, atomic and durable like the core's (same storage).

    ``name`` is a collection name relative to the plugin (``"sets"``, ``"<id>/votes"``);
    records are plain JSON dicts and get a uuid4 hex ``id`` unless they carry one.
    """

    def __init__(self, storage: Storage, plugin: str) -> None:
        if not _NAME.match(plugin):
            raise ValueError(f"invalid plugin name {plugin!r}")
        self._storage = storage
        self.plugin = plugin

    def collection(self, name: str) -> str:
        return validate_collection(f"{ROOT}/{self.plugin}/{name}")

    def get(self, name: str, record_id: str) -> dict[str, Any] | None:
        return self._storage.get(self.collection(name), record_id)

    def all(self, name: str) -> list[dict[str, Any]]:
        return self._storage.all(self.collection(name))

    def find(self, name: str, **equals: Any) -> list[dict[str, Any]]:
        return self._storage.find(self.collection(name), **equals)

    def count(self, name: str) -> int:
        return self._storage.count(self.collection(name))

    def insert(self, name: str, record: dict[str, Any]) -> str:
        return self._storage.insert(self.collection(name), record)

    def update(self, name: str, record_id: str, changes: dict[str, Any]) -> None:
        self._storage.update(self.collection(name), record_id, changes)

    def put(self, name: str, record_id: str, fields: dict[str, Any]) -> None:
        """Create the record ``record_id`` with ``fields``, or set them on it if it exists."""
        put_record(self._storage, self.collection(name), record_id, fields)

    def delete(self, name: str, record_id: str) -> bool:
        return self._storage.delete(self.collection(name), record_id)

    @contextmanager
    def locked(self, name: str) -> Iterator[None]:
        """Hold the collection's lock (threads and processes) for a read-then-write."""
        with self._storage.locked(self.collection(name)):
            yield


def _village(app: Flask | None) -> Any:
    return (app or current_app).extensions["vliegwiel"]


def current_village(app: Flask | None = None) -> Any:
    """The ``Village`` that ``app`` serves (default: the app of the current request): its
    ``config``, ``storage`` and ``surveys`` (``surveys.all()``, ``surveys.get(id)``)."""
    return _village(app)


def plugin_store(plugin: str, app: Flask | None = None) -> PluginStore:
    """The plugin's store in ``app`` (default: the app of the current request)."""
    return PluginStore(_village(app).storage, plugin)


def min_group_size(app: Flask | None = None) -> int:
    """The instance's k (``[privacy] min_group_size``): publish nothing about fewer people."""
    return _village(app).config.min_group_size


def resident_key(scope: str) -> str:
    """Who is acting in ``scope`` (say a conversation id), as stored: a hash of the scope and
    the browser's random id, never the id itself, so keys of two scopes cannot be linked.

    For "one vote per browser"; needs a request. The id lives in the signed session cookie
    and survives closing the browser."""
    from vliegwiel.rounds.views_public import browser_id

    return participant_hash(scope, f"browser:{browser_id()}")


def household_participant(scope: str) -> str | None:
    """Who is acting in ``scope``, for "one participant per household code": a key derived
    from the household code this browser entered on the plugin's code page
    (:func:`household_code_entry`), the same on every device where that code was entered;
    None when this browser has entered no (valid) code. A remembered code that stopped
    working (it expired) is forgotten, with the reason flashed. Needs a request. ``scope``
    names the codes (lower case letters, digits, ``-`` and ``_``; make it unique to your
    plugin, say ``"stellingen-<id>"``); a key of one scope cannot be linked to another."""
    from flask import flash

    from vliegwiel.reach.household_codes import household_of

    key, problem = household_of(scope)
    if problem:
        flash(problem, "error")
    return key


def household_code_entry(scope: str, action: str) -> Any:
    """The code form of the plugin's code page, for a GET or a POST to ``action`` (that page's
    own path): the same checks, messages and limits against guessing (429 after too many wrong
    codes) as a round's code page. Returns a :class:`CodeEntry`: put ``html`` in the page,
    return ``blocked`` as it is when set, answer 400 when ``error`` is set, and send the
    resident on when ``accepted`` (from then on :func:`household_participant` knows them).
    A letter's QR code opens the page with ``?c=CODE`` and so fills the form in."""
    from vliegwiel.reach.household_codes import enter_code

    return enter_code(scope, action)


def household_codes_page(scope: str, *, title: str, code_page: str, back: str) -> Any:
    """The organiser page for ``scope``'s codes (return it from an ``organiser_required`` view
    that takes GET and POST): codes per street and a form that prints one letter per household
    (a number of letters or a CSV of addresses) with its code and a QR code to ``code_page``
    (the path of your code page); ``title`` heads page and letters, ``back`` links to your
    page. The codes are stored only as keyed hashes; the PDF is the only copy of them."""
    from vliegwiel.reach.household_codes import codes_page

    return codes_page(scope, title=title, code_page=code_page, back=back)


def organiser_required(view: Callable) -> Callable:
    """Decorate a management view: logged-in ``beheerder`` accounts only (others are sent to
    the login page, or get 403)."""
    from vliegwiel.accounts.views import require_role

    return require_role("beheerder")(view)


class PdfError(Exception):
    """A PDF could not be made in time (or WeasyPrint failed); the message says why."""


def render_pdf(html: str, *, timeout: float = 120.0) -> bytes:
    """A plugin's HTML as a PDF, rendered like the core's reports: in a child process with a
    time limit, reading files only from vliegwiel's static folder (link the report style
    with ``<link rel="stylesheet" href="vliegwiel-static:/report.css">``). Raises
    :class:`PdfError`. Render the HTML with ``render_template`` in a request first."""
    from vliegwiel.core.pdf import PdfRenderError
    from vliegwiel.core.pdf import render_pdf as render
    from vliegwiel.core.resources import static_dir

    try:
        return render(html, static_dir=static_dir(), timeout=timeout)
    except PdfRenderError as error:
        raise PdfError(str(error)) from error


# --- background work ----------------------------------------------------------------------------


def _worker(app: Flask | None) -> BackgroundWorker:
    app = app or current_app._get_current_object()  # the app itself, not the request's proxy
    worker = app.extensions.get("vliegwiel_background")
    if worker is None:

        def in_app(job: Callable[[], None]) -> None:
            with app.app_context():
                job()

        worker = app.extensions["vliegwiel_background"] = BackgroundWorker(in_app)
    return worker


def run_in_background(key: str, job: Callable[[], None], app: Flask | None = None) -> bool:
    """Run ``job()`` on the app's background thread, never in the request that asks.

    For work too heavy for a page (an analysis of all votes): the page shows the last stored
    result and says it is being brought up to date. ``key`` names the job (say
    ``"stellingen:<id>"``): while a job with that key waits or runs, asking again does nothing
    and returns False, so a flood of requests makes one job. Jobs run one at a time, in an app
    context (``plugin_store(plugin)`` works, there is no request); store the result yourself.
    An exception is logged; ask again to retry."""
    return _worker(app).ask(key, job)


def background_pending(key: str, app: Flask | None = None) -> bool:
    """Whether the job ``key`` is waiting or running (for the page's "wordt bijgewerkt")."""
    return _worker(app).pending(key)


def wait_for_background(app: Flask | None = None) -> None:
    """Block until every job asked for so far has run (for tests and commands)."""
    _worker(app).wait()


# --- the organiser menu and share bundles -------------------------------------------------------


# OrganiserLink and ShareSection live in core/hook_records.py (hookspecs names them without
# importing this module, which reaches into reach/ and rounds/); plugins import them from here.
