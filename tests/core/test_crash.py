"""Kill the real server with SIGKILL again and again while residents submit.

After every kill the data directory must load (every collection, every bucket) and hold every
response whose submission was acknowledged (the redirect to the thank-you page arrived). A
response saved but not acknowledged (killed between the write and the reply) may be there;
none may be there twice.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter

import requests
from live_server import (
    COLLECTION,
    Resident,
    Server,
    acknowledged,
    instance_storage,
    make_instance,
)

KILLS = 50
CLIENTS = 4


def _submit_until(stop: threading.Event, url: str, acked: list[str], lock: threading.Lock):
    client = Resident(url, timeout=10)
    while not stop.is_set():
        marker = uuid.uuid4().hex
        try:
            response = client.answer(marker)
        except requests.RequestException:
            continue  # the server died under us: this one was not acknowledged
        if acknowledged(response):
            with lock:
                acked.append(marker)


def _check_loads(instance) -> Counter:
    storage = instance_storage(instance)
    for name in storage.collections():
        storage.all(name)  # raises StorageError naming a broken file
    return Counter(r["answers"]["marker"] for r in storage.all(COLLECTION))


def test_sigkill_during_submissions_loses_no_acknowledged_response(tmp_path, database_url):
    """Runs once on TinyDB files and once on PostgreSQL (``database_url``)."""
    instance = make_instance(tmp_path, per_hour=0, database_url=database_url)
    server = Server(instance, threads=4)
    rng = random.Random(7)
    acked: list[str] = []
    lock = threading.Lock()
    acked_before_last_kill = 0
    try:
        for _ in range(KILLS):
            server.start()
            stop = threading.Event()
            threads = [
                threading.Thread(target=_submit_until, args=(stop, server.url, acked, lock))
                for _ in range(CLIENTS)
            ]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.05, 0.5))
            server.kill()
            stop.set()
            for thread in threads:
                thread.join()
            stored = _check_loads(instance)
            with lock:
                missing = [m for m in acked if m not in stored]
                acked_before_last_kill = len(acked)
            assert missing == []
            assert [m for m, n in stored.items() if n > 1] == []
    finally:
        server.kill()
    # The test proves something only if submissions really were in flight during the kills.
    assert acked_before_last_kill > KILLS
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log
