"""Organiser pages of participation rounds (/beheer/rondes): set up a round and its dated
phases, moderate ideas, make the shortlist with costs, score pilots, publish decisions, see
pledges (contacts for beheerders only), run meetings and polls, and move data in and out.
"""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from vliegwiel.accounts.model import ROLES
from vliegwiel.accounts.views import require_role
from vliegwiel.core.storage import Storage
from vliegwiel.rounds.admin_base import back, bp, int_field, round_or_404, user_can
from vliegwiel.rounds.ballots import stored_ballots
from vliegwiel.rounds.count import outcome_now
from vliegwiel.rounds.ideas import (
    DECISION_LABELS,
    DECISIONS,
    all_ideas,
    comments_of,
    free_ideas_warning,
    get_idea,
    hide_comment,
    hide_idea,
    is_active,
    merge_ideas,
    set_decision,
    set_scores,
    set_shortlist,
    shortlist,
    show_idea,
    support_counts,
    zero_cost_message,
)
from vliegwiel.rounds.model import (
    BUDGET_METHODS,
    METHOD_LABELS,
    METHODS,
    PHASE_KINDS,
    PHASE_LABELS,
    ROUNDS,
    STATUS_LABELS,
    RoundError,
    create_round,
    last_day,
    list_rounds,
    parse_day,
    phases_of,
    status_of,
    update_round,
)
from vliegwiel.rounds.pledges import contacts, totals
from vliegwiel.rounds.publication import publish_round
from vliegwiel.rounds.views_public import clock
from vliegwiel.rounds.voting import explain, money
from vliegwiel.web.context import current_village

# --- rounds -------------------------------------------------------------------------------------


def read_round_form(form) -> dict[str, Any]:
    """Title, settings and phases from the round form; RoundError (Dutch) when wrong."""
    phases = []
    for kind in PHASE_KINDS:
        start, end = form.get(f"start-{kind}", "").strip(), form.get(f"end-{kind}", "").strip()
        if not start and not end:
            continue
        if not start:
            raise RoundError(
                _("De fase %(phase)s heeft een begindatum nodig.", phase=PHASE_LABELS[kind])
            )
        phases.append(
            {
                "kind": kind,
                "start": parse_day(start).isoformat(),
                "end": parse_day(end, end=True).isoformat() if end else None,
            }
        )
    settings = {
        "method": form.get("method", "approval"),
        "seats": int_field(form.get("seats"), _("Aantal te kiezen ideeën")),
        "points": int_field(form.get("points"), _("Punten")),
        "budget": int_field(form.get("budget"), _("Budget")),
        "completion": form.get("completion", "add1u"),
        "requires_codes": form.get("requires_codes") == "ja",
        "survey_id": form.get("survey_id", ""),
        "criteria": form.get("criteria", "").splitlines(),
    }
    if settings["survey_id"] and current_village().surveys.get(settings["survey_id"]) is None:
        raise RoundError(_("Onbekende enquête."))
    return {
        "title": form.get("title", ""),
        "theme": form.get("theme", ""),
        "purpose": form.get("purpose", ""),
        "phases": phases,
        "settings": settings,
    }


def _form_values(record: dict[str, Any] | None) -> dict[str, Any]:
    if record is None:
        return {"method": "approval", "seats": 3, "points": 10, "budget": 0, "completion": "add1u"}
    values = {k: record[k] for k in ("title", "theme", "purpose")}
    values.update(record["settings"])
    values["criteria"] = "\n".join(record["settings"]["criteria"])
    values["requires_codes"] = "ja" if record["settings"]["requires_codes"] else ""
    for p in phases_of(record):
        values[f"start-{p.kind}"] = p.start.date().isoformat()
        values[f"end-{p.kind}"] = last_day(p.end).isoformat() if p.end else ""
    return values


def _render_round_form(record, values, error, status=200):
    return render_template(
        "beheer/rounds/form.html",
        round=record,
        values=values,
        error=error,
        surveys=current_village().surveys.all(),
        methods=[(m, METHOD_LABELS[m]) for m in METHODS],
        phase_kinds=[(k, PHASE_LABELS[k]) for k in PHASE_KINDS],
        form=FlaskForm(),
    ), status


@bp.get("/")
@require_role(*ROLES)
def index():
    now = clock()
    rounds = [
        {"round": r, "status": status_of(r, now)} for r in list_rounds(current_village().storage)
    ]
    return render_template(
        "beheer/rounds/index.html", rounds=rounds, status_labels=STATUS_LABELS, form=FlaskForm()
    )


@bp.route("/nieuw", methods=["GET", "POST"])
@require_role("beheerder")
def new():
    if request.method == "GET":
        return _render_round_form(None, _form_values(None), None)
    try:
        record = create_round(
            current_village().storage, **read_round_form(request.form), now=clock()
        )
    except RoundError as err:
        return _render_round_form(None, request.form, str(err), 400)
    return back(".overview", record["id"], _("De ronde is aangemaakt als concept."))


