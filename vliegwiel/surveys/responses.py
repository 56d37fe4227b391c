"""Drafts and responses: the path from a resident's answers to a durable record."""

from __future__ import annotations

import secrets
import weakref
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import gettext as _

from vliegwiel.core.errors import VliegwielError
from vliegwiel.core.storage import Storage, put_record
from vliegwiel.core.village import Village
from vliegwiel.surveys.question_types import AnswerError
from vliegwiel.surveys.schema import Page, Question, Survey

DRAFTS = "drafts"
#: A resident can come back to an unfinished survey on the same device for this long.
DRAFT_LIFETIME = timedelta(days=30)
CHANNELS = ("web", "paper")


def responses_collection(survey_id: str) -> str:
    return f"responses/{survey_id}"


def trial_responses_collection(survey_id: str) -> str:
    """Answers the team gave while the survey was in test: kept apart, never counted."""
    return f"test_responses/{survey_id}"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- visibility -----------------------------------------------------------------------------


def visible_questions(page: Page, answers: dict[str, Any]) -> list[Question]:
    return [q for q in page.questions if q.visible(answers)]


def page_questions(page: Page, answers: dict[str, Any]) -> list[Question]:
    """What a page shows: the questions that apply, given the answers on other pages.

    A question that depends on another question of the same page is shown whatever the
    resident answers there (JavaScript hides it live; without it, a hint says when to answer
    it); the server drops its answer afterwards when it does not apply.
    """
    own = {q.id for q in page.questions}
    others = {k: v for k, v in answers.items() if k not in own}
    return [q for q in page.questions if q.could_be_visible(others, own) is not False]


def visible_pages(survey: Survey, answers: dict[str, Any]) -> list[int]:
    """Indexes of pages with at least one question to show, given the answers so far."""
    return [
        i
        for i, page in enumerate(survey.pages)
        if any(not q.is_note for q in page_questions(page, answers))
    ]


def prune(survey: Survey, answers: dict[str, Any]) -> dict[str, Any]:
    """Drop answers to questions that do not apply (hidden by an answer, or past an end)."""
    kept: dict[str, Any] = {}
    for question in survey.questions():
        if question.id in answers and question.visible(kept):
            kept[question.id] = answers[question.id]
    return kept


def missing_required(questions: list[Question], answers: dict[str, Any]) -> dict[str, str]:
    return {
        q.id: _("Deze vraag is verplicht. Geef een antwoord.")
        for q in questions
        if q.required and q.id not in answers
    }


# --- drafts ---------------------------------------------------------------------------------


def load_draft(
    storage: Storage, survey: Survey, draft_id: str | None, *, test: bool = False
) -> dict[str, Any] | None:
    """The draft, if it belongs to this survey and to the same mode (a test draft never
    becomes a real response once the survey opens, nor the other way round)."""
    if not draft_id:
        return None
    draft = storage.get(DRAFTS, draft_id)
    if draft is None or draft.get("survey_id") != survey.id:
        return None
    if bool(draft.get("test")) != test:
        return None
    if datetime.fromisoformat(draft["updated_at"]) < datetime.now(UTC) - DRAFT_LIFETIME:
        storage.delete(DRAFTS, draft_id)
        return None
    return draft


#: The ``resume`` value of a draft whose pages are all answered: continue at the review step.
RESUME_AT_REVIEW = 0


def save_draft(
    storage,
    survey: Survey,
    draft: dict[str, Any] | None,
    answers: dict[str, Any],
    resume: int = 1,
    *,
    test: bool = False,
    draft_id: str | None = None,
) -> dict[str, Any]:
    """Keep the answers so far and where to continue (a page number, or RESUME_AT_REVIEW).

    Creates the draft on a resident's first page (one durable write either way). Its id is
    the only key to a resident's unfinished answers: unguessable, and never in a URL.

    ``draft_id`` names a draft that several devices share (a linked code's draft): it is
    created or overwritten under that id in one locked step, so two devices saving at once
    leave one draft, and ``draft`` (say, a browser's older draft) only lends its start time.
    """
    if draft_id is not None:
        fields = {
            "survey_id": survey.id,
            "answers": answers,
            "resume": resume,
            "test": test,
            "created_at": draft["created_at"] if draft else now(),
            "updated_at": now(),
        }
        put_record(storage, DRAFTS, draft_id, fields)
        return {**fields, "id": draft_id}
    if draft is None:
        draft = {
            "id": secrets.token_urlsafe(24),
            "survey_id": survey.id,
            "answers": answers,
            "resume": resume,
            "test": test,
            "created_at": now(),
            "updated_at": now(),
        }
        storage.insert(DRAFTS, draft)
        return draft
    changes = {"answers": answers, "resume": resume, "updated_at": now()}
    storage.update(DRAFTS, draft["id"], changes)
    return {**draft, **changes}


