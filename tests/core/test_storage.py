"""The TinyDB store's own behaviour: real bucket files in tmp_path, real TinyDB, processes.

What both backends share (round trip, copies, locking, migrations) is tested once for each
backend in tests/test_storage_contract.py.
"""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import threading
import time
import zipfile
from pathlib import Path

import pytest
from tinydb import TinyDB
from tinydb.storages import JSONStorage

from vliegwiel.core import storage as storage_mod
from vliegwiel.core.storage import Storage, StorageError


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def store(data_dir: Path) -> Storage:
    return Storage(data_dir)


def bucket_files(data_dir: Path, collection: str) -> list[str]:
    return sorted(p.name for p in (data_dir / collection).glob("*.json"))


# -- basic behaviour --------------------------------------------------------------------------


def test_bucket_rollover_keeps_insertion_order(data_dir: Path) -> None:
    store = Storage(data_dir, bucket_size=3)
    ids = [store.insert("responses/s", {"n": n}) for n in range(10)]

    assert bucket_files(data_dir, "responses/s") == [
        "0000.json",
        "0001.json",
        "0002.json",
        "0003.json",
    ]
    assert [r["n"] for r in store.all("responses/s")] == list(range(10))
    assert [store.get("responses/s", i)["n"] for i in ids] == list(range(10))

    # Deleting from an early bucket does not let a new record jump the queue.
    store.delete("responses/s", ids[1])
    store.insert("responses/s", {"n": 10})
    assert [r["n"] for r in store.all("responses/s")] == [0, *range(2, 11)]


