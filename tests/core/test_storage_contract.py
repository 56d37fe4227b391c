"""The storage contract, the same tests against both backends: TinyDB files and PostgreSQL.

Each test runs twice (``backend`` = tinydb, postgresql): real bucket files in tmp_path, and a
real PostgreSQL database (tests/pg_database.py), threads and processes included.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import unique_village

from vliegwiel.core import storage as storage_mod
from vliegwiel.core.storage import Storage, put_record
from vliegwiel.core.storage_contract import RecordStore, collection_digest, record_bytes


def _opener(data_dir: Path, database_url: str | None, village: str) -> Callable[[], RecordStore]:
    if database_url is None:
        return lambda: Storage(data_dir)
    from vliegwiel.core.postgres_storage import PostgresStorage

    return lambda: PostgresStorage(database_url, village)


@pytest.fixture
def open_store(tmp_path: Path, database_url: str | None) -> Callable[[], RecordStore]:
    """A factory: each call opens another store object on the same village's data."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return _opener(data_dir, database_url, unique_village())


@pytest.fixture
def store(open_store: Callable[[], RecordStore]) -> RecordStore:
    return open_store()


def test_both_backends_implement_the_contract(store: RecordStore) -> None:
    assert isinstance(store, RecordStore)
    assert (
        "password" not in store.describe()
        and ":***@" in store.describe()
        or isinstance(store, Storage)
    )


def test_round_trip(store: RecordStore) -> None:
    anna = store.insert("users", {"name": "Anna", "role": "organiser"})
    bert = store.insert("users", {"name": "Bert", "role": "resident"})
    given = store.insert("users", {"id": "cor", "name": "Cor", "role": "resident"})

    assert given == "cor"
    assert len(anna) == 32 and anna != bert
    assert store.get("users", anna) == {"id": anna, "name": "Anna", "role": "organiser"}
    assert store.get("users", "nobody") is None
    assert [r["name"] for r in store.all("users")] == ["Anna", "Bert", "Cor"]
    assert [r["name"] for r in store.find("users", role="resident")] == ["Bert", "Cor"]
    assert store.find("users", role="resident", name="Cor") == [store.get("users", "cor")]
    assert store.find("users", missing=None) == []
    assert store.count("users") == 3

    store.update("users", bert, {"role": "organiser"})
    assert store.get("users", bert)["role"] == "organiser"
    with pytest.raises(KeyError):
        store.update("users", "nobody", {"role": "x"})

    assert store.delete("users", anna) is True
    assert store.delete("users", anna) is False
    assert store.get("users", anna) is None
    assert store.count("users") == 2

    store.insert("responses/dorpsenquete", {"answers": {}})
    assert store.collections() == ["responses/dorpsenquete", "users"]
    assert store.collections("responses/") == ["responses/dorpsenquete"]
    assert store.all("never-written") == [] and store.count("never-written") == 0


def test_find_compares_exactly_like_python(store: RecordStore) -> None:
    store.insert("c", {"id": "a", "n": 1, "flag": True, "text": "1", "none": None})
    store.insert("c", {"id": "b", "n": 2, "flag": False, "text": "2", "nested": {"x": [1]}})
    assert [r["id"] for r in store.find("c", n=1)] == ["a"]
    assert [r["id"] for r in store.find("c", text="1")] == ["a"]
    assert [r["id"] for r in store.find("c", text="1", n=2)] == []
    assert [r["id"] for r in store.find("c", flag=False)] == ["b"]
    assert [r["id"] for r in store.find("c", none=None)] == ["a"]
    assert [r["id"] for r in store.find("c", nested={"x": [1]})] == ["b"]
    assert store.find("c", nested={"x": []}) == []


