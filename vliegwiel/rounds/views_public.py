"""Resident pages of participation rounds: the timeline, a round's process page, ideas with
support and comments, voting, the outcome, "Wie doet mee?", meetings, polls and the flywheel.

No account and no JavaScript. Refused input re-renders the page with a Dutch message and a
400 status; nothing is stored then.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session
from flask import url_for as flask_url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from vliegwiel.results.suppression import threshold_note
from vliegwiel.rounds.ballots import (
    ballot_from_form,
    ballot_of,
    ballot_total,
    cast_ballot,
    projects_of,
)
from vliegwiel.rounds.count import outcome_for_residents
from vliegwiel.rounds.flywheel import flywheel as flywheel_figures
from vliegwiel.rounds.flywheel import other_participation, protect
from vliegwiel.rounds.ideas import (
    DECISION_LABELS,
    add_comment,
    all_ideas,
    comments_of,
    get_idea,
    has_supported,
    is_active,
    resolve_merge,
    submit_idea,
    support,
    support_counts,
)
from vliegwiel.rounds.meetings import answer_poll, get_meeting, get_poll, meetings_of, sign_up
from vliegwiel.rounds.model import (
    BUDGET_METHODS,
    DRAFT,
    METHOD_LABELS,
    PUBLISHED,
    STATUS_LABELS,
    RoundError,
    current_phase,
    get_round,
    list_rounds,
    participant_hash,
    phase,
    phase_open,
    phase_over,
    phases_of,
    status_of,
    utc_now,
)
from vliegwiel.rounds.pledges import make_pledge, pledge_targets, totals
from vliegwiel.rounds.publication import published, published_state, shown_ideas
from vliegwiel.rounds.voting import BallotError, explain, money
from vliegwiel.web.context import current_village

bp = Blueprint("rounds", __name__)


def clock() -> datetime:
    """The current time; tests set ``app.config["VLIEGWIEL_NOW"]`` to a function."""
    now = current_app.config.get("VLIEGWIEL_NOW")
    return now() if now else utc_now()


def browser_id() -> str:
    """A random id kept in the signed session cookie; made permanent so closing the browser
    does not hand out a second support or vote."""
    if "browser_id" not in session:
        session["browser_id"] = secrets.token_hex(16)
        # Never for a logged-in organiser: their session must end with the browser.
        session.permanent = "user_id" not in session
    return session["browser_id"]


def participant_key(round_record: dict[str, Any]) -> str:
    """Who is acting, as stored (a hash per round): the seam for "one per person".

    The village's participant resolvers go first (invitation codes of code rounds); a round
    without codes falls back to the browser id. A round that requires codes while no
    resolver answers is refused rather than silently counted per browser.
    """
    for resolver in current_village().participant_resolvers:
        key = resolver(round_record)
        if key is not None:
            return participant_hash(round_record["id"], f"code:{key}")
    if round_record["settings"].get("requires_codes"):
        raise RoundError(
            _(
                "Voor deze ronde is een uitnodigingscode nodig; die kan hier nog niet worden "
                "gecontroleerd. Neem contact op met de organisatie."
            )
        )
    return participant_hash(round_record["id"], f"browser:{browser_id()}")


def _round_or_404(round_id: str) -> dict[str, Any]:
    record = get_round(current_village().storage, round_id)
    if record is None or status_of(record, clock()) == DRAFT:
        abort(404)
    return record


def _context(record: dict[str, Any]) -> dict[str, Any]:
    now = clock()
    return {
        "round": record,
        "status": status_of(record, now),
        "status_labels": STATUS_LABELS,
        "phases": phases_of(record),
        "current": current_phase(record, now),
        "now": now,
        "k": current_village().config.min_group_size,
        "money": money,
        "unbroken": unbroken,
        "decision_labels": DECISION_LABELS,
        "method_label": METHOD_LABELS[record["settings"]["method"]],
        "form": FlaskForm(),
    }


def unbroken(text: str) -> str:
    """``text`` with a no-break space after every euro sign: "€ 3.000" never breaks over
    two lines, also inside a sentence."""
    return text.replace("€ ", "€\u00a0")


def vote_deadline(record: dict[str, Any]) -> str:
    """The last day of the vote as a long date ("21 maart 2026"); "" without a vote phase."""
    found = phase(record, "prioritise")
    return format_date(found.last_day, "long") if found and found.last_day else ""


# --- timeline and process page ------------------------------------------------------------------


@bp.get("/rondes")
def round_list():
    now = clock()
    rounds = [
        {"round": r, "status": status_of(r, now), "phases": phases_of(r)}
        for r in reversed(list_rounds(current_village().storage))
        if status_of(r, now) != DRAFT
    ]
    return render_template("rounds/list.html", rounds=rounds, status_labels=STATUS_LABELS)


@bp.get("/ronde/<round_id>")
def round_page(round_id: str):
    village = current_village()
    record = _round_or_404(round_id)
    ctx = _context(record)
    storage, now = village.storage, ctx["now"]
    survey_id = record["settings"].get("survey_id")
    ideas = [i for i in all_ideas(storage, round_id) if is_active(i)]
    published = ctx["status"] == PUBLISHED
    decided = (
        [
            i
            for i in shown_ideas(storage, round_id, published)
            if i.get("decision") and not i.get("hidden")
        ]
        if published
        else []
    )
    pledged = totals(storage, round_id)
    return render_template(
        "rounds/round.html",
        **ctx,
        survey=village.surveys.get(survey_id) if survey_id else None,
        survey_open=phase_open(record, "survey", now),
        ideas_count=len(ideas),
        vote_open=phase_open(record, "prioritise", now),
        voted=own_ballot(record) is not None,
        deadline=vote_deadline(record),
        outcome_ready=phase_over(record, "prioritise", now),
        commit_open=phase_open(record, "commit", now),
        decided=decided,
        pledged={
            idea_id: {**row, "people": protect(row["people"], ctx["k"])}
            for idea_id, row in pledged.items()
        },
        meetings=meetings_of(storage, round_id),
        note=threshold_note(ctx["k"]),
    )


# --- ideas --------------------------------------------------------------------------------------


@bp.get("/ronde/<round_id>/ideeen")
def ideas(round_id: str):
    record = _round_or_404(round_id)
    storage = current_village().storage
    return render_template(
        "rounds/ideas.html",
        **_context(record),
        ideas=all_ideas(storage, round_id),
        ideas_by_id={i["id"]: i for i in all_ideas(storage, round_id)},
        supports=support_counts(storage, round_id),
        ideas_open=phase_open(record, "ideas", clock()),
    )


@bp.route("/ronde/<round_id>/idee-nieuw", methods=["GET", "POST"])
def new_idea(round_id: str):
    record = _round_or_404(round_id)
    error, values = None, {}
    if request.method == "POST":
        values = request.form
        try:
            idea = submit_idea(
                current_village().storage,
                record,
                title=request.form.get("title", ""),
                description=request.form.get("description", ""),
                theme=request.form.get("theme", ""),
                wants_to_help=request.form.get("wants_to_help") == "ja",
                participant=participant_key(record),
                now=clock(),
            )
        except RoundError as err:
            error = str(err)
        else:
            flash(_("Dank u wel! Uw idee staat nu bij de ideeën."), "info")
            return redirect(flask_url_for(".idea", round_id=round_id, idea_id=idea["id"]))
    return render_template(
        "rounds/idea_form.html",
        **_context(record),
        error=error,
        values=values,
        ideas_open=phase_open(record, "ideas", clock()),
    ), (400 if error else 200)


def _render_idea(record: dict[str, Any], idea: dict[str, Any], error: str | None = None):
    storage = current_village().storage
    round_id = record["id"]
    if idea.get("merged_into"):
        target = resolve_merge(storage, round_id, idea)
        flash(_("Dit idee is samengevoegd met een vergelijkbaar idee."), "info")
        return redirect(flask_url_for(".idea", round_id=round_id, idea_id=target["id"]))
    try:
        supported = has_supported(storage, round_id, idea["id"], participant_key(record))
    except RoundError:
        supported = False  # a code round without a resolver: the support form will say why
    return render_template(
        "rounds/idea.html",
        **_context(record),
        idea=idea,
        comments=comments_of(storage, round_id, idea["id"]),
        supports=support_counts(storage, round_id).get(idea["id"], 0),
        supported=supported,
        ideas_open=phase_open(record, "ideas", clock()) and is_active(idea),
        error=error,
    ), (400 if error else 200)


@bp.get("/ronde/<round_id>/idee/<idea_id>")
def idea(round_id: str, idea_id: str):
    record = _round_or_404(round_id)
    found = get_idea(current_village().storage, round_id, idea_id)
    if found is None:
        abort(404)
    return _render_idea(record, found)


@bp.post("/ronde/<round_id>/idee/<idea_id>/steun")
def support_idea(round_id: str, idea_id: str):
    record = _round_or_404(round_id)
    storage = current_village().storage
    found = get_idea(storage, round_id, idea_id)
    if found is None:
        abort(404)
    try:
        support(storage, record, idea_id, participant=participant_key(record), now=clock())
    except RoundError as err:
        return _render_idea(record, found, str(err))
    flash(_("U steunt dit idee. Dank u wel!"), "info")
    return redirect(flask_url_for(".idea", round_id=round_id, idea_id=idea_id))


@bp.post("/ronde/<round_id>/idee/<idea_id>/reactie")
def comment(round_id: str, idea_id: str):
    record = _round_or_404(round_id)
    storage = current_village().storage
    found = get_idea(storage, round_id, idea_id)
    if found is None:
        abort(404)
    try:
        add_comment(
            storage,
            record,
            idea_id,
            text=request.form.get("text", ""),
            name=request.form.get("name", ""),
            participant=participant_key(record),
            now=clock(),
        )
    except RoundError as err:
        return _render_idea(record, found, str(err))
    flash(_("Uw reactie is geplaatst."), "info")
    return redirect(flask_url_for(".idea", round_id=round_id, idea_id=idea_id) + "#reacties")


# --- voting and outcome -------------------------------------------------------------------------


def own_ballot(record: dict[str, Any]) -> Any:
    """The ballot this browser or household cast in the round, or None.

    Never hands out a browser cookie just to look: a browser without one has not voted.
    """
    if not record["settings"].get("requires_codes") and "browser_id" not in session:
        return None
    try:
        return ballot_of(current_village().storage, record["id"], participant_key(record))
    except RoundError:
        return None  # a code round without a code yet: nothing cast from here


def _ballot_fields(method: str, ballot: Any) -> MultiDict:
    """A stored ballot as the vote form's fields, so the form shows it ticked."""
    if method == "dots":
        return MultiDict({f"punten-{pid}": str(points) for pid, points in ballot.items()})
    if method == "borda":
        return MultiDict({f"plaats-{pid}": str(n) for n, pid in enumerate(ballot, start=1)})
    return MultiDict([("idee", pid) for pid in ballot])


