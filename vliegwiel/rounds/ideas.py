"""Ideas of a round: submitting, supporting, commenting, moderating, merging duplicates,
the shortlist with costs, organisers' pilot scores and the published decision per idea.

Collections: ``rounds/<id>/ideas``, ``rounds/<id>/supports``, ``rounds/<id>/comments``.
Every check-then-write holds ``storage.locked`` on the collection it writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from vliegwiel.core.storage import Storage
from vliegwiel.rounds.model import BUDGET_METHODS, RoundError, collection, require_phase

TITLE_MAX, DESCRIPTION_MAX, THEME_MAX, COMMENT_MAX, REASON_MAX = 120, 2000, 60, 1000, 500

#: Follow-up status of an idea, published with a reason in the results phase.
DECISIONS = ("pilot", "in_uitvoering", "klaar", "niet_nu")
DECISION_LABELS = {
    "pilot": lazy_gettext("Gekozen als pilot"),
    "in_uitvoering": lazy_gettext("In uitvoering"),
    "klaar": lazy_gettext("Klaar"),
    "niet_nu": lazy_gettext("Niet nu"),
}
#: Decisions that mean the idea became a pilot (for the flywheel figures and pledges).
PILOT_DECISIONS = ("pilot", "in_uitvoering", "klaar")


def ideas_of(round_id: str) -> str:
    return collection(round_id, "ideas")


def _text(value: str, limit: int, empty_message: str | None = None) -> str:
    value = (value or "").strip()
    if empty_message and not value:
        raise RoundError(empty_message)
    if len(value) > limit:
        raise RoundError(_("Deze tekst is te lang: hooguit %(max)s tekens.", max=limit))
    return value


def submit_idea(
    storage,
    round_record: dict[str, Any],
    *,
    title: str,
    description: str,
    theme: str = "",
    wants_to_help: bool = False,
    participant: str,
    now: datetime,
) -> dict[str, Any]:
    require_phase(round_record, "ideas", now)
    record = new_idea(
        title=title,
        description=description,
        theme=theme,
        wants_to_help=wants_to_help,
        participant=participant,
        now=now,
    )
    record["id"] = storage.insert(ideas_of(round_record["id"]), record)
    return record


def new_idea(
    *,
    title: str,
    description: str,
    theme: str = "",
    wants_to_help: bool = False,
    participant: str,
    now: datetime,
) -> dict[str, Any]:
    """A checked idea record, not yet stored (submit_idea stores it while ideas are open)."""
    return {
        "title": _text(title, TITLE_MAX, _("Geef uw idee een titel.")),
        "description": _text(description, DESCRIPTION_MAX, _("Beschrijf uw idee.")),
        "theme": _text(theme, THEME_MAX),
        "wants_to_help": bool(wants_to_help),
        "participant": participant,
        "created_at": now.isoformat(),
        "hidden": False,
        "hidden_reason": "",
        "merged_into": None,
        "shortlisted": False,
        "position": 0,
        "cost": 0,
        "decision": None,
        "decision_reason": "",
        "scores": {},
    }


def all_ideas(storage: Storage, round_id: str) -> list[dict[str, Any]]:
    return storage.all(ideas_of(round_id))


def get_idea(storage: Storage, round_id: str, idea_id: str) -> dict[str, Any] | None:
    if not idea_id or not isinstance(idea_id, str):
        return None
    return storage.get(ideas_of(round_id), idea_id)


def is_active(idea: dict[str, Any]) -> bool:
    return not idea.get("hidden") and not idea.get("merged_into")


def _active_idea(storage: Storage, round_id: str, idea_id: str) -> dict[str, Any]:
    idea = get_idea(storage, round_id, idea_id)
    if idea is None:
        raise RoundError(_("Dit idee bestaat niet."))
    if not is_active(idea):
        raise RoundError(_("Dit idee is verborgen of samengevoegd; u kunt er niet op reageren."))
    return idea


# --- support and comments -----------------------------------------------------------------------


def supports_of(storage: Storage, round_id: str) -> list[dict[str, Any]]:
    return storage.all(collection(round_id, "supports"))


def support_counts(storage: Storage, round_id: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for s in supports_of(storage, round_id):
        counts[s["idea_id"]] = counts.get(s["idea_id"], 0) + 1
    return counts


def has_supported(storage: Storage, round_id: str, idea_id: str, participant: str) -> bool:
    name = collection(round_id, "supports")
    return bool(storage.find(name, idea_id=idea_id, participant=participant))


def support(
    storage, round_record: dict[str, Any], idea_id: str, *, participant: str, now: datetime
) -> None:
    """One support per person per idea; a second one is refused and nothing is stored."""
    require_phase(round_record, "ideas", now)
    _active_idea(storage, round_record["id"], idea_id)
    name = collection(round_record["id"], "supports")
    with storage.locked(name):
        if storage.find(name, idea_id=idea_id, participant=participant):
            raise RoundError(_("U steunt dit idee al. Iedereen kan een idee één keer steunen."))
        storage.insert(
            name, {"idea_id": idea_id, "participant": participant, "created_at": now.isoformat()}
        )


def add_comment(
    storage,
    round_record: dict[str, Any],
    idea_id: str,
    *,
    text: str,
    name: str = "",
    participant: str,
    now: datetime,
) -> dict[str, Any]:
    require_phase(round_record, "ideas", now)
    _active_idea(storage, round_record["id"], idea_id)
    record = {
        "idea_id": idea_id,
        "text": _text(text, COMMENT_MAX, _("Schrijf een reactie.")),
        "name": _text(name, 80),
        "participant": participant,
        "created_at": now.isoformat(),
        "hidden": False,
        "hidden_reason": "",
    }
    record["id"] = storage.insert(collection(round_record["id"], "comments"), record)
    return record


def comments_of(storage: Storage, round_id: str, idea_id: str) -> list[dict[str, Any]]:
    return storage.find(collection(round_id, "comments"), idea_id=idea_id)


# --- moderation ---------------------------------------------------------------------------------


def _refuse_if_voted_on(storage: Storage, round_id: str, idea: dict[str, Any]) -> None:
    # Ballots name shortlisted ideas: hiding or merging one would make them uncountable.
    if idea.get("shortlisted") and storage.count(collection(round_id, "ballots")):
        raise RoundError(_("Er is al over dit idee gestemd; het blijft op de lijst staan."))


def hide_idea(storage: Storage, round_id: str, idea_id: str, reason: str) -> None:
    """Hide an idea; the reason is shown to residents in its place."""
    idea = get_idea(storage, round_id, idea_id)
    if idea is None:
        raise RoundError(_("Dit idee bestaat niet."))
    _refuse_if_voted_on(storage, round_id, idea)
    reason = _text(reason, REASON_MAX, _("Geef een reden op; bewoners zien die reden."))
    storage.update(ideas_of(round_id), idea_id, {"hidden": True, "hidden_reason": reason})


def show_idea(storage: Storage, round_id: str, idea_id: str) -> None:
    storage.update(ideas_of(round_id), idea_id, {"hidden": False, "hidden_reason": ""})


def hide_comment(storage: Storage, round_id: str, comment_id: str, reason: str) -> None:
    name = collection(round_id, "comments")
    if storage.get(name, comment_id) is None:
        raise RoundError(_("Deze reactie bestaat niet."))
    reason = _text(reason, REASON_MAX, _("Geef een reden op; bewoners zien die reden."))
    storage.update(name, comment_id, {"hidden": True, "hidden_reason": reason})


def merge_ideas(storage: Storage, round_id: str, duplicate_id: str, target_id: str) -> None:
    """Fold a duplicate into another idea: its supports and comments move over, a person who
    supported both counts once, and the duplicate's page points to the idea it joined."""
    if duplicate_id == target_id:
        raise RoundError(_("Een idee kan niet met zichzelf worden samengevoegd."))
    duplicate = get_idea(storage, round_id, duplicate_id)
    target = get_idea(storage, round_id, target_id)
    if duplicate is None or target is None:
        raise RoundError(_("Dit idee bestaat niet."))
    if not is_active(target):
        raise RoundError(_("Voeg samen met een idee dat zichtbaar is."))
    _refuse_if_voted_on(storage, round_id, duplicate)
    supports = collection(round_id, "supports")
    comments = collection(round_id, "comments")
    with storage.locked(ideas_of(round_id)), storage.locked(supports), storage.locked(comments):
        already = {s["participant"] for s in storage.find(supports, idea_id=target_id)}
        for s in storage.find(supports, idea_id=duplicate_id):
            if s["participant"] in already:
                storage.delete(supports, s["id"])
            else:
                storage.update(supports, s["id"], {"idea_id": target_id})
                already.add(s["participant"])
        for c in storage.find(comments, idea_id=duplicate_id):
            storage.update(comments, c["id"], {"idea_id": target_id})
        changes: dict[str, Any] = {"merged_into": target_id, "shortlisted": False}
        storage.update(ideas_of(round_id), duplicate_id, changes)
        if duplicate.get("wants_to_help") and not target.get("wants_to_help"):
            storage.update(ideas_of(round_id), target_id, {"wants_to_help": True})


