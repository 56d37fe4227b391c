"""A village that has been answering for a while: the drafts left behind empty buckets.

Usage: python bench/bench_empty_buckets.py [--buckets 200] [--threads 8] [--cycles 300]
                                           [--rounds 3] [--dir /path/on/the/real/disk]

Every resident's draft is removed when they submit, and records only ever go into a
collection's last bucket, so after 20,000 answers the ``drafts`` collection is 200 empty
bucket files and one in use. Each of ``--threads`` threads then does what a resident's flow
does with drafts (save one, read it back, remove it) ``--cycles`` times, two ways,
alternating, best round of each kept:

- **every bucket checked**: ``EMPTY_BUCKETS_CHECKED_EVERY = 0``, one stat per bucket file
  on every read and write, as before empty buckets were skipped;
- **empty buckets skipped**: the default; the empty buckets before the last are looked at
  again at most once a second (and at once when a restore replaced the folder).

Printed per way: cycles per second, process CPU per cycle and ``os.stat`` calls per cycle.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

import vliegwiel.core.storage as storage_module
from vliegwiel.core.storage import Storage

COLLECTION = "drafts"


def make_instance(root: Path, buckets: int) -> Path:
    data = root / "data"
    (data / COLLECTION).mkdir(parents=True)
    for number in range(buckets):
        (data / COLLECTION / f"{number:04d}.json").write_text('{"records":{}}')
    return data


def run(data: Path, threads: int, cycles: int, check_every: float) -> tuple[float, float, float]:
    storage_module.EMPTY_BUCKETS_CHECKED_EVERY = check_every
    store = Storage(data)
    store.all(COLLECTION)  # the first full look, as a server's first request makes

    def resident(n: int) -> None:
        for cycle in range(cycles):
            draft = store.insert(COLLECTION, {"survey_id": "snel", "answers": {"m": cycle}})
            assert store.get(COLLECTION, draft) is not None
            store.delete(COLLECTION, draft)

    stats = [0]
    real_stat = os.stat

    def counting_stat(*args, **kwargs):
        stats[0] += 1
        return real_stat(*args, **kwargs)

    os.stat = counting_stat
    try:
        workers = [threading.Thread(target=resident, args=(n,)) for n in range(threads)]
        cpu, wall = time.process_time(), time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        os.stat = real_stat
    done = threads * cycles
    return done / wall, cpu * 1000 / done, stats[0] / done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buckets", type=int, default=200, help="empty draft buckets")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--cycles", type=int, default=300, help="draft cycles per thread")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the instance")
    args = parser.parse_args()
    default = storage_module.EMPTY_BUCKETS_CHECKED_EVERY
    ways = {"every bucket checked": 0.0, "empty buckets skipped": default}
    best: dict[str, tuple[float, float, float]] = {}
    print(
        f"{args.buckets} empty draft buckets, {args.threads} threads x {args.cycles} cycles "
        f"(save, read, remove a draft), best of {args.rounds} rounds"
    )
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        data = make_instance(Path(tmp), args.buckets)
        for _ in range(args.rounds):
            for name, every in ways.items():
                result = run(data, args.threads, args.cycles, every)
                if name not in best or result[1] < best[name][1]:
                    best[name] = result
    storage_module.EMPTY_BUCKETS_CHECKED_EVERY = default
    for name, (rate, cpu, stats) in best.items():
        print(
            f"  {name:<22} {rate:7.0f} cycles/s   {cpu:5.2f} ms CPU per cycle   "
            f"{stats:6.1f} stats per cycle"
        )


if __name__ == "__main__":
    main()
