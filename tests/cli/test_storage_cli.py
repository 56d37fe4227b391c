"""PostgreSQL from the command line: ``init --database``, ``[storage] url``,
``VLIEGWIEL_DATABASE_URL``, ``storage copy`` and ``storage verify``, a database that is down.

Real TinyDB folders and a real PostgreSQL (tests/pg_database.py).
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import unique_village
from pg_database import with_password

from vliegwiel.accounts.model import authenticate
from vliegwiel.cli.main import main
from vliegwiel.core.postgres_storage import PostgresStorage
from vliegwiel.core.storage import Storage
from vliegwiel.core.storage_contract import record_bytes
from vliegwiel.core.village import build_village
from vliegwiel.surveys.responses import save_response

COLLECTION = "responses/dorpsenquete"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _use_database(instance: Path, url: str, village: str) -> None:
    """Point an instance at PostgreSQL, as an organiser edits vliegwiel.toml by hand."""
    config = instance / "vliegwiel.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace(
        '# url = "postgresql://vliegwiel@localhost/vliegwiel"',
        f'url = "{url}"\nvillage = "{village}"',
    )
    config.write_text(text, encoding="utf-8")


def _records_in_files(data_dir: Path) -> dict[str, list[bytes]]:
    """Every record as the bytes of its bucket file holds it, per collection, in order."""
    store = Storage(data_dir)
    return {name: [record_bytes(r) for r in store.all(name)] for name in store.collections()}


def test_init_with_a_database_keeps_the_records_there(runner, tmp_path, postgres_url):
    target = tmp_path / unique_village()
    result = runner.invoke(main, ["init", str(target), "--database", postgres_url])
    assert result.exit_code == 0, result.output
    assert f'url = "{postgres_url}"' in (target / "vliegwiel.toml").read_text(encoding="utf-8")
    assert re.search(r"Gegevens:\s+PostgreSQL postgresql://\S+:\*{3}@", result.output)
    assert Storage(target / "data").collections() == []  # nothing in the folder
    shared = PostgresStorage(postgres_url, target.name)
    assert shared.count("users") == 1
    password = re.search(r"Eenmalig wachtwoord: (\S+)", result.output).group(1)
    assert authenticate(build_village(target).storage, "beheerder", password) is not None

    # Another instance folder with the same name would share the village's rows: refused
    # before anything is written.
    again = tmp_path / "elders" / target.name
    result = runner.invoke(main, ["init", str(again), "--database", postgres_url])
    assert result.exit_code == 1
    assert "already holds a village's data" in result.output
    assert not (again / "vliegwiel.toml").exists()


def test_init_refuses_a_url_that_is_not_postgresql(runner, tmp_path):
    result = runner.invoke(main, ["init", str(tmp_path / "dorp"), "--database", "mysql://x"])
    assert result.exit_code == 2
    assert "postgresql://" in result.output
    assert not (tmp_path / "dorp").exists()


def test_the_environment_variable_chooses_the_database(runner, tmp_path, postgres_url):
    target = tmp_path / unique_village()
    assert runner.invoke(main, ["init", str(target)]).exit_code == 0
    result = runner.invoke(
        main,
        ["storage", "copy", "--instance", str(target), "--to", postgres_url],
    )
    assert result.exit_code == 0, result.output
    listed = runner.invoke(
        main,
        ["user", "list", "--instance", str(target)],
        env={"VLIEGWIEL_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
    )
    # The variable is used (and this one cannot be reached): one line, no password, no trace.
    assert listed.exit_code == 1
    assert listed.output.startswith("Error: cannot reach the database postgresql://nobody@")
    assert len(listed.output.strip().splitlines()) == 1
    listed = runner.invoke(
        main, ["user", "list", "--instance", str(target)], env={"VLIEGWIEL_DATABASE_URL": ""}
    )
    assert listed.exit_code == 0 and "beheerder" in listed.output


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_database_is_one_clear_line_at_start_up(runner, tmp_path):
    target = tmp_path / "dorp"
    assert runner.invoke(main, ["init", str(target)]).exit_code == 0
    url = with_password("vliegwiel", "geheim", f"127.0.0.1:{_closed_port()}/vliegwiel")
    _use_database(target, url, "dorp")
    result = runner.invoke(main, ["serve", "--instance", str(target), "--port", "1"])
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: cannot reach the database postgresql://vliegwiel:" + "***@127")
    assert "geheim" not in line and "Traceback" not in result.output


def test_copy_tinydb_to_postgresql_and_back_is_byte_identical(runner, instance_dir, postgres_url):
    village = build_village(instance_dir)
    survey = village.surveys.get("dorpsenquete")
    for i in range(230):  # three buckets' worth
        save_response(village, survey, {"leeftijd": "45_64", "prettig_wonen": 1 + i % 10})
    key = unique_village()
    original = _records_in_files(instance_dir / "data")
    assert len(original["responses/dorpsenquete"]) == 230

    result = runner.invoke(
        main,
        ["storage", "copy", "--instance", str(instance_dir), "--to", postgres_url,
         "--village", key],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    total = sum(len(v) for v in original.values())
    assert f"{total} records in {len(original)} collecties gekopieerd" in result.output
    verify = runner.invoke(
        main,
        ["storage", "verify", "--instance", str(instance_dir), "--against", postgres_url,
         "--village", key],
    )  # fmt: skip
    assert verify.exit_code == 0, verify.output
    assert f"Gelijk: {len(original)} collecties, {total} records" in verify.output

    # The same instance now runs on PostgreSQL and is copied back into a fresh folder.
    _use_database(instance_dir, postgres_url, key)
    back = instance_dir.parent / "terug"
    result = runner.invoke(
        main, ["storage", "copy", "--instance", str(instance_dir), "--to", str(back)]
    )
    assert result.exit_code == 0, result.output
    assert _records_in_files(back) == original
    for bucket in (instance_dir / "data").rglob("*.json"):
        # No record was ever deleted here, so even the bucket files come back byte for byte.
        assert (back / bucket.relative_to(instance_dir / "data")).read_bytes() == (
            bucket.read_bytes()
        ), bucket
    verify = runner.invoke(
        main, ["storage", "verify", "--instance", str(instance_dir), "--against", str(back)]
    )
    assert verify.exit_code == 0, verify.output


def test_copy_refuses_a_target_with_data_and_verify_names_differences(
    runner, instance_dir, tmp_path, postgres_url
):
    key = unique_village()
    target = PostgresStorage(postgres_url, key)
    target.insert("users", {"id": "someone-else"})
    result = runner.invoke(
        main,
        ["storage", "copy", "--instance", str(instance_dir), "--to", postgres_url,
         "--village", key],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "already holds data" in result.output  # the storage layer's own message: English
    assert target.all("users") == [{"id": "someone-else"}]  # untouched

    copy = tmp_path / "kopie"
    assert (
        runner.invoke(
            main, ["storage", "copy", "--instance", str(instance_dir), "--to", str(copy)]
        ).exit_code
        == 0
    )
    Storage(copy).update("users", Storage(copy).all("users")[0]["id"], {"role": "lezer"})
    verify = runner.invoke(
        main, ["storage", "verify", "--instance", str(instance_dir), "--against", str(copy)]
    )
    assert verify.exit_code == 1
    assert re.search(r"^users\s+3\s+3\s+\w+\s+DIFFERENT$", verify.output, re.M)
    assert verify.output.strip().splitlines()[-1].endswith(": users")


def test_backup_and_restore_of_a_village_on_postgresql(runner, tmp_path, postgres_url):
    target = tmp_path / unique_village()
    assert runner.invoke(main, ["init", str(target), "--database", postgres_url]).exit_code == 0
    village = build_village(target)
    survey = village.surveys.get("dorpsenquete")
    kept = save_response(village, survey, {"leeftijd": "45_64", "prettig_wonen": 7})["id"]
    backup = tmp_path / "dorp.zip"
    result = runner.invoke(main, ["backup", "--instance", str(target), "-o", str(backup)])
    assert result.exit_code == 0, result.output
    # The zip is the laptop's format: it restores into a TinyDB folder as well.
    Storage.restore(backup, tmp_path / "als-bestanden")
    assert [r["id"] for r in Storage(tmp_path / "als-bestanden").all(COLLECTION)] == [kept]

    later = save_response(village, survey, {"leeftijd": "65_79", "prettig_wonen": 3})["id"]
    refused = runner.invoke(main, ["restore", "--instance", str(target), str(backup)])
    assert refused.exit_code == 1 and "bevat al gegevens" in refused.output
    result = runner.invoke(main, ["restore", "--instance", str(target), str(backup), "--force"])
    assert result.exit_code == 0, result.output
    stored = [r["id"] for r in village.storage.all(COLLECTION)]
    assert stored == [kept] and later not in stored
    # The safety copy holds what was replaced.
    (safety,) = (target / "backups").glob("before-restore-*.zip")
    Storage.restore(safety, tmp_path / "veiligheid")
    assert later in [r["id"] for r in Storage(tmp_path / "veiligheid").all(COLLECTION)]