def resolve_merge(storage: Storage, round_id: str, idea: dict[str, Any]) -> dict[str, Any]:
    """The idea a merged duplicate now lives in (following chains of merges)."""
    seen = {idea["id"]}
    while idea.get("merged_into"):
        nxt = get_idea(storage, round_id, idea["merged_into"])
        if nxt is None or nxt["id"] in seen:
            break
        seen.add(nxt["id"])
        idea = nxt
    return idea


# --- shortlist, scores, decisions ---------------------------------------------------------------


def shortlist(storage: Storage, round_id: str) -> list[dict[str, Any]]:
    """The ideas residents vote on, in the organiser's order (which also breaks ties)."""
    chosen = [i for i in all_ideas(storage, round_id) if i.get("shortlisted") and is_active(i)]
    return sorted(chosen, key=lambda i: i.get("position", 0))


def set_shortlist(
    storage,
    round_id: str,
    entries: list[tuple[str, int, int]],
    *,
    locked_by_votes: bool,
    budget_round: bool = False,
) -> list[str]:
    """Replace the shortlist by ``(idea id, position, cost)`` entries. Once ballots exist the
    shortlist and costs are frozen: changing them would change what people voted on.

    In a ``budget_round`` a list on which every idea costs € 0 is refused (the budget would
    choose nothing: everything fits); the titles of ideas that cost € 0 are returned so the
    organiser can be warned about them.
    """
    if locked_by_votes:
        raise RoundError(_("Er is al gestemd; de lijst en de kosten liggen nu vast."))
    ideas = {i["id"]: i for i in all_ideas(storage, round_id)}
    for idea_id, _position, cost in entries:
        if idea_id not in ideas or not is_active(ideas[idea_id]):
            raise RoundError(_("Dit idee bestaat niet."))
        if cost < 0:
            raise RoundError(_("Kosten kunnen niet negatief zijn."))
    free = [ideas[idea_id]["title"] for idea_id, _position, cost in entries if cost == 0]
    if budget_round and entries and len(free) == len(entries):
        raise RoundError(
            _(
                "Elk idee op de stemlijst kost nu € 0. In een ronde met een budget kiezen "
                "bewoners binnen het budget: vul bij elk idee de geschatte kosten in."
            )
        )
    chosen = {idea_id: (position, cost) for idea_id, position, cost in entries}
    with storage.locked(ideas_of(round_id)):
        for idea_id in ideas:
            if idea_id in chosen:
                position, cost = chosen[idea_id]
                storage.update(
                    ideas_of(round_id),
                    idea_id,
                    {"shortlisted": True, "position": position, "cost": cost},
                )
            elif ideas[idea_id].get("shortlisted"):
                storage.update(ideas_of(round_id), idea_id, {"shortlisted": False})
    return free if budget_round else []


