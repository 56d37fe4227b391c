"""Group commit against one write at a time: threads writing drafts to one collection.

Usage: python bench/bench_group_commit.py [--threads 8] [--writes 200] [--rounds 3]
                                          [--dir /path/on/the/real/disk]

Each of ``--threads`` threads saves and then removes ``--writes`` drafts in one collection,
as residents' page and review requests do on a busy evening, with full durability. Two ways,
alternating, best round of each kept:

- **one at a time**: every write inside its own ``store.locked(collection)``; inside a lock a
  write happens at once, so this is how every write went before group commit (lock, rewrite
  the bucket file, fsync it, rename, sync the folder; the next writer waits).
- **group commit**: the plain ``insert``/``delete`` calls; writes that arrive together are
  applied in order and stored with one write per bucket file (vliegwiel/core/group_commit.py).

Printed per way: writes per second, process CPU per write, and how many fsyncs the
writes took (counted by wrapping ``os.fsync``; each bucket write is one file fsync and one
folder fsync).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from vliegwiel.core.storage import Storage

COLLECTION = "drafts"


def draft(thread: int, n: int) -> dict:
    return {
        "id": uuid.uuid4().hex,
        "survey_id": "dorpsenquete",
        "answers": {"woonduur": "lang", "leeftijd": 40 + n % 40, "thread": thread},
        "resume": 2,
        "test": False,
        "created_at": "2026-12-01T20:40:00+00:00",
        "updated_at": "2026-12-01T20:41:00+00:00",
    }


class FsyncCounter:
    """Counts os.fsync calls (they still happen) while installed."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()
        self._real = os.fsync

    def __enter__(self) -> FsyncCounter:
        def counting(fd: int) -> None:
            with self._lock:
                self.calls += 1
            self._real(fd)

        os.fsync = counting
        return self

    def __exit__(self, *exc: object) -> None:
        os.fsync = self._real


def run(store: Storage, threads: int, writes: int, one_at_a_time: bool) -> tuple[float, float, int]:
    """(writes per second, CPU ms per write, fsyncs) for every thread's drafts."""

    def write(action: Callable[[], object]) -> None:
        if one_at_a_time:
            with store.locked(COLLECTION):
                action()
        else:
            action()

    def work(t: int) -> None:
        start.wait()
        for n in range(writes):
            record = draft(t, n)
            write(lambda record=record: store.insert(COLLECTION, record))
            write(lambda record=record: store.delete(COLLECTION, record["id"]))

    start = threading.Barrier(threads + 1)
    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    with FsyncCounter() as fsyncs:
        cpu, wall = time.process_time(), time.perf_counter()
        start.wait()
        for worker in workers:
            worker.join()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    total = threads * writes * 2
    assert store.count(COLLECTION) == 0
    return total / wall, cpu * 1000 / total, fsyncs.calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8, help="writers at once")
    parser.add_argument("--writes", type=int, default=200, help="drafts saved per thread")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; best kept")
    parser.add_argument("--dir", type=Path, default=None, help="where to create the test data")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="vliegwiel-bench-") as tmp:
        store = Storage(Path(tmp))
        total = args.threads * args.writes * 2
        print(
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; {args.threads}"
            f" threads x {args.writes} drafts saved and removed ({total} writes), data in {tmp}"
        )
        best: dict[str, tuple[float, float, int]] = {}
        for _ in range(args.rounds):
            for name, alone in (("one at a time", True), ("group commit", False)):
                result = run(store, args.threads, args.writes, alone)
                if name not in best or result[0] > best[name][0]:
                    best[name] = result
        base = best["one at a time"][0]
        for name, (rate, cpu, fsyncs) in best.items():
            print(
                f"  {name:<14} {rate:8.0f} writes/s ({rate / base:4.2f} x)"
                f"   {cpu:6.3f} ms CPU per write   {fsyncs / total:5.2f} fsyncs per write"
            )


if __name__ == "__main__":
    main()
