"""Many villages on one server (``vliegwiel serve --villages DIR``).

Every instance folder in DIR becomes one village app, served under ``/<folder>/``, or at the
root of its own host name when ``province.toml`` maps one to it::

    [province]
    name = "Provincie Utrecht"          # heading of the index page (optional)

    [villages]
    hosts = { "achterveld.example.nl" = "achterveld" }

Each village keeps its own vliegwiel.toml: settings, plugins allow-list, secret key and
storage (its own TinyDB folder, or a shared PostgreSQL database under its own village key).
Its session cookie gets its own name (``vliegwiel-<folder>``) and path (``/<folder>/``), and
is signed with its own secret, so a browser logged in to one village is never logged in to
another. ``/`` is the province's index: the villages and their published results.
"""

from __future__ import annotations

import re
import threading
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, render_template, url_for
from werkzeug.exceptions import HTTPException

from vliegwiel.core.background import BackgroundWorker
from vliegwiel.core.config import CONFIG_NAME
from vliegwiel.core.errors import VliegwielError
from vliegwiel.core.postgres_storage import PostgresStorage
from vliegwiel.core.resources import static_dir, templates_dir
from vliegwiel.web import i18n
from vliegwiel.web.app import create_app, register_security_headers, security_headers

__all__ = [
    "PROVINCE_CONFIG",
    "Province",
    "ProvinceError",
    "create_province",
    "find_villages",
    "load_province_config",
]

PROVINCE_CONFIG = "province.toml"
_FOLDER_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
#: Names the index app uses itself.
_RESERVED = {"static"}
#: The index reads every village's published surveys at most once per this many seconds, in
#: the background (see ``Province.listing``): a survey a village takes off its site leaves the
#: index within this time, and a flood of anonymous requests reads nothing.
INDEX_CACHE_SECONDS = 5.0

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class ProvinceError(VliegwielError):
    """The villages folder or its province.toml is wrong; the message says where."""

    code = "province"


@dataclass
class ProvinceConfig:
    name: str = "vliegwiel"
    hosts: dict[str, str] = field(default_factory=dict)


def find_villages(directory: Path) -> list[Path]:
    """The instance folders in ``directory`` (those holding vliegwiel.toml), sorted."""
    directory = Path(directory).expanduser().resolve()
    if not directory.is_dir():
        raise ProvinceError(f"{directory} is not a folder of village instances")
    found = sorted(p for p in directory.iterdir() if (p / CONFIG_NAME).is_file())
    for path in found:
        if not _FOLDER_RE.fullmatch(path.name) or path.name in _RESERVED:
            raise ProvinceError(
                f"{path}: a village folder name becomes its web address; use a-z, 0-9, '-' "
                "and '_' (and not 'static')"
            )
    if not found:
        raise ProvinceError(
            f"{directory} holds no village instance (no */{CONFIG_NAME}); create one with "
            f"'vliegwiel init {directory}/NAME'"
        )
    return found


def load_province_config(directory: Path, folders: Iterable[str]) -> ProvinceConfig:
    path = Path(directory) / PROVINCE_CONFIG
    if not path.is_file():
        return ProvinceConfig()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ProvinceError(f"{path}: {error}") from None
    name = raw.get("province", {}).get("name", "vliegwiel")
    hosts = raw.get("villages", {}).get("hosts", {})
    if not isinstance(name, str) or not name.strip():
        raise ProvinceError(f"{path}: [province] name must be a text")
    if not isinstance(hosts, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in hosts.items()
    ):
        raise ProvinceError(
            f"{path}: [villages] hosts must map host names to folders, e.g. "
            '{ "achterveld.example.nl" = "achterveld" }'
        )
    known = set(folders)
    for host, folder in hosts.items():
        if folder not in known:
            raise ProvinceError(
                f"{path}: [villages] hosts: {host} names {folder!r}, which is not a village folder"
            )
    return ProvinceConfig(name.strip(), {h.lower(): f for h, f in hosts.items()})


@dataclass
class VillageSite:
    folder: str
    app: Flask
    host: str | None = None

    @property
    def name(self) -> str:
        return self.app.config["VILLAGE_NAME"]


class Province:
    """The WSGI application: host name or first path segment picks the village."""

    def __init__(self, name: str, sites: list[VillageSite], index: Flask) -> None:
        self.name = name
        self.sites = sites
        self.index = index
        self.by_host = {s.host: s for s in sites if s.host}
        self.by_path = {s.folder: s for s in sites if not s.host}
        #: A village with its own host name, by folder: its old /<folder>/ addresses (on
        #: letters and QR codes printed before the host was mapped) lead there.
        self.moved = {s.folder: s for s in sites if s.host}
        self._listing: list[dict[str, Any]] | None = None
        self._listed_at = 0.0
        self._guard = threading.Lock()
        # Brings the index's listing up to date off the request path: a village whose
        # database is slow or down must not hold up every visitor of the index.
        self._refresher: BackgroundWorker | None = None
        # The redirect this router answers itself carries the headers of every other response.
        self._headers = security_headers()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        host = _host_name(environ.get("HTTP_HOST", ""))
        site = self.by_host.get(host)
        if site is not None:
            return site.app(environ, start_response)
        path = environ.get("PATH_INFO", "") or "/"
        folder, slash, rest = path[1:].partition("/")
        site = self.by_path.get(folder)
        query = environ.get("QUERY_STRING", "")
        query = f"?{query}" if query else ""
        if site is None:
            moved = self.moved.get(folder)
            if moved is not None:  # scheme-relative: HTTPS behind a proxy stays HTTPS
                return self._redirect(start_response, f"//{moved.host}/{rest}{query}")
            return self.index(environ, start_response)
        script = environ.get("SCRIPT_NAME", "") + "/" + folder
        if not slash:  # /achterveld -> /achterveld/, so relative links and the cookie fit
            return self._redirect(start_response, f"{script}/{query}")
        environ = dict(environ, SCRIPT_NAME=script, PATH_INFO="/" + rest)
        return site.app(environ, start_response)

    def _redirect(self, start_response: Callable, location: str) -> list[bytes]:
        start_response("308 Permanent Redirect", [("Location", location), *self._headers])
        return [b""]

    def villages(self) -> list[Any]:
        """Every village's run-time object (``Village``), in folder order."""
        return [site.app.extensions["vliegwiel"] for site in self.sites]

    def listing(self) -> list[dict[str, Any]]:
        """Each village with its published surveys, as looked up at most INDEX_CACHE_SECONDS
        ago (the first time in the request; later in the background, while visitors see the
        previous listing)."""
        with self._guard:
            listing, stale = self._listing, time.monotonic() - self._listed_at > INDEX_CACHE_SECONDS
            if listing is not None and stale:
                if self._refresher is None:
                    self._refresher = BackgroundWorker()
                self._refresher.ask("province-index", self._refresh)
        return listing if listing is not None else self._refresh()

    def _refresh(self) -> list[dict[str, Any]]:
        listing = [_describe(site) for site in self.sites]
        with self._guard:
            self._listing, self._listed_at = listing, time.monotonic()
        return listing


