"""The pages: residents vote one statement at a time (no JavaScript), suggest statements and
read the results; organisers moderate suggestions and bring the analysis up to date.

No page runs the analysis: it takes up to a minute for a whole village. Pages read the cached
one, with the moment it was made. When an organiser opens the conversation and the votes
changed since, the page asks the app's background thread (``run_in_background``) for a new
one and says "wordt bijgewerkt"; ``vliegwiel stellingen results`` computes it at once.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from vliegwiel.i18n import localise
from vliegwiel.plugin_support import (
    PdfError,
    background_pending,
    current_village,
    household_code_entry,
    household_codes_page,
    household_participant,
    min_group_size,
    organiser_required,
    plugin_store,
    render_pdf,
    resident_key,
    run_in_background,
)

from . import conversations as conv
from . import results as res
from .conversations import VOTE_WORDS

PLUGIN = "stellingen"
TEMPLATES = Path(__file__).parent / "templates"

public = Blueprint("stellingen", __name__, url_prefix="/stellingen", template_folder=str(TEMPLATES))
admin = Blueprint("stellingen_beheer", __name__, url_prefix="/beheer/stellingen")


def _store():
    return plugin_store(PLUGIN)


def _conversation_or_404(set_id: str) -> dict[str, Any]:
    record = conv.get(_store(), set_id)
    if record is None:
        abort(404)
    return record


def code_scope(set_id: str) -> str:
    """The household codes of one conversation (``codes/stellingen-<id>``)."""
    return f"{PLUGIN}-{set_id}"


def _participant(record: dict[str, Any]) -> str | None:
    """Who votes: the household behind the code this browser entered, for a conversation
    that asks for codes (None: no code yet); else this browser."""
    if record.get("requires_codes"):
        return household_participant(code_scope(record["id"]))
    return resident_key(f"{PLUGIN}:{record['id']}")


def _to_code_page(set_id: str):
    flash(_("Vul eerst de code uit uw brief in. Daarna kunt u meedoen."), "info")
    return redirect(url_for("stellingen.enter_code", set_id=set_id))


def _check_csrf() -> None:
    if not FlaskForm().validate():
        abort(400)


def _order(statements: list[dict], participant: str) -> list[dict]:
    """Each participant meets the statements in an order of their own (stable for them), so
    the first statements do not collect all the votes of people who stop early."""

    def key(s: dict) -> str:
        return hashlib.sha256(f"{participant}:{s['number']}".encode()).hexdigest()

    return sorted(statements, key=key)


def _analysis_key(set_id: str) -> str:
    return f"{PLUGIN}:{set_id}"


def refresh(record: dict[str, Any]) -> bool:
    """Ask for a new analysis when the votes changed since the cached one; never compute it
    here. True while one is waiting or running (the page says "wordt bijgewerkt")."""
    store, k, set_id = _store(), min_group_size(), record["id"]
    if not res.is_current(store, record, k):
        app = current_app._get_current_object()

        def analyse_now() -> None:  # on the background thread, in an app context
            store = plugin_store(PLUGIN, app)
            fresh = conv.get(store, set_id)
            if fresh is not None:
                res.current(store, fresh, k)

        run_in_background(_analysis_key(set_id), analyse_now)
    return background_pending(_analysis_key(set_id))


def _cached_view(record: dict[str, Any]) -> dict[str, Any]:
    """The template variables of the cached analysis: result and when it was made."""
    found = res.cached(_store(), record)
    return {
        "result": found["result"] if found else None,
        "computed_at": res.moment(found["computed_at"]) if found else None,
    }


# --- residents ----------------------------------------------------------------------------------


@public.get("/")
def index():
    sets = [s for s in conv.all_sets(_store()) if s["open"]]
    return render_template("stellingen/index.html", sets=sets, title=_("Stellingen"))


@public.get("/<set_id>/")
def vote_page(set_id: str):
    record = _conversation_or_404(set_id)
    store = _store()
    statements = conv.statements(store, set_id)
    participant = _participant(record)
    if participant is None:
        return render_template(
            "stellingen/vote.html",
            conversation=record,
            needs_code=True,
            statement=None,
            title=record["title"],
        )
    done = conv.voted_on(store, set_id, participant)
    remaining = [s for s in _order(statements, participant) if s["number"] not in done]
    return render_template(
        "stellingen/vote.html",
        conversation=record,
        statement=remaining[0] if remaining else None,
        position=len(statements) - len(remaining) + 1,
        total=len(statements),
        form=FlaskForm(),
        title=record["title"],
    )


@public.post("/<set_id>/stem")
def vote(set_id: str):
    record = _conversation_or_404(set_id)
    _check_csrf()
    if not record["open"]:
        flash(_("Stemmen kan niet meer: deze stellingen zijn gesloten."), "error")
        return redirect(url_for(".vote_page", set_id=set_id))
    value = VOTE_WORDS.get(request.form.get("stem", ""))
    try:
        number = int(request.form.get("stelling", ""))
    except ValueError:
        number = 0
    known = {s["number"] for s in conv.statements(_store(), set_id)}
    if value is None or number not in known:
        abort(400)
    participant = _participant(record)
    if participant is None:
        return _to_code_page(set_id)
    conv.record_votes(
        _store(), set_id, [(participant, number, value)], channel="web", replace=False
    )
    return redirect(url_for(".vote_page", set_id=set_id))


@public.route("/<set_id>/voorstel", methods=["GET", "POST"])
def suggest(set_id: str):
    record = _conversation_or_404(set_id)
    if record.get("requires_codes") and _participant(record) is None:
        return _to_code_page(set_id)
    error, text = None, ""
    if request.method == "POST":
        _check_csrf()
        text = request.form.get("stelling", "")
        if not record["open"]:
            error = _("Voorstellen kan niet meer: deze stellingen zijn gesloten.")
        else:
            try:
                conv.suggest(_store(), set_id, text)
            except conv.ConversationError as problem:
                error = str(problem)
            else:
                thanks = _("Dank u wel. Uw stelling verschijnt na controle door de organisatie.")
                flash(thanks, "info")
                return redirect(url_for(".vote_page", set_id=set_id))
    return render_template(
        "stellingen/suggest.html",
        conversation=record,
        form=FlaskForm(),
        error=error,
        text=text,
        limit=conv.MAX_STATEMENT,
        title=_("Stelling voorstellen"),
    ), (400 if error else 200)


@public.route("/<set_id>/code", methods=["GET", "POST"])
def enter_code(set_id: str):
    """The household code from the letter: one participant per household, on any device."""
    record = _conversation_or_404(set_id)
    if not record.get("requires_codes"):
        return redirect(url_for(".vote_page", set_id=set_id))
    entry = household_code_entry(code_scope(set_id), url_for(".enter_code", set_id=set_id))
    if entry.blocked is not None:
        return entry.blocked
    if entry.accepted:
        flash(_("Uw code klopt. U doet mee namens uw huishouden."), "info")
        return redirect(url_for(".vote_page", set_id=set_id))
    return render_template(
        "stellingen/code.html",
        conversation=record,
        code_form=entry.html,
        error=entry.error,
        title=record["title"],
    ), (400 if entry.error else 200)


@public.get("/<set_id>/uitslag")
def results_page(set_id: str):
    record = _conversation_or_404(set_id)
    return render_template(
        "stellingen/results.html",
        conversation=record,
        **_cached_view(record),
        k=min_group_size(),
        title=_("Uitslag: %(title)s", title=record["title"]),
    )


# --- organisers ---------------------------------------------------------------------------------


@admin.get("/")
@organiser_required
def admin_index():
    return render_template(
        "stellingen/beheer_index.html", sets=conv.all_sets(_store()), title=_("Stellingen")
    )


@admin.get("/<set_id>")
@organiser_required
def admin_page(set_id: str):
    record = _conversation_or_404(set_id)
    store = _store()
    updating = refresh(record)
    surveys = [(s.id, localise(s.title, "nl")) for s in current_village().surveys.all()]
    return render_template(
        "stellingen/beheer.html",
        conversation=record,
        **_cached_view(record),
        updating=updating,
        surveys=surveys,
        suggestions=conv.suggestions(store, set_id),
        k=min_group_size(),
        form=FlaskForm(),
        title=record["title"],
    )


@admin.get("/<set_id>/rapport.pdf")
@organiser_required
def report_pdf(set_id: str):
    """The results for the village meeting, as a PDF: the last computed analysis."""
    record = _conversation_or_404(set_id)
    shown = _cached_view(record)
    if shown["result"] is None:
        refresh(record)
        flash(_("De uitslag wordt nog berekend. Probeer het over een minuut opnieuw."), "info")
        return redirect(url_for(".admin_page", set_id=set_id))
    html = render_template(
        "stellingen/report.html",
        conversation=record,
        **shown,
        k=min_group_size(),
        made=format_date(datetime.now(), "long"),
    )
    try:
        pdf = render_pdf(html)
    except PdfError as error:
        current_app.logger.error("stellingen report of %s failed: %s", set_id, error)
        flash(_("Het rapport kon niet worden gemaakt. Probeer het later nog eens."), "error")
        return redirect(url_for(".admin_page", set_id=set_id))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="stellingen-{set_id}.pdf"'},
    )


@admin.post("/<set_id>/voorstel/<statement_id>")
@organiser_required
def moderate(set_id: str, statement_id: str):
    _conversation_or_404(set_id)
    _check_csrf()
    decision = request.form.get("besluit")
    if decision not in ("goedkeuren", "afwijzen"):
        abort(400)
    try:
        conv.moderate(_store(), set_id, statement_id, approve=decision == "goedkeuren")
    except conv.ConversationError as problem:
        flash(str(problem), "error")
    return redirect(url_for(".admin_page", set_id=set_id))


@admin.post("/<set_id>/enquete")
@organiser_required
def link_survey(set_id: str):
    """Carry the results in the PDF report and share bundles of one survey (or none)."""
    _conversation_or_404(set_id)
    _check_csrf()
    chosen = request.form.get("enquete", "")
    if chosen and current_village().surveys.get(chosen) is None:
        abort(400)
    conv.set_survey(_store(), set_id, chosen or None)
    flash(_("Opgeslagen."), "info")
    return redirect(url_for(".admin_page", set_id=set_id))


@admin.post("/<set_id>/codes-verplicht")
@organiser_required
def toggle_codes(set_id: str):
    """Ask for a household code (one participant per household) or not (one per browser)."""
    record = _conversation_or_404(set_id)
    _check_csrf()
    conv.set_requires_codes(_store(), set_id, not record.get("requires_codes", False))
    return redirect(url_for(".admin_page", set_id=set_id))


@admin.route("/<set_id>/codes", methods=["GET", "POST"])
@organiser_required
def codes(set_id: str):
    """Household codes and their letters, as for a participation round."""
    record = _conversation_or_404(set_id)
    return household_codes_page(
        code_scope(set_id),
        title=record["title"],
        code_page=url_for("stellingen.enter_code", set_id=set_id),
        back=url_for(".admin_page", set_id=set_id),
    )


@admin.post("/<set_id>/open")
@organiser_required
def toggle_open(set_id: str):
    record = _conversation_or_404(set_id)
    _check_csrf()
    conv.set_open(_store(), set_id, not record["open"])
    return redirect(url_for(".admin_page", set_id=set_id))
