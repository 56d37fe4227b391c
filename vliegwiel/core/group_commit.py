"""Group commit: writes to one collection that arrive together share one durable write.

On a busy evening many residents' requests write to the same collection at once (every
draft is in one collection). Taking the lock, rewriting the file and syncing it one writer
after the other made each writer wait for all the others' file system calls, and on a
threaded server every one of those calls hands the interpreter lock around: the writes, not
the pages, set how many residents a village server could serve (measured: see
docs/performance.md).

So the first writer to arrive leads: it takes every write queued for that collection at that
moment (its own first), applies them one after the other in the order they came, and the
store writes each touched file once and syncs once. Then it wakes the others, each with its
own result or its own error, and hands the lead to a writer that queued meanwhile. Every call
still returns only when its write is durable, a failing write fails only its caller, and a
writer alone (the usual case in a quiet village) leads a batch of one at no extra cost.

This module only queues and hands over; what a batch means (one file written per bucket)
is the store's ``run_batch``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["GroupCommit", "Write"]


class Write:
    """One caller's write: the function that applies it, and what became of it."""

    __slots__ = ("_apply", "_done", "_lead", "result", "error")

    def __init__(self, apply: Callable[[], Any]) -> None:
        self._apply = apply
        self._done = threading.Event()
        self._lead = False
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        """Apply the write (under the leader's lock); keep its result or its error."""
        try:
            self.result = self._apply()
        except BaseException as exc:  # handed to its own caller, never to the batch
            self.error = exc

    def fail(self, error: BaseException) -> None:
        """The batch could not be made durable: this write did not happen for its caller."""
        if self.error is None:
            self.error = error


class _Queue:
    __slots__ = ("lock", "waiting", "busy")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiting: list[Write] = []
        self.busy = False  # a leader is at work


class GroupCommit:
    """Per-key queues of writes; ``run_batch(key, writes)`` applies and stores a batch.

    ``run_batch`` must call ``run()`` on every write (in order) and must not raise: an error
    of the batch as a whole goes to each write through ``fail()``.
    """

    def __init__(self, run_batch: Callable[[str, list[Write]], None]) -> None:
        self._run_batch = run_batch
        self._guard = threading.Lock()
        self._queues: dict[str, _Queue] = {}

    def _queue(self, key: str) -> _Queue:
        queue = self._queues.get(key)
        if queue is None:
            with self._guard:
                queue = self._queues.setdefault(key, _Queue())
        return queue

    def submit(self, key: str, apply: Callable[[], Any]) -> Any:
        """Apply a write to ``key`` with whatever else is queued; its result, or its error."""
        queue = self._queue(key)
        write = Write(apply)
        with queue.lock:
            queue.waiting.append(write)
            lead = not queue.busy
            queue.busy = True
        if not lead:
            write._done.wait()
            if not write._lead:
                return self._outcome(write)
        # Leading: everything queued now, this write included, is one batch.
        with queue.lock:
            batch, queue.waiting = queue.waiting, []
        try:
            self._run_batch(key, batch)
        except BaseException as exc:  # a bug in run_batch: no write in it may pass for done
            for other in batch:
                other.fail(exc)
        finally:
            with queue.lock:
                if queue.waiting:
                    successor = queue.waiting[0]
                    successor._lead = True
                    successor._done.set()
                else:
                    queue.busy = False
            for other in batch:
                if other is not write:
                    other._done.set()
        return self._outcome(write)

    @staticmethod
    def _outcome(write: Write) -> Any:
        if write.error is not None:
            raise write.error
        return write.result
