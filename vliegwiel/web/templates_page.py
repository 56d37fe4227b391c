"""Organiser page /beheer/sjablonen: add a survey template that a plugin offers."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from vliegwiel.app import Village, current_village
from vliegwiel.survey_loader import SurveyError, load_survey_file
from vliegwiel.survey_schema import Survey
from vliegwiel.web.auth import require_role

bp = Blueprint("survey_templates", __name__, url_prefix="/beheer/sjablonen")


@dataclass
class SurveyTemplate:
    """One template file a plugin offers, as the organiser sees it."""

    name: str
    plugin: str
    path: Path
    survey: Survey | None
    problems: list[str]
    #: True when the instance already has a survey with this id.
    present: bool


def available_templates(village: Village) -> list[SurveyTemplate]:
    """Every template of every plugin, loaded with the instance's question types."""
    found = []
    for plugin, paths in village.call_hook("vliegwiel_survey_templates"):
        for raw in paths:
            path = Path(raw)
            try:
                survey = load_survey_file(path, village.question_types)
            except SurveyError as error:
                found.append(
                    SurveyTemplate(
                        path.stem, plugin, path, None, [str(p) for p in error.problems], False
                    )
                )
                continue
            present = village.surveys.get(survey.id) is not None
            found.append(SurveyTemplate(path.stem, plugin, path, survey, [], present))
    return sorted(found, key=lambda t: (t.plugin, t.name))


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
    if template.present:
        flash(_("Deze enquête staat al in uw installatie."), "error")
        return redirect(url_for(".index"))
    target = village.instance_dir / "surveys" / template.path.name
    if target.exists():
        flash(_("Er staat al een bestand met deze naam in de map surveys/."), "error")
        return redirect(url_for(".index"))
    shutil.copyfile(template.path, target)
    flash(_("De enquête is toegevoegd. Bewoners kunnen hem nu invullen."), "info")
    return redirect(url_for("organiser.survey_results", survey_id=template.survey.id))