@bp.route("/ronde/<round_id>/stemmen", methods=["GET", "POST"])
def vote(round_id: str):
    """The ballot. "Bereken" re-renders it with the total of the ticked ideas (budget rounds,
    for browsers without JavaScript); "Stem uitbrengen" casts it; a resident who voted sees
    the ballot again and may change it until the vote closes."""
    record = _round_or_404(round_id)
    storage = current_village().storage
    method = record["settings"]["method"]
    error = None
    current = own_ballot(record)
    fields = _ballot_fields(method, current) if current is not None else MultiDict()
    if request.method == "POST":
        fields = request.form
        try:
            ballot = ballot_from_form(method, request.form)
            if request.form.get("actie") != "bereken":
                cast_ballot(
                    storage,
                    record,
                    ballot,
                    participant=participant_key(record),
                    now=clock(),
                    replace=request.form.get("wijzigen") == "ja",
                )
        except (RoundError, BallotError) as err:
            error = str(err)
        else:
            if request.form.get("actie") != "bereken":
                changed = current is not None and request.form.get("wijzigen") == "ja"
                flash(
                    _("Uw stem is gewijzigd. Dank u wel!")
                    if changed
                    else _("Uw stem is opgeslagen. Dank u wel!"),
                    "info",
                )
                return redirect(flask_url_for(".round_page", round_id=round_id))
    projects = projects_of(storage, round_id)
    total = ballot_total(projects, fields.getlist("idee")) if method in BUDGET_METHODS else None
    return render_template(
        "rounds/vote.html",
        **_context(record),
        projects=projects,
        ideas_by_id={i["id"]: i for i in all_ideas(storage, round_id)},
        vote_open=phase_open(record, "prioritise", clock()),
        voted=current is not None,
        deadline=vote_deadline(record),
        total=total,
        error=error,
        posted=fields,
    ), (400 if error else 200)