def free_ideas_warning(storage: Storage, round_record: dict[str, Any]) -> str | None:
    """A warning for a budget round whose shortlist holds ideas that cost € 0, else None.

    Such an idea always fits the budget, so it is chosen with a single vote: usually a cost
    that was forgotten.
    """
    if round_record["settings"]["method"] not in BUDGET_METHODS:
        return None
    listed = shortlist(storage, round_record["id"])
    free = [i["title"] for i in listed if not int(i.get("cost", 0))]
    return zero_cost_message(free, everything=bool(listed) and len(free) == len(listed))


def zero_cost_message(titles: list[str], *, everything: bool = False) -> str | None:
    if not titles:
        return None
    if everything:
        return _(
            "Let op: elk idee op de stemlijst kost € 0. Met een budget wordt dan alles "
            "gekozen wat één stem krijgt. Vul bij elk idee de geschatte kosten in."
        )
    return _(
        "Let op: deze ideeën kosten € 0 en worden dus met één stem al gekozen: %(titles)s. "
        "Klopt dat niet, vul dan de kosten in.",
        titles=", ".join(titles),
    )


def set_scores(storage: Storage, round_id: str, idea_id: str, scores: dict[str, int]) -> None:
    """Organisers' pilot-selection scores (0-5) on their own criteria."""
    if get_idea(storage, round_id, idea_id) is None:
        raise RoundError(_("Dit idee bestaat niet."))
    for value in scores.values():
        if not 0 <= value <= 5:
            raise RoundError(_("Een score is een geheel getal van 0 tot en met 5."))
    storage.update(ideas_of(round_id), idea_id, {"scores": dict(scores)})


def set_decision(
    storage: Storage, round_id: str, idea_id: str, decision: str | None, reason: str
) -> None:
    if get_idea(storage, round_id, idea_id) is None:
        raise RoundError(_("Dit idee bestaat niet."))
    if decision is not None and decision not in DECISIONS:
        raise RoundError(_("Onbekend besluit."))
    reason = _text(reason, REASON_MAX)
    if decision == "niet_nu" and not reason:
        raise RoundError(_("Leg uit waarom een idee nu niet doorgaat."))
    storage.update(ideas_of(round_id), idea_id, {"decision": decision, "decision_reason": reason})
