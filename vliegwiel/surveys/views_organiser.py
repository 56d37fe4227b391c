"""Organiser pages (/beheer): surveys, response counts, first results, exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from vliegwiel.accounts.model import ROLES
from vliegwiel.accounts.views import require_role
from vliegwiel.results.tallies import compute_results
from vliegwiel.surveys.export import export_codebook, export_csv, export_json
from vliegwiel.surveys.responses import responses_collection, responses_of
from vliegwiel.surveys.status import CLOSED, OPEN, is_open, set_status
from vliegwiel.web.context import current_village, survey_or_404

bp = Blueprint("organiser", __name__, url_prefix="/beheer")


@bp.get("/")
@require_role(*ROLES)
def dashboard():
    village = current_village()
    surveys = [
        {
            "survey": s,
            "responses": village.storage.count(responses_collection(s.id)),
            "open": is_open(village.storage, s.id),
        }
        for s in village.surveys.all()
    ]
    return render_template(
        "beheer/dashboard.html",
        surveys=surveys,
        broken=village.surveys.broken(),
        problems=village.problems.entries,
        form=FlaskForm(),
    )


@bp.get("/enquete/<survey_id>")
@require_role(*ROLES)
def survey_results(survey_id: str):
    village = current_village()
    survey = survey_or_404(survey_id)
    # Importing the results views here, not at the top: they import this capability's
    # modules, and only this page needs the viewer's stepped responses.
    from vliegwiel.results.views import viewer_responses

    wave, responses = viewer_responses(village, survey, None)
    results = compute_results(village, survey, responses, wave=wave)
    return render_template(
        "beheer/survey.html",
        survey=survey,
        results=results,
        open=is_open(village.storage, survey.id),
        form=FlaskForm(),
    )


@bp.post("/enquete/<survey_id>/status")
@require_role("beheerder")
def change_status(survey_id: str):
    survey = survey_or_404(survey_id)
    if not FlaskForm().validate():
        abort(400)
    village = current_village()
    new = CLOSED if is_open(village.storage, survey.id) else OPEN
    set_status(village.storage, survey.id, new)
    flash(_("De enquête is geopend.") if new == OPEN else _("De enquête is gesloten."), "info")
    return redirect(url_for(".survey_results", survey_id=survey.id))


@bp.get("/enquete/<survey_id>/export.<fmt>")
@require_role("beheerder")
def export(survey_id: str, fmt: str):
    village = current_village()
    survey = survey_or_404(survey_id)
    responses = responses_of(village, survey.id)
    if fmt == "csv":
        body, mimetype = export_csv(village, survey, responses), "text/csv; charset=utf-8"
    elif fmt == "json":
        body, mimetype = export_json(survey, responses), "application/json"
    elif fmt == "codebook.csv":
        body, mimetype = export_codebook(village, survey), "text/csv; charset=utf-8"
    else:
        abort(404)
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{survey.id}.{fmt}"'},
    )
