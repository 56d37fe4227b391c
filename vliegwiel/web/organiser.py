"""Organiser pages (/beheer): surveys, response counts, first results, exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from vliegwiel.app import current_village
from vliegwiel.export import export_codebook, export_csv, export_json
from vliegwiel.responses import responses_collection, responses_of
from vliegwiel.results import compute_results
from vliegwiel.survey_status import CLOSED, OPEN, is_open, set_status
from vliegwiel.web.auth import require_role

bp = Blueprint("organiser", __name__, url_prefix="/beheer")

ALL_ROLES = ("beheerder", "ambassadeur", "lezer")


def _survey_or_404(survey_id: str):
    survey = current_village().surveys.get(survey_id)
    if survey is None:
        abort(404)
    return survey


@bp.get("/")
@require_role(*ALL_ROLES)
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
@require_role(*ALL_ROLES)
def survey_results(survey_id: str):
    village = current_village()
    survey = _survey_or_404(survey_id)
    from vliegwiel.web.results_pages import viewer_responses

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
    survey = _survey_or_404(survey_id)
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
    survey = _survey_or_404(survey_id)
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
