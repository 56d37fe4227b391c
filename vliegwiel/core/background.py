"""Work that must never run while someone waits for a page: one background thread per app.

A page asks for a job by key ("stellingen:dorpsplein") and a callable; a flood of requests
for the same key makes one job, because a key that is waiting or running is not queued
again. The page shows what was computed before and says that it is being brought up to
date. Jobs run one at a time, oldest first, so a village laptop with two cores keeps one
for the residents' pages. A failing job is logged; the next ask runs it again.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class BackgroundWorker:
    """A queue of keyed jobs and the daemon thread that runs them."""

    def __init__(self, wrap: Callable[[Callable[[], None]], None] | None = None) -> None:
        #: Runs each job (an app uses it to give the job an app context).
        self._wrap = wrap or (lambda job: job())
        self._jobs: queue.Queue[tuple[str, Callable[[], None]]] = queue.Queue()
        self._waiting: set[str] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="vliegwiel-background", daemon=True)
        self._thread.start()

    def ask(self, key: str, job: Callable[[], None]) -> bool:
        """Queue ``job`` under ``key``; False when that key is waiting or running already."""
        with self._lock:
            if key in self._waiting:
                return False
            self._waiting.add(key)
        self._jobs.put((key, job))
        return True

    def pending(self, key: str) -> bool:
        """Whether a job with ``key`` is waiting or running."""
        with self._lock:
            return key in self._waiting

    def wait(self) -> None:
        """Block until every job asked for so far has run (for commands and tests)."""
        self._jobs.join()

    def _run(self) -> None:
        while True:
            key, job = self._jobs.get()
            try:
                self._wrap(job)
            except Exception:
                log.exception("background job %s failed", key)
            finally:
                with self._lock:
                    self._waiting.discard(key)
                self._jobs.task_done()