def test_insert_many_fills_buckets_in_order_and_writes_each_once(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Storage(data_dir, bucket_size=3)
    store.insert("rounds/r/ballots", {"n": 0})
    writes = []
    real = storage_mod._write_atomic
    monkeypatch.setattr(
        storage_mod,
        "_write_atomic",
        lambda path, payload, *rest: writes.append(path) or real(path, payload, *rest),
    )
    ids = store.insert_many("rounds/r/ballots", [{"n": n} for n in range(1, 8)])
    # The partly filled bucket gets two, then two new buckets of three: three writes.
    assert [p.name for p in writes] == ["0000.json", "0001.json", "0002.json"]
    again = Storage(data_dir, bucket_size=3)
    assert [r["n"] for r in again.all("rounds/r/ballots")] == list(range(8))
    assert [again.get("rounds/r/ballots", i)["n"] for i in ids] == list(range(1, 8))
    assert store.insert_many("rounds/r/ballots", []) == []


def test_insert_many_refuses_a_known_or_repeated_id_before_writing(store: Storage) -> None:
    existing = store.insert("rounds/r/ballots", {"n": 0})
    before = store.all("rounds/r/ballots")
    with pytest.raises(ValueError, match="already exists"):
        store.insert_many("rounds/r/ballots", [{"n": 1}, {"id": existing, "n": 2}])
    with pytest.raises(ValueError, match="twice in one batch"):
        store.insert_many("rounds/r/ballots", [{"id": "a"}, {"id": "a"}])
    assert store.all("rounds/r/ballots") == before


def test_data_survives_a_new_instance_and_is_tinydb(data_dir: Path) -> None:
    store = Storage(data_dir)
    rid = store.insert("users", {"name": "Anna"})
    store.update("users", rid, {"name": "Anna B."})

    assert Storage(data_dir).get("users", rid) == {"id": rid, "name": "Anna B."}
    # The bucket is an ordinary TinyDB file with a "records" table.
    db = TinyDB(data_dir / "users" / "0000.json", storage=JSONStorage, access_mode="r")
    assert db.table("records").all() == [{"id": rid, "name": "Anna B."}]
    db.close()


def test_another_instance_sees_writes_immediately(data_dir: Path) -> None:
    reader, writer = Storage(data_dir), Storage(data_dir)
    rid = writer.insert("codes", {"state": "a"})
    assert reader.get("codes", rid)["state"] == "a"  # now cached by the reader
    # Same-size rewrites in quick succession: the cache must still notice every one.
    for state in "bcdefghij":
        writer.update("codes", rid, {"state": state})
        assert reader.get("codes", rid)["state"] == state
    other = writer.insert("codes", {"state": "z"})
    assert reader.get("codes", other)["state"] == "z"
    writer.delete("codes", rid)
    assert reader.get("codes", rid) is None


def test_a_reader_sees_buckets_another_instance_adds_or_a_restore_takes_away(
    data_dir: Path, tmp_path: Path
) -> None:
    # A reader remembers how many bucket files a collection had, so it need not list the
    # folder on every read; a new bucket (written by another process) and a missing one
    # (a restore) must still show at once.
    reader, writer = Storage(data_dir, bucket_size=2), Storage(data_dir, bucket_size=2)
    writer.insert("responses/s", {"n": 0})
    assert [r["n"] for r in reader.all("responses/s")] == [0]
    for n in range(1, 5):  # fills bucket 0000 and makes 0001 and 0002
        writer.insert("responses/s", {"n": n})
        assert [r["n"] for r in reader.all("responses/s")] == list(range(n + 1))
    assert reader.count("responses/s") == 5
    assert [p.name for p in sorted((data_dir / "responses" / "s").glob("*.json"))] == [
        "0000.json",
        "0001.json",
        "0002.json",
    ]
    # A reader's own inserts land in the bucket the other instance made.
    reader.insert("responses/s", {"n": 5})
    assert [r["n"] for r in writer.all("responses/s")] == list(range(6))
    # Back to a backup of two records: the reader sees exactly those.
    backup = writer.backup(tmp_path / "backup.zip")
    writer.insert("responses/s", {"n": 6})
    assert reader.count("responses/s") == 7
    Storage.restore(backup, data_dir)
    assert [r["n"] for r in reader.all("responses/s")] == list(range(6))


def test_empty_buckets_a_reader_skips_still_show_what_a_restore_puts_in_them(
    data_dir: Path, tmp_path: Path
) -> None:
    # Drafts leave empty buckets behind (each is removed when its resident submits); a
    # reader skips looking at those for a moment, as nothing but a restore can fill them.
    # A restore must still show at once, and a delete in a bucket that is not empty too.
    reader, writer = Storage(data_dir, bucket_size=2), Storage(data_dir, bucket_size=2)
    ids = [writer.insert("drafts", {"n": n}) for n in range(6)]  # buckets 0000-0002
    backup = writer.backup(tmp_path / "backup.zip")
    for rid in ids[:4]:
        writer.delete("drafts", rid)  # 0000 and 0001 now empty
    for _ in range(3):
        assert [r["n"] for r in reader.all("drafts")] == [4, 5]
    writer.delete("drafts", ids[4])
    assert [r["n"] for r in reader.all("drafts")] == [5]
    Storage.restore(backup, data_dir)
    assert [r["n"] for r in reader.all("drafts")] == list(range(6))
    assert reader.get("drafts", ids[0]) == {"n": 0, "id": ids[0]}


def test_an_update_in_a_full_bucket_changes_that_record_for_every_reader(data_dir: Path) -> None:
    # A write keeps the snapshots of the records it did not touch; the one it changed must
    # read back new, by id and in the whole collection, in this instance and a fresh one.
    store = Storage(data_dir, bucket_size=5)
    ids = [store.insert("codes", {"n": n, "state": "new"}) for n in range(5)]
    assert store.get("codes", ids[2])["state"] == "new"
    store.update("codes", ids[2], {"state": "used"})
    store.delete("codes", ids[4])
    for reader in (store, Storage(data_dir, bucket_size=5)):
        assert reader.get("codes", ids[2])["state"] == "used"
        assert [r["state"] for r in reader.all("codes")] == ["new", "new", "used", "new"]
        assert reader.get("codes", ids[4]) is None


# -- failures ---------------------------------------------------------------------------------


def test_missing_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="does-not-exist"):
        Storage(tmp_path / "does-not-exist")


