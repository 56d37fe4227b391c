"""A full disk: the resident gets a clear 503, nothing stored before is harmed, the server
keeps running, and once there is space again the same answers go through.

Two ways to fill the disk, both always tried:
- a real, tiny tmpfs holding the instance (needs root, as in our CI container; where mounting is
  not allowed that variant is skipped, the next one still runs);
- ENOSPC injected into the server process: every fsync fails with "No space left on device"
  while a flag file exists, as a disk that fills between write() and fsync() behaves.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from live_server import (
    COLLECTION,
    SURVEY_ID,
    Resident,
    Server,
    acknowledged,
    make_instance,
    token_of,
)

from vliegwiel.core.storage import Storage

INJECT = """
import errno, os, sys
flag = sys.argv.pop(1)
real_fsync = os.fsync
def fsync(fd):
    if os.path.exists(flag):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return real_fsync(fd)
os.fsync = fsync
from vliegwiel.cli.main import main
sys.argv[0] = "vliegwiel"
main()
"""


def _fill(directory: Path) -> Path:
    """Write a file until the file system says it is full; return it."""
    filler = directory / "filler.bin"
    chunk = b"\0" * 65536
    with open(filler, "wb", buffering=0) as fh:
        with pytest.raises(OSError) as full:
            while True:
                written = fh.write(chunk)
                if written < len(chunk):  # a short write: the last bytes, then ENOSPC
                    chunk = chunk[:1]
    assert full.value.errno == errno.ENOSPC
    return filler


def _temp_files(data_dir: Path) -> list[Path]:
    return [p for p in data_dir.rglob("*.tmp")]


def _run_scenario(server: Server, data_dir: Path, fill, free) -> None:
    first = Resident(server.url)
    assert acknowledged(first.answer("voor-de-volle-schijf"))
    before = Storage(data_dir).all(COLLECTION)

    # The resident has filled in the page (draft saved); then the disk fills up.
    resident = Resident(server.url)
    page = resident.http.get(f"{server.url}/enquete/{SURVEY_ID}/pagina/1")
    token = token_of(page.text)
    posted = resident.http.post(
        f"{server.url}/enquete/{SURVEY_ID}/pagina/1",
        data={"csrf_token": token, "marker": "tijdens-de-volle-schijf"},
        allow_redirects=False,
    )
    assert posted.status_code == 302
    fill()
    review = f"{server.url}/enquete/{SURVEY_ID}/controle"
    refused = resident.http.post(review, data={"csrf_token": token}, allow_redirects=False)
    assert refused.status_code == 503
    assert "Tijdelijk niet beschikbaar" in refused.text
    assert "niets verloren" in refused.text
    # A new resident starting now is refused just as clearly (its draft cannot be written).
    other = Resident(server.url).answer("ook-tijdens")
    assert other.status_code == 503

    assert server.process.poll() is None, "the server died"
    assert requests.get(server.url + "/").status_code == 200
    assert Storage(data_dir).all(COLLECTION) == before
    assert _temp_files(data_dir) == []

    free()
    again = resident.http.post(review, data={"csrf_token": token}, allow_redirects=False)
    assert acknowledged(again)
    markers = sorted(r["answers"]["marker"] for r in Storage(data_dir).all(COLLECTION))
    assert markers == ["tijdens-de-volle-schijf", "voor-de-volle-schijf"]
    # The operator's log names the cause.
    assert "No space left on device" in server.log.read_text(errors="replace")


def _mount_tmpfs(path: Path, size: str) -> bool:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    path.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
    )
    return result.returncode == 0


def test_real_full_disk_gives_503_and_keeps_what_was_stored(tmp_path):
    mount = tmp_path / "klein"
    if not _mount_tmpfs(mount, "4m"):
        pytest.skip("cannot mount a tmpfs here; the injected ENOSPC test still runs")
    try:
        instance = make_instance(mount, per_hour=0)
        data_dir = instance / "data"
        filler: list[Path] = []
        server = Server(instance, threads=4)
        server.log = tmp_path / "server.log"  # keep the log off the full disk
        with server:
            _run_scenario(
                server,
                data_dir,
                fill=lambda: filler.append(_fill(mount)),
                free=lambda: filler.pop().unlink(),
            )
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_injected_enospc_gives_503_and_keeps_what_was_stored(tmp_path):
    instance = make_instance(tmp_path, per_hour=0)
    flag = tmp_path / "disk-is-full"
    command = [sys.executable, "-c", INJECT, str(flag)]
    with Server(instance, threads=4, command=command) as server:
        _run_scenario(server, instance / "data", fill=flag.touch, free=lambda: flag.unlink())
    with contextlib.suppress(FileNotFoundError):
        flag.unlink()
