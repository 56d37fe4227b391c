"""Organiser page /beheer/sjablonen: add a survey template that a plugin offers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from vliegwiel.accounts.views import require_role
from vliegwiel.surveys.templates import TemplateError, add_template, available_templates
from vliegwiel.web.context import current_village

bp = Blueprint("survey_templates", __name__, url_prefix="/beheer/sjablonen")


@bp.get("/")
@require_role("beheerder")
def index():
    return render_template(
        "beheer/templates.html", templates=available_templates(current_village()), form=FlaskForm()
    )


@bp.post("/<name>")
@require_role("beheerder")
def add(name: str):
    if not FlaskForm().validate():
        abort(400)
    village = current_village()
    template = next((t for t in available_templates(village) if t.name == name), None)
    if template is None or template.survey is None:
        abort(404)
    try:
        add_template(village, name)
    except TemplateError:
        # Present already (as a survey or as a file of that name): nothing was copied.
        flash(_("Deze enquête staat al in uw installatie."), "error")
        return redirect(url_for(".index"))
    flash(
        _(
            "De enquête is toegevoegd als concept. Bewoners zien hem pas als u hem opent; "
            "zet hem eerst in test om hem zelf in te vullen."
        ),
        "info",
    )
    return redirect(url_for("organiser.survey_results", survey_id=template.survey.id))
