"""The order of the surveys on the residents' home page, as the organisers set it.

One record ``survey_order/home`` holds the survey ids in order. The YAML files stay the single
source of each survey; the order is a setting of the village, changed with the arrow buttons
on the organiser overview. Surveys not in the record (new files, new templates) come after
the ordered ones, by id, so a new survey never pushes itself to the top.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from vliegwiel.core.storage import Storage, put_record

ORDER = "survey_order"
HOME = "home"


class _HasId(Protocol):
    id: str


_S = TypeVar("_S", bound=_HasId)


def stored_order(storage: Storage) -> list[str]:
    record = storage.get(ORDER, HOME)
    return list(record.get("ids", [])) if record else []


def in_order(storage: Storage, surveys: Iterable[_S]) -> list[_S]:
    """``surveys`` (objects with an ``id``) in the organisers' order, the rest by id after."""
    rank = {survey_id: index for index, survey_id in enumerate(stored_order(storage))}
    return sorted(
        surveys,
        key=lambda s: (0, rank[s.id], "") if s.id in rank else (1, 0, s.id),
    )


def move(storage: Storage, known_ids: Iterable[str], survey_id: str, step: int) -> list[str]:
    """Move ``survey_id`` one place up (``step`` -1) or down (+1); returns the new order.

    ``known_ids`` are the surveys that exist now: the stored order is rebuilt from them, so a
    deleted file drops out and a new one gets its place at the end. Moving past either end
    changes nothing.
    """
    if step not in (-1, 1):
        raise ValueError("step must be -1 or 1")
    known = set(known_ids)
    if survey_id not in known:
        raise KeyError(survey_id)
    with storage.locked(ORDER):
        current = [i for i in stored_order(storage) if i in known]
        current += sorted(known - set(current))
        index = current.index(survey_id)
        other = index + step
        if 0 <= other < len(current):
            current[index], current[other] = current[other], current[index]
        put_record(storage, ORDER, HOME, {"ids": current})
    return current