@bp.route("/<round_id>/instellingen", methods=["GET", "POST"])
@require_role("beheerder")
def settings(round_id: str):
    record = round_or_404(round_id)
    if request.method == "GET":
        return _render_round_form(record, _form_values(record), None)
    try:
        changes = read_round_form(request.form)
        if not changes["title"].strip():
            raise RoundError(_("Geef de ronde een titel."))
        if stored_ballots(current_village().storage, round_id) and (
            changes["settings"]["method"] != record["settings"]["method"]
        ):
            raise RoundError(_("Er is al gestemd; de stemmethode ligt nu vast."))
        update_round(current_village().storage, round_id, changes)
    except RoundError as err:
        return _render_round_form(record, request.form, str(err), 400)
    return back(".overview", round_id, _("De ronde is bijgewerkt."))


@bp.get("/<round_id>")
@require_role(*ROLES)
def overview(round_id: str):
    record = round_or_404(round_id)
    storage = current_village().storage
    return render_template(
        "beheer/rounds/overview.html",
        round=record,
        status=status_of(record, clock()),
        status_labels=STATUS_LABELS,
        phases=phases_of(record),
        current=None,
        method_label=METHOD_LABELS[record["settings"]["method"]],
        ideas=len(all_ideas(storage, round_id)),
        ballots=len(stored_ballots(storage, round_id)),
        free_warning=free_ideas_warning(storage, record),
        form=FlaskForm(),
    )


@bp.post("/<round_id>/inplannen")
@require_role("beheerder")
def schedule(round_id: str):
    record = round_or_404(round_id)
    if not record["phases"] and not record["scheduled"]:
        return back(".overview", round_id, _("Geef eerst de fasen met hun datums op."))
    storage = current_village().storage
    storage.update(ROUNDS, round_id, {"scheduled": not record["scheduled"]})
    message = (
        _("De ronde is weer een concept.")
        if record["scheduled"]
        else _("De ronde is ingepland: de fasen openen en sluiten nu vanzelf op hun datum.")
    )
    warning = None if record["scheduled"] else free_ideas_warning(storage, record)
    return back(".overview", round_id, f"{message} {warning}" if warning else message)


# --- ideas: moderation and shortlist ------------------------------------------------------------


def _render_ideas(record, error=None, status=200):
    storage = current_village().storage
    round_id = record["id"]
    ideas = all_ideas(storage, round_id)
    return render_template(
        "beheer/rounds/ideas.html",
        round=record,
        ideas=ideas,
        active=[i for i in ideas if is_active(i)],
        comments={i["id"]: comments_of(storage, round_id, i["id"]) for i in ideas},
        supports=support_counts(storage, round_id),
        voted=bool(stored_ballots(storage, round_id)),
        free_warning=free_ideas_warning(storage, record),
        money=money,
        error=error,
        form=FlaskForm(),
    ), status


@bp.get("/<round_id>/ideeen")
@require_role(*ROLES)
def ideas(round_id: str):
    return _render_ideas(round_or_404(round_id))


def _moderate(round_id: str, action) -> Any:
    record = round_or_404(round_id)
    try:
        message = action(current_village().storage)
    except RoundError as err:
        return _render_ideas(record, str(err), 400)
    return back(".ideas", round_id, message)


@bp.post("/<round_id>/idee/<idea_id>/verbergen")
@require_role("beheerder")
def hide(round_id: str, idea_id: str):
    def act(storage: Storage):
        hide_idea(storage, round_id, idea_id, request.form.get("reason", ""))
        return _("Het idee is verborgen; bewoners zien de reden.")

    return _moderate(round_id, act)


@bp.post("/<round_id>/idee/<idea_id>/zichtbaar")
@require_role("beheerder")
def unhide(round_id: str, idea_id: str):
    def act(storage: Storage):
        if get_idea(storage, round_id, idea_id) is None:
            raise RoundError(_("Dit idee bestaat niet."))
        show_idea(storage, round_id, idea_id)
        return _("Het idee is weer zichtbaar.")

    return _moderate(round_id, act)


@bp.post("/<round_id>/idee/<idea_id>/samenvoegen")
@require_role("beheerder")
def merge(round_id: str, idea_id: str):
    def act(storage: Storage):
        merge_ideas(storage, round_id, idea_id, request.form.get("target", ""))
        return _("De ideeën zijn samengevoegd.")

    return _moderate(round_id, act)


@bp.post("/<round_id>/reactie/<comment_id>/verbergen")
@require_role("beheerder")
def hide_reaction(round_id: str, comment_id: str):
    def act(storage: Storage):
        hide_comment(storage, round_id, comment_id, request.form.get("reason", ""))
        return _("De reactie is verborgen; bewoners zien de reden.")

    return _moderate(round_id, act)


