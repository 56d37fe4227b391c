"""Organiser pages (/beheer): surveys, response counts, first results, exports."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField
from wtforms.validators import Optional

from vliegwiel.accounts.model import ROLES
from vliegwiel.accounts.views import require_role
from vliegwiel.surveys.export import export_codebook, export_csv, export_json
from vliegwiel.surveys.ordering import in_order, move
from vliegwiel.surveys.responses import (
    responses_collection,
    responses_of,
    trial_responses_collection,
)
from vliegwiel.surveys.status import (
    CLOSED,
    CONCEPT,
    OPEN,
    STATUSES,
    TEST,
    TIMEZONE,
    StatusError,
    lifecycle_of,
    local,
    schedule,
    set_status,
)
from vliegwiel.web.context import current_village, survey_or_404

bp = Blueprint("organiser", __name__, url_prefix="/beheer")

#: How the organiser pages name each status.
STATUS_LABELS = {
    CONCEPT: lazy_gettext("concept"),
    TEST: lazy_gettext("test"),
    OPEN: lazy_gettext("open"),
    CLOSED: lazy_gettext("gesloten"),
}
#: Why a status change was refused, by StatusError.reason.
STATUS_REFUSALS = {
    "has_answers": lazy_gettext(
        "Bewoners hebben deze enquête al ingevuld. Hij kan niet meer terug naar concept of test."
    ),
    "opening_too_late": lazy_gettext(
        "Deze enquête is al open of gesloten. Een openingsdatum is voor een concept of een "
        "enquête in test."
    ),
    "closed": lazy_gettext("Deze enquête is gesloten. Open hem eerst weer."),
    "closes_before_opening": lazy_gettext(
        "De sluitingsdatum moet na de openingsdatum en in de toekomst liggen."
    ),
}
#: The flash message after each change by hand.
STATUS_DONE = {
    CONCEPT: lazy_gettext("De enquête is weer een concept. Bewoners zien hem niet."),
    TEST: lazy_gettext(
        "De enquête staat in test. Ingelogde teamleden kunnen hem invullen; die antwoorden "
        "tellen niet mee. Bewoners zien hem nog niet."
    ),
    OPEN: lazy_gettext("De enquête is geopend."),
    CLOSED: lazy_gettext("De enquête is gesloten."),
}


class ScheduleForm(FlaskForm):
    """Opening and closing moments, typed in the village's own time; empty clears."""

    opens_at = DateTimeLocalField(
        lazy_gettext("Opent op"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    closes_at = DateTimeLocalField(
        lazy_gettext("Sluit op"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=TIMEZONE) if value else None


@bp.get("/")
@require_role(*ROLES)
def dashboard():
    village = current_village()
    surveys = [
        {
            "survey": s,
            "responses": village.storage.count(responses_collection(s.id)),
            "lifecycle": lifecycle_of(village.storage, s.id),
        }
        # The home page's order, so the arrows move what residents see.
        for s in in_order(village.storage, village.surveys.all())
    ]
    return render_template(
        "beheer/dashboard.html",
        surveys=surveys,
        broken=village.surveys.broken(),
        problems=village.problems.entries,
        form=FlaskForm(),
        status_labels=STATUS_LABELS,
        local=local,
    )


@bp.post("/volgorde")
@require_role("beheerder")
def reorder():
    """One survey a place up or down on the residents' home page (buttons, no JavaScript)."""
    village = current_village()
    survey_id = request.form.get("survey_id", "")
    step = {"omhoog": -1, "omlaag": 1}.get(request.form.get("richting", ""))
    if not FlaskForm().validate() or step is None:
        abort(400)
    survey = survey_or_404(survey_id)
    move(village.storage, [s.id for s in village.surveys.all()], survey.id, step)
    flash(_("De volgorde op de startpagina is aangepast."), "info")
    return redirect(url_for(".dashboard", _anchor=f"volgorde-{survey.id}"))


@bp.get("/enquete/<survey_id>")
@require_role(*ROLES)
def survey_results(survey_id: str):
    village = current_village()
    survey = survey_or_404(survey_id)
    # Importing the results capability here, not at the top: it imports this capability's
    # modules. Counted once per version of the data, on the viewer's step (results_cache).
    from vliegwiel.results.results_cache import cached_results
    from vliegwiel.results.views import viewer_step

    results = cached_results(village, survey, step=viewer_step(village))
    lifecycle = lifecycle_of(village.storage, survey.id)
    return render_template(
        "beheer/survey.html",
        survey=survey,
        results=results,
        lifecycle=lifecycle,
        status=lifecycle.status(),
        status_labels=STATUS_LABELS,
        open=lifecycle.status() == OPEN,
        test_answers=village.storage.count(trial_responses_collection(survey.id)),
        form=FlaskForm(),
        schedule_form=ScheduleForm(
            opens_at=_naive(local(lifecycle.opens_at)),
            closes_at=_naive(local(lifecycle.closes_at)),
        ),
        local=local,
    )


def _naive(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=None) if value else None


@bp.post("/enquete/<survey_id>/status")
@require_role("beheerder")
def change_status(survey_id: str):
    """Move the survey to the status the button names (concept, test, open, closed)."""
    survey = survey_or_404(survey_id)
    new = request.form.get("status", "")
    if not FlaskForm().validate() or new not in STATUSES:
        abort(400)
    village = current_village()
    try:
        set_status(village.storage, survey.id, new)
    except StatusError as error:
        flash(str(STATUS_REFUSALS[error.reason]), "error")
    else:
        flash(str(STATUS_DONE[new]), "info")
    return redirect(url_for(".survey_results", survey_id=survey.id))


@bp.post("/enquete/<survey_id>/planning")
@require_role("beheerder")
def change_schedule(survey_id: str):
    """Set or clear the opening and closing moments."""
    survey = survey_or_404(survey_id)
    form = ScheduleForm()
    if not form.validate():
        if form.csrf_token.errors:
            abort(400)
        flash(_("Vul een datum en tijd in, of laat het veld leeg."), "error")
        return redirect(url_for(".survey_results", survey_id=survey.id))
    village = current_village()
    try:
        schedule(
            village.storage,
            survey.id,
            opens_at=_aware(form.opens_at.data),
            closes_at=_aware(form.closes_at.data),
        )
    except StatusError as error:
        flash(str(STATUS_REFUSALS[error.reason]), "error")
    else:
        flash(_("De planning is opgeslagen."), "info")
    return redirect(url_for(".survey_results", survey_id=survey.id))


@bp.get("/enquete/<survey_id>/export.<fmt>")
@require_role("beheerder")
def export(survey_id: str, fmt: str):
    village = current_village()
    survey = survey_or_404(survey_id)
    responses = responses_of(village, survey.id)
    # Flask adds "; charset=utf-8" to a text/* mimetype itself: naming it here doubled it.
    filename = f"{survey.id}.{fmt}"
    if fmt in ("csv", "csv-nl"):
        body, mimetype = export_csv(village, survey, responses, fmt), "text/csv"
        filename = f"{survey.id}-nl.csv" if fmt == "csv-nl" else filename
    elif fmt == "json":
        body, mimetype = export_json(survey, responses), "application/json"
    elif fmt in ("codebook.csv", "codebook-nl.csv"):
        dialect = "csv-nl" if fmt == "codebook-nl.csv" else "csv"
        body, mimetype = export_codebook(village, survey, dialect), "text/csv"
    else:
        abort(404)
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
