"""Print how long `vliegwiel round import-pb` takes to store a pabulib file's ballots, with
Storage.insert_many (one write per bucket, what import_pb uses) beside the baseline of one
Storage.insert per ballot, in the same run on the same disk.

Usage: python bench/bench_import_pb.py [--votes 2000] [--dir /path/on/the/real/disk]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from vliegwiel.core.storage import Storage


def ballots(count: int) -> list[dict]:
    return [
        {
            "participant": uuid.uuid4().hex,
            "voter_id": str(n),
            "ballot": [str(n % 7), str(n % 11)],
            "channel": "import",
            "created_at": "2026-11-30T12:00:00+00:00",
        }
        for n in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        storage = Storage(Path(tmp))
        records = ballots(args.votes)
        start = time.perf_counter()
        for record in records:
            storage.insert("rounds/baseline/ballots", record)
        one_by_one = time.perf_counter() - start
        start = time.perf_counter()
        storage.insert_many("rounds/batch/ballots", ballots(args.votes))
        batched = time.perf_counter() - start
    print(f"{args.votes} ballots")
    print(f"  insert, one per ballot (baseline): {one_by_one:8.2f} s")
    print(f"  insert_many (import_pb):           {batched:8.2f} s")
    print(f"  speed-up:                          {one_by_one / batched:8.1f} x")


if __name__ == "__main__":
    main()
