"""docs/hosting.md, run: every command in its ``sh`` blocks and every ``ExecStart`` of its
systemd units, in the page's order, with the page's paths moved into tmp_path, its database
into a throwaway one on the test PostgreSQL, and its ports onto free ones.

Commands that need systemd or Caddy cannot run here; NOT_RUN names each of them, and the
test fails on any other command it does not run, so a new line on the page is either run or
consciously listed.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import subprocess
import time
import tomllib
from pathlib import Path

import psycopg
import requests
from live_server import free_port, vliegwiel_command
from pg_database import require_admin_conninfo
from publishing import publish_instance

from vliegwiel.core.config import load_config
from vliegwiel.core.postgres_storage import PostgresStorage, close_pools
from vliegwiel.core.village import build_village
from vliegwiel.surveys.responses import save_response

DOC = Path(__file__).resolve().parents[2] / "docs" / "hosting.md"
DOC_URL = "postgresql://vliegwiel@localhost/vliegwiel"
#: Lines that need a system this test does not have, and why that is acceptable.
NOT_RUN = {
    "pip install .": "tests/cli/test_wheel.py builds and installs the package",
    "sudo systemctl enable --now vliegwiel": "needs systemd; the unit's ExecStart is run here",
    "sudo systemctl reload caddy": "needs Caddy; the Caddyfile is checked below",
}


def blocks(kind: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return re.findall(rf"^```{kind}\n(.*?)^```", text, flags=re.M | re.S)


def commands() -> list[str]:
    return [line.strip() for block in blocks("sh") for line in block.splitlines() if line.strip()]


class Page:
    """The page's world moved into tmp_path and the test database."""

    def __init__(self, tmp_path: Path, admin: str) -> None:
        self.tmp = tmp_path
        self.admin = admin
        # pg_virtualenv's administrator password; vliegwiel itself must find its own
        # password in the .pgpass file of the page, so PGPASSWORD is kept away from it.
        self.admin_password = os.environ.get("PGPASSWORD")
        token = secrets.token_hex(4)
        self.role = f"vliegwiel_doc_{token}"
        self.database = f"vliegwiel_doc_{token}"
        with self.connect_admin() as conn:
            self.host, self.port = conn.info.host, conn.info.port
        self.url = f"postgresql://{self.role}@{self.host}:{self.port}/{self.database}"
        self.pgpass = tmp_path / "pgpass"

    def connect_admin(self) -> psycopg.Connection:
        extra = {"password": self.admin_password} if self.admin_password else {}
        return psycopg.connect(self.admin, autocommit=True, **extra)

    def write_pgpass(self, line: str) -> None:
        host, port, database, role, password = line.split(":")
        assert (host, port, database, role) == ("localhost", "5432", "vliegwiel", "vliegwiel")
        entry = f"{self.host}:{self.port}:{self.database}:{self.role}:{password}\n"
        self.pgpass.write_text(entry, encoding="utf-8")
        self.pgpass.chmod(0o600)

    def user_env(self) -> dict[str, str]:
        """What the system user running vliegwiel has: a .pgpass, no PGPASSWORD."""
        env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
        env["PGPASSFILE"] = str(self.pgpass)
        return env

    def rewrite(self, line: str) -> str:
        line = line.replace(DOC_URL, self.url)
        line = line.replace("~/", f"{self.tmp}/home/")
        line = line.replace("/srv/vliegwiel", f"{self.tmp}/srv")
        line = line.replace("/var/backups", str(self.tmp))
        line = line.replace("/opt/vliegwiel/bin/vliegwiel", " ".join(vliegwiel_command()))
        line = re.sub(r"ROLE vliegwiel ", f"ROLE {self.role} ", line)
        line = line.replace(
            "DATABASE vliegwiel OWNER vliegwiel", f"DATABASE {self.database} OWNER {self.role}"
        )
        line = line.replace("--dbname=vliegwiel", f"--dbname={self.database}")
        line = re.sub(r" vliegwiel$", f" {self.database}", line)  # pg_dump's database
        if line.startswith("sudo -u postgres "):
            line = line.removeprefix("sudo -u postgres ")
        return line

    def run(self, line: str) -> subprocess.CompletedProcess:
        args = shlex.split(self.rewrite(line))
        if args[0] == "vliegwiel":
            args = [*vliegwiel_command(), *args[1:]]
        if "serve" in args[:4]:
            return self.serve(args)
        env = self.user_env()
        if args[0] in ("psql", "pg_dump", "pg_restore"):
            # As the administrator (the page's "postgres"), on the test server.
            env = admin_env(self.admin, self.admin_password, self.host, self.port)
        done = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        return done

    def serve(self, args: list[str]) -> subprocess.CompletedProcess:
        port = free_port()
        args = [a if a != "8000" else str(port) for a in args]
        log = self.tmp / f"serve-{port}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                args, stdout=out, stderr=subprocess.STDOUT, env=self.user_env()
            )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                assert process.poll() is None, log.read_text()
                try:
                    if requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200:
                        break
                except requests.ConnectionError:
                    time.sleep(0.1)
            else:
                raise AssertionError(f"{args} did not start: {log.read_text()}")
            self.check_served(args, port)
        finally:
            process.terminate()
            process.wait(10)
        return subprocess.CompletedProcess(args, 0, log.read_text(), "")

    def check_served(self, args: list[str], port: int) -> None:
        base = f"http://127.0.0.1:{port}"
        if "--villages" in args:
            index = requests.get(base + "/", timeout=30).text
            assert 'href="/stoutenburg/"' in index
            assert 'href="/achterveld/"' in index or "//achterveld.example.nl/" in index
            home = requests.get(base + "/stoutenburg/", timeout=30).text
            assert "Welkom bij Stoutenburg" in home
            if (Path(args[args.index("--villages") + 1]) / "province.toml").exists():
                by_host = requests.get(
                    base + "/", headers={"Host": "achterveld.example.nl"}, timeout=30
                )
                assert "Welkom bij Achterveld" in by_host.text
        else:
            assert "Welkom bij Achterveld" in requests.get(base + "/", timeout=30).text

    def drop(self) -> None:
        close_pools()
        with self.connect_admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
            conn.execute(f"DROP ROLE IF EXISTS {self.role}")