def test_key_order_and_text_are_kept_exactly(store: RecordStore) -> None:
    record = {"zeta": 1, "alpha": {"b": 2, "a": 1}, "é": "ü ✓", "f": 1.5, "big": 10**18}
    rid = store.insert("c", record)
    stored = store.get("c", rid)
    assert list(stored) == ["zeta", "alpha", "é", "f", "big", "id"]
    assert list(stored["alpha"]) == ["b", "a"]
    assert record_bytes(stored) == record_bytes({**record, "id": rid})
    store.update("c", rid, {"alpha": {"z": 0}, "new": None})
    assert list(store.get("c", rid)) == ["zeta", "alpha", "é", "f", "big", "id", "new"]


def test_put_record_creates_then_updates_one_record_under_concurrent_writers(
    open_store,
) -> None:
    put_record(open_store(), "survey_status", "dorp", {"status": "open"})
    assert open_store().get("survey_status", "dorp") == {"id": "dorp", "status": "open"}

    # Eight writers, each with its own store object (as separate requests or processes
    # would), set the same new record at once: one record, with one of their values, no error.
    errors: list[BaseException] = []

    def put(n: int) -> None:
        try:
            put_record(open_store(), "moderation", "tekst-1", {"status": f"s{n}"})
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=put, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    (record,) = open_store().all("moderation")
    assert record["id"] == "tekst-1" and record["status"] in {f"s{n}" for n in range(8)}


def test_duplicate_id_is_refused(store: RecordStore) -> None:
    store.insert("codes", {"id": "ABC"})
    with pytest.raises(ValueError, match="ABC"):
        store.insert("codes", {"id": "ABC"})
    with pytest.raises(ValueError):
        store.update("codes", "ABC", {"id": "XYZ"})
    assert store.count("codes") == 1


def test_returned_records_are_copies(store: RecordStore) -> None:
    record = {"answers": {"woonduur": "lang"}}
    rid = store.insert("responses/x", record)
    record["answers"]["woonduur"] = "changed by caller"
    assert "id" not in record
    got = store.get("responses/x", rid)
    got["answers"]["woonduur"] = "mutated"
    store.all("responses/x")[0]["answers"]["extra"] = 1
    assert store.get("responses/x", rid)["answers"] == {"woonduur": "lang"}


def test_insertion_order_survives_deletes(store: RecordStore) -> None:
    ids = [store.insert("responses/s", {"n": n}) for n in range(10)]
    store.delete("responses/s", ids[1])
    store.insert("responses/s", {"n": 10})
    assert [r["n"] for r in store.all("responses/s")] == [0, *range(2, 11)]


def test_another_store_object_sees_writes_at_once(open_store) -> None:
    reader, writer = open_store(), open_store()
    rid = writer.insert("codes", {"state": "a"})
    assert reader.get("codes", rid)["state"] == "a"
    for state in "bcdefghij":
        writer.update("codes", rid, {"state": state})
        assert reader.get("codes", rid)["state"] == state
        assert [r["state"] for r in reader.all("codes")] == [state]  # no stale copy
    with pytest.raises(RuntimeError), writer.locked("codes"):
        writer.update("codes", rid, {"state": "rolled back on PostgreSQL"})
        raise RuntimeError("the block fails")
    reader.all("codes")  # whatever the backend kept, the next write must be seen
    writer.update("codes", rid, {"state": "z"})
    assert [r["state"] for r in reader.all("codes")] == ["z"]
    writer.delete("codes", rid)
    assert reader.get("codes", rid) is None and reader.all("codes") == []


def test_version_moves_with_every_write_by_any_store_object(open_store) -> None:
    """Results are cached per version: a write the version misses would show stale counts."""
    reader, writer = open_store(), open_store()
    seen = [reader.version("responses/s")]
    # Past the first bucket: a write to a full, older bucket must move the version too.
    ids = writer.insert_many("responses/s", [{"n": n} for n in range(105)])
    seen.append(reader.version("responses/s"))
    writer.insert("responses/s", {"n": 105})
    seen.append(reader.version("responses/s"))
    writer.update("responses/s", ids[3], {"n": -3})
    seen.append(reader.version("responses/s"))
    writer.delete("responses/s", ids[7])
    seen.append(reader.version("responses/s"))
    assert len(set(seen)) == len(seen), seen
    # Reading changes nothing; other collections are other versions.
    reader.all("responses/s")
    writer.insert("responses/t", {"n": 1})
    assert reader.version("responses/s") == seen[-1] == writer.version("responses/s")