@bp.post("/<round_id>/stemlijst")
@require_role("beheerder")
def save_shortlist(round_id: str):
    def act(storage: Storage):
        entries = []
        for idea in all_ideas(storage, round_id):
            if request.form.get(f"kies-{idea['id']}") == "ja":
                entries.append(
                    (
                        idea["id"],
                        int_field(request.form.get(f"volgorde-{idea['id']}"), _("Volgorde")),
                        int_field(request.form.get(f"kosten-{idea['id']}"), _("Kosten")),
                    )
                )
        voted = bool(stored_ballots(storage, round_id))
        record = round_or_404(round_id)
        free = set_shortlist(
            storage,
            round_id,
            entries,
            locked_by_votes=voted,
            budget_round=record["settings"]["method"] in BUDGET_METHODS,
        )
        warning = zero_cost_message(free)
        saved = _("De stemlijst is opgeslagen.")
        return f"{saved} {warning}" if warning else saved

    return _moderate(round_id, act)


# --- pilot selection and decisions --------------------------------------------------------------


def _outcome_rows(record):
    storage = current_village().storage
    outcome = outcome_now(storage, record).outcome
    ideas = shortlist(storage, record["id"])
    decided = [i for i in all_ideas(storage, record["id"]) if i.get("decision")]
    rows = []
    for idea in ideas + [i for i in decided if i not in ideas]:
        reason = outcome.reasons.get(idea["id"]) if outcome else None
        rows.append(
            {
                "idea": idea,
                "score": outcome.scores.get(idea["id"]) if outcome else None,
                "chosen": bool(outcome and idea["id"] in outcome.selected),
                "explanation": explain(reason) if reason else "",
                "total": sum(idea.get("scores", {}).values()),
            }
        )
    return rows


@bp.route("/<round_id>/selectie", methods=["GET", "POST"])
@require_role(*ROLES)
def selection(round_id: str):
    record = round_or_404(round_id)
    error = None
    if request.method == "POST":
        if not user_can("beheerder"):
            abort(403)
        storage = current_village().storage
        try:
            parsed = {
                idea["id"]: {
                    c: int_field(request.form.get(f"score-{idea['id']}-{n}"), c)
                    for n, c in enumerate(record["settings"]["criteria"])
                }
                for idea in shortlist(storage, round_id)
            }
            for idea_id, scores in parsed.items():
                set_scores(storage, round_id, idea_id, scores)
        except RoundError as err:
            error = str(err)
        else:
            return back(".selection", round_id, _("De scores zijn opgeslagen."))
    return render_template(
        "beheer/rounds/selection.html",
        round=record,
        rows=_outcome_rows(record),
        criteria=record["settings"]["criteria"],
        error=error,
        form=FlaskForm(),
    ), (400 if error else 200)


@bp.route("/<round_id>/besluiten", methods=["GET", "POST"])
@require_role(*ROLES)
def decisions(round_id: str):
    record = round_or_404(round_id)
    error = None
    storage = current_village().storage
    if request.method == "POST":
        if not user_can("beheerder"):
            abort(403)
        try:
            candidates = [i for i in all_ideas(storage, round_id) if is_active(i)]
            changes = []
            for idea in candidates:
                decision = request.form.get(f"besluit-{idea['id']}", "")
                if decision and decision not in DECISIONS:
                    raise RoundError(_("Onbekend besluit."))
                reason = request.form.get(f"reden-{idea['id']}", "")
                if decision == "niet_nu" and not reason.strip():
                    raise RoundError(_("Leg uit waarom een idee nu niet doorgaat."))
                changes.append((idea["id"], decision or None, reason))
            for idea_id, decision, reason in changes:
                set_decision(storage, round_id, idea_id, decision, reason)
            if request.form.get("publish") in ("ja", "nee"):
                update_round(
                    storage, round_id, {"results_published": request.form["publish"] == "ja"}
                )
            if request.form.get("publish") == "ja":
                # Residents see what is stored now, not later changes (rounds/publication.py).
                publish_round(storage, round_or_404(round_id), clock())
        except RoundError as err:
            error = str(err)
        else:
            return back(".decisions", round_id, _("De besluiten zijn opgeslagen."))
    return render_template(
        "beheer/rounds/decisions.html",
        round=round_or_404(round_id),
        ideas=[i for i in all_ideas(storage, round_id) if is_active(i)],
        rows={r["idea"]["id"]: r for r in _outcome_rows(record)},
        decisions=[(d, DECISION_LABELS[d]) for d in DECISIONS],
        status=status_of(record, clock()),
        status_labels=STATUS_LABELS,
        error=error,
        form=FlaskForm(),
    ), (400 if error else 200)


@bp.get("/<round_id>/toezeggingen")
@require_role(*ROLES)
def pledges(round_id: str):
    record = round_or_404(round_id)
    storage = current_village().storage
    return render_template(
        "beheer/rounds/pledges.html",
        round=record,
        totals=totals(storage, round_id),
        ideas={i["id"]: i for i in all_ideas(storage, round_id)},
        contacts=contacts(storage, round_id) if user_can("beheerder") else None,
        money=money,
    )