def test_failed_replace_keeps_previous_state(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Storage(data_dir)
    rid = store.insert("users", {"name": "Anna"})
    before = (data_dir / "users" / "0000.json").read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(errno.EIO, "simulated I/O error")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StorageError, match="0000.json"):
        store.insert("users", {"name": "Bert"})
    with pytest.raises(StorageError):
        store.update("users", rid, {"name": "Changed"})
    monkeypatch.undo()

    assert (data_dir / "users" / "0000.json").read_bytes() == before
    assert [p.name for p in (data_dir / "users").iterdir() if p.name.endswith(".tmp")] == []
    assert store.all("users") == [{"id": rid, "name": "Anna"}]
    assert Storage(data_dir).all("users") == [{"id": rid, "name": "Anna"}]


def test_full_disk_keeps_previous_state(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Storage(data_dir)
    rid = store.insert("users", {"name": "Anna"})

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(StorageError, match="No space left"):
        store.insert("users", {"name": "Bert"})
    monkeypatch.undo()

    assert Storage(data_dir).all("users") == [{"id": rid, "name": "Anna"}]
    store.insert("users", {"name": "Bert"})  # works again once there is room
    assert store.count("users") == 2


def test_non_json_record_is_refused_before_writing(store: Storage, data_dir: Path) -> None:
    store.insert("users", {"name": "Anna"})
    with pytest.raises(TypeError, match="not plain JSON"):
        store.insert("users", {"when": object()})
    assert store.count("users") == 1


@pytest.mark.parametrize("content", [b'{"records": {"1": {"id": "a"', b"", b"[1, 2]", b"\xff\xfe"])
def test_corrupt_bucket_is_reported_and_left_alone(data_dir: Path, content: bytes) -> None:
    Storage(data_dir).insert("users", {"name": "Anna"})
    bucket = data_dir / "users" / "0000.json"
    bucket.write_bytes(content)

    store = Storage(data_dir)
    for action in (
        lambda: store.all("users"),
        lambda: store.get("users", "x"),
        lambda: store.insert("users", {"name": "Bert"}),
        lambda: store.backup(data_dir.parent / "b.zip"),
    ):
        with pytest.raises(StorageError, match=r"users/0000\.json"):
            action()
    assert bucket.read_bytes() == content


def test_missing_bucket_in_the_middle_is_reported(data_dir: Path) -> None:
    store = Storage(data_dir, bucket_size=1)
    for n in range(3):
        store.insert("users", {"n": n})
    (data_dir / "users" / "0001.json").unlink()
    with pytest.raises(StorageError, match=r"0001\.json is missing"):
        store.all("users")
    with pytest.raises(StorageError, match=r"0001\.json is missing"):
        store.insert("users", {"n": 3})


@pytest.mark.parametrize(
    "name", ["", "../etc", "/abs", "Users", "a//b", "a/", "a/../b", "a.b", "a b", "..", "a\\b"]
)
def test_bad_collection_names_are_rejected(store: Storage, data_dir: Path, name: str) -> None:
    with pytest.raises(ValueError, match="collection name"):
        store.insert(name, {"x": 1})
    with pytest.raises(ValueError):
        store.all(name)
    with pytest.raises(ValueError):
        with store.locked(name):
            pass
    assert list(data_dir.parent.iterdir()) == [data_dir]
    assert list(data_dir.iterdir()) == []


# -- concurrency ------------------------------------------------------------------------------


def _insert_from_process(data_dir: str, worker: int) -> None:
    store = Storage(Path(data_dir), bucket_size=30)
    for n in range(100):
        store.insert("responses/s", {"worker": worker, "n": n})


def test_processes_lose_no_inserts(data_dir: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_insert_from_process, args=(str(data_dir), w)) for w in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
    assert [proc.exitcode for proc in procs] == [0, 0]

    records = Storage(data_dir).all("responses/s")
    assert sorted((r["worker"], r["n"]) for r in records) == [
        (w, n) for w in range(2) for n in range(100)
    ]


# -- migrations -------------------------------------------------------------------------------


def test_migrate_stamps_a_fresh_dir(store: Storage, data_dir: Path, tmp_path: Path) -> None:
    assert store.migrate(tmp_path / "backups") is False
    assert json.loads((data_dir / "meta.json").read_text()) == {
        "schema_version": storage_mod.SCHEMA_VERSION
    }
    assert not (tmp_path / "backups").exists()


def test_migrate_refuses_unknown_versions(
    store: Storage, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.insert("users", {"name": "Anna"})
    with pytest.raises(StorageError, match="meta.json is missing"):
        store.migrate(tmp_path / "backups")

    (data_dir / "meta.json").write_text('{"schema_version": 99}')
    with pytest.raises(StorageError, match="newer"):
        store.migrate(tmp_path / "backups")

    current = storage_mod.SCHEMA_VERSION
    (data_dir / "meta.json").write_text(f'{{"schema_version": {current}}}')
    monkeypatch.setattr(storage_mod, "SCHEMA_VERSION", current + 1)
    with pytest.raises(StorageError, match=f"no migration step from schema version {current}"):
        store.migrate(tmp_path / "backups")
    assert store.schema_version() == current


# -- backup and restore -----------------------------------------------------------------------


def test_backup_during_inserts_is_a_consistent_snapshot(data_dir: Path, tmp_path: Path) -> None:
    store = Storage(data_dir, bucket_size=7)
    store.migrate(tmp_path / "backups")
    store.insert("users", {"name": "Anna"})
    first = store.insert("responses/s", {"seq": 0, "last": 0})
    stop = threading.Event()
    inserted: list[int] = []

    def keep_inserting() -> None:
        # Each step writes two buckets: a snapshot taken between them would be caught below.
        n = 1
        while not stop.is_set():
            with store.locked("responses/s"):
                store.insert("responses/s", {"seq": n})
                store.update("responses/s", first, {"last": n})
            inserted.append(n)
            n += 1

    writer = threading.Thread(target=keep_inserting)
    writer.start()
    backups = []
    try:
        for round_ in range(1, 9):
            while len(inserted) < 10 * round_:
                time.sleep(0.001)
            backups.append(store.backup(tmp_path / "backups"))
    finally:
        stop.set()
        writer.join()

    assert len(set(backups)) == 8
    for backup in backups:
        assert backup.suffix == ".zip" and backup.parent == tmp_path / "backups"
        target = tmp_path / f"restored-{backup.stem}"
        Storage.restore(backup, target)
        records = Storage(target).all("responses/s")
        seqs = [r["seq"] for r in records]
        assert len(seqs) > 1 and seqs == list(range(len(seqs)))
        assert records[0]["last"] == seqs[-1]

    # Restoring over live data brings back the snapshot, without later writes.
    store.insert("users", {"name": "Bert"})
    Storage.restore(backups[0], data_dir)
    restored = Storage(data_dir)
    assert [r["name"] for r in restored.all("users")] == ["Anna"]
    assert restored.count("responses/s") >= 11
    assert restored.schema_version() == storage_mod.SCHEMA_VERSION
    assert sorted(p.name for p in data_dir.parent.iterdir() if p.name.startswith(".")) == []


def test_restore_refuses_a_corrupt_backup(store: Storage, data_dir: Path, tmp_path: Path) -> None:
    rid = store.insert("users", {"name": "Anna"})
    backup = store.backup(tmp_path / "snap.zip")

    damaged = tmp_path / "damaged.zip"
    raw = bytearray(backup.read_bytes())
    raw[len(raw) // 3] ^= 0xFF
    damaged.write_bytes(bytes(raw))

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(backup) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.namelist():
            payload = src.read(item)
            dst.writestr(item, b"{not json" if item == "users/0000.json" else payload)

    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(backup.read_bytes()[:200])

    store.insert("users", {"name": "Bert"})
    for bad in (damaged, tampered, truncated, tmp_path / "absent.zip"):
        with pytest.raises(StorageError, match=bad.name):
            Storage.restore(bad, data_dir)
        assert [r["name"] for r in Storage(data_dir).all("users")] == ["Anna", "Bert"]

    Storage.restore(backup, data_dir)
    assert Storage(data_dir).all("users") == [{"id": rid, "name": "Anna"}]


# -- the folder fsync: before the write returns, after the lock is let go ----------------------


def test_a_write_returns_only_after_its_folder_fsync_and_others_need_not_wait_for_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Storage(data_dir)
    store.insert("drafts", {"n": 0})
    folder = data_dir / "drafts"
    real = storage_mod._fsync_dir
    slow_sync_started, let_sync_finish = threading.Event(), threading.Event()

    def slow_fsync_dir(path: Path) -> None:
        if Path(path) == folder and threading.current_thread().name == "first":
            slow_sync_started.set()
            assert let_sync_finish.wait(10)
        real(path)

    monkeypatch.setattr(storage_mod, "_fsync_dir", slow_fsync_dir)
    returned = threading.Event()

    def first_writer() -> None:
        store.insert("drafts", {"n": 1})
        returned.set()

    thread = threading.Thread(target=first_writer, name="first")
    thread.start()
    try:
        assert slow_sync_started.wait(10)
        # The rename is done but not yet durable: the write has not returned ...
        assert not returned.is_set()
        # ... and the next writer of the collection goes ahead meanwhile (a second Storage,
        # as another process would, so the file lock is what is tested).
        other = Storage(data_dir)
        other.insert("drafts", {"n": 2})
        assert not returned.is_set()
    finally:
        let_sync_finish.set()
        thread.join(10)
    assert returned.is_set()
    assert sorted(r["n"] for r in Storage(data_dir).all("drafts")) == [0, 1, 2]


def test_bucket_files_hold_exactly_what_json_dumps_of_the_table_gives(data_dir: Path) -> None:
    # A write joins the kept JSON text of the records it did not change; the file must still
    # be byte for byte what encoding the whole table gives (TinyDB, backups and the storage
    # copy's byte-identical check read it).
    store = Storage(data_dir, bucket_size=4)
    texts = ["Anna", "Café ‘t Hoekje", 'quote " and \\ slash', "emoji 🚲", "", "x" * 300]
    ids = [
        store.insert("codes", {"n": n, "text": t, "nested": {"a": [n, None, True]}})
        for n, t in enumerate(texts)
    ]
    store.update("codes", ids[1], {"text": "bijgewerkt", "extra": 1.5})
    store.delete("codes", ids[2])
    store.insert("codes", {"n": 9, "text": "na het wissen"})
    for bucket in sorted((data_dir / "codes").glob("*.json")):
        raw = bucket.read_bytes()
        table = json.loads(raw)["records"]
        expected = json.dumps(
            {"records": table}, ensure_ascii=False, allow_nan=False, separators=(",", ":")
        ).encode()
        assert raw == expected
    fresh = Storage(data_dir, bucket_size=4)
    assert [r["text"] for r in fresh.all("codes")] == [
        "Anna",
        "bijgewerkt",
        "emoji 🚲",
        "",
        "x" * 300,
        "na het wissen",
    ]
    assert fresh.get("codes", ids[1])["extra"] == 1.5
    # A store that read the buckets from their files writes into them: the records it did not
    # change are passed through untouched (never decoded), and come back as they were.
    fresh.update("codes", ids[0], {"text": "Anna B."})
    fresh.delete("codes", ids[3])
    fresh.insert("codes", {"n": 10, "text": "laatste"})
    for bucket in sorted((data_dir / "codes").glob("*.json")):
        raw = bucket.read_bytes()
        expected = json.dumps(
            json.loads(raw), ensure_ascii=False, allow_nan=False, separators=(",", ":")
        ).encode()
        assert raw == expected
    again = Storage(data_dir, bucket_size=4).all("codes")
    assert [r["text"] for r in again] == [
        "Anna B.",
        "bijgewerkt",
        "",
        "x" * 300,
        "na het wissen",
        "laatste",
    ]
    assert again[0]["nested"] == {"a": [0, None, True]} and again[1]["extra"] == 1.5


def test_a_write_inside_another_collections_lock_is_durable_when_it_returns(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A response stored while the code's lock is held (the code is marked used in the same
    # step): the response's write may have carried other residents' writes with it (group
    # commit), and they are told they are done when it returns, so its folder is synced by
    # then, not when the code's lock is let go.
    store = Storage(data_dir)
    store.insert("codes", {"state": "new"})
    synced: list[str] = []
    real = storage_mod._sync_dir
    monkeypatch.setattr(
        storage_mod, "_sync_dir", lambda path: synced.append(Path(path).name) or real(path)
    )
    with store.locked("codes"):
        store.insert("responses", {"n": 1})
        assert synced == ["responses"]
    assert Storage(data_dir).count("responses") == 1