def admin_env(admin: str, password: str | None, host: str, port: int) -> dict[str, str]:
    env = dict(os.environ, PGHOST=host, PGPORT=str(port))
    if password:
        env["PGPASSWORD"] = password
    if admin:  # a URL: the client tools take its parts from the environment
        parts = psycopg.conninfo.conninfo_to_dict(admin)
        env.update(
            {
                f"PG{key.upper()}": str(value)
                for key, value in parts.items()
                if key in ("user", "password") and value
            }
        )
    return env


def test_every_command_of_the_hosting_guide_runs(tmp_path, monkeypatch):
    page = Page(tmp_path, require_admin_conninfo())
    (pgpass,) = blocks("pgpass")
    page.write_pgpass(pgpass.strip())
    # This process reads the villages' data too, as the system user would.
    for key, value in page.user_env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    ran: list[str] = []
    try:
        for line in commands():
            if line in NOT_RUN:
                continue
            if line.startswith("vliegwiel compare --villages"):
                # The page compares published results: publish the example survey first.
                village = build_village(tmp_path / "srv" / "dorpen" / "achterveld")
                survey = village.surveys.get("dorpsenquete")
                for i in range(6):
                    save_response(village, survey, {"leeftijd": "45_64", "prettig_wonen": i})
                publish_instance(tmp_path / "srv" / "dorpen" / "achterveld", "dorpsenquete")
            if line.startswith("vliegwiel serve --villages"):
                # The province.toml of the page, next to the villages.
                (tmp_path / "srv" / "dorpen" / "province.toml").write_text(
                    blocks("toml")[1], encoding="utf-8"
                )
            result = page.run(line)
            ran.append(line)
            if line.startswith("vliegwiel init") and "--database" in line:
                folder = Path(page.rewrite(line).split()[2]).name
                assert PostgresStorage(page.url, folder).count("users") == 1
            if line.startswith("vliegwiel storage verify"):
                assert "Gelijk:" in result.stdout
            if line.startswith("vliegwiel compare"):
                assert result.stdout.split("\n", 1)[0].split() == ["Achterveld"]
            if line.startswith("vliegwiel backup"):
                assert re.search(r"Back-up geschreven: \S+\.zip", result.stdout)
            if "pg_dump" in line:
                assert (tmp_path / "vliegwiel.dump").stat().st_size > 1000

        # The small server's settings, put into its vliegwiel.toml, are valid settings.
        config = tmp_path / "srv" / "achterveld" / "vliegwiel.toml"
        text = config.read_text(encoding="utf-8")
        for key, value in tomllib.loads(blocks("toml")[0])["server"].items():
            written = json.dumps(value)  # a TOML string, boolean or list of strings alike
            text, found = re.subn(rf"^#? ?{key} = .*$", f"{key} = {written}", text, flags=re.M)
            assert found == 1, key
        config.write_text(text, encoding="utf-8")
        loaded = load_config(config.parent)
        assert loaded.https and loaded.trusted_proxies == 1
        assert loaded.base_url == "https://achterveld.example.nl"

        # Every systemd unit's ExecStart runs.
        for unit in blocks("ini"):
            (exec_start,) = re.findall(r"^ExecStart=(.*)$", unit, flags=re.M)
            page.run(exec_start)
            ran.append(exec_start)
    finally:
        page.drop()

    # Caddy hands every host of the page to the port the units listen on.
    hosts = tomllib.loads(blocks("toml")[1])["villages"]["hosts"]
    for caddyfile in blocks("caddy"):
        assert "reverse_proxy 127.0.0.1:8000" in caddyfile
    assert all(host in blocks("caddy")[1] for host in hosts)
    not_run = [line for line in commands() if line not in ran]
    assert sorted(not_run) == sorted(NOT_RUN)