@bp.get("/ronde/<round_id>/uitslag")
def outcome(round_id: str):
    record = _round_or_404(round_id)
    if not phase_over(record, "prioritise", clock()):
        abort(404)
    storage = current_village().storage
    # Once published, the outcome as it was published (rounds/publication.py); before, the
    # stored count of the ballots, counted in the background.
    snapshot = published(storage, round_id) if status_of(record, clock()) == PUBLISHED else None
    state = published_state(snapshot) if snapshot else outcome_for_residents(storage, record)
    result = state.outcome
    rows = []
    if result is not None:
        ideas_by_id = {
            i["id"]: i for i in (snapshot["ideas"] if snapshot else all_ideas(storage, round_id))
        }
        for idea_id in result.ranking:
            rows.append(
                {
                    "idea": ideas_by_id[idea_id],
                    "chosen": idea_id in result.selected,
                    "score": result.scores[idea_id],
                    "explanation": unbroken(explain(result.reasons[idea_id])),
                }
            )
    return render_template(
        "rounds/outcome.html",
        **_context(record),
        rows=rows,
        count=state,
        voters=snapshot["voters"] if snapshot else len(storage.all(f"rounds/{round_id}/ballots")),
    )


# --- commitments --------------------------------------------------------------------------------


def _whole(text: str | None) -> int:
    text = (text or "").strip()
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        raise RoundError(_("Vul hele getallen in bij uren en bedrag.")) from None


