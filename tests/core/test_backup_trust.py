"""Restore trusts only what this instance signed, and never unpacks more than a backup can
hold (security review, finding 7)."""

from __future__ import annotations

import hashlib
import json
import re
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from vliegwiel.accounts.model import authenticate
from vliegwiel.cli.main import main
from vliegwiel.core.instance import init_instance
from vliegwiel.core.storage import MAX_BACKUP_FILE_BYTES, Storage, StorageError
from vliegwiel.core.village import build_village


def _cli(*args: str):
    return CliRunner().invoke(main, list(args))


def _backup(instance: Path, output: Path) -> Path:
    result = _cli("backup", "--instance", str(instance), "-o", str(output))
    assert result.exit_code == 0, result.output
    return output


def _rewrite(backup: Path, target: Path, change) -> Path:
    """A copy of ``backup`` with ``change(files)`` applied and the manifest hashes recomputed,
    as an attacker with the file would do."""
    with zipfile.ZipFile(backup) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    manifest = json.loads(files.pop("backup-manifest.json"))
    change(files)
    manifest["files"] = {n: hashlib.sha256(b).hexdigest() for n, b in files.items()}
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("backup-manifest.json", json.dumps(manifest))
        for name, payload in files.items():
            zf.writestr(name, payload)
    return target


def _add_beheerder(files: dict[str, bytes]) -> None:
    from werkzeug.security import generate_password_hash

    name = next(n for n in files if n.startswith("users/"))
    bucket = json.loads(files[name])
    records = bucket["records"] if "records" in bucket else bucket
    records["999"] = {
        "id": "999",
        "username": "indringer",
        "role": "beheerder",
        "password_hash": generate_password_hash("geheim-geheim"),
        "created_at": "2026-01-01T00:00:00+00:00",
    }
    files[name] = json.dumps(bucket).encode()


def test_a_backup_with_an_added_beheerder_is_refused_even_with_force(instance_dir, tmp_path):
    backup = _backup(instance_dir, tmp_path / "echt.zip")
    forged = _rewrite(backup, tmp_path / "vervalst.zip", _add_beheerder)
    result = _cli("restore", "--instance", str(instance_dir), "--force", str(forged))
    assert result.exit_code != 0
    assert "signature does not match" in str(result.exception) + result.output
    storage = build_village(instance_dir).storage
    assert authenticate(storage, "indringer", "geheim-geheim") is None
    # The real backup restores.
    result = _cli("restore", "--instance", str(instance_dir), "--force", str(backup))
    assert result.exit_code == 0, result.output


def test_a_backup_from_another_instance_needs_its_secret_key(instance_dir, tmp_path):
    other = init_instance(tmp_path / "ander", "Anderdorp")
    backup = _backup(other, tmp_path / "ander.zip")
    result = _cli("restore", "--instance", str(instance_dir), "--force", str(backup))
    assert result.exit_code != 0 and "not made by this instance" in result.output
    # docs/security.md: give this instance the other one's [village] secret_key first.
    secret = re.search(r'secret_key = "([^"]+)"', (other / "vliegwiel.toml").read_text()).group(1)
    config = instance_dir / "vliegwiel.toml"
    config.write_text(
        re.sub(r'secret_key = "[^"]+"', f'secret_key = "{secret}"', config.read_text())
    )
    result = _cli("restore", "--instance", str(instance_dir), "--force", str(backup))
    assert result.exit_code == 0, result.output


def test_a_small_zip_with_a_huge_member_is_refused_without_unpacking(instance_dir, tmp_path):
    backup = _backup(instance_dir, tmp_path / "echt.zip")
    bomb = tmp_path / "bom.zip"
    with zipfile.ZipFile(backup) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    manifest = json.loads(files.pop("backup-manifest.json"))
    big = "users/0002.json"
    manifest["files"][big] = hashlib.sha256(b"").hexdigest()  # the hash is checked too late
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("backup-manifest.json", json.dumps(manifest))
        for name, payload in files.items():
            zf.writestr(name, payload)
        with zf.open(big, "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(300):  # 300 MB of zeros: about 300 KB packed
                member.write(chunk)
    assert bomb.stat().st_size < 1024 * 1024
    # Even without the signature check (as for a backup restored with the storage alone):
    tracemalloc.start()
    with pytest.raises(StorageError, match="more than a data file can be"):
        Storage.restore(bomb, tmp_path / "doel")
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 2 * MAX_BACKUP_FILE_BYTES  # was 660 MB
    assert not (tmp_path / "doel").exists()