def purge_expired_drafts(storage: Storage) -> int:
    limit = datetime.now(UTC) - DRAFT_LIFETIME
    expired = [
        d["id"] for d in storage.all(DRAFTS) if datetime.fromisoformat(d["updated_at"]) < limit
    ]
    for draft_id in expired:
        storage.delete(DRAFTS, draft_id)
    return len(expired)


# --- responses ------------------------------------------------------------------------------


class IncompleteResponse(VliegwielError, ValueError):
    """Required questions are unanswered; ``errors`` maps question id to a message."""

    code = "incomplete_response"

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(errors))
        self.errors = errors


def check_complete(survey: Survey, answers: dict[str, Any]) -> dict[str, Any]:
    """Pruned answers, or IncompleteResponse when a visible required question is unanswered."""
    answers = prune(survey, answers)
    visible = [q for q in survey.questions() if q.visible(answers)]
    errors = missing_required(visible, answers)
    if errors:
        raise IncompleteResponse(errors)
    return answers


def validate_answers(village: Village, survey: Survey, answers: dict[str, Any]) -> dict[str, Any]:
    """Check answers that did not come through the web form (paper entry, demo data)."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in survey.questions():
        if question.id not in answers or answers[question.id] in (None, ""):
            continue
        try:
            clean[question.id] = village.question_types[question.type].validate(
                question, answers[question.id]
            )
        except AnswerError as error:
            errors[question.id] = str(error)
    unknown = set(answers) - {q.id for q in survey.questions()}
    errors.update({key: _("Onbekende vraag.") for key in unknown})
    if errors:
        raise IncompleteResponse(errors)
    return check_complete(survey, clean)


def save_response(
    village,
    survey: Survey,
    answers: dict[str, Any],
    *,
    channel: str = "web",
    submitted_at: str | None = None,
    extra: dict[str, Any] | None = None,
    test: bool = False,
) -> dict[str, Any]:
    """Store a complete response durably and tell the plugins. Returns the stored record.

    ``test=True`` (the team answering a survey in test): the record goes to
    :func:`trial_responses_collection`, and no plugin hears of it, so nothing counts it.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    # A paper form holds what the resident wrote: an ambassador cannot make them answer a
    # required question, so only the web enforces "required".
    answers = check_complete(survey, answers) if channel == "web" else prune(survey, answers)
    base = {
        "survey_id": survey.id,
        "survey_version": survey.version,
        "submitted_at": submitted_at or now(),
        "channel": channel,
        "answers": answers,
    }
    if test:
        record = {**base, "test": True}
        record["id"] = village.storage.insert(trial_responses_collection(survey.id), record)
        return record
    indicators: dict[str, Any] = {}
    for plugin, values in village.call_hook(
        "vliegwiel_response_indicators", survey=survey, answers=answers
    ):
        if not isinstance(values, dict):
            village.problems.record(
                plugin,
                "vliegwiel_response_indicators",
                TypeError(f"returned {type(values).__name__}, not a dict"),
            )
            continue
        indicators.update(values)
    record = {
        **base,
        "indicators": indicators,
        **(extra or {}),
    }
    remember_definition(village, survey)
    record["id"] = village.storage.insert(responses_collection(survey.id), record)
    village.call_hook("vliegwiel_response_saved", survey=survey, response=record)
    return record


DEFINITIONS = "survey_versions"


#: Definition keys known to be stored, per storage. A stored definition is never deleted
#: while a server runs (a restore needs the server stopped), so once seen it need not be read
#: again: this saves a read (on PostgreSQL a query) on every submitted response.
_STORED_DEFINITIONS: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def remember_definition(village: Village, survey: Survey) -> None:
    """Keep every version of a definition that has answers, so old answers stay readable."""
    key = f"{survey.id}-{survey.version}"
    known = _STORED_DEFINITIONS.setdefault(village.storage, set())
    if key in known:
        return
    if village.storage.get(DEFINITIONS, key) is None:
        with village.storage.locked(DEFINITIONS):
            if village.storage.get(DEFINITIONS, key) is None:
                village.storage.insert(
                    DEFINITIONS,
                    {
                        "id": key,
                        "survey_id": survey.id,
                        "version": survey.version,
                        "definition": survey.definition(),
                        "first_used": now(),
                    },
                )
    known.add(key)


def responses_of(village: Village, survey_id: str) -> list[dict[str, Any]]:
    return village.storage.all(responses_collection(survey_id))
