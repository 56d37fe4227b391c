"""``WindowCounts`` in PostgreSQL: the submission limit and the throttles shared by every
server process of a village (``vliegwiel serve --processes N``, or several servers).

One table (table version 4)::

    vliegwiel_counts(village, name, key, at, until, n)

counts the events of one key in one time slot: ``at`` is the slot's start (Unix seconds),
``n`` its events, ``until`` when the row no longer counts (deleted then, within a minute, by
the next ``add`` of any key of the village). A slot is a sixtieth of the window, so a window
counts the events of its slots: an event counts for the window and at most one slot longer
(an hour's limit: up to 61 minutes), never shorter.

``add`` with a limit is one statement: an upsert of the current slot's row (which takes that
row's lock, so concurrent adds for one key queue there and each sees the others' counts)
together with the sum of the key's older slots; over the limit, a second statement takes the
event back. Concurrent adds at the limit within one slot may both be refused; they never both
pass. Two that straddle a slot boundary lock different rows and can both take the last place
(at most one over the limit per slot: measured rare, and harmless for a limit against bulk
submission; exactness would cost a lock per key and a transaction per submission).

The key is never stored as given: ``key`` is an HMAC of the counter's name and the key under
the village's secret (``signing_key``, set by ``build_village``), so the table holds no
address. Row-level security admits only the village's own rows, as for its records.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager
from typing import Any

import psycopg

from vliegwiel.core.window_counts import seconds_left

__all__ = ["PostgresWindowCounts", "create_counts_table"]

#: Slots per window.
SLOTS = 60
#: Seconds between two clean-ups of rows that no longer count, per counter.
CLEAN_EVERY = 60.0


def create_counts_table(conn: psycopg.Connection) -> None:
    """Table version 4: ``vliegwiel_counts`` (see the module docstring).

    UNLOGGED: the counts are written to no WAL, so counting a submission costs the database no
    disk flush (a logged upsert is a commit that waits for one: 330 against 160 us a count,
    measured). PostgreSQL empties an unlogged table after a crash, which forgets the counts
    as a restart of a TinyDB village's server does; nothing else is lost.
    """
    conn.execute(
        "CREATE UNLOGGED TABLE vliegwiel_counts (village text NOT NULL, name text NOT NULL,"
        " key text NOT NULL, at bigint NOT NULL, until bigint NOT NULL,"
        " n integer NOT NULL, PRIMARY KEY (village, name, key, at))"
    )
    conn.execute("CREATE INDEX vliegwiel_counts_until ON vliegwiel_counts (village, until)")
    conn.execute("ALTER TABLE vliegwiel_counts ENABLE ROW LEVEL SECURITY")
    conn.execute("ALTER TABLE vliegwiel_counts FORCE ROW LEVEL SECURITY")
    conn.execute(
        "CREATE POLICY one_village ON vliegwiel_counts "
        "USING (village = current_setting('vliegwiel.village', true)) "
        "WITH CHECK (village = current_setting('vliegwiel.village', true))"
    )


_ADD = """
    INSERT INTO vliegwiel_counts AS c (village, name, key, at, until, n)
    VALUES (%(village)s, %(name)s, %(key)s, %(at)s, %(until)s, 1)
    ON CONFLICT (village, name, key, at) DO UPDATE SET n = c.n + 1"""

_ADD_AND_COUNT = f"""
    WITH bump AS ({_ADD} RETURNING n)
    SELECT (SELECT n FROM bump) + coalesce((
        SELECT sum(n) FROM vliegwiel_counts
        WHERE village = %(village)s AND name = %(name)s AND key = %(key)s
          AND at > %(since)s AND at <> %(at)s), 0)"""

_TAKE_BACK = """
    UPDATE vliegwiel_counts SET n = n - 1
    WHERE village = %(village)s AND name = %(name)s AND key = %(key)s AND at = %(at)s
      AND n > 0"""

_UNDO_LATEST = """
    UPDATE vliegwiel_counts SET n = n - 1
    WHERE (village, name, key, at) = (
        SELECT village, name, key, at FROM vliegwiel_counts
        WHERE village = %(village)s AND name = %(name)s AND key = %(key)s AND n > 0
        ORDER BY at DESC LIMIT 1 FOR UPDATE)
      AND n > 0"""

_COUNT = """
    SELECT coalesce(sum(n), 0), min(at) FILTER (WHERE n > 0) FROM vliegwiel_counts
    WHERE village = %(village)s AND name = %(name)s AND key = %(key)s AND at > %(since)s"""

_CLEAR = """
    DELETE FROM vliegwiel_counts
    WHERE village = %(village)s AND name = %(name)s AND key = %(key)s"""

_CLEAN = "DELETE FROM vliegwiel_counts WHERE village = %(village)s AND until < %(now)s"


class PostgresWindowCounts:
    """One counter (``name``) of one village; see the module docstring."""

    def __init__(
        self,
        connect: Callable[[], AbstractContextManager[psycopg.Connection]],
        village: str,
        name: str,
        window: float,
        secret: bytes,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.window = window
        self._connect = connect
        self._village = village
        self._name = name
        self._slot = max(1, int(window // SLOTS))
        # A key of its own, derived from the village's: what signs backups never hashes keys.
        self._secret = hmac.new(secret, b"vliegwiel window counts", hashlib.sha256).digest()
        self._clock = clock
        self._last_clean = 0.0
        self._clean_guard = threading.Lock()

    def _params(self, key: Hashable) -> dict[str, Any]:
        now = int(self._clock())
        at = now // self._slot * self._slot
        digest = hmac.new(self._secret, repr((self._name, key)).encode(), hashlib.sha256)
        return {
            "village": self._village,
            "name": self._name,
            "key": digest.hexdigest()[:32],
            "now": now,
            "at": at,
            "until": at + self._slot + int(self.window),
            # A slot counts while any of it is inside the window.
            "since": now - int(self.window) - self._slot,
        }

    def _run(self, query: str, params: dict[str, Any]) -> tuple | None:
        with self._connect() as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchone() if cursor.description else None

    def _clean(self, params: dict[str, Any]) -> None:
        with self._clean_guard:
            if params["now"] - self._last_clean < CLEAN_EVERY:
                return
            self._last_clean = params["now"]
        self._run(_CLEAN, params)

    def add(self, key: Hashable, limit: int | None = None) -> bool:
        params = self._params(key)
        self._clean(params)
        if limit is None:
            self._run(_ADD, params)
            return True
        row = self._run(_ADD_AND_COUNT, params)
        if row is not None and row[0] > limit:
            self._run(_TAKE_BACK, params)
            return False
        return True

    def count(self, key: Hashable) -> int:
        row = self._run(_COUNT, self._params(key))
        return int(row[0]) if row else 0

    def undo(self, key: Hashable) -> None:
        self._run(_UNDO_LATEST, self._params(key))

    def clear(self, key: Hashable) -> None:
        self._run(_CLEAR, self._params(key))

    def retry_after(self, key: Hashable) -> int:
        params = self._params(key)
        row = self._run(_COUNT, params)
        oldest = row[1] if row else None
        # The oldest slot leaves the window once all of it has.
        last = None if oldest is None else oldest + self._slot
        return seconds_left(self.window, last, params["now"])
