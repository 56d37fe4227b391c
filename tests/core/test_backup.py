"""`vliegwiel backup` while the server takes submissions, and `vliegwiel restore` back."""

from __future__ import annotations

import re
import subprocess
import threading
import uuid
import zipfile

import requests
from live_server import (
    COLLECTION,
    Resident,
    Server,
    acknowledged,
    make_instance,
    vliegwiel_command,
)

from vliegwiel.core.storage import Storage


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*vliegwiel_command(), *args], capture_output=True, text=True, timeout=120
    )


def markers(data_dir) -> list[str]:
    return sorted(r["answers"]["marker"] for r in Storage(data_dir).all(COLLECTION))


def restored_markers(backup, tmp_path) -> list[str]:
    target = tmp_path / f"check-{uuid.uuid4().hex}" / "data"
    target.parent.mkdir()
    Storage.restore(backup, target)  # verifies every file against the manifest
    storage = Storage(target)
    for name in storage.collections():
        storage.all(name)
    return markers(target)


def test_backup_while_serving_then_restore_round_trip(tmp_path):
    instance = make_instance(tmp_path, per_hour=0)
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def submit(url: str) -> None:
        client = Resident(url)
        while not stop.is_set():
            marker = uuid.uuid4().hex
            try:
                response = client.answer(marker)
            except requests.RequestException:
                continue
            if acknowledged(response):
                with lock:
                    acked.append(marker)

    backups = []
    with Server(instance, threads=4) as server:
        threads = [threading.Thread(target=submit, args=(server.url,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        try:
            for n in range(3):
                with lock:
                    before = list(acked)
                out = tmp_path / f"backup-{n}.zip"
                result = run_cli("backup", "--instance", str(instance), "-o", str(out))
                assert result.returncode == 0, result.stderr
                assert str(out) in result.stdout
                backups.append((out, before))
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        final = markers(instance / "data")

    assert len(acked) > len(backups[0][1])  # submissions really went on meanwhile
    for out, before in backups:
        inside = restored_markers(out, tmp_path)
        # Everything acknowledged before the backup began is in it; nothing is doubled.
        assert set(before) <= set(inside)
        assert len(inside) == len(set(inside))
        assert set(inside) <= set(final)

    # Restore the first backup over the newer data: refused without --force, untouched.
    first, _ = backups[0]
    refused = run_cli("restore", "--instance", str(instance), str(first))
    assert refused.returncode == 1
    assert "--force" in refused.stderr
    assert markers(instance / "data") == final

    done = run_cli("restore", "--instance", str(instance), "--force", str(first))
    assert done.returncode == 0, done.stderr
    assert markers(instance / "data") == restored_markers(first, tmp_path)
    assert len(markers(instance / "data")) < len(final)
    # The data that was replaced is kept as a safety backup.
    safety = list((instance / "backups").glob("before-restore-*.zip"))
    assert len(safety) == 1 and str(safety[0]) in done.stdout
    assert restored_markers(safety[0], tmp_path) == final

    # The restored instance serves and takes new responses.
    with Server(instance, threads=2) as server:
        assert acknowledged(Resident(server.url).answer("na-het-terugzetten"))
    assert "na-het-terugzetten" in markers(instance / "data")


def test_restore_into_an_empty_instance_needs_no_force(tmp_path):
    source = make_instance(tmp_path, per_hour=0, name="bron")
    with Server(source, threads=2) as server:
        assert acknowledged(Resident(server.url).answer("bewaard"))
    backup = tmp_path / "bron.zip"
    assert run_cli("backup", "--instance", str(source), "-o", str(backup)).returncode == 0

    empty = make_instance(tmp_path, per_hour=0, name="leeg")
    # A backup from another instance (an old laptop) needs that instance's secret key
    # (docs/security.md): the manifest is signed with it, and codes are HMACs under it.
    key_line = re.compile(r'secret_key = "[^"]+"')
    old_key = key_line.search((source / "vliegwiel.toml").read_text()).group(0)
    config = empty / "vliegwiel.toml"
    config.write_text(key_line.sub(old_key, config.read_text()))
    result = run_cli("restore", "--instance", str(empty), str(backup))
    assert result.returncode == 0, result.stderr
    assert markers(empty / "data") == ["bewaard"]


def test_a_damaged_backup_is_refused_and_the_data_stays(tmp_path):
    instance = make_instance(tmp_path, per_hour=0)
    with Server(instance, threads=2) as server:
        assert acknowledged(Resident(server.url).answer("origineel"))
    good = tmp_path / "goed.zip"
    assert run_cli("backup", "--instance", str(instance), "-o", str(good)).returncode == 0
    bad = tmp_path / "kapot.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            payload = src.read(item)
            if item.filename.startswith("responses/"):
                payload = payload.replace(b"origineel", b"vervalst!")
            dst.writestr(item, payload)
    result = run_cli("restore", "--instance", str(instance), "--force", str(bad))
    assert result.returncode == 1
    assert "corrupt" in result.stderr
    assert markers(instance / "data") == ["origineel"]


def test_backup_outside_an_instance_is_one_clear_line(tmp_path):
    result = run_cli("backup", "--instance", str(tmp_path / "niets"))
    assert result.returncode == 1
    assert "vliegwiel.toml" in result.stderr and "Traceback" not in result.stderr