def test_chunks_add_up_to_all_and_only_a_written_chunk_changes_version(open_store) -> None:
    """Results are added up per chunk: a chunk whose version stayed must hold the same
    records, whoever wrote (another store object) and whatever the write."""
    reader, writer = open_store(), open_store()
    ids = writer.insert_many("responses/s", [{"n": n} for n in range(250)])

    def snapshot() -> dict:
        chunks = reader.chunks("responses/s")
        read = [reader.chunk("responses/s", key) for key, _version in chunks]
        assert [version for version, _records in read] == [v for _key, v in chunks]
        assert [r for _version, records in read for r in records] == reader.all("responses/s")
        pairs = zip(chunks, read, strict=True)
        return {key: (version, records) for (key, version), (_v, records) in pairs}

    before = snapshot()
    for write in (
        lambda: writer.insert("responses/s", {"n": 250}),
        lambda: writer.update("responses/s", ids[3], {"n": -3}),
        lambda: writer.delete("responses/s", ids[7]),
        lambda: writer.update("responses/s", ids[240], {"n": -240}),
    ):
        write()
        after = snapshot()
        changed = [key for key in after if key not in before or after[key][0] != before[key][0]]
        assert len(changed) == 1  # one chunk per write, and the write shows in it
        for key in after:
            if key not in changed:
                assert after[key] == before[key]
        before = after


def test_non_json_record_is_refused_before_writing(store: RecordStore) -> None:
    store.insert("users", {"name": "Anna"})
    with pytest.raises(TypeError, match="not plain JSON"):
        store.insert("users", {"when": object()})
    with pytest.raises(TypeError, match="not plain JSON"):
        store.insert("users", {"x": float("nan")})
    assert store.count("users") == 1


@pytest.mark.parametrize("name", ["", "../etc", "/abs", "Users", "a//b", "a/", "a b", "x'; --"])
def test_bad_collection_names_are_rejected(store: RecordStore, name: str) -> None:
    with pytest.raises(ValueError, match="collection name"):
        store.insert(name, {"x": 1})
    with pytest.raises(ValueError):
        store.all(name)
    with pytest.raises(ValueError):
        with store.locked(name):
            pass
    assert store.collections() == []


def test_insert_many_keeps_order_and_refuses_clashing_ids(store: RecordStore) -> None:
    store.insert("responses/s", {"id": "first"})
    records = [{"id": f"r{n:03d}", "n": n} for n in range(250)]
    assert store.insert_many("responses/s", records) == [r["id"] for r in records]
    assert store.all("responses/s") == [{"id": "first"}, *records]
    with pytest.raises(ValueError, match="r007"):
        store.insert_many("responses/s", [{"id": "new"}, {"id": "r007"}])
    with pytest.raises(ValueError, match="twice"):
        store.insert_many("responses/s", [{"id": "x"}, {"id": "x"}])
    assert store.count("responses/s") == 251  # nothing of a refused batch was written
    (given,) = store.insert_many("responses/s", [{"n": "no id"}])
    assert len(given) == 32 and store.get("responses/s", given) == {"n": "no id", "id": given}


# -- concurrency ------------------------------------------------------------------------------


