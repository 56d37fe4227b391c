"""Free-text moderation at the scale of a village survey: identical texts grouped so one
decision covers them all, a filter by status, pages of groups, decisions for many groups at
once, and redaction (a part of a text replaced by a visible mark before it is published).

Decisions are stored per text (``text_moderation/<survey>`` records keyed by response and
question, see ``vliegwiel.results.tallies``); a group is only a way of showing and deciding
them together, so a text that arrives later joins its group as undecided and the group comes
back under "te beoordelen".

Redaction keeps the minimum: the moderation record holds the redacted text only, never a
copy of the original. The original stays where it already was, in the resident's response
(organiser-only raw data, like a rejected text), so a wrong redaction can be undone; it is
never published, because ``approved_texts`` publishes the redacted version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vliegwiel.core.errors import VliegwielError
from vliegwiel.core.storage import Storage
from vliegwiel.results.tallies import APPROVED, REJECTED, TextItem, moderation_collection
from vliegwiel.surveys.responses import now
from vliegwiel.surveys.schema import Question

#: What a published text shows where the organiser removed a part.
REDACTION_MARK = "[naam verwijderd]"
#: The status filter: groups with an undecided (or disputed) text, approved, rejected, all.
UNREVIEWED, ALL = "unreviewed", "all"
FILTERS = (UNREVIEWED, APPROVED, REJECTED, ALL)
#: Groups per page: a page an organiser can read through, not a 45,000 px scroll.
PAGE_SIZE = 50
#: A part to remove is a name or a phrase, not an essay.
MAX_PART = 200


class ModerationError(VliegwielError, ValueError):
    """A moderation request that cannot be carried out, with the reason."""

    code = "moderation"


@dataclass(frozen=True)
class TextGroup:
    """Identical texts (ignoring case and spacing) given to one question."""

    question: Question
    members: tuple[TextItem, ...]

    @property
    def key(self) -> str:
        """The first member's key: stable while texts are added after it."""
        return self.members[0].key

    @property
    def text(self) -> str:
        return self.members[0].text

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def status(self) -> str | None:
        """The members' shared decision; None while any is undecided or they differ."""
        statuses = {m.status for m in self.members}
        return statuses.pop() if len(statuses) == 1 else None

    @property
    def redacted(self) -> str | None:
        """The redacted text: one redaction covers the group, also a member added later."""
        return next((m.redacted for m in self.members if m.redacted is not None), None)

    @property
    def published(self) -> str:
        return self.redacted if self.redacted is not None else self.text


def normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def group_texts(items: list[TextItem]) -> list[TextGroup]:
    """Identical texts per question as groups, in the order their first text came in."""
    found: dict[tuple[str, str], list[TextItem]] = {}
    for item in items:
        found.setdefault((item.question.id, normalised(item.text)), []).append(item)
    return [TextGroup(members[0].question, tuple(members)) for members in found.values()]


def matches(group: TextGroup, status_filter: str) -> bool:
    if status_filter == ALL:
        return True
    if status_filter == UNREVIEWED:
        return group.status is None
    return group.status == status_filter


def counts(groups: list[TextGroup]) -> dict[str, int]:
    """How many groups each filter shows."""
    return {f: sum(1 for g in groups if matches(g, f)) for f in FILTERS}


@dataclass(frozen=True)
class Page:
    groups: list[TextGroup]
    number: int
    pages: int


def page_of(groups: list[TextGroup], number: int, size: int = PAGE_SIZE) -> Page:
    """Page ``number`` (1-based, clamped to the pages there are) of ``groups``."""
    pages = max(1, -(-len(groups) // size))
    number = min(max(number, 1), pages)
    return Page(groups[(number - 1) * size : number * size], number, pages)


def by_any_key(groups: list[TextGroup]) -> dict[str, TextGroup]:
    """Each group under the key of every member, so a form may name any of its texts."""
    return {m.key: g for g in groups for m in g.members}


def redact(text: str, part: str) -> str:
    """``text`` with every occurrence of ``part`` (case-insensitive) replaced by the mark."""
    part = part.strip()
    if not part:
        raise ModerationError("give the part of the text to remove", reason="empty")
    if len(part) > MAX_PART:
        raise ModerationError(f"the part is longer than {MAX_PART} characters", reason="long")
    pattern = re.compile(re.escape(part), re.IGNORECASE)
    if not pattern.search(text):
        raise ModerationError("that part is not in the text", reason="absent")
    return pattern.sub(REDACTION_MARK, text)


_KEEP = object()


def decide(
    storage: Storage,
    survey_id: str,
    groups: list[TextGroup],
    status: str | None,
    redacted: object = _KEEP,
) -> int:
    """Record one decision for every text of ``groups``; returns how many texts it covered.

    ``status`` None makes the texts undecided again. ``redacted`` (a text, or None to undo a
    redaction) applies to each group; by default each group keeps its redaction, which is
    then written to members that lacked it, so a text that joined a redacted group is never
    published unredacted. All records are written under one lock, new ones in one insert.
    """
    if status not in (APPROVED, REJECTED, None):
        raise ModerationError(f"unknown moderation status {status!r}")
    collection = moderation_collection(survey_id)
    changes: dict[str, dict] = {}
    for group in groups:
        text = group.redacted if redacted is _KEEP else redacted
        for member in group.members:
            changes[member.key] = {"status": status, "decided_at": now(), "redacted": text}
    with storage.locked(collection):
        existing = {r["id"] for r in storage.all(collection)}
        new = [{**f, "id": k} for k, f in changes.items() if k not in existing]
        for key, fields in changes.items():
            if key in existing:
                storage.update(collection, key, fields)
        if new:
            storage.insert_many(collection, new)
    return len(changes)
