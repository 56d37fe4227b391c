"""Print the cost of Storage.insert and Storage.all as a collection grows.

Usage: python bench/bench_storage.py [--samples 200] [--dir /path/on/the/real/disk]

Each size gets a fresh collection of survey responses, filled through the real Storage code
(with fsync switched off during the fill only, to keep the run short); then the timed inserts
and reads run with full durability.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vliegwiel.core.storage import BUCKET_SIZE, Storage

SIZES = (100, 5_000, 20_000)
COLLECTION = "responses/dorpsenquete"


def response(n: int) -> dict:
    return {
        "survey_id": "dorpsenquete",
        "survey_version": "3f2a9c1b7d0e",
        "submitted_at": "2026-11-26T20:40:00+00:00",
        "channel": "web" if n % 5 else "paper",
        "answers": {
            "woonduur": "lang",
            "leeftijd": 40 + n % 40,
            "vervoer": ["auto", "fiets"],
            "tevreden": n % 5 + 1,
            "wensen": "Een pinautomaat en een bushalte dichter bij de kerk.",
            "matrix": {"groen": 4, "veilig": 5, "rust": 3},
        },
        "indicators": {"energie.kwh_per_year": 3100 + n},
    }


@contextmanager
def fsync_off() -> Iterator[None]:
    real = os.fsync
    os.fsync = lambda fd: None
    try:
        yield
    finally:
        os.fsync = real


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


def bench_size(root: Path, size: int, samples: int) -> None:
    data_dir = root / f"data-{size}-{uuid.uuid4().hex[:6]}"
    data_dir.mkdir()
    store = Storage(data_dir)
    with fsync_off():
        for n in range(size):
            store.insert(COLLECTION, response(n))
    # Flush the fill's dirty pages now, or the timed fsyncs below would pay for them.
    os.sync()

    timings = []
    for n in range(samples):
        record = response(size + n)
        start = time.perf_counter()
        store.insert(COLLECTION, record)
        timings.append(time.perf_counter() - start)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]

    total = size + samples
    start = time.perf_counter()
    cold = Storage(data_dir).all(COLLECTION)
    cold_time = time.perf_counter() - start
    start = time.perf_counter()
    warm = store.all(COLLECTION)
    warm_time = time.perf_counter() - start
    assert len(cold) == len(warm) == total
    start = time.perf_counter()
    store.get(COLLECTION, warm[total // 2]["id"])
    get_time = time.perf_counter() - start

    print(
        f"{size:>6} existing | insert mean {ms(statistics.mean(timings))}"
        f"  p50 {ms(statistics.median(timings))}  p95 {ms(p95)}"
        f" | all() of {total}: cold {ms(cold_time)}  cached {ms(warm_time)}"
        f" | get() {ms(get_time)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200, help="timed inserts per size")
    parser.add_argument("--dir", type=Path, default=None, help="where to create the test data")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="vliegwiel-bench-") as tmp:
        print(f"bucket_size {BUCKET_SIZE}, {args.samples} timed inserts per size, data in {tmp}")
        for size in SIZES:
            bench_size(Path(tmp), size, args.samples)


if __name__ == "__main__":
    main()