def run_threads(work: Callable[[int], None], count: int = 8) -> list[BaseException]:
    """Run ``work(t)`` in ``count`` threads at once; what they raised."""
    errors: list[BaseException] = []

    def guarded(t: int) -> None:
        try:
            work(t)
        except BaseException as exc:  # pragma: no cover - reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_written_counts_this_objects_writes_once_they_are_done(open_store) -> None:
    """A process trusts a cache of what it wrote while ``written`` stays the same (the survey
    status of a page view): every write of this object moves it, reads and others do not."""
    store, other = open_store(), open_store()
    counts = [store.written("survey_status")]
    rid = store.insert("survey_status", {"status": "open"})
    counts.append(store.written("survey_status"))
    store.update("survey_status", rid, {"status": "closed"})
    counts.append(store.written("survey_status"))
    put_record(store, "survey_status", "b", {"status": "test"})
    counts.append(store.written("survey_status"))
    store.insert_many("survey_status", [{"status": "concept"}])
    counts.append(store.written("survey_status"))
    store.delete("survey_status", rid)
    counts.append(store.written("survey_status"))
    assert counts == sorted(set(counts)), counts
    store.get("survey_status", "b")
    store.all("survey_status")
    other.insert("survey_status", {"status": "open"})
    store.insert("codes", {"state": "new"})
    assert store.written("survey_status") == counts[-1]
    # Inside locked(), the count moves when the write is done, never before it.
    with store.locked("survey_status"):
        store.update("survey_status", "b", {"status": "open"})
    assert store.written("survey_status") > counts[-1]
    assert other.get("survey_status", "b")["status"] == "open"


def test_writers_at_once_each_get_their_own_outcome(open_store) -> None:
    """Writes that arrive together may be stored together (group commit on TinyDB): each
    caller still gets its own id, its own refusal or its own True/False, nothing else's."""
    store = open_store()
    shared = store.insert("drafts", {"n": -1})
    outcomes: dict[str, list] = {"dup": [], "delete": [], "update": []}
    start = threading.Barrier(8)

    def work(t: int) -> None:
        start.wait()
        for n in range(20):
            store.insert("drafts", {"thread": t, "n": n})
        try:
            store.insert("drafts", {"id": "dup", "thread": t})
            outcomes["dup"].append("stored")
        except ValueError:
            outcomes["dup"].append("refused")
        outcomes["delete"].append(store.delete("drafts", shared))
        try:
            store.update("drafts", f"missing-{t}", {"n": 0})
        except KeyError:
            outcomes["update"].append("refused")

    assert run_threads(work) == []
    assert sorted(outcomes["dup"]) == ["refused"] * 7 + ["stored"]
    assert sorted(outcomes["delete"]) == [False] * 7 + [True]
    assert outcomes["update"] == ["refused"] * 8
    records = open_store().all("drafts")
    assert sorted((r["thread"], r["n"]) for r in records if "n" in r) == [
        (t, n) for t in range(8) for n in range(20)
    ]
    assert [r["id"] for r in records if "n" not in r] == ["dup"]


def test_threads_lose_no_inserts(open_store) -> None:
    store = open_store()

    def work(t: int) -> None:
        for n in range(50):
            store.insert("responses/s", {"thread": t, "n": n})

    assert run_threads(work) == []
    records = open_store().all("responses/s")
    assert sorted((r["thread"], r["n"]) for r in records) == [
        (t, n) for t in range(8) for n in range(50)
    ]
    assert len({r["id"] for r in records}) == 400


def _insert_from_process(data_dir: str, url: str | None, village: str, worker: int) -> None:
    store = _opener(Path(data_dir), url, village)()
    for n in range(100):
        with store.locked("responses/s"):
            count = store.count("responses/s")
            store.insert("responses/s", {"worker": worker, "n": n, "seen": count})


def test_processes_lose_no_inserts_and_locked_serialises_them(
    tmp_path: Path, database_url: str | None
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    village = unique_village()
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_insert_from_process, args=(str(data_dir), database_url, village, w))
        for w in range(2)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
    assert [proc.exitcode for proc in procs] == [0, 0]

    records = _opener(data_dir, database_url, village)().all("responses/s")
    assert sorted((r["worker"], r["n"]) for r in records) == [
        (w, n) for w in range(2) for n in range(100)
    ]
    # Under the lock each process saw every earlier insert, whoever made it.
    assert [r["seen"] for r in records] == list(range(200))


