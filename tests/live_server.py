"""The real server in a child process (`vliegwiel serve`, waitress) and a resident that uses it.

Shared by the concurrency, crash, full-disk and backup tests and by bench/bench_server.py.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

from vliegwiel.accounts.model import add_user
from vliegwiel.core.config import load_config
from vliegwiel.core.instance import init_instance
from vliegwiel.core.storage_backends import open_storage
from vliegwiel.core.storage_contract import RecordStore
from vliegwiel.core.village import build_village
from vliegwiel.testing import open_surveys

#: One page, one required free-text question: the answer carries each response's own marker.
TINY_SURVEY = """\
id: snel
title: Snelle proef
pages:
  - id: p1
    title: Eén vraag
    questions:
      - id: marker
        type: short_text
        text: Uw kenmerk
        required: true
"""
SURVEY_ID = "snel"
COLLECTION = f"responses/{SURVEY_ID}"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def make_instance(
    parent: Path,
    *,
    per_hour: int = 0,
    name: str = "dorp",
    accounts: dict | None = None,
    database_url: str | None = None,
    opened: bool = True,
) -> Path:
    """A fresh instance with the tiny survey; ``per_hour`` is the submission limit (0: off).

    With ``database_url`` its records live in that PostgreSQL database, under a village key
    no other test uses. ``opened=False`` leaves its surveys concepts and its data empty.
    """
    path = init_instance(parent / name, "Proefdorp", database_url=database_url)
    config = path / "vliegwiel.toml"
    text = config.read_text(encoding="utf-8")
    if database_url:
        key = f"{name}-{uuid.uuid4().hex[:10]}"
        text = text.replace("\n[plugins]", f'village = "{key}"\n\n[plugins]', 1)
    text = re.sub(
        r"submissions_per_ip_per_hour = \d+", f"submissions_per_ip_per_hour = {per_hour}", text
    )
    config.write_text(text, encoding="utf-8")
    (path / "surveys" / "snel.yaml").write_text(TINY_SURVEY, encoding="utf-8")
    if opened:
        # Survey files start as concepts; these tests answer them as residents do.
        open_surveys(path)
    if accounts:
        village = build_village(path)
        for role, password in accounts.items():
            add_user(village.storage, role, role, password)
    return path


def instance_storage(instance: Path) -> RecordStore:
    """The instance's store as its vliegwiel.toml says (TinyDB folder or PostgreSQL)."""
    return open_storage(load_config(instance))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def vliegwiel_command() -> list[str]:
    script = Path(sys.executable).with_name("vliegwiel")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from vliegwiel.cli.main import main; main()"]


class Server:
    """`vliegwiel serve --instance DIR --port P` as a child process."""

    def __init__(
        self,
        instance: Path,
        *,
        threads: int = 8,
        command: list[str] | None = None,
        villages: bool = False,
        processes: int = 1,
    ):
        """``villages=True``: ``instance`` is a folder of instances (``serve --villages``);
        ``processes``: ``serve --processes``."""
        self.instance = instance
        self.villages = villages
        self.threads = threads
        self.processes = processes
        self.command = command or vliegwiel_command()
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = instance.parent / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Server:
        which = "--villages" if self.villages else "--instance"
        args = [*self.command, "serve", which, str(self.instance)]
        args += ["--port", str(self.port), "--threads", str(self.threads)]
        if self.processes > 1:
            args += ["--processes", str(self.processes)]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text(errors='replace')}")
            try:
                if requests.get(self.url + "/", timeout=10).status_code == 200:
                    return self
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.05)
        raise RuntimeError("server did not start in time")

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as a power cut or the OOM killer."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def rss_kib(self) -> int:
        """Resident memory of the server process, from /proc."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def token_of(html: str) -> str:
    match = _TOKEN.search(html)
    if match is None:
        raise AssertionError("no CSRF token on the page")
    return match.group(1) or match.group(2)


class Resident:
    """One browser: its own cookies; answers the tiny survey through the real pages."""

    def __init__(self, base_url: str, timeout: float = 30, http: requests.Session | None = None):
        self.base = base_url
        self.http = http or requests.Session()
        self.timeout = timeout
        self.token: str | None = None

    def _page(self) -> str:
        return f"{self.base}/enquete/{SURVEY_ID}/pagina/1"

    def answer(self, marker: str) -> requests.Response:
        """GET the page (CSRF token), POST it, POST the review; return the review response.

        The response is acknowledged when it is a 302 to the thank-you page.
        """
        page = self.http.get(self._page(), timeout=self.timeout)
        if page.status_code != 200:
            return page
        self.token = token_of(page.text)
        posted = self.http.post(
            self._page(),
            data={"csrf_token": self.token, "marker": marker},
            allow_redirects=False,
            timeout=self.timeout,
        )
        if posted.status_code != 302:
            return posted
        return self.http.post(
            f"{self.base}/enquete/{SURVEY_ID}/controle",
            data={"csrf_token": self.token},
            allow_redirects=False,
            timeout=self.timeout,
        )


def acknowledged(response: requests.Response) -> bool:
    return response.status_code == 302 and response.headers.get("Location", "").endswith(
        f"/enquete/{SURVEY_ID}/bedankt"
    )
