"""Counts in a sliding window (the submission limit and the throttles), on both backends.

The same tests run against the TinyDB store (memory, one process) and the PostgreSQL store
(the database, shared by every process of a village); the last tests are what only the
database does: counting across processes, keeping no address, cleaning up, and isolation
between villages.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import unique_village

from vliegwiel.core.postgres_counts import CLEAN_EVERY, PostgresWindowCounts
from vliegwiel.core.storage import Storage, StorageError
from vliegwiel.core.window_counts import MemoryWindowCounts, WindowCounts

HOUR = 3600.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def counts_of(tmp_path: Path, database_url: str | None) -> Callable[..., WindowCounts]:
    """A factory of a store's counter (another store object on the same village each call)."""
    village = unique_village()
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    stores = []

    def make(name: str = "submissions", window: float = HOUR) -> WindowCounts:
        if database_url is None:
            store = stores[0] if stores else Storage(data_dir)
        else:
            from vliegwiel.core.postgres_storage import PostgresStorage

            store = PostgresStorage(database_url, village)
            store.signing_key = b"village secret"
        stores.append(store)
        return store.window_counts(name, window)

    return make


@pytest.fixture
def clocked(database_url: str | None) -> Callable[[FakeClock, float], WindowCounts]:
    """A counter on each backend that reads the time from a fake clock."""

    def make(clock: FakeClock, window: float) -> WindowCounts:
        if database_url is None:
            return MemoryWindowCounts(window, clock)
        from vliegwiel.core.postgres_storage import PostgresStorage

        store = PostgresStorage(database_url, unique_village())
        return PostgresWindowCounts(store._conn, store.village, "test", window, b"k", clock)

    return make


def test_a_limit_refuses_the_next_and_a_given_back_one_frees_a_place(counts_of) -> None:
    counts = counts_of()
    assert isinstance(counts, WindowCounts)
    assert [counts.add("10.0.0.1", limit=3) for _ in range(4)] == [True, True, True, False]
    assert counts.count("10.0.0.1") == 3  # the refused one is not counted
    assert counts.add("10.0.0.2", limit=3)  # another key has its own count
    counts.undo("10.0.0.1")
    assert counts.count("10.0.0.1") == 2
    assert counts.add("10.0.0.1", limit=3)
    assert 3500 < counts.retry_after("10.0.0.1") <= 3661
    counts.clear("10.0.0.1")
    assert counts.count("10.0.0.1") == 0
    assert counts.retry_after("10.0.0.1") == 0
    assert counts.count("10.0.0.2") == 1


def test_names_are_separate_counters(counts_of) -> None:
    login, codes = counts_of("throttle-login", 900.0), counts_of("throttle-code-ip", 900.0)
    login.add(("ip", "10.0.0.1"))
    assert login.count(("ip", "10.0.0.1")) == 1
    assert codes.count(("ip", "10.0.0.1")) == 0


def test_sixteen_threads_at_once_never_pass_the_limit_together(counts_of) -> None:
    counts = counts_of()
    results: list[bool] = []
    start = threading.Barrier(16)

    def submit() -> None:
        start.wait()
        for _ in range(5):
            results.append(counts.add("hall", limit=50))

    threads = [threading.Thread(target=submit) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 50
    assert counts.count("hall") == 50


def test_events_leave_the_window(clocked) -> None:
    clock = FakeClock()
    counts = clocked(clock, HOUR)
    assert counts.add("a", limit=2) and counts.add("a", limit=2)
    assert not counts.add("a", limit=2)
    clock.now += 1800
    assert counts.count("a") == 2
    assert 1800 <= counts.retry_after("a") <= 1861
    # An hour (and, in the database, at most one slot of a minute) later both have left.
    clock.now += 1800 + 61
    assert counts.count("a") == 0
    assert counts.retry_after("a") == 0
    assert counts.add("a", limit=2)


# -- what only the database does -----------------------------------------------------------------


def _submit_in_process(url: str, village: str, tries: int, queue) -> None:
    from vliegwiel.core.postgres_storage import PostgresStorage

    store = PostgresStorage(url, village)
    store.signing_key = b"village secret"
    counts = store.window_counts("submissions", HOUR)
    queue.put([counts.add("203.0.113.7", limit=25) for _ in range(tries)])


def test_server_processes_of_one_village_share_the_counts(postgres_url: str) -> None:
    village = unique_village()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [
        context.Process(target=_submit_in_process, args=(postgres_url, village, 20, queue))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    results = [queue.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    # 40 tries from one address in two processes: the limit of 25 holds over both.
    assert sum(r.count(True) for r in results) == 25


def test_the_database_keeps_no_address_and_drops_old_rows(postgres_url: str) -> None:
    from vliegwiel.core.postgres_storage import PostgresStorage

    store = PostgresStorage(postgres_url, unique_village())
    clock = FakeClock()
    counts = PostgresWindowCounts(store._conn, store.village, "submissions", HOUR, b"k", clock)
    counts.add("203.0.113.7")
    with store._conn() as conn:
        rows = conn.execute("SELECT name, key FROM vliegwiel_counts").fetchall()
    assert len(rows) == 1
    name, key = rows[0]
    assert "203.0.113" not in key
    assert key != hashlib.sha256(b"203.0.113.7").hexdigest()[:32]  # keyed, not a plain hash
    store.signing_key = None
    with pytest.raises(StorageError, match="secret key"):
        PostgresStorage(postgres_url, store.village).window_counts("submissions", HOUR)
    # Once a row no longer counts, the next add (of any key) deletes it.
    clock.now += HOUR + 60 + CLEAN_EVERY + 1
    counts.add("198.51.100.1")
    with store._conn() as conn:
        left = conn.execute("SELECT count(*) FROM vliegwiel_counts").fetchone()[0]
    assert left == 1


def test_one_village_never_sees_another_villages_counts(postgres_url: str) -> None:
    from vliegwiel.core.postgres_storage import PostgresStorage

    first, second = (PostgresStorage(postgres_url, unique_village()) for _ in range(2))
    for store in (first, second):
        store.signing_key = b"the same secret"
    first.window_counts("submissions", HOUR).add("203.0.113.7")
    assert second.window_counts("submissions", HOUR).count("203.0.113.7") == 0
    # Row-level security: the second village's connection does not see the first's row.
    with second._conn() as conn:
        assert conn.execute("SELECT count(*) FROM vliegwiel_counts").fetchone()[0] == 0
    with pytest.raises(StorageError, match="row-level security"), second._conn() as conn:
        conn.execute(
            "INSERT INTO vliegwiel_counts VALUES (%s, 'submissions', 'x', 0, 0, 1)",
            (first.village,),
        )


def test_asking_about_new_keys_keeps_nothing_in_memory() -> None:
    """Every anonymous code POST asks about a fresh browser key; that must not grow memory."""
    counts = MemoryWindowCounts(HOUR, FakeClock())
    for n in range(10_000):
        assert counts.count(f"browser-{n}") == 0
        assert counts.retry_after(f"browser-{n}") == 0
    counts.add("a")
    counts.undo("a")
    assert counts._seen == {}
