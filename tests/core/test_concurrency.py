"""Many residents at once against the real server: every acknowledged response is stored once.

The server is `vliegwiel serve` (waitress, 8 threads) in a child process, as a village runs it;
16 client threads each answer the survey through the real pages with their own cookies. Each
response carries a unique marker, so a lost or doubled response shows up by name.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter

from live_server import (
    COLLECTION,
    Resident,
    Server,
    acknowledged,
    instance_storage,
    make_instance,
)

CLIENTS = 16
PER_CLIENT = 63  # 16 x 63 = 1,008 responses


def test_concurrent_submissions_are_stored_exactly_once(tmp_path, database_url):
    """Runs once on TinyDB files and once on PostgreSQL (``database_url``)."""
    instance = make_instance(tmp_path, per_hour=0, database_url=database_url)
    acked: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()

    def resident(number: int) -> None:
        client = Resident(server.url)
        for i in range(PER_CLIENT):
            marker = f"c{number}-{i}-{uuid.uuid4().hex[:8]}"
            try:
                response = client.answer(marker)
            except Exception as error:  # a dropped connection is a failure to report
                with lock:
                    failures.append(f"{marker}: {error!r}")
                continue
            with lock:
                if acknowledged(response):
                    acked.append(marker)
                else:
                    failures.append(f"{marker}: HTTP {response.status_code}")

    with Server(instance) as server:
        threads = [threading.Thread(target=resident, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # The server is still running: what it stored is read by another process, as a backup
        # or a second app would.
        stored = instance_storage(instance).all(COLLECTION)

    assert failures == []
    assert len(acked) == CLIENTS * PER_CLIENT
    markers = Counter(record["answers"]["marker"] for record in stored)
    doubled = {m: n for m, n in markers.items() if n > 1}
    assert doubled == {}
    assert set(markers) == set(acked)
    assert len({record["id"] for record in stored}) == len(stored)
    # Every draft was cleared once its response was saved.
    assert instance_storage(instance).count("drafts") == 0