def test_locked_makes_read_check_update_atomic(store: RecordStore) -> None:
    store.insert("codes", {"id": "K7QX", "used": False})
    winners: list[int] = []
    start = threading.Barrier(8)

    def consume(t: int) -> None:
        start.wait()
        with store.locked("codes"):
            if not store.get("codes", "K7QX")["used"]:
                time.sleep(0.01)  # widen the window a lost race would need
                store.update("codes", "K7QX", {"used": True, "by": t})
                winners.append(t)

    threads = [threading.Thread(target=consume, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(winners) == 1
    assert store.get("codes", "K7QX")["by"] == winners[0]


def test_locked_is_reentrant_and_nests_collections(store: RecordStore) -> None:
    with store.locked("codes"), store.locked("codes"), store.locked("users"):
        store.insert("codes", {"id": "A"})
        store.insert("users", {"id": "B"})
        assert store.get("codes", "A") == {"id": "A"}
    assert store.count("codes") == 1 and store.count("users") == 1


# -- migrations -------------------------------------------------------------------------------


def test_migrate_stamps_a_fresh_store(store: RecordStore, tmp_path: Path) -> None:
    assert store.schema_version() is None
    assert store.migrate(tmp_path / "backups") is False
    assert store.schema_version() == storage_mod.SCHEMA_VERSION
    assert not (tmp_path / "backups").exists()


def test_migrate_runs_a_step_once_after_a_backup(
    store: RecordStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.migrate(tmp_path / "backups")
    rid = store.insert("users", {"naam": "Anna"})
    calls: list[int] = []

    def rename_field(s: RecordStore) -> None:
        calls.append(1)
        for record in s.all("users"):
            s.update("users", record["id"], {"name": record["naam"]})

    current = storage_mod.SCHEMA_VERSION
    monkeypatch.setattr(storage_mod, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(storage_mod.MIGRATIONS, current, rename_field)

    assert store.migrate(tmp_path / "backups") is True
    assert store.migrate(tmp_path / "backups") is False
    assert calls == [1]
    assert store.get("users", rid)["name"] == "Anna"
    assert store.schema_version() == current + 1

    # The backup taken first is the data as it was, and restores into a TinyDB folder.
    (backup,) = (tmp_path / "backups").iterdir()
    restored = tmp_path / "restored"
    Storage.restore(backup, restored)
    assert Storage(restored).get("users", rid) == {"id": rid, "naam": "Anna"}
    assert Storage(restored).schema_version() == current


def test_migrate_refuses_newer_data(
    store: RecordStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.migrate(tmp_path / "backups")
    store.insert("users", {"name": "Anna"})
    monkeypatch.setattr(storage_mod, "SCHEMA_VERSION", 0)
    with pytest.raises(storage_mod.StorageError, match="newer"):
        store.migrate(tmp_path / "backups")


# -- backup -----------------------------------------------------------------------------------


def test_backup_during_inserts_is_a_consistent_snapshot(store: RecordStore, tmp_path: Path) -> None:
    store.migrate(tmp_path / "backups")
    first = store.insert("responses/s", {"seq": 0, "last": 0})
    stop = threading.Event()
    inserted: list[int] = []

    def keep_inserting() -> None:
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
        for round_ in range(1, 5):
            while len(inserted) < 10 * round_:
                time.sleep(0.001)
            backups.append(store.backup(tmp_path / "backups"))
    finally:
        stop.set()
        writer.join()

    for backup in backups:
        target = tmp_path / f"restored-{backup.stem}"
        Storage.restore(backup, target)
        records = Storage(target).all("responses/s")
        seqs = [r["seq"] for r in records]
        assert len(seqs) > 1 and seqs == list(range(len(seqs)))
        assert records[0]["last"] == seqs[-1]
        assert json.loads((target / "meta.json").read_text()) == {
            "schema_version": storage_mod.SCHEMA_VERSION
        }


def test_digest_changes_with_any_byte(store: RecordStore) -> None:
    store.insert("c", {"id": "a", "x": 1})
    before = collection_digest(store.all("c"))
    store.update("c", "a", {"x": 2})
    after = collection_digest(store.all("c"))
    assert before[0] == after[0] == 1 and before[1] != after[1]