@bp.route("/ronde/<round_id>/meedoen", methods=["GET", "POST"])
def commit(round_id: str):
    record = _round_or_404(round_id)
    storage = current_village().storage
    state = outcome_for_residents(storage, record) if phase(record, "prioritise") else None
    result = state.outcome if state else None
    targets = pledge_targets(storage, round_id, result.selected if result else [])
    error = None
    if request.method == "POST":
        try:
            make_pledge(
                storage,
                record,
                idea_id=request.form.get("idea_id", ""),
                hours=_whole(request.form.get("hours")),
                money=_whole(request.form.get("money")),
                skills=request.form.get("skills", ""),
                name=request.form.get("name", ""),
                contact=request.form.get("contact", ""),
                consent=request.form.get("consent") == "ja",
                participant=participant_key(record),
                targets=[t["id"] for t in targets],
                now=clock(),
            )
        except RoundError as err:
            error = str(err)
        else:
            flash(_("Dank u wel! Uw toezegging is opgeslagen."), "info")
            return redirect(flask_url_for(".round_page", round_id=round_id))
    return render_template(
        "rounds/commit.html",
        **_context(record),
        targets=targets,
        count=state,
        commit_open=phase_open(record, "commit", clock()),
        error=error,
        values=request.form if error else {},
    ), (400 if error else 200)


# --- meetings and polls -------------------------------------------------------------------------


@bp.route("/ronde/<round_id>/bijeenkomst/<meeting_id>", methods=["GET", "POST"])
def meeting(round_id: str, meeting_id: str):
    record = _round_or_404(round_id)
    storage = current_village().storage
    found = get_meeting(storage, round_id, meeting_id)
    if found is None:
        abort(404)
    error = None
    if request.method == "POST":
        try:
            sign_up(storage, round_id, meeting_id, request.form.get("name", ""), now=clock())
        except RoundError as err:
            error = str(err)
        else:
            flash(_("U bent aangemeld. Tot dan!"), "info")
            return redirect(flask_url_for(".meeting", round_id=round_id, meeting_id=meeting_id))
    ideas_by_id = {i["id"]: i for i in all_ideas(storage, round_id)}
    return render_template(
        "rounds/meeting.html",
        **_context(record),
        meeting=found,
        starts_at=datetime.fromisoformat(found["starts_at"]),
        linked=[
            ideas_by_id[i]
            for i in found["idea_ids"]
            if i in ideas_by_id and not ideas_by_id[i].get("hidden")  # hidden stays hidden
        ],
        error=error,
    ), (400 if error else 200)


@bp.route("/ronde/<round_id>/peiling/<poll_id>", methods=["GET", "POST"])
def poll(round_id: str, poll_id: str):
    record = _round_or_404(round_id)
    storage = current_village().storage
    found = get_poll(storage, round_id, poll_id)
    if found is None:
        abort(404)
    error, done = None, False
    if request.method == "POST":
        try:
            answer_poll(
                storage,
                round_id,
                poll_id,
                request.form.get("option", ""),
                participant=participant_hash(round_id, f"browser:{browser_id()}"),
                now=clock(),
            )
        except RoundError as err:
            error = str(err)
        else:
            done = True
    return render_template(
        "rounds/poll.html", **_context(record), poll=found, error=error, done=done
    ), (400 if error else 200)


# --- flywheel -----------------------------------------------------------------------------------


@bp.get("/vliegwiel")
def flywheel():
    village = current_village()
    k = village.config.min_group_size
    return render_template(
        "rounds/flywheel.html",
        rows=flywheel_figures(village.storage, k, clock()),
        others=other_participation(village, k),
        k=k,
        note=threshold_note(k),
        money=money,
        status_labels=STATUS_LABELS,
    )
