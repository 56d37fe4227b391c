"""Counts per key in a sliding window: what the submission limit and the throttles against
guessing codes and passwords count (``vliegwiel.reach``).

A store hands them out (``RecordStore.window_counts``), so the counts live where the village's
data lives and every server process of the village sees the same ones:

- the TinyDB store keeps them in this process's memory (``MemoryWindowCounts``): a TinyDB
  village is served by one process, and a restart forgets the counts, which costs an attacker
  a restart they cannot cause;
- the PostgreSQL store keeps them in the database (``vliegwiel.core.postgres_counts``), so
  ``vliegwiel serve --processes N``, or several servers behind one proxy, count together.

A key is what is counted (an address, a browser's session, an account); callers pass it as
given, the store decides how to keep it (the database keeps a keyed hash, never the address).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import Protocol, runtime_checkable

__all__ = ["MemoryWindowCounts", "WindowCounts", "seconds_left"]


@runtime_checkable
class WindowCounts(Protocol):
    """Events per key in the last ``window`` seconds; safe to share between threads."""

    window: float

    def add(self, key: Hashable, limit: int | None = None) -> bool:
        """Count one event for ``key``. With a ``limit``: only when fewer than ``limit`` are
        counted in the window, atomically (concurrent callers never get past the limit
        together); returns whether it was counted."""
        ...

    def count(self, key: Hashable) -> int:
        """Events counted for ``key`` in the window."""
        ...

    def undo(self, key: Hashable) -> None:
        """Uncount the latest event of ``key`` (a submission that was refused after all)."""
        ...

    def clear(self, key: Hashable) -> None:
        """Forget every event of ``key`` (a successful login)."""
        ...

    def retry_after(self, key: Hashable) -> int:
        """Whole seconds until the oldest counted event leaves the window (0: none counted)."""
        ...


def seconds_left(window: float, oldest: float | None, now: float) -> int:
    """Whole seconds, at least 1, until an event at ``oldest`` leaves the window; 0 for none."""
    if oldest is None:
        return 0
    return max(1, int(window - (now - oldest)) + 1)


class MemoryWindowCounts:
    """``WindowCounts`` in this process's memory: exact timestamps, forgotten on restart."""

    def __init__(self, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self._clock = clock
        self._seen: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()
        self._last_sweep = clock()

    def _recent(self, key: Hashable, now: float) -> deque[float]:
        """The key's events in the window; a key without any is not kept (asking about a new
        key on every anonymous request must not grow memory)."""
        stamps = self._seen.get(key)
        if stamps is None:
            return deque()
        while stamps and now - stamps[0] >= self.window:
            stamps.popleft()
        if not stamps:
            del self._seen[key]
        return stamps

    def _sweep(self, now: float) -> None:
        # Forget idle keys now and then, so memory follows the last window's visitors.
        if now - self._last_sweep < self.window:
            return
        self._last_sweep = now
        for key in [k for k, s in self._seen.items() if not s or now - s[-1] >= self.window]:
            del self._seen[key]

    def add(self, key: Hashable, limit: int | None = None) -> bool:
        with self._lock:
            now = self._clock()
            self._sweep(now)
            stamps = self._recent(key, now)
            if limit is not None and len(stamps) >= limit:
                return False
            stamps.append(now)
            self._seen[key] = stamps
            return True

    def count(self, key: Hashable) -> int:
        with self._lock:
            return len(self._recent(key, self._clock()))

    def undo(self, key: Hashable) -> None:
        with self._lock:
            stamps = self._seen.get(key)
            if stamps:
                stamps.pop()
                if not stamps:
                    del self._seen[key]

    def clear(self, key: Hashable) -> None:
        with self._lock:
            self._seen.pop(key, None)

    def retry_after(self, key: Hashable) -> int:
        with self._lock:
            now = self._clock()
            stamps = self._recent(key, now)
            return seconds_left(self.window, stamps[0] if stamps else None, now)
