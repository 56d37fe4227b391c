"""Data files and backups are for the server's user only, and show no time of day (security
review, finding 10): a code's use and an anonymous response cannot be matched by file times."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from vliegwiel.cli.main import main
from vliegwiel.core.storage import Storage


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _day_start_ns() -> int:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return int(today.timestamp()) * 1_000_000_000


def test_data_files_and_folders_are_private(instance_dir, client):
    client.login("beheerder")  # accounts are written; a response as well:
    data = instance_dir / "data"
    assert _mode(data) == 0o700
    files = [p for p in data.rglob("*") if p.is_file()]
    folders = [p for p in data.rglob("*") if p.is_dir()]
    assert any(p.parent.name == "users" for p in files)
    for path in files:
        assert _mode(path) & 0o077 == 0, path
    for path in folders:
        assert _mode(path) == 0o700, path


def test_backups_are_private(instance_dir, tmp_path):
    result = CliRunner().invoke(main, ["backup", "--instance", str(instance_dir)])
    assert result.exit_code == 0, result.output
    backups = instance_dir / "backups"
    assert _mode(backups) == 0o700
    (zip_file,) = backups.glob("*.zip")
    assert _mode(zip_file) == 0o600


def test_an_old_open_data_folder_is_closed_on_start(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    Storage(data)
    assert _mode(data) == 0o700


def test_file_times_show_only_the_day(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    store = Storage(data)
    store.insert("codes/buurt", {"status": "gebruikt"})
    store.insert("responses/buurt", {"antwoord": "ja"})
    day = _day_start_ns()
    for path in [*data.rglob("*")]:
        info = path.stat()
        # The day, and at most a few nanoseconds (one per write) after its start.
        assert day <= info.st_mtime_ns < day + 1_000_000, path
        assert day <= info.st_atime_ns < day + 1_000_000 or path.is_dir(), path
    # Reading still sees every write (the cache keys on the time moving forward).
    record = store.insert("responses/buurt", {"antwoord": "nee"})
    assert Storage(data).get("responses/buurt", record)["antwoord"] == "nee"
    assert len(store.all("responses/buurt")) == 2