def _host_name(header: str) -> str:
    header = header.strip().lower()
    if header.startswith("["):  # [::1]:8000
        return header.split("]", 1)[0] + "]"
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def published_surveys(village: Any) -> list[Any]:
    """The village's surveys whose results a beheerder published (and that are on its
    public site now)."""
    from vliegwiel.results.publications import shown_publication

    return [s for s in village.surveys.all() if shown_publication(village, s.id) is not None]


def _describe(site: VillageSite) -> dict[str, Any]:
    village = site.app.extensions["vliegwiel"]
    try:
        surveys = published_surveys(village)
        reachable = True
    except VliegwielError:  # the village's database is down: list it, without results
        surveys, reachable = [], False
    return {
        "folder": site.folder,
        "name": site.name,
        "host": site.host,
        "surveys": [{"id": s.id, "title": s.title} for s in surveys],
        "reachable": reachable,
    }


def _index_app(province_name: str) -> Flask:
    index = Flask(
        "vliegwiel.province",
        template_folder=str(templates_dir()),
        static_folder=str(static_dir()),
    )
    index.config.update(LANGUAGES=["nl", "en"], DEFAULT_LANGUAGE="nl", PROVINCE_NAME=province_name)
    i18n.init_app(index)
    register_security_headers(index)

    def page(villages: list[dict] | None, refused: bool = False) -> str:
        # base.html, as a village's pages: the province is the site (its name, its index).
        return render_template(
            "province_index.html",
            village_name=index.config["PROVINCE_NAME"],
            site_home=url_for("home"),
            villages=villages,
            refused=refused,
            language=i18n.current_language(),
            languages=index.config["LANGUAGES"],
        )

    @index.get("/")
    def home():
        province: Province = index.extensions["province"]
        return page(province.listing())

    @index.errorhandler(404)
    def not_found(error):
        return page(None), 404

    @index.errorhandler(HTTPException)
    def refused(error: HTTPException):
        # Anything else the index does not do (a POST, say): the same page frame, in Dutch.
        response = error.get_response()
        response.set_data(page(None, refused=True))
        response.content_type = "text/html; charset=utf-8"
        return response

    return index


def _village_app(path: Path, host: str | None, test_config: dict[str, Any] | None) -> Flask:
    return create_app(
        path,
        {
            **(test_config or {}),
            # Own name and path: the browser keeps one cookie per village and sends each
            # only to its own village; the village's own secret signs it.
            "SESSION_COOKIE_NAME": f"vliegwiel-{path.name}",
            "SESSION_COOKIE_PATH": "/" if host else f"/{path.name}/",
            # Under /<folder>/ the pages link back to the index one level up (a village
            # on its own host name is a site of its own).
            "PROVINCE_INDEX": not host,
        },
    )


def create_province(directory: Path, test_config: dict[str, Any] | None = None) -> Province:
    """Build every village's app and the index; a ProvinceError names the problem (and the
    village folder it is in)."""
    directory = Path(directory).expanduser().resolve()
    folders = find_villages(directory)
    config = load_province_config(directory, [f.name for f in folders])
    host_of = {folder: host for host, folder in config.hosts.items()}
    sites = []
    keys: dict[tuple[tuple[str, ...] | None, str], str] = {}
    for path in folders:
        host = host_of.get(path.name)
        try:
            app = _village_app(path, host, test_config)
        except VliegwielError as error:  # a broken settings file, an unreachable database
            raise ProvinceError(f"{path.name}: {error}") from None
        village = app.extensions["vliegwiel"]
        shared = isinstance(village.storage, PostgresStorage)
        # Two URLs may name one database (localhost and 127.0.0.1, say): ask the database.
        where = village.storage.database_identity() if shared else None
        key = (where, village.config.storage_village)
        if shared and key in keys:
            raise ProvinceError(
                f"{path.name} and {keys[key]} use the same database and the same [storage] "
                f"village key {key[1]!r}; give each its own"
            )
        keys[key] = path.name
        sites.append(VillageSite(path.name, app, host))
    index = _index_app(config.name)
    province = Province(config.name, sites, index)
    index.extensions["province"] = province
    for site in sites:
        # The organisers' comparison page finds the other villages on this server here.
        site.app.extensions["vliegwiel.province"] = province
    # Read every village's publications once now, so the first visitor does not wait for it.
    province.listing()
    return province
